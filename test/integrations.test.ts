// The integrations around the scripts: the TPM entry (tmux-views.tmux), the conf snippet for users
// without TPM (tmux-views.conf), the systemd user units with their installer, and the cron line.
// Each runs as its user would run it, against a private tmux server, with the compiled dist/.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ROOT, retryUntil, runScript, withServer, type Client, type TestServer } from './helpers.ts'
import { shellQuote } from '../lib/commands.ts'

const ENTRY = path.join(ROOT, 'tmux-views.tmux')
const CONF = path.join(ROOT, 'tmux-views.conf')
const ON_DETACH = path.join(ROOT, 'dist', 'scripts', 'on-detach.cjs')
const TMUX = process.env.TMUX_VIEWS_TMUX || 'tmux'
const which = (cmd: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { encoding: 'utf8' }).stdout.trim()

/** A temp dir for this test, removed after it. */
function tempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Directory names that break careless quoting in sh, in tmux's parser, formats and unit files. */
const HOSTILE_DIR = `it's a "dir" $HOME #{session_name} %x`

/**
 * A checkout at a hostile path: the given files copied (they find their directory themselves),
 * and dist/ copied from the built one (`withDist`), or missing as before `npm ci`. A copy, not a
 * symlink: node runs a symlinked script from its real path, so on-detach would then install a
 * hook naming ROOT, and the hostile path would never reach tmux.
 */
function checkout(t: TestContext, files: string[], withDist = true): string {
  const dir = path.join(tempDir(t, 'tv-checkout-'), HOSTILE_DIR)
  mkdirSync(dir)
  for (const f of files) cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true })
  if (withDist) cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true })
  return dir
}

/** The compiled on-detach of a checkout as tmux shows it in a hook: '#' doubled (run-shell expands formats). */
const hookEntry = (dir: string) => path.join(dir, 'dist', 'scripts', 'on-detach.cjs').replaceAll('#', '##')

/** What tmux's run-shell gets: a POSIX-quoted path, '#' doubled (run-shell expands formats). */
function runShellArg(file: string): string {
  return shellQuote(file).replaceAll('#', '##')
}

/** Run the plugin entry the way TPM does: inside the server, through run-shell. */
function runEntry(srv: TestServer, entry = ENTRY) {
  const r = srv.tmux(['run-shell', runShellArg(entry)], { ok: false })
  assert.equal(r.code, 0, `run-shell ${entry}: ${r.stderr}`)
  return r
}

function hooks(srv: TestServer, name = 'client-detached'): string[] {
  return srv.tmux(['show-hooks', '-g', name]).stdout.split('\n').filter((l) => l.startsWith(`${name}[`))
}

/** The status-line messages tmux showed on clients (its message log). */
const clientsOf = new Map<TestServer, Client[]>()

/** Messages shown to clients: tmux 3.3 logs them in show-messages, 3.5 sends control clients %message. */
function messages(srv: TestServer): string[] {
  const logged = srv.tmux(['show-messages']).stdout.split('\n').filter((l) => / message: /.test(l)).map((l) => l.replace(/^.*? message: /, ''))
  const sent = (clientsOf.get(srv) ?? []).flatMap((c) => c.output.split('\n').filter((l) => l.startsWith('%message ')).map((l) => l.slice('%message '.length)))
  return logged.length ? logged : sent
}

// A grace far longer than any test: no spawn reuses a claimed view because the machine is slow.
async function spawnView(srv: TestServer, parent: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const r = await runScript('spawn-view', ['-L', srv.name, '--print', '--grace', '10m', '--', parent], { env })
  assert.equal(r.code, 0, r.stderr)
  return r.stdout.trim()
}

/** A view whose claim ran out an hour ago: no tab attached it, so any sweep may remove it. */
function orphan(srv: TestServer, view: string) {
  const id = srv.sessions().find((s) => s.name === view)!.id
  srv.tmux(['set-option', '-t', id, '@tmux-views-claim-at', String(Math.floor(Date.now() / 1000) - 3600)])
}

