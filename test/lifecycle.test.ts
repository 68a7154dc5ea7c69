// The tool's own life cycle: a hook whose checkout or node went away, flags that cannot go
// together, what --install says. Against real tmux servers, with copies of dist/ and of node.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, cpSync, linkSync, mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ROOT, retryUntil, runScript, sandbox, withServer, type TestServer } from './helpers.ts'
import { HOOK_MARK, hookArgv, hookCommand } from '../lib/commands.ts'
import { hookPaths } from '../lib/doctor.ts'

function tempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A checkout of its own (dist/ copied, not linked: it is moved and deleted), at a hostile path. */
function checkout(t: TestContext): string {
  const dir = path.join(tempDir(t, 'tv-life-'), `it's "a" $HOME #{x} %y`)
  mkdirSync(dir)
  cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true })
  return dir
}

/** A node of its own, in a temp dir (a hard link where the file system allows, else a copy). */
function ownNode(t: TestContext): string {
  const file = path.join(tempDir(t, 'tv-node-'), 'node')
  try {
    linkSync(process.execPath, file)
  } catch {
    copyFileSync(process.execPath, file)
  }
  return file
}

function hooks(srv: TestServer, name = 'client-detached'): string[] {
  return srv.tmux(['show-hooks', '-g', name]).stdout.split('\n').filter((l) => l.startsWith(`${name}[`))
}

/** What a hook's failure shows: the pane put in view mode with "'...' returned N" in it. */
function noise(srv: TestServer): string[] {
  return srv.tmux(['list-panes', '-a', '-F', '#{pane_in_mode} #{pane_mode} #{session_name}']).stdout.split('\n').filter((l) => l.startsWith('1'))
}

function install(srv: TestServer, node: string, dir: string) {
  const r = spawnSync(node, [path.join(dir, 'dist', 'scripts', 'on-detach.cjs'), '-L', srv.name, '--install'], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
}

/** A tab comes and goes on a second session, so the detach has panes to show noise in. */
async function detachOnce(srv: TestServer) {
  const tab = await srv.attach('=work')
  await tab.detach()
}

test('the checkout moved away: the hook stays silent and removes itself, another tool\'s hook stays', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  srv.tmux(['set-hook', '-g', 'client-detached[0]', 'set-option -g @other-tool ran'])
  const dir = checkout(t)
  install(srv, process.execPath, dir)
  assert.equal(hooks(srv).length, 2)
  renameSync(dir, `${dir}-moved`)
  await detachOnce(srv)
  await retryUntil(() => hooks(srv).length === 1, 'the hook removed itself')
  assert.deepEqual(hooks(srv), ['client-detached[0] set-option -g @other-tool ran'])
  assert.deepEqual(noise(srv), [])
  // and the next detach is quiet too
  await detachOnce(srv)
  assert.deepEqual(noise(srv), [])
})

test('node deleted: the hook stays silent and removes itself', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const node = ownNode(t)
  const dir = checkout(t)
  install(srv, node, dir)
  assert.equal(hooks(srv).length, 1)
  unlinkSync(node)
  await detachOnce(srv)
  await retryUntil(() => hooks(srv).length === 0, 'the hook removed itself')
  assert.deepEqual(noise(srv), [])
})

test('the hook\'s shell part, run as tmux runs it: silent and exit 0 in every case; only a gone checkout or node removes it', (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const dir = checkout(t)
  const entry = path.join(dir, 'dist', 'scripts', 'on-detach.cjs')
  const socket = srv.tmux(['display-message', '-p', '#{socket_path}']).stdout.trim()
  const run = (node: string) => {
    const [cmd, ...args] = hookArgv(node, entry)
    const r = spawnSync(cmd, [...args, 'client-detached'], { encoding: 'utf8', env: { ...process.env, TMUX: `${socket},1,0`, NODE_OPTIONS: '--import=tsx' } })
    assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', ''])
  }
  install(srv, process.execPath, dir)
  run(process.execPath) // built: on-detach runs (NODE_OPTIONS from npm does not stop it)
  assert.equal(hooks(srv).length, 1)
  rmSync(path.join(dir, 'dist'), { recursive: true }) // unbuilt, or a build swapping dist/: keep the hook
  run(process.execPath)
  assert.equal(hooks(srv).length, 1)
  run('/nonexistent/node') // node gone: the hook goes
  assert.equal(hooks(srv).length, 0)
})

