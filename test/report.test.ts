// report, the lifecycle log and the doctor, against real tmux servers.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ROOT, expireClaim, hookRunning, rcTrap, retryUntil, runScript, sandbox, withServer, type TestServer } from './helpers.ts'
import { tryLock } from '../lib/lock.ts'
import { hookCommand } from '../lib/commands.ts'
import { REPORT, assertShape } from './shape.ts'

// A grace far longer than any test: no spawn reuses a claimed view because the machine is slow.
async function spawnView(srv: TestServer, env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  const r = await runScript('spawn-view', ['-L', srv.name, '--print', '--grace', '10m', ...args], { env })
  assert.equal(r.code, 0, r.stderr)
  return r.stdout.trim()
}

test("report's views and orphan count are what tmux itself says", async (t) => {
  const srv = withServer(t)
  const env = { ...sandbox(), TMUX_VIEWS_GRACE: '10m' } // the two unattached views stay 'in grace'
  srv.newSession('work')
  srv.newSession('notes')
  srv.newSession('plain')
  const a = await spawnView(srv, env, '--tab', '1', '--title', 'editor', '--icon', '✎', 'work')
  await spawnView(srv, env, 'work')
  await spawnView(srv, env, 'notes')
  srv.tmux(['new-session', '-d', '-t', '=work', '-s', 'work-view-1735324800-5432']) // older design
  const tab = await srv.attach(`=${a}`)
  t.after(() => tab.kill())
  // the grace set here: two views stay 'grace' however slow the machine
  const r = await runScript('report', ['-L', srv.name, '--json', '--grace', '1h'], { env })
  assert.equal(r.code, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  // tmux's own view of the same sessions
  const tmuxViews = srv.tmux(['list-sessions', '-F', '#{session_name}\t#{session_attached}']).stdout.trim().split('\n')
    .map((l) => l.split('\t')).filter(([n]) => /-view-\d+-\d+$/.test(n))
  assert.deepEqual(out.views.map((v: { name: string; attached: number }) => [v.name, String(v.attached)]).sort(), tmuxViews.sort())
  assert.equal(out.orphans, tmuxViews.filter(([, n]) => n === '0').length)
  const byName = Object.fromEntries(out.views.map((v: { name: string }) => [v.name, v]))
  assert.equal(byName[a].state, 'attached')
  assert.deepEqual([byName[a].tab, byName[a].title, byName[a].icon, byName[a].parent], ['1', 'editor', '✎', 'work'])
  assert.equal(byName['work-view-1735324800-5432'].design, 'older')
  assert.equal(byName['work-view-1735324800-5432'].state, 'orphan')
  assertShape(out, REPORT)
  // the table: grouped by parent, plain text when piped
  const text = await runScript('report', ['-L', srv.name, '--grace', '1h'], { env: { ...env, COLUMNS: '120' } }) // wide: nothing cut
  assert.equal(text.code, 0, text.stderr)
  assert.doesNotMatch(text.stdout, /\x1b\[/)
  assert.match(text.stdout, /^work$/m)
  assert.match(text.stdout, /^notes$/m)
  assert.match(text.stdout, new RegExp(`${a} +\\d+s +\\d+s ago +1 editor ✎ +attached$`, 'm'))
  assert.match(text.stdout, /^4 view\(s\): 1 attached, 3 orphaned \(1 removable, 2 in grace, 0 last of group\)$/m)
})

test('a scripted lifecycle gives exactly its counts in report --stats', async (t) => {
  const env = { ...process.env, ...sandbox() }
  const srv = withServer(t, env) // the server, and so its hook, logs to the same state dir
  srv.newSession('work')
  await runScript('on-detach', ['-L', srv.name, '--install'], { env })
  const v1 = await spawnView(srv, env, 'work')
  const v2 = await spawnView(srv, env, 'work')
  const v3 = await spawnView(srv, env, 'work')
  // v1: its tab closes; the hook removes it
  const tab1 = await srv.attach(`=${v1}`)
  await tab1.detach()
  await retryUntil(() => !srv.names().includes(v1), 'hook removed v1')
  await retryUntil(() => !hookRunning(srv), 'hook passes done')
  // v2: its claim runs out unattached and a new tab reuses it; then a sweep removes v2 and v3
  expireClaim(srv, v2)
  assert.equal(await spawnView(srv, env, 'work'), v2)
  expireClaim(srv, v2)
  expireClaim(srv, v3)
  const sweep = JSON.parse((await runScript('sweep', ['-L', srv.name, '--json'], { env })).stdout)
  assert.deepEqual(sweep.removed.sort(), [v2, v3].sort())
  const r = await runScript('report', ['--stats', '--json', '--since', '1h'], { env })
  assert.equal(r.code, 0, r.stderr)
  const s = JSON.parse(r.stdout).stats
  assert.deepEqual([s.created, s.reused, s.removed, s.rescued, s.removedBy], [3, 1, 3, 0, { hook: 1, sweep: 2 }])
  assert.equal(s.reuseRate, 0.25)
  assert.equal(typeof s.lifetimeSec.median, 'number')
  const text = await runScript('report', ['--stats'], { env })
  assert.match(text.stdout, /created +3 +reused +1 \(reuse rate 25%\)/)
  assert.match(text.stdout, /by layer +hook 1, sweep 2/)
})

test('an unwritable state directory: spawn and sweep still do their job, with one warning', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const dir = mkdtempSync(path.join(tmpdir(), 'tv-ro-'))
  writeFileSync(path.join(dir, 'file'), '')
  const env = { ...sandbox(), XDG_STATE_HOME: path.join(dir, 'file', 'state') } // under a file: ENOTDIR, even as root
  const r = await runScript('spawn-view', ['-L', srv.name, '--print', 'work'], { env })
  assert.equal(r.code, 0)
  assert.match(r.stdout, /^work-view-\d+-\d+\n$/)
  assert.equal(r.stderr.trim().split('\n').length, 1)
  assert.match(r.stderr, /cannot write the lifecycle log/)
  expireClaim(srv, r.stdout.trim())
  const s = await runScript('sweep', ['-L', srv.name, '--json'], { env })
  assert.equal(s.code, 0)
  assert.deepEqual(JSON.parse(s.stdout).removed, [r.stdout.trim()])
  assert.deepEqual(srv.names(), ['work'])
})

test('doctor: warns about a missing hook and destroy-unattached, and is content once fixed', async (t) => {
  const srv = withServer(t)
  const env = sandbox()
  srv.newSession('work')
  const client = await srv.attach('=work') // destroy-unattached would end an unattached server at once
  t.after(() => client.kill())
  srv.tmux(['set-option', '-g', 'destroy-unattached', 'on'])
  let r = await runScript('report', ['-L', srv.name, '--doctor', '--json'], { env })
  assert.equal(r.code, 1)
  const checks = Object.fromEntries(JSON.parse(r.stdout).checks.map((k: { name: string }) => [k.name, k]))
  assert.equal(checks.hook.ok, false)
  assert.match(checks.hook.fix, /on-detach\.cjs --install -L /)
  assert.equal(checks['destroy-unattached'].ok, false)
  assert.equal(checks['destroy-unattached'].fix, 'tmux set-option -g destroy-unattached off')
  assert.equal(checks['tmux version'].ok, true)
  assert.match(checks['tmux version'].detail, /^tmux \d/)
  // follow the advice
  srv.tmux(['set-option', '-g', 'destroy-unattached', 'off'])
  assert.equal((await runScript('on-detach', ['-L', srv.name, '--install'], { env })).code, 0)
  r = await runScript('report', ['-L', srv.name, '--doctor', '--json'], { env })
  const after = Object.fromEntries(JSON.parse(r.stdout).checks.map((k: { name: string }) => [k.name, k]))
  assert.equal(after.hook.ok, true)
  assert.equal(after['destroy-unattached'].ok, true)
  assert.equal(after.config.ok, true)
  // a broken config: the hook would stay silent about it, the doctor does not
  const file = path.join(env.XDG_CONFIG_HOME!, 'tmux-views', 'config.json')
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, '{ "grace": "soon" }')
  r = await runScript('report', ['-L', srv.name, '--doctor', '--json'], { env })
  const broken = Object.fromEntries(JSON.parse(r.stdout).checks.map((k: { name: string }) => [k.name, k]))
  assert.match(broken.config.detail, /config\.json: key "grace"/)
  writeFileSync(file, '{}')
  // a hook that points at a script that is gone
  srv.tmux(['set-hook', '-g', 'client-detached[48]', hookCommand(process.execPath, '/nonexistent/on-detach.mjs')])
  r = await runScript('report', ['-L', srv.name, '--doctor'], { env })
  assert.equal(r.code, 1)
  assert.match(r.stdout, /^WARN {2}hook: .*\/nonexistent\/on-detach\.mjs, which does not exist$/m)
  assert.match(r.stdout, /^ {6}fix: .*--install/m)
})