async function attach(t: TestContext, srv: TestServer, target: string): Promise<Client> {
  const client = await srv.attach(target)
  t.after(() => client.kill())
  clientsOf.set(srv, [...(clientsOf.get(srv) ?? []), client])
  return client
}

// ---- tmux-views.tmux (TPM) ----------------------------------------------------------------------

test('tmux-views.tmux is executable and starts with a bash line (TPM runs it directly)', () => {
  assert.ok(statSync(ENTRY).mode & 0o111, 'not executable')
  assert.match(readFileSync(ENTRY, 'utf8'), /^#!\/usr\/bin\/env bash\n/)
})

test('the TPM entry, run twice, installs one client-detached[48] hook and keeps another tool\'s', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  srv.tmux(['set-hook', '-g', 'client-detached[0]', 'display-message other-tool'])
  runEntry(srv)
  runEntry(srv)
  const h = hooks(srv)
  assert.equal(h.length, 2, h.join('\n'))
  assert.equal(h[0], 'client-detached[0] display-message other-tool')
  assert.match(h[1], /^client-detached\[48\] run-shell -b .*'\S*\/dist\/scripts\/on-detach\.cjs' /)
  assert.ok(h[1].includes(ON_DETACH))
  // and it works: the view of a tab that closes goes
  const v = await spawnView(srv, 'work')
  const tab = await srv.attach(`=${v}`)
  await tab.detach()
  await retryUntil(() => !srv.names().includes(v), 'the hook removed the view')
  assert.deepEqual(srv.names(), ['work'])
})

test('@tmux-views-hook off removes the hook and nothing else', (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  srv.tmux(['set-hook', '-g', 'client-detached[0]', 'display-message other-tool'])
  runEntry(srv)
  assert.equal(hooks(srv).length, 2)
  srv.tmux(['set-option', '-g', '@tmux-views-hook', 'off'])
  runEntry(srv)
  assert.deepEqual(hooks(srv), ['client-detached[0] display-message other-tool'])
  runEntry(srv) // removing it again is fine
  assert.deepEqual(hooks(srv), ['client-detached[0] display-message other-tool'])
})

test('@tmux-views-sweep-key binds prefix+KEY; the bound command sweeps this server and shows the count', async (t) => {
  // a server started under npm carries its NODE_OPTIONS; one node cannot start with must not matter.
  // The key's sweep runs with the server's environment: a grace longer than the test keeps `keep`.
  const srv = withServer(t, { ...process.env, NODE_OPTIONS: '--import=/nonexistent/loader.mjs', TMUX_VIEWS_GRACE: '10m' })
  const canary = path.join(tempDir(t, 'tv-canary-'), 'ran')
  const parent = `it's $(touch ${canary}) #{session_id}`
  srv.newSession(parent)
  const dir = checkout(t, ['tmux-views.tmux'])
  srv.tmux(['set-option', '-g', '@tmux-views-hook', 'off']) // only the key removes views here
  srv.tmux(['set-option', '-g', '@tmux-views-sweep-key', 'C'])
  runEntry(srv, path.join(dir, 'tmux-views.tmux'))
  // the whole table: tmux 3.7c shows `list-keys -T prefix C` as a message instead of printing it
  const line = srv.tmux(['list-keys', '-T', 'prefix']).stdout.split('\n').find((l) => /^bind-key\s+-T\s+prefix\s+C\s/.test(l)) ?? ''
  const m = /^bind-key\s+-T\s+prefix\s+C\s+(run-shell -b .*)$/.exec(line)
  assert.ok(m, line)
  assert.ok(m[1].includes('/dist/scripts/sweep.cjs'), line)
  assert.ok(m[1].includes('--by manual'), line)
  // /bin/sh named, not assumed: tmux 3.5 runs run-shell with default-shell (fish, csh, ...)
  assert.ok(m[1].startsWith(`run-shell -b "'/bin/sh' -c '`), line)
  assert.ok(!m[1].includes('touch'), 'no session name in the binding')

  // a client of the parent presses the key: a control client runs the bound command as its own
  const client = await attach(t, srv, srv.sessions()[0].id)
  const keep = await spawnView(srv, parent) // claimed, inside the grace: kept
  const gone = await spawnView(srv, parent)
  orphan(srv, gone)
  client.proc.stdin!.write(`${m[1]}\n`)
  await retryUntil(() => !srv.names().includes(gone), 'the key removed the orphaned view')
  assert.deepEqual(srv.names(), [keep, parent].sort())
  await retryUntil(() => messages(srv).includes('tmux-views: Cleaned up 1 orphaned view session(s)'), 'the count in the status line')
  assert.equal(existsSync(canary), false)
})

