// on-detach and sweep against real tmux servers: what goes, what stays, and that no window is lost.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ROOT, expireClaim, hookRunning, hostileNames, retryUntil, runScript, sandbox, withServer, type TestServer } from './helpers.ts'
import { Tmux } from '../lib/tmux.ts'
import { judgeAll } from '../lib/views.ts'
import { lockPath } from '../lib/lock.ts'
import { worldUnchanged } from '../lib/commands.ts'

// A grace far longer than any test: no spawn reuses a claimed view because the machine is slow.
async function spawnView(srv: TestServer, parent: string, ...args: string[]): Promise<string> {
  const r = await runScript('spawn-view', ['-L', srv.name, '--print', '--grace', '10m', ...args, '--', parent])
  assert.equal(r.code, 0, r.stderr)
  return r.stdout.trim()
}

test('the hook removes the view of a closed tab, and only that one', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const env = sandbox()
  assert.equal((await runScript('on-detach', ['-L', srv.name, '--install'], { env })).code, 0)
  const a = await spawnView(srv, 'work')
  const b = await spawnView(srv, 'work')
  const tabA = await srv.attach(`=${a}`)
  const tabB = await srv.attach(`=${b}`)
  t.after(() => tabB.kill())
  await tabA.detach()
  await retryUntil(() => !srv.names().includes(a), 'view of the closed tab removed')
  assert.deepEqual(srv.names(), [b, 'work'].sort())
})

test('with the hook installed, a client killed with SIGKILL still has its view removed', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const env = sandbox()
  await runScript('on-detach', ['-L', srv.name, '--install'], { env })
  const v = await spawnView(srv, 'work')
  const tab = await srv.attach(`=${v}`)
  await tab.kill('SIGKILL')
  await retryUntil(() => !srv.names().includes(v), 'view removed after SIGKILL')
  assert.deepEqual(srv.names(), ['work'])
})

test('--install twice gives one hook and keeps the hooks of other tools', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  srv.tmux(['set-hook', '-g', 'client-detached[0]', 'display-message other-tool'])
  for (let i = 0; i < 2; i++) assert.equal((await runScript('on-detach', ['-L', srv.name, '--install'])).code, 0)
  const hooks = srv.tmux(['show-hooks', '-g', 'client-detached']).stdout.trim().split('\n')
  assert.equal(hooks.length, 2, hooks.join('\n'))
  assert.match(hooks[0], /^client-detached\[0\] display-message other-tool$/)
  assert.match(hooks[1], /^client-detached\[48\] run-shell -b .*on-detach\.cjs/)
  assert.equal((await runScript('on-detach', ['-L', srv.name, '--uninstall'])).code, 0)
  assert.deepEqual(srv.tmux(['show-hooks', '-g', 'client-detached']).stdout.trim().split('\n'), [hooks[0]])
})

test('--print-conf gives a line that installs the same hook through source-file', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const conf = (await runScript('on-detach', ['--print-conf'])).stdout
  srv.tmux(['source-file', '-'], { input: conf })
  await runScript('on-detach', ['-L', srv.name, '--install'])
  const hooks = srv.tmux(['show-hooks', '-g', 'client-detached']).stdout.trim().split('\n')
  assert.equal(hooks.length, 1)
  const v = await spawnView(srv, 'work')
  const tab = await srv.attach(`=${v}`)
  await tab.detach()
  await retryUntil(() => !srv.names().includes(v), 'hook from the conf line removed the view')
})

test('as the hook, on-detach is silent, exits 0, and cleans the server that ran it', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const v = await spawnView(srv, 'work')
  expireClaim(srv, v)
  const env = sandbox()
  const file = path.join(env.XDG_CONFIG_HOME!, 'tmux-views', 'config.json')
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, JSON.stringify({ socket: 'some-other-server' }))
  // run as tmux runs it: $TMUX names the server
  const socketPath = srv.tmux(['display-message', '-p', '#{socket_path}']).stdout.trim()
  const r = await runScript('on-detach', ['--hook'], { env: { ...env, TMUX: `${socketPath},1,0` } })
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', ''])
  assert.deepEqual(srv.names(), ['work'])
  // even a broken config or a dead server gives no output and exit 0
  writeFileSync(file, '{ broken')
  const broken = await runScript('on-detach', ['--hook'], { env: { ...env, TMUX: `${socketPath},1,0` } })
  assert.deepEqual([broken.code, broken.stdout, broken.stderr], [0, '', ''])
  const dead = await runScript('on-detach', ['--hook'], { env: { ...sandbox(), TMUX: '/nonexistent/socket,1,0' } })
  assert.deepEqual([dead.code, dead.stdout, dead.stderr], [0, '', ''])
})

