// Races, faults and hostile input: several things at once, processes dying mid-way, odd names.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ROOT, TMUX_V, expireClaim, rcTrap, retryUntil, runScript, sandbox, withServer, type Client, type TestServer } from './helpers.ts'
import { atLeast, tmuxVersion } from '../lib/version.ts'
import { spawnSync } from 'node:child_process'

const VIEW = /-view-\d+-\d+$/

/** A tmux that kills the test server just before its Nth call: the server dies mid-run. */
function dyingTmux(srv: TestServer, killAt: number): NodeJS.ProcessEnv {
  const dir = mkdtempSync(path.join(tmpdir(), 'tv-dying-'))
  const wrapper = path.join(dir, 'tmux')
  const real = process.env.TMUX_VIEWS_TMUX || 'tmux'
  writeFileSync(wrapper, `#!/bin/sh
n=$(cat '${dir}/count' 2>/dev/null || echo 0); n=$((n + 1)); echo $n > '${dir}/count'
[ "$n" = ${killAt} ] && ${real} -L '${srv.name}' kill-server
exec ${real} "$@"
`)
  chmodSync(wrapper, 0o755)
  return { TMUX_VIEWS_TMUX: wrapper }
}

test('16 spawns at once while 4 sweeps run and the hook fires: every tab gets its own view, none is lost', async (t) => {
  // the claim grace for the sweeps and the hook (the server's environment), so a storm that takes
  // longer than the default 30 s on a slow machine still tests the race, not the clock
  const env = { ...process.env, ...sandbox(), TMUX_VIEWS_GRACE: '1h' }
  const srv = withServer(t, env)
  srv.newSession('work')
  assert.equal((await runScript('on-detach', ['-L', srv.name, '--install'], { env })).code, 0)
  // clients that will leave during the storm, so the hook fires
  const leaving: Array<{ view: string; client: Client }> = []
  for (let i = 0; i < 3; i++) {
    const v = (await runScript('spawn-view', ['-L', srv.name, '--print', 'work'], { env })).stdout.trim()
    leaving.push({ view: v, client: await srv.attach(srv.idOf(v)) })
  }
  const spawns = Array.from({ length: 16 }, (_, i) => runScript('spawn-view', ['-L', srv.name, '--json', '--grace', '1h', '--tab', String(i), 'work'], { env }))
  const sweeps = Array.from({ length: 4 }, () => runScript('sweep', ['-L', srv.name, '--json'], { env }))
  const detaches = leaving.map((l) => l.client.detach())
  const [spawned, swept] = await Promise.all([Promise.all(spawns), Promise.all(sweeps), Promise.all(detaches)])
  for (const r of spawned) assert.equal(r.code, 0, r.stderr)
  // a sweep that found another one working skips (busy, exit 75); none fails
  for (const r of swept) {
    assert.ok(r.code === 0 || r.code === 75, r.stderr)
    if (r.code === 75) assert.deepEqual(JSON.parse(r.stdout).skipped, [{ socket: srv.name, reason: 'busy' }])
  }
  const views = spawned.map((r) => JSON.parse(r.stdout).view)
  assert.equal(new Set(views).size, 16, 'every spawn got its own view')
  // A view whose client left is either removed by the hook or, if a spawn got to it first,
  // reused for a new tab: in the end exactly the views handed to tabs remain.
  const viewNames = () => srv.names().filter((n) => VIEW.test(n)).sort()
  const left = leaving.map((l) => l.view).filter((v) => !views.includes(v))
  await retryUntil(() => !viewNames().some((n) => left.includes(n)), 'the hook removed the views of the clients that left')
  assert.deepEqual(viewNames(), [...views].sort(), 'a view handed to a tab was removed')
})