test('no build (npm ci not run): a one-line message, exit 0, nothing installed', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const dir = checkout(t, ['tmux-views.tmux'], false)
  const entry = path.join(dir, 'tmux-views.tmux')
  const expected = `tmux-views: not built: run 'npm ci' in ${dir}`
  // no client yet, as while tmux starts: the message waits for the first client, once
  runEntry(srv, entry)
  assert.deepEqual(hooks(srv), [])
  assert.equal(hooks(srv, 'client-attached').length, 1)
  await attach(t, srv, '=work')
  await retryUntil(() => messages(srv).includes(expected), 'the message on the first client')
  assert.deepEqual(hooks(srv, 'client-attached'), [])
  // with a client: shown at once
  runEntry(srv, entry)
  await retryUntil(() => messages(srv).filter((msg) => msg === expected).length === 2, 'the message shown again')
  assert.deepEqual(hooks(srv, 'client-attached'), [])
})

test('a node that cannot be found is a message and exit 0, not a TPM failure', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  await attach(t, srv, '=work')
  srv.tmux(['set-option', '-g', '@tmux-views-node', '/nonexistent/node'])
  runEntry(srv)
  assert.deepEqual(hooks(srv), [])
  await retryUntil(() => messages(srv).some((msg) => msg.startsWith('tmux-views: node not found')), 'the node-not-found message')
  // an explicit node is used, and must be the one in the hook
  srv.tmux(['set-option', '-g', '@tmux-views-node', process.execPath])
  runEntry(srv)
  assert.match(hooks(srv)[0], new RegExp(`^client-detached\\[48\\] run-shell -b .*'${process.execPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' `))
})

// ---- tmux-views.conf (no TPM) ---------------------------------------------------------------------

test('tmux-views.conf as the server\'s config finds its checkout and installs the hook at start', async (t) => {
  const srv = withServer(t)
  const dir = checkout(t, ['tmux-views.tmux', 'tmux-views.conf'])
  // The one place a server here reads a config: ours, from a hostile path, while tmux starts (when
  // $TMUX ends in ",-1"). Then source-file again, as a reload does: still one hook.
  const r = spawnSync(TMUX, ['-L', srv.name, '-f', path.join(dir, 'tmux-views.conf'), 'new-session', '-d', '-s', 'work', 'sleep 86400'], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  let h = hooks(srv)
  assert.equal(h.length, 1, h.join('\n'))
  // the checkout's own entry, at its hostile path (the part of it tmux's quoting leaves as it is)
  assert.ok(h[0].includes(hookEntry(dir).slice(hookEntry(dir).indexOf('##{session_name}'))), h[0])
  assert.ok(!h[0].includes(ON_DETACH), h[0])
  srv.tmux(['source-file', path.join(dir, 'tmux-views.conf')])
  h = hooks(srv)
  assert.equal(h.length, 1, h.join('\n'))
  const v = await spawnView(srv, 'work')
  const tab = await srv.attach(`=${v}`)
  await tab.detach()
  await retryUntil(() => !srv.names().includes(v), 'the hook from the conf removed the view')
})

// ---- systemd ------------------------------------------------------------------------------------------

/** Split a unit file's ExecStart= the way systemd does for our lines: %% specifiers, C quoting, $$. */
function execArgv(value: string): string[] {
  const text = value.replace(/%(.)/g, (_, c: string) => {
    if (c !== '%') throw new Error(`unexpected specifier %${c}`)
    return '%'
  })
  const words: string[] = []
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g
  for (const m of text.matchAll(re)) words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2])
  // variables are expanded in the arguments, never in the program
  return words.map((w, i) => (i === 0 ? w : w.replace(/\$\$/g, '$')))
}