test('a view claimed by --print and not yet attached survives the hook', async (t) => {
  // the claim must hold for the whole test, however slow the machine: the hook (run by the
  // server, so with its environment), the spawns and the sweep all get a grace of 10 minutes
  const srv = withServer(t, { ...process.env, TMUX_VIEWS_GRACE: '10m' })
  srv.newSession('work')
  await runScript('on-detach', ['-L', srv.name, '--install'], { env: sandbox() })
  const claimed = await spawnView(srv, 'work')
  // another tab comes and goes: the hook runs
  const other = await spawnView(srv, 'work')
  const tab = await srv.attach(`=${other}`)
  await tab.detach()
  await retryUntil(() => !srv.names().includes(other), 'hook ran')
  assert.ok(srv.names().includes(claimed))
  // and a sweep leaves it alone too, saying why
  const r = await runScript('sweep', ['-L', srv.name, '--json', '--grace', '10m'], { env: sandbox() })
  assert.deepEqual(JSON.parse(r.stdout).kept, [{ name: claimed, reason: 'claimed' }])
})

test('the last member of a group survives, its program keeps running, and --rescue gives it back its name', async (t) => {
  const srv = withServer(t)
  srv.newSession('work', 'sleep 86402')
  const env = sandbox()
  const v1 = await spawnView(srv, 'work')
  const v2 = await spawnView(srv, 'work')
  expireClaim(srv, v1)
  expireClaim(srv, v2)
  srv.tmux(['kill-session', '-t', '=work'])
  // two views of a dead parent: one may go, the other holds the windows
  const r = await runScript('sweep', ['-L', srv.name, '--json'], { env })
  assert.equal(r.code, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  assert.equal(out.removed.length, 1)
  assert.deepEqual(out.kept.map((k: { reason: string }) => k.reason), ['last-of-group'])
  const survivor = out.kept[0].name
  assert.equal(srv.tmux(['list-panes', '-s', '-t', `=${survivor}:`, '-F', '#{pane_dead} #{pane_start_command}']).stdout.trim(), '0 "sleep 86402"')
  // the hook agrees
  assert.deepEqual(JSON.parse((await runScript('on-detach', ['-L', srv.name, '--json'], { env })).stdout).removed, [])
  const rescued = await runScript('sweep', ['-L', srv.name, '--rescue'], { env })
  assert.equal(rescued.code, 0, rescued.stderr)
  assert.match(rescued.stdout, new RegExp(`Rescued ${survivor} as work`))
  assert.deepEqual(srv.names(), ['work'])
  assert.equal(srv.tmux(['list-panes', '-s', '-t', '=work:', '-F', '#{pane_start_command}']).stdout.trim(), '"sleep 86402"')
  // a plain session again: not a view any more
  assert.equal(srv.sessions()[0]['parent-id'], '')
  const events = readFileSync(path.join(env.XDG_STATE_HOME!, 'tmux-views', 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
  assert.deepEqual(events.map((e) => e.event), ['removed', 'kept-last-of-group', 'rescued'])
})

test('plain sessions and ungrouped look-alikes are never touched; a view of the older design goes', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  srv.newSession('notes')
  srv.newSession('work-view-1-2') // looks like a view, but is in no group
  srv.tmux(['new-session', '-d', '-t', '=notes', '-s', 'mine']) // a grouped session that is not a view
  srv.tmux(['new-session', '-d', '-t', '=work', '-s', 'work-view-1735324800-5432']) // the older design
  const r = await runScript('sweep', ['-L', srv.name, '--json'], { env: sandbox() })
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout).removed, ['work-view-1735324800-5432'])
  assert.deepEqual(srv.names(), ['mine', 'notes', 'work', 'work-view-1-2'])
})