test('a client killed by SIGHUP, or by closing the terminal it runs in: its view still goes', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  await runScript('on-detach', ['-L', srv.name, '--install'])
  const hup = (await runScript('spawn-view', ['-L', srv.name, '--print', 'work'])).stdout.trim()
  const client = await srv.attach(srv.idOf(hup))
  await client.kill('SIGHUP')
  await retryUntil(() => !srv.names().includes(hup), 'view of the hung-up client removed')
  // a real terminal: a pane of a second server runs the tmux client; closing that pane closes it
  const closed = (await runScript('spawn-view', ['-L', srv.name, '--print', 'work'])).stdout.trim()
  const term = withServer(t)
  term.newSession('terminal', `env -u TMUX tmux -L '${srv.name}' attach-session -t '${srv.idOf(closed)}'`)
  await retryUntil(() => srv.sessions().find((s) => s.name === closed)?.attached === '1', 'terminal attached')
  term.tmux(['kill-session', '-t', '=terminal'])
  await retryUntil(() => !srv.names().includes(closed), 'view of the closed terminal removed')
  assert.deepEqual(srv.names(), ['work'])
})

test('a tmux server started under npm or npx (NODE_OPTIONS=--import=tsx): the hook still runs in any directory', async (t) => {
  // npx zx scripts/spawn-view.mts --create starts the server with npm's NODE_OPTIONS; a loader
  // named relative to the project fails node at start-up in a session elsewhere, and silently.
  const srv = withServer(t, { ...process.env, NODE_OPTIONS: '--import=tsx' })
  srv.newSession('work')
  assert.equal((await runScript('on-detach', ['-L', srv.name, '--install'])).code, 0)
  srv.tmux(['new-session', '-d', '-t', '=work', '-s', 'work-view-1-123456', '-c', '/'])
  const client = await srv.attach(srv.idOf('work-view-1-123456'))
  await client.detach()
  await retryUntil(() => !srv.names().includes('work-view-1-123456'), 'the hook removed the view of the client that left')
})

test('the server dies during a sweep: a clear error, nothing logged, the lock released, the next run works', async (t) => {
  const srv = withServer(t)
  const env = sandbox()
  srv.newSession('work')
  const v = (await runScript('spawn-view', ['-L', srv.name, '--print', 'work'], { env })).stdout.trim()
  expireClaim(srv, v)
  const r = await runScript('sweep', ['-L', srv.name], { env: { ...env, ...dyingTmux(srv, 2) } }) // after the list, before the kill
  assert.equal(r.code, 1)
  assert.equal(r.stderr, `sweep: no tmux server on socket '${srv.name}'\n`)
  const log = path.join(env.XDG_STATE_HOME!, 'tmux-views', 'events.jsonl')
  assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l).event), ['created'])
  srv.newSession('work') // the user starts tmux again
  const again = await runScript('sweep', ['-L', srv.name, '--json'], { env })
  assert.equal(again.code, 0, again.stderr)
  assert.deepEqual(JSON.parse(again.stdout), { removed: [], kept: [], dryRun: false, skipped: [] })
})

test('the server dies during a spawn: a clear error, nothing logged, the next spawn works', async (t) => {
  const srv = withServer(t)
  const env = sandbox()
  srv.newSession('work')
  // an unattached member of work's group: the first call only lists, and the server dies before
  // the second (the create chain)
  srv.tmux(['new-session', '-d', '-t', '=work', '-s', 'other'])
  const r = await runScript('spawn-view', ['-L', srv.name, '--print', 'work'], { env: { ...env, ...dyingTmux(srv, 2) } })
  assert.equal(r.code, 1)
  assert.equal(r.stdout, '')
  assert.equal(r.stderr, `spawn-view: no tmux server on socket '${srv.name}'\n`)
  assert.equal(existsSync(path.join(env.XDG_STATE_HOME!, 'tmux-views', 'events.jsonl')), false)
  srv.newSession('work')
  const again = await runScript('spawn-view', ['-L', srv.name, '--print', 'work'], { env })
  assert.equal(again.code, 0, again.stderr)
  assert.match(again.stdout, /^work-view-\d+-\d+\n$/)
})