function environment(unit: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const m of unit.matchAll(/^Environment="((?:[^"\\]|\\.)*)"$/gm)) {
    const [k, ...v] = m[1].replace(/%%/g, '%').replace(/\\(.)/g, '$1').split('=')
    env[k] = v.join('=')
  }
  return env
}

test('systemd/install.sh --no-enable writes units that systemd accepts and whose ExecStart sweeps', async (t) => {
  const analyze = which('systemd-analyze')
  assert.ok(analyze, 'systemd-analyze is missing: install the Debian package "systemd" (see .ci/run)')
  const home = tempDir(t, 'tv-home-')
  const config = path.join(home, 'config with space')
  const sockets = tempDir(t, 'tv-sockets-')
  const dir = checkout(t, ['systemd'])
  // node by a path that needs escaping too (systemd forbids quotes in a program's path, not %)
  const nodeDir = path.join(home, 'node 100%')
  mkdirSync(nodeDir)
  symlinkSync(process.execPath, path.join(nodeDir, 'node'))
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: config, TMUX_TMPDIR: sockets, TMUX_VIEWS_TMUX: which(TMUX) }
  const r = spawnSync(path.join(dir, 'systemd', 'install.sh'), ['--no-enable', '--node', path.join(nodeDir, 'node')], { encoding: 'utf8', env })
  assert.equal(r.status, 0, r.stderr)
  const unitDir = path.join(config, 'systemd', 'user')
  const service = readFileSync(path.join(unitDir, 'tmux-views-sweep.service'), 'utf8')
  const timer = readFileSync(path.join(unitDir, 'tmux-views-sweep.timer'), 'utf8')
  assert.doesNotMatch(service + timer, /@[A-Z_]+@/)
  assert.match(service, /^Type=oneshot$/m)
  assert.match(timer, /^WantedBy=timers\.target$/m)

  const verify = spawnSync(analyze, ['--user', 'verify', '--man=no', path.join(unitDir, 'tmux-views-sweep.service'), path.join(unitDir, 'tmux-views-sweep.timer')], {
    encoding: 'utf8',
    env: { ...env, XDG_RUNTIME_DIR: tempDir(t, 'tv-run-') },
  })
  assert.equal(verify.status, 0, verify.stderr)
  assert.equal(verify.stderr.trim(), '', 'systemd-analyze warned')

  const argv = execArgv(/^ExecStart=(.*)$/m.exec(service)![1])
  assert.deepEqual(argv, [path.join(nodeDir, 'node'), path.join(dir, 'dist', 'scripts', 'sweep.cjs'), '--all-sockets'])
  const unitEnv = environment(service)
  assert.deepEqual(unitEnv, { TMUX_VIEWS_TMUX: which(TMUX), TMUX_TMPDIR: sockets })

  // run it as the service would, against a server in that socket directory
  const srvEnv = { ...process.env, TMUX_TMPDIR: sockets }
  const srv = withServer(t, srvEnv)
  srv.newSession('work')
  const v = await spawnView(srv, 'work', srvEnv)
  orphan(srv, v)
  const run = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', env: { HOME: home, PATH: '/usr/bin:/bin', XDG_RUNTIME_DIR: path.join(home, 'run'), ...unitEnv } })
  assert.equal(run.status, 0, run.stderr)
  assert.match(run.stdout, /^Cleaned up 1 orphaned view session\(s\)$/m)
  assert.deepEqual(srv.names(), ['work'])

  const un = spawnSync(path.join(dir, 'systemd', 'install.sh'), ['--uninstall', '--no-enable'], { encoding: 'utf8', env })
  assert.equal(un.status, 0, un.stderr)
  assert.equal(existsSync(path.join(unitDir, 'tmux-views-sweep.service')), false)
  assert.equal(existsSync(path.join(unitDir, 'tmux-views-sweep.timer')), false)
})