test('--dry-run lists what would go and changes nothing', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const v = await spawnView(srv, 'work')
  expireClaim(srv, v)
  const before = srv.names()
  const r = await runScript('sweep', ['-L', srv.name, '--dry-run'], { env: sandbox() })
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /^Would clean up 1 orphaned view session\(s\)$/m)
  assert.ok(r.stdout.includes(v))
  assert.deepEqual(srv.names(), before)
  const hook = await runScript('on-detach', ['-L', srv.name, '--dry-run'], { env: sandbox() })
  assert.match(hook.stdout, new RegExp(`Would remove view session: ${v}`))
  assert.deepEqual(srv.names(), before)
})

test('sweep into a reader that went away (| head) still sweeps, and ends quietly with status 0', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const old = Math.floor(Date.now() / 1000) - 3600
  srv.tmux(['new-session', '-d', '-t', '=work', '-s', `work-view-${old}-123456`])
  const env = { ...process.env, ...sandbox() }
  delete env.TMUX
  const p = spawn(process.execPath, [path.join(ROOT, 'dist', 'scripts', 'sweep.cjs'), '-L', srv.name, '--verbose'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  // The read end closes before sweep has even started node: its report meets EPIPE.
  p.stdout.destroy()
  let stderr = ''
  p.stderr.on('data', (d) => (stderr += d))
  const code = await new Promise((resolve) => p.on('close', resolve))
  assert.equal(stderr, '')
  assert.equal(code, 0)
  assert.deepEqual(srv.names(), ['work'])
})

test('sweep: untracked views go, tracked ones stay until --max-age, --live-tabs decides', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const env = sandbox()
  const untracked = await spawnView(srv, 'work')
  const tab1 = await spawnView(srv, 'work', '--tab', '1', '--title', 'one')
  const tab2 = await spawnView(srv, 'work', '--tab', '2', '--title', 'two')
  for (const v of [untracked, tab1, tab2]) expireClaim(srv, v)
  let r = JSON.parse((await runScript('sweep', ['-L', srv.name, '--json'], { env })).stdout)
  assert.deepEqual(r.removed, [untracked])
  assert.deepEqual(r.kept.map((k: { reason: string }) => k.reason), ['tracked', 'tracked'])
  r = JSON.parse((await runScript('sweep', ['-L', srv.name, '--json', '--live-tabs', '2,7'], { env })).stdout)
  assert.deepEqual(r.removed, [tab1])
  // the tab record lists the live tab, for a restore after a crash
  const record = JSON.parse(readFileSync(path.join(env.XDG_STATE_HOME!, 'tmux-views', 'tabs.json'), 'utf8'))
  assert.deepEqual(record.tabs.map((x: { tab: string; title: string; view: string }) => [x.tab, x.title, x.view]), [['2', 'two', tab2]])
  // tracked, but unattached for --max-age or longer (0s: at once, no wait for the clock; the
  // boundary itself is pinned in unit-rules.test.ts)
  r = JSON.parse((await runScript('sweep', ['-L', srv.name, '--json', '--max-age', '1h'], { env })).stdout)
  assert.deepEqual(r.removed, [])
  r = JSON.parse((await runScript('sweep', ['-L', srv.name, '--json', '--max-age', '0s'], { env })).stdout)
  assert.deepEqual(r.removed, [tab2])
  assert.deepEqual(srv.names(), ['work'])
})

/** A server with 'work' and two views of it past their claim, listed and judged as the hook would: both may go. */
async function twoOrphans(t: TestContext) {
  const srv = withServer(t)
  srv.newSession('work')
  const views = [await spawnView(srv, 'work'), await spawnView(srv, 'work')]
  for (const v of views) expireClaim(srv, v)
  const tmux = new Tmux({ kind: 'name', value: srv.name })
  const seen = await tmux.listSessions()
  const doomed = judgeAll(seen, { nowSec: Math.floor(Date.now() / 1000), graceSec: 30, maxAgeSec: null, liveTabs: null }).filter((x) => x.remove).map((x) => x.view)
  assert.deepEqual(doomed.map((x) => x.name).sort(), [...views].sort())
  return { srv, tmux, seen, doomed, views }
}