test('the hook command is plain words for any default-shell, and doctor reads its paths back', () => {
  const node = '/opt/n\'o de/bin/node'
  const entry = `/home/u/it's "a" $HOME #{x} %y/dist/scripts/on-detach.cjs`
  const cmd = hookCommand(node, entry)
  // what the shell gets: run-shell's argument, tmux's double quotes removed, formats expanded
  const sh = cmd.replace(/^run-shell -b "(.*)"$/s, '$1').replace(/\\([\\"$])/g, '$1')
    .replace(' #{hook}', ' client-detached').replaceAll('##', '#')
  // each word: '...' parts without a backslash inside (fish reads \\ and \' there) joined by \',
  // or a bare word of letters, digits and / . - : nothing that fish, csh or sh read differently
  const words = [...sh.matchAll(/(?:\\'|'[^']*'|[^\s'\\]+)+/g)].map((m) => m[0])
  const bad = words.filter((w) => !/^(?:\\'|'[^'\\]*'|[\w/.-]+)+$/.test(w))
  assert.deepEqual(bad, [])
  assert.equal(words.at(-1), 'client-detached')
  assert.ok(words.includes(HOOK_MARK))
  assert.deepEqual(hookPaths(cmd), [node, entry])
})

test('on-detach: set-up flags that cannot go together are exit 2; --install says what it did', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  for (const args of [['--install', '--dry-run'], ['--install', '--uninstall'], ['--uninstall', '--print-conf'], ['--install', '--json'], ['--install', '--hook'], ['--uninstall', '--grace', '5s']]) {
    const r = await runScript('on-detach', ['-L', srv.name, ...args])
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, /^on-detach: --\S+ and --\S+ cannot go together\n/)
  }
  assert.deepEqual(hooks(srv), [], 'nothing was installed')
  const r = await runScript('on-detach', ['-L', srv.name, '--install'])
  assert.equal(r.code, 0)
  assert.equal(r.stderr, `Installed the client-detached[48] and client-session-changed[48] hooks on '${srv.name}': they run ${process.execPath} ${path.join(ROOT, 'dist', 'scripts', 'on-detach.cjs')}\n`)
  const u = await runScript('on-detach', ['-L', srv.name, '--uninstall'])
  assert.deepEqual([u.code, u.stderr], [0, `Removed the client-detached[48] and client-session-changed[48] hooks from '${srv.name}'\n`])
})

test('doctor tells the truth: defaults without a config file, a timer only where one can exist, absolute paths in its fixes', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const bin = tempDir(t, 'tv-bin-')
  const tmux = spawnSync('/bin/sh', ['-c', 'command -v "$1"', 'sh', process.env.TMUX_VIEWS_TMUX || 'tmux'], { encoding: 'utf8' }).stdout.trim()
  // PATH holds only the fakes: no systemctl or crontab unless a case writes one
  const home = sandbox()
  const env = { ...home, PATH: bin, TMUX_VIEWS_TMUX: tmux }
  const fake = (name: string, body: string | null) => {
    const file = path.join(bin, name)
    if (body === null) return rmSync(file, { force: true })
    writeFileSync(file, `#!/bin/sh\n${body}\n`)
    chmodSync(file, 0o755)
  }
  const checks = async () => {
    const r = await runScript('report', ['-L', srv.name, '--doctor', '--json'], { env })
    return Object.fromEntries(JSON.parse(r.stdout).checks.map((k: { name: string }) => [k.name, k]))
  }
  // no systemd user manager (the bus is not there) and no cron at all: nothing to warn about
  fake('systemctl', 'echo "Failed to connect to bus: No medium found" >&2; exit 1')
  let c = await checks()
  assert.equal(c.config.ok, true)
  assert.equal(c.config.detail, `defaults (no file at ${path.join(home.XDG_CONFIG_HOME!, 'tmux-views', 'config.json')})`)
  assert.equal(c['sweep timer'].ok, true)
  assert.match(c['sweep timer'].detail, /^none possible \(no systemd user manager, no crontab\): .*@tmux-views-sweep-key.* '\/\S+\/node' '\/\S+\/dist\/scripts\/sweep\.cjs'$/)
  // cron but no line of ours: a warning whose fix adds the line, with absolute paths
  fake('crontab', '[ "$1" = -l ] && { echo "no crontab for $USER" >&2; exit 1; }; cat > /dev/null')
  c = await checks()
  assert.equal(c['sweep timer'].ok, false)
  assert.equal(c['sweep timer'].fix, `(crontab -l 2>/dev/null; echo '* * * * * '\\''${process.execPath}'\\'' '\\''${path.join(ROOT, 'dist', 'scripts', 'sweep.cjs')}'\\'' --all-sockets >/dev/null 2>&1') | crontab -`)
  // a systemd user manager: the fix is the installer, by its absolute path
  fake('systemctl', '[ "$2" = show-environment ] && exit 0; echo disabled; exit 1')
  c = await checks()
  assert.equal(c['sweep timer'].ok, false)
  assert.equal(c['sweep timer'].fix, `'${path.join(ROOT, 'systemd', 'install.sh')}'`)
  for (const k of Object.values(c) as Array<{ fix?: string }>) if (k.fix && !k.fix.startsWith('tmux ')) assert.match(k.fix, /(^|[ '(])\//, `a fix without an absolute path: ${k.fix}`)
})