test('a renamed parent keeps its views: spawn finds them by the new name, sweeps leave the windows', async (t) => {
  const srv = withServer(t)
  srv.newSession('work', 'sleep 86403')
  const v = (await runScript('spawn-view', ['-L', srv.name, '--print', 'work'])).stdout.trim()
  expireClaim(srv, v)
  srv.tmux(['rename-session', '-t', '=work', 'job'])
  const r = JSON.parse((await runScript('spawn-view', ['-L', srv.name, '--json', 'job'])).stdout)
  assert.deepEqual([r.view, r.reused, r.parent], [v, true, 'job'])
  const n = JSON.parse((await runScript('spawn-view', ['-L', srv.name, '--json', '--no-reuse', 'job'])).stdout)
  assert.equal(srv.sessions().find((s) => s.name === n.view)!.group, 'work') // the group keeps its first name
  expireClaim(srv, v)
  expireClaim(srv, n.view)
  assert.equal((await runScript('sweep', ['-L', srv.name])).code, 0)
  assert.deepEqual(srv.names(), ['job'])
  assert.equal(srv.tmux(['list-panes', '-a', '-F', '#{pane_start_command}']).stdout.trim(), '"sleep 86403"')
})

test('a parent killed and re-created while its views live: no program dies, no view joins the wrong group', async (t) => {
  const srv = withServer(t)
  const env = sandbox()
  srv.newSession('work', 'sleep 86404')
  const old = (await runScript('spawn-view', ['-L', srv.name, '--print', 'work'], { env })).stdout.trim()
  srv.tmux(['kill-session', '-t', '=work'])
  srv.newSession('work', 'sleep 86405')
  const panes = () => srv.tmux(['list-panes', '-a', '-F', '#{session_name} #{pane_start_command}']).stdout.trim().split('\n').sort()
  const before = panes()
  assert.equal((await runScript('spawn-view', ['-L', srv.name, '--print', 'work'], { env })).code, 1)
  expireClaim(srv, old)
  const r = await runScript('sweep', ['-L', srv.name, '--rescue', '--json'], { env })
  assert.equal(r.code, 0, r.stderr)
  // the old view holds the old windows and the name is taken: kept, and said so
  assert.deepEqual(JSON.parse(r.stdout).kept, [{ name: old, reason: 'last-of-group, name taken' }])
  assert.deepEqual(panes(), before)
  // once the user moves the new session aside, rescue brings the old work back under its name
  srv.tmux(['rename-session', '-t', '=work', 'work-new'])
  await runScript('sweep', ['-L', srv.name, '--rescue'], { env })
  assert.deepEqual(srv.names(), ['work', 'work-new'])
  assert.equal(srv.tmux(['list-panes', '-t', '=work:', '-F', '#{pane_start_command}']).stdout.trim(), '"sleep 86404"')
})

test('no tmux installed: every script says so in one line, exit 1', async () => {
  const env = { ...sandbox(), TMUX_VIEWS_TMUX: '/nonexistent/tmux' }
  for (const [name, args] of [['spawn-view', ['work']], ['sweep', []], ['on-detach', []], ['report', []], ['report', ['--doctor']]] as const) {
    const r = await runScript(name, ['-L', 'unused', ...args], { env })
    assert.equal(r.code, 1, `${name}: ${r.stderr}`)
    assert.equal(r.stderr, `${name}: tmux is not installed (looked for '/nonexistent/tmux'): install it, or set TMUX_VIEWS_TMUX to its absolute path\n`)
  }
})