test('doctor: finds the sweep in crontab or systemd, and never runs the user\'s shell rc files', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const trap = rcTrap()
  const bin = trap.home // the fake commands go here, first on PATH
  const fake = (name: string, body: string) => {
    writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`)
    chmodSync(path.join(bin, name), 0o755)
  }
  // cron and a GUI start scripts with SHLVL unset and maybe BASH_ENV: no rc file may run
  const env = { ...sandbox(), PATH: `${bin}:${process.env.PATH}`, SHLVL: '0', BASH_ENV: trap.bashEnv }
  const timer = async () => {
    const r = await runScript('report', ['-L', srv.name, '--doctor', '--json'], { env })
    return JSON.parse(r.stdout).checks.find((k: { name: string }) => k.name === 'sweep timer')
  }
  fake('systemctl', 'echo disabled; exit 1')
  fake('crontab', 'echo "no crontab for $USER" >&2; exit 1')
  assert.equal((await timer()).ok, false)
  fake('crontab', "echo '# */5 * * * * node /old/sweep.mjs'; echo '* * * * * node /opt/tv/dist/scripts/sweep.cjs -q'")
  assert.deepEqual(await timer(), { name: 'sweep timer', ok: true, detail: 'crontab: * * * * * node /opt/tv/dist/scripts/sweep.cjs -q' })
  fake('systemctl', '[ "$*" = "--user is-enabled tmux-views-sweep.timer" ] && echo enabled')
  assert.equal((await timer()).detail, 'systemd user timer tmux-views-sweep.timer')
  assert.equal(trap.sprung(), false, 'a shell read the rc file named by BASH_ENV')
})

test('--tabs lists the tabs recorded by the last sweep --live-tabs, even after every client died', async (t) => {
  const srv = withServer(t)
  const env = sandbox()
  srv.newSession('work')
  await runScript('on-detach', ['-L', srv.name, '--install'], { env })
  const views: string[] = []
  for (const [tab, title] of [['0', 'shell'], ['1', 'logs'], ['2', 'editor']]) views.push(await spawnView(srv, env, '--tab', tab, '--title', title, 'work'))
  const clients = await Promise.all(views.map((v) => srv.attach(`=${v}`)))
  assert.equal((await runScript('sweep', ['-L', srv.name, '--live-tabs', '0,1,2'], { env })).code, 0)
  await Promise.all(clients.map((c) => c.kill('SIGKILL'))) // the terminal crashes
  await retryUntil(() => srv.names().length === 1, 'hook removed every view')
  const r = await runScript('report', ['--tabs', '--json'], { env })
  assert.deepEqual(JSON.parse(r.stdout).tabs.map((x: { tab: string; title: string; parent: string; socket: string }) => [x.tab, x.title, x.parent, x.socket]),
    [['0', 'shell', 'work', srv.name], ['1', 'logs', 'work', srv.name], ['2', 'editor', 'work', srv.name]])
})

test('the tab record keeps each server\'s tabs while the terminal has them; --socket shows one server\'s', async (t) => {
  const env = sandbox()
  const [a, b] = [withServer(t), withServer(t)]
  const tabs = async (...args: string[]) =>
    JSON.parse((await runScript('report', ['--tabs', '--json', ...args], { env })).stdout).tabs.map((x: { tab: string; socket: string }) => `${x.tab}@${x.socket}`)
  for (const [srv, tab] of [[a, '1.x'], [b, '2.x']] as const) {
    srv.newSession('work')
    await spawnView(srv, env, '--tab', tab, 'work')
  }
  // one terminal with tab 1 on server a and tab 2 on server b: a pass per server
  for (const srv of [a, b]) assert.equal((await runScript('sweep', ['-L', srv.name, '--live-tabs', '1.x,2.x'], { env })).code, 0)
  assert.deepEqual(await tabs(), [`1.x@${a.name}`, `2.x@${b.name}`])
  assert.deepEqual(await tabs('-L', b.name), [`2.x@${b.name}`])
  // tab 2 closed: the next pass, over server a alone, forgets it
  assert.equal((await runScript('sweep', ['-L', a.name, '--live-tabs', '1.x'], { env })).code, 0)
  assert.deepEqual(await tabs(), [`1.x@${a.name}`])
})

test('a pass that finds the tab record locked by another leaves it alone, says so, and merges next time', async (t) => {
  const env = sandbox()
  const srv = withServer(t)
  srv.newSession('work')
  await spawnView(srv, env, '--tab', '1.x', 'work')
  const file = path.join(env.XDG_STATE_HOME!, 'tmux-views', 'tabs.json')
  mkdirSync(path.dirname(file), { recursive: true })
  const other = { tab: '9.x', title: null, icon: null, parent: 'notes', view: 'notes-view-1-111111', socket: 'other' }
  writeFileSync(file, JSON.stringify({ tabs: [other] }))
  const unlock = tryLock(`${file}.lock`)! // another pass, mid-update
  const r = await runScript('sweep', ['-L', srv.name, '--live-tabs', '1.x,9.x'], { env })
  unlock()
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stderr, /^sweep: another pass holds the tab record \(.*tabs\.json\.lock\); not updated this time$/m)
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')).tabs, [other])
  assert.equal((await runScript('sweep', ['-L', srv.name, '--live-tabs', '1.x,9.x'], { env })).code, 0)
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')).tabs.map((x: { tab: string }) => x.tab), ['9.x', '1.x'])
})

test('report: no server, bad usage, --help', async (t) => {
  const srv = withServer(t)
  const r = await runScript('report', ['-L', srv.name, '--json'], { env: sandbox() })
  assert.equal(r.code, 0)
  assert.deepEqual(JSON.parse(r.stdout), { views: [], orphans: 0, counts: { views: 0, attached: 0, orphans: 0, removable: 0, grace: 0, lastOfGroup: 0 }, skipped: [] })
  for (const args of [['--bogus'], ['--since', '1h'], ['--stats', '--since', 'banana'], ['--stats', '--tabs']])
    assert.equal((await runScript('report', args, { env: sandbox() })).code, 2, args.join(' '))
  const help = await runScript('report', ['--help'])
  assert.equal(help.code, 0)
  for (const f of ['--doctor', '--stats', '--since', '--tabs', '--json', '--all-sockets', '--socket']) assert.ok(help.stdout.includes(f), f)
})

test('the compiled report in a terminal is in colour; with NO_COLOR it is plain', async (t) => {
  const srv = withServer(t)
  const env = sandbox()
  srv.newSession('work')
  await spawnView(srv, env, 'work')
  // a second server plays the terminal: a pane is a real tty
  const term = withServer(t)
  const report = (extra: string) =>
    `env -u TMUX -u NO_COLOR ${extra} XDG_STATE_HOME='${env.XDG_STATE_HOME}' XDG_CONFIG_HOME='${env.XDG_CONFIG_HOME}' ` +
    `'${process.execPath}' '${path.join(ROOT, 'dist', 'scripts', 'report.cjs')}' -L ${srv.name}; echo "report exit $?"; exec sleep 86400`
  term.newSession('colour', report('TERM=xterm-256color'))
  term.newSession('plain', report('TERM=xterm-256color NO_COLOR=1'))
  const screen = (s: string) => term.tmux(['capture-pane', '-p', '-e', '-t', `=${s}:`]).stdout
  await retryUntil(() => screen('colour').includes('report exit 0') && screen('plain').includes('report exit 0'), 'both reports ran')
  assert.match(screen('colour'), /\x1b\[[0-9;]*m.*work-view-/s)
  assert.match(screen('plain'), /work-view-/)
  assert.doesNotMatch(screen('plain'), /\x1b\[/)
})