for (const how of ['per-view guards', 'the whole listing checked first'])
  test(`a kill guard loses the race on purpose: a client attaches between list and kill, the view survives (${how})`, async (t) => {
    const { srv, tmux, seen, doomed, views: [v, other] } = await twoOrphans(t)
    const listing = how === 'per-view guards' ? undefined : seen
    const otherId = seen.find((s) => s.name === other)!.id
    const tab = await srv.attach(`=${v}`) // between the list and the kill
    // the attached view stays; the other, untouched, still goes
    assert.deepEqual(await tmux.removeViews(doomed, listing), [otherId])
    assert.deepEqual(srv.names(), [v, 'work'].sort())
    // ...and after that client has gone again, the stale verdict is still refused
    await tab.detach()
    assert.deepEqual(await tmux.removeViews(doomed.filter((x) => x.name === v), listing), [])
    assert.ok(srv.names().includes(v))
  })

test('tmux reads the server exactly as the listing showed it, hostile names and marks included', async (t) => {
  // The batch of unguarded kills runs only when #{S:WORLD_FORMAT} equals worldAsSeen(listing): on a
  // tmux where they differ, every cleanup would pay for a second, guarded batch.
  const srv = withServer(t)
  const canary = path.join(mkdtempSync(path.join(tmpdir(), 'tv-canary-')), 'ran')
  srv.newSession('work')
  for (const name of hostileNames(canary).slice(0, 4)) srv.newSession(name.endsWith(';') ? name.slice(0, -1) + '\\;' : name)
  const marked = await spawnView(srv, 'work')
  const old = Math.floor(Date.now() / 1000) - 3600
  srv.tmux(['new-session', '-d', '-t', '=work', '-s', `work-view-${old}-123456`]) // the older design's view
  srv.tmux(['new-session', '-d', '-t', '=work', '-s', `work-view-${old}-1x`]) // not a view's name
  const tab = await srv.attach(`=${marked}`)
  const tmux = new Tmux({ kind: 'name', value: srv.name })
  const seen = await tmux.listSessions()
  assert.equal(seen.length, 8)
  assert.equal(srv.tmux(['display-message', '-p', worldUnchanged(seen)!]).stdout, '1\n')
  // ...and any change is seen: here, the attached view's client goes
  await tab.detach()
  assert.equal(srv.tmux(['display-message', '-p', worldUnchanged(seen)!]).stdout, '0\n')
  assert.ok(!existsSync(canary))
})

test('a cleanup whose server did not change since its listing removes its views with one more tmux call', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  srv.tmux(['set-option', '-g', 'default-shell', '/bin/sh'])
  const old = Math.floor(Date.now() / 1000) - 3600
  srv.tmux(['source-file', '-'], { input: Array.from({ length: 20 }, (_, i) => `new-session -d -t '=work' -s 'work-view-${old}-${100000 + i}'`).join('\n') + '\n' })
  const marked = await spawnView(srv, 'work', '--no-reuse')
  expireClaim(srv, marked)
  // a tmux that notes each call's command before running it
  const dir = mkdtempSync(path.join(tmpdir(), 'tv-calls-'))
  const calls = path.join(dir, 'calls')
  writeFileSync(path.join(dir, 'tmux'), `#!/bin/sh\nfor a in "$@"; do case "$a" in list-sessions|source-file) echo "$a" >> '${calls}';; esac; done\nexec '${process.env.TMUX_VIEWS_TMUX || 'tmux'}' "$@"\n`, { mode: 0o755 })
  const r = await runScript('sweep', ['-L', srv.name, '--json'], { env: { ...sandbox(), TMUX_VIEWS_TMUX: path.join(dir, 'tmux') } })
  assert.equal(r.code, 0, r.stderr)
  assert.equal(JSON.parse(r.stdout).removed.length, 21, r.stdout)
  assert.deepEqual(srv.names(), ['work'])
  assert.deepEqual(readFileSync(calls, 'utf8').trim().split('\n'), ['list-sessions', 'source-file'])
})