test('a full disk under the state dir: one warning, the job done', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const env = sandbox()
  mkdirSync(env.XDG_STATE_HOME!, { recursive: true, mode: 0o700 })
  // A real full file system: a small tmpfs, filled, in a mount namespace of the script's own (as
  // root). (A symlink to /dev/full is no longer a log the tool would write: not a regular file.)
  const sh = 'mount -t tmpfs -o size=64k,mode=0700 tmpfs "$XDG_STATE_HOME" && mkdir -m 700 "$XDG_STATE_HOME/tmux-views" && { dd if=/dev/zero of="$XDG_STATE_HOME/fill" bs=4k 2>/dev/null; true; } && exec "$@"'
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', sh, 'sh', process.execPath, '--import', 'tsx', path.join(ROOT, 'scripts', 'spawn-view.mts'), '-L', srv.name, '--print', 'work'], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /^work-view-\d+-\d+\n$/)
  assert.match(r.stderr, /^tmux-views: cannot write the lifecycle log .*ENOSPC.*\n$/)
})

test('a corrupt log line: report --stats counts the rest and says how many it skipped', async () => {
  const env = sandbox()
  const dir = path.join(env.XDG_STATE_HOME!, 'tmux-views')
  mkdirSync(dir, { recursive: true })
  const ev = (event: string) => JSON.stringify({ time: new Date().toISOString(), event, layer: 'spawn', socket: 's', parent: 'p', view: 'v' })
  writeFileSync(path.join(dir, 'events.jsonl'), `${ev('created')}\n{"time": broken\n${ev('reused')}\n`)
  const r = await runScript('report', ['--stats'], { env })
  assert.equal(r.code, 0)
  assert.match(r.stdout, /created +1 +reused +1/)
  assert.equal(r.stderr, 'report: skipped 1 unreadable line(s) in the log\n')
  assert.equal(JSON.parse((await runScript('report', ['--stats', '--json'], { env })).stdout).corrupt, 1)
})

test('names tmux may rewrite (tab, newline, dot, colon) and ~, ; reach the right sessions in every script', async (t) => {
  const srv = withServer(t)
  const env = sandbox()
  const canary = path.join(mkdtempSync(path.join(tmpdir(), 'tv-canary-')), 'ran')
  // tmux 3.7 and later refuse names with control characters (test/versions.test.ts shows how)
  const names = [...(atLeast(tmuxVersion(TMUX_V), '3.7') ? [] : ['tab\there', 'new\nline $(touch ' + canary + ')']), 'v1.2:3', '~', '~/x', 'a;b', ';']
  for (const name of names) {
    srv.tmux(['new-session', '-d', '-s', name.endsWith(';') ? name.slice(0, -1) + '\\;' : name, 'sleep 86400'])
    const r = await runScript('spawn-view', ['-L', srv.name, '--json', `--title=${name}`, '--', name], { env })
    assert.equal(r.code, 0, `${JSON.stringify(name)}: ${r.stderr}`)
    const out = JSON.parse(r.stdout)
    const view = srv.sessions().find((s) => s.id === out.id)!
    const parent = srv.sessions().find((s) => s.name === out.parent)!
    assert.equal(view.group, parent.group, JSON.stringify(name))
    assert.equal(view.title, name.replace(/[\t\n]/g, ' '), 'titles keep their text, control characters as spaces')
    expireClaim(srv, out.view)
  }
  const report = JSON.parse((await runScript('report', ['-L', srv.name, '--json'], { env })).stdout)
  assert.equal(report.views.length, names.length)
  const swept = JSON.parse((await runScript('sweep', ['-L', srv.name, '--json'], { env })).stdout)
  assert.equal(swept.removed.length, names.length)
  assert.equal(srv.names().length, names.length, 'every parent kept')
  assert.equal(existsSync(canary), false)
})

test("a bare environment (cron, systemd, a GUI app: no SHLVL) never makes tmux calls read the user's shell rc files", async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const trap = rcTrap()
  const env: NodeJS.ProcessEnv = { ...process.env, ...sandbox(), HOME: trap.home, BASH_ENV: trap.bashEnv }
  delete env.SHLVL
  delete env.TMUX
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'report.mts'), '-L', srv.name, '--json'], { cwd: ROOT, env, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(JSON.parse(r.stdout).views.length, 0)
  assert.equal(trap.sprung(), false, 'a shell rc file ran')
})