test('systemd/install.sh refuses bad usage (2) and a checkout without a build (1), writing nothing', (t) => {
  const config = path.join(tempDir(t, 'tv-home-'), 'config')
  const env = { ...process.env, XDG_CONFIG_HOME: config }
  const bad = spawnSync(path.join(ROOT, 'systemd', 'install.sh'), ['--bogus'], { encoding: 'utf8', env })
  assert.equal(bad.status, 2)
  assert.match(bad.stderr, /unknown argument: --bogus/)
  const dir = checkout(t, ['systemd'], false)
  const r = spawnSync(path.join(dir, 'systemd', 'install.sh'), ['--no-enable'], { encoding: 'utf8', env })
  assert.equal(r.status, 1)
  assert.match(r.stderr, /sweep\.cjs is missing: run 'npm ci'/)
  assert.equal(existsSync(config), false)
})

// ---- cron ---------------------------------------------------------------------------------------------

/** The documented cron line: kept once, in tmux-views.conf; the docs must show the same line. */
function cronLine(): string {
  const m = /^# cron: (.*)$/m.exec(readFileSync(CONF, 'utf8'))
  assert.ok(m, 'no "# cron:" line in tmux-views.conf')
  return m[1]
}

test('the docs show the same cron line as tmux-views.conf', () => {
  const line = cronLine()
  let shown = 0
  for (const doc of ['README.md', 'docs/reference.md']) {
    const file = path.join(ROOT, doc)
    if (!existsSync(file)) continue
    for (const l of readFileSync(file, 'utf8').split('\n').filter((x) => /^\* \* \* \* \* /.test(x))) {
      assert.equal(l, line, doc)
      shown++
    }
  }
  assert.ok(shown > 0, 'no doc shows the cron line')
})

test('the cron line, in cron\'s bare environment, sweeps the servers in tmux\'s socket directory', async (t) => {
  const line = cronLine()
  const fields = line.split(' ')
  assert.deepEqual(fields.slice(0, 5), ['*', '*', '*', '*', '*'], 'every minute')
  assert.ok(line.includes('/usr/bin/node ') && line.includes('/path/to/tmux-views/'), line)
  // what a user does: put in their node and checkout
  const command = fields.slice(5).join(' ').replace('/usr/bin/node', shellQuote(process.execPath)).replace('/path/to/tmux-views', shellQuote(ROOT))
  const home = tempDir(t, 'tv-cron-home-')
  const sockets = tempDir(t, 'tv-cron-sockets-')
  const srvEnv = { ...process.env, TMUX_TMPDIR: sockets }
  const servers = [withServer(t, srvEnv), withServer(t, srvEnv)]
  const views: string[] = []
  for (const srv of servers) {
    srv.newSession('work')
    const v = await spawnView(srv, 'work', srvEnv)
    orphan(srv, v)
    views.push(v)
  }
  // cron: no $TMUX, PATH=/usr/bin:/bin, HOME; TMUX_TMPDIR only to keep this test off real servers
  const vars = [`PATH=/usr/bin:/bin`, `HOME=${home}`, `TMUX_TMPDIR=${sockets}`, `TMPDIR=${home}`]
  if (process.env.TMUX_VIEWS_TMUX) vars.push(`TMUX_VIEWS_TMUX=${which(process.env.TMUX_VIEWS_TMUX)}`)
  const r = spawnSync('env', ['-i', ...vars, '/bin/sh', '-c', command], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout + r.stderr, '', 'cron mails any output: the line is silent')
  for (const srv of servers) assert.deepEqual(srv.names(), ['work'])
  // and it logged, under cron's HOME
  assert.ok(existsSync(path.join(home, '.local', 'state', 'tmux-views', 'events.jsonl')))
})