test('a kill guard refuses a view that became the last of its group, or was claimed anew', async (t) => {
  const { srv, tmux, doomed, views: [, b] } = await twoOrphans(t)
  assert.equal(doomed.length, 2)
  srv.tmux(['kill-session', '-t', '=work']) // now a and b are the whole group
  srv.tmux(['set-option', '-t', `=${b}:`, '@tmux-views-claim', 'someone-else'])
  const removed = await tmux.removeViews(doomed)
  // a may go (b still holds the windows); b was claimed anew
  assert.deepEqual(srv.names(), [b])
  assert.equal(removed.length, 1)
})

test('many views go in one batch, past the 16 KB argument limit', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  srv.tmux(['set-option', '-g', 'default-shell', '/bin/sh']) // bash would start a throwaway shell per view
  const old = Math.floor(Date.now() / 1000) - 3600
  const lines = Array.from({ length: 300 }, (_, i) =>
    `new-session -d -t '=work' -s 'work-view-${old}-${100000 + i}'`)
  srv.tmux(['source-file', '-'], { input: lines.join('\n') + '\n' })
  assert.equal(srv.names().length, 301)
  const r = await runScript('sweep', ['-L', srv.name, '--json'], { env: sandbox() })
  assert.equal(r.code, 0, r.stderr)
  assert.equal(JSON.parse(r.stdout).removed.length, 300)
  assert.deepEqual(srv.names(), ['work'])
})

test('hostile names go through sweep and the installed hook without running anything', async (t) => {
  const srv = withServer(t)
  const canary = path.join(mkdtempSync(path.join(tmpdir(), 'tv-canary-')), 'ran')
  for (const name of hostileNames(canary)) srv.newSession(name.endsWith(';') ? name.slice(0, -1) + '\\;' : name)
  assert.equal((await runScript('on-detach', ['-L', srv.name, '--install'], { env: sandbox() })).code, 0)
  const views: string[] = []
  for (const name of hostileNames(canary)) views.push(await spawnView(srv, name, `--title=${name}`))
  const tab = await srv.attach(srv.sessions().find((s) => s.name === views[0])!.id)
  await tab.detach()
  await retryUntil(() => !srv.names().includes(views[0]), 'hook removed a hostile view')
  // The attach ran the hook too (client-session-changed): let every pass end before claims expire.
  await retryUntil(() => !hookRunning(srv), 'hook passes done')
  for (const v of views.slice(1)) expireClaim(srv, v)
  const r = await runScript('sweep', ['-L', srv.name, '--json'], { env: sandbox() })
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout).removed.sort(), views.slice(1).sort())
  assert.deepEqual(srv.names(), hostileNames(canary).sort())
  assert.equal(existsSync(canary), false)
})

test('no server on the socket: sweep says so and exits 0', async (t) => {
  const srv = withServer(t)
  const r = await runScript('sweep', ['-L', srv.name], { env: sandbox() })
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout, `No tmux server on socket '${srv.name}': nothing to clean.\n`)
  const j = await runScript('sweep', ['-L', srv.name, '--json'], { env: sandbox() })
  assert.deepEqual(JSON.parse(j.stdout), { removed: [], kept: [], dryRun: false, skipped: [], noServer: true })
  assert.equal((await runScript('on-detach', ['-L', srv.name])).code, 0)
})

test('settings: config file < environment < flags; a bad file names the file and key, exit 2', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const env = sandbox()
  const v = await spawnView(srv, 'work') // untracked; its claim was made ten minutes ago
  srv.tmux(['set-option', '-t', `=${v}:`, '@tmux-views-claim-at', String(Math.floor(Date.now() / 1000) - 600)])
  const file = path.join(env.XDG_CONFIG_HOME!, 'tmux-views', 'config.json')
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, JSON.stringify({ grace: '1h', socket: srv.name }))
  // the file's socket and grace: the claim still protects it
  let r = await runScript('sweep', ['--json', '--dry-run'], { env })
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout).kept, [{ name: v, reason: 'claimed' }])
  // the environment beats the file...
  r = await runScript('sweep', ['--json', '--dry-run'], { env: { ...env, TMUX_VIEWS_GRACE: '5m' } })
  assert.deepEqual(JSON.parse(r.stdout).removed, [v])
  // ...and a flag beats the environment
  r = await runScript('sweep', ['--json', '--dry-run', '--grace', '2h'], { env: { ...env, TMUX_VIEWS_GRACE: '5m' } })
  assert.deepEqual(JSON.parse(r.stdout).removed, [])
  writeFileSync(file, JSON.stringify({ maxAge: 'banana' }))
  r = await runScript('sweep', ['--json'], { env })
  assert.equal(r.code, 2)
  assert.match(r.stderr, /config\.json: key "maxAge"/)
  writeFileSync(file, JSON.stringify({ maxage: '5m' }))
  r = await runScript('sweep', [], { env })
  assert.equal(r.code, 2)
  assert.match(r.stderr, /config\.json: unknown key "maxage"/)
  writeFileSync(file, '{ not json')
  r = await runScript('on-detach', [], { env })
  assert.equal(r.code, 2)
  assert.match(r.stderr, /config\.json: not valid JSON/)
  assert.ok(srv.names().includes(v))
})

test('bad flags and values are usage errors, exit 2, and nothing is touched', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const v = await spawnView(srv, 'work')
  expireClaim(srv, v)
  for (const args of [['--max-age', 'banana'], ['--grace', '-5s'], ['--bogus'], ['--by', 'cron'], ['extra']]) {
    const r = await runScript('sweep', ['-L', srv.name, ...args], { env: sandbox() })
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
  }
  assert.equal((await runScript('on-detach', ['-L', srv.name, '--nope'])).code, 2)
  assert.ok(srv.names().includes(v))
})

test('two sweeps at once: one works, the other skips; a stale lock is taken over', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const env = sandbox()
  const v = await spawnView(srv, 'work')
  expireClaim(srv, v)
  const lock = lockPath(srv.name, env)
  mkdirSync(path.dirname(lock), { recursive: true })
  // a live holder: this test process
  writeFileSync(lock, `${process.pid}\n`)
  let r = await runScript('sweep', ['-L', srv.name, '--json'], { env })
  assert.equal(r.code, 75, 'EX_TEMPFAIL: not swept, try again')
  assert.match(r.stderr, /another sweep is working/)
  assert.deepEqual(JSON.parse(r.stdout).skipped, [{ socket: srv.name, reason: 'busy' }])
  assert.ok(srv.names().includes(v))
  // a dead holder: a process that has exited
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout
  writeFileSync(lock, `${dead}\n`)
  r = await runScript('sweep', ['-L', srv.name, '--json'], { env })
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout).removed, [v])
  assert.deepEqual(JSON.parse(r.stdout).skipped, [])
  assert.equal(existsSync(lock), false, 'lock released')
})

test('--all-sockets sweeps every server in the socket directory, and only there', async (t) => {
  const env = { ...process.env, ...sandbox(), TMUX_TMPDIR: mkdtempSync(path.join(tmpdir(), 'tv-sockets-')) }
  const servers = [withServer(t, env), withServer(t, env)]
  const views: string[] = []
  for (const srv of servers) {
    srv.newSession('work')
    const v = (await runScript('spawn-view', ['-L', srv.name, '--print', 'work'], { env })).stdout.trim()
    expireClaim(srv, v)
    views.push(v)
  }
  const outside = withServer(t) // in the usual socket directory: not ours to sweep here
  outside.newSession('work')
  const spared = (await runScript('spawn-view', ['-L', outside.name, '--print', 'work'])).stdout.trim()
  expireClaim(outside, spared)
  const r = await runScript('sweep', ['--all-sockets', '--json'], { env })
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout).removed.sort(), views.sort())
  for (const srv of servers) assert.deepEqual(srv.names(), ['work'])
  assert.ok(outside.names().includes(spared))
})

test('--help on sweep and on-detach', async () => {
  for (const [name, flags] of [
    ['sweep', ['--dry-run', '--verbose', '--socket', '--socket-path', '--all-sockets', '--max-age', '--grace', '--live-tabs', '--rescue', '--json']],
    ['on-detach', ['--install', '--uninstall', '--print-conf', '--dry-run', '--socket']],
  ] as const) {
    const r = await runScript(name, ['--help'])
    assert.equal(r.code, 0)
    for (const f of flags) assert.ok(r.stdout.includes(f), `${name} ${f}`)
  }
  void ROOT
})
