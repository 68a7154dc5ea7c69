// spawn-view against real tmux servers.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { ROOT, TMUX_V, expireClaim, hostileNames, noConfigTmux, retryUntil, runScript, withServer, type Client } from './helpers.ts'
import { atLeast, tmuxVersion } from '../lib/version.ts'
import { Tmux } from '../lib/tmux.ts'
import { firstViewGate } from '../lib/commands.ts'
import { findSession, groupConflict, reusableViews, viewKind } from '../lib/views.ts'

const VIEW = /^(.*)-view-\d+-\d+$/s

test('--print makes a view grouped with its parent and prints only its name', async (t) => {
  const srv = withServer(t)
  const parentId = srv.newSession('work')
  const r = await runScript('spawn-view', ['-L', srv.name, '--print', 'work'])
  assert.equal(r.code, 0, r.stderr)
  const name = r.stdout.trim()
  assert.match(name, /^work-view-\d+-\d+$/)
  const view = srv.sessions().find((s) => s.name === name)!
  assert.equal(view.group, 'work')
  assert.equal(view['parent-id'], parentId)
  assert.equal(view.attached, '0')
  // the old monitoring one-liner still finds it
  assert.match(srv.tmux(['list-sessions']).stdout, /-view-[0-9]+-[0-9]+/)
})

/** A tmux that notes the first command (word-word) of each call; `calls()` reads them. */
function notingTmux(): { env: NodeJS.ProcessEnv; calls: () => string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tv-calls-'))
  const file = path.join(dir, 'calls')
  writeFileSync(path.join(dir, 'tmux'), `#!/bin/sh\nfor a in "$@"; do case "$a" in *-*-*|-*) ;; *-*) echo "$a" >> '${file}'; break;; esac; done\nexec '${process.env.TMUX_VIEWS_TMUX || 'tmux'}' "$@"\n`, { mode: 0o755 })
  return { env: { ...process.env, TMUX_VIEWS_TMUX: path.join(dir, 'tmux') }, calls: () => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : []) }
}

test('a tab\'s usual case takes one tmux call: the view is made in the call that lists, marked as the two-call path marks it', async (t) => {
  const srv = withServer(t)
  const parentId = srv.newSession('work')
  const noted = notingTmux()
  const first = JSON.parse((await runScript('spawn-view', ['-L', srv.name, '--json', '--tab', '4', 'work'], { env: noted.env })).stdout)
  assert.deepEqual(noted.calls(), ['list-sessions'])
  const view = srv.sessions().find((s) => s.id === first.id)!
  assert.deepEqual([view.name, view.group, view['parent-id'], view.tab, first.reused], [first.view, 'work', parentId, '4', false])
  assert.equal(srv.tmux(['display-message', '-p', '-t', first.id, '#{@tmux-views-parent}']).stdout, 'work\n')
  // while the first view's client is there, the next tab is as quick
  const client = await srv.attach(first.id)
  t.after(() => client.kill())
  const second = JSON.parse((await runScript('spawn-view', ['-L', srv.name, '--json', 'work'], { env: noted.env })).stdout)
  assert.deepEqual(noted.calls(), ['list-sessions', 'list-sessions'])
  assert.notEqual(second.id, first.id)
  // a view that is not attached may be one to reuse: the listing is looked at first
  expireClaim(srv, second.view)
  const third = JSON.parse((await runScript('spawn-view', ['-L', srv.name, '--json', 'work'], { env: noted.env })).stdout)
  assert.deepEqual(noted.calls(), ['list-sessions', 'list-sessions', 'list-sessions', 'if-shell'])
  assert.deepEqual([third.id, third.reused], [second.id, true])
})

test('the one-call gate passes only where the listing would make a new view of that very session', async (t) => {
  const srv = withServer(t)
  const tmux = new Tmux({ kind: 'name', value: srv.name })
  const view = (parent: string, name: string) => srv.tmux(['new-session', '-d', '-t', `=${parent}`, '-s', name])
  const clients: Client[] = []
  srv.newSession('alone')
  srv.newSession('busy')
  view('busy', 'busy-view-1-100000')
  clients.push(await srv.attach('=busy-view-1-100000'))
  srv.newSession('idle')
  view('idle', 'idle-view-1-100000') // no client: a view to reuse
  // as many clients as other members, but both on one of them: the other is orphaned
  srv.newSession('twice')
  view('twice', 'twice-view-1-100000')
  view('twice', 'twice-view-1-200000')
  clients.push(await srv.attach('=twice-view-1-100000'), await srv.attach('=twice-view-1-100000'))
  srv.newSession('pending')
  const pending = (await runScript('spawn-view', ['-L', srv.name, '--print', '--grace', '10m', 'pending'])).stdout.trim()
  srv.tmux(['set-option', '-t', `=${pending}:`, '@tmux-views-claim-at', String(Math.floor(Date.now() / 1000))])
  // a group named 'conflict' that 'conflict' is not in, its member attached
  srv.newSession('conflict')
  view('conflict', 'c2')
  clients.push(await srv.attach('=c2'))
  srv.tmux(['kill-session', '-t', '=conflict'])
  srv.newSession('conflict')
  // a view renamed to a plain name, still marked
  srv.newSession('base')
  const marked = (await runScript('spawn-view', ['-L', srv.name, '--print', 'base'])).stdout.trim()
  srv.tmux(['rename-session', '-t', `=${marked}:`, 'marked'])
  clients.push(await srv.attach('=marked'))
  // a parent renamed after its group was made: the group keeps the old name
  srv.newSession('orig')
  view('orig', 'o2')
  clients.push(await srv.attach('=o2'))
  srv.tmux(['rename-session', '-t', '=orig', 'renamed'])
  srv.newSession('a.b') // 'a_b' before tmux 3.7
  t.after(() => Promise.all(clients.map((c) => c.kill())))

  const sessions = await tmux.listSessions()
  const now = Math.floor(Date.now() / 1000)
  const dot = atLeast(tmuxVersion(TMUX_V), '3.7')
  const expected: Record<string, boolean> = { alone: true, busy: true, idle: false, twice: false, pending: false, conflict: false, marked: false, renamed: false, absent: false, 'a.b': dot }
  for (const [name, passes] of Object.entries(expected)) {
    // as spawn-view asks: with the parent as the target, an unknown option when the gate is shut
    const gate = srv.tmux(['show-options', '-sv', '-t', `=${name}:`, `#{?${firstViewGate(name)},buffer-limit,shut}`], { ok: false })
    assert.equal(gate.code, passes ? 0 : 1, `${name}: ${gate.stderr}`)
    // what the listing decides: a new view of the session of exactly this name
    const parent = findSession(sessions, name)
    const creates = parent !== undefined && !viewKind(parent, sessions) && !groupConflict(parent, sessions) && reusableViews(parent, sessions, now, 600).length === 0
    if (passes) assert.ok(creates, `${name}: the gate passed where the listing would not make a view`)
  }
})

test('--json reports view, parent, reused and socket; --verbose logs on stderr only', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const r = await runScript('spawn-view', ['-L', srv.name, '--json', '--verbose', 'work'])
  assert.equal(r.code, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  assert.deepEqual(Object.keys(out).sort(), ['id', 'parent', 'reused', 'socket', 'view'])
  assert.equal(srv.sessions().find((s) => s.id === out.id)?.name, out.view)
  assert.equal(out.parent, 'work')
  assert.equal(out.reused, false)
  assert.equal(out.socket, srv.name)
  assert.match(r.stderr, new RegExp(`^Creating new view session: ${out.view}$`, 'm'))
})

test('a view a client has left is reused, and carries the new tab marks', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const first = JSON.parse((await runScript('spawn-view', ['-L', srv.name, '--json', '--tab', '1', 'work'])).stdout)
  const client = await srv.attach(`=${first.view}`)
  await client.detach()
  await retryUntil(() => srv.sessions().find((s) => s.name === first.view)?.attached === '0', 'client gone')
  // Wait out the one-second resolution of tmux's attach time: a view attached this very second is
  // passed over (see reusableViews), so the reuse below is deterministic.
  const attachedAt = Number(srv.tmux(['display-message', '-p', '-t', `=${first.view}:`, '#{session_last_attached}']).stdout)
  await retryUntil(() => Math.floor(Date.now() / 1000) > attachedAt, 'next second')
  const r = await runScript('spawn-view', ['-L', srv.name, '--json', '--verbose', '--tab', '7', '--title', 'logs', '--icon', '📜', 'work'])
  assert.equal(r.code, 0, r.stderr)
  const second = JSON.parse(r.stdout)
  assert.equal(second.view, first.view)
  assert.equal(second.reused, true)
  assert.match(r.stderr, /^Reusing existing view session: /m)
  const view = srv.sessions().find((s) => s.name === first.view)!
  assert.deepEqual([view.tab, view.title, view.icon], ['7', 'logs', '📜'])
  assert.equal(srv.sessions().length, 2)
})

test('a claimed view that no client has attached yet is not handed to another tab', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  // a grace far longer than the test: on a loaded machine 30 s can pass between the two
  const a = await runScript('spawn-view', ['-L', srv.name, '--print', '--grace', '10m', 'work'])
  const b = await runScript('spawn-view', ['-L', srv.name, '--print', '--grace', '10m', 'work'])
  assert.notEqual(a.stdout.trim(), b.stdout.trim())
})

test('--no-reuse always makes a new view', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const a = JSON.parse((await runScript('spawn-view', ['-L', srv.name, '--json', '--grace', '0s', 'work'])).stdout)
  const b = JSON.parse((await runScript('spawn-view', ['-L', srv.name, '--json', '--grace', '0s', '--no-reuse', 'work'])).stdout)
  assert.notEqual(a.view, b.view)
  assert.equal(b.reused, false)
})

test('20 spawns at once for one parent give 20 distinct views', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  // the grace outlasts the storm, however slow the machine: no view's claim may expire mid-way
  const results = await Promise.all(Array.from({ length: 20 }, () => runScript('spawn-view', ['-L', srv.name, '--print', '--grace', '10m', 'work'])))
  for (const r of results) assert.equal(r.code, 0, r.stderr)
  const names = results.map((r) => r.stdout.trim())
  assert.equal(new Set(names).size, 20)
  const views = srv.sessions().filter((s) => VIEW.test(s.name))
  assert.equal(views.length, 20)
  assert.ok(views.every((v) => v.group === 'work'))
})

test('20 spawns at once, with orphaned views to reuse, still give 20 distinct views', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  // five views whose claims ran out an hour ago: reusable by anyone
  const old: string[] = []
  for (let i = 0; i < 5; i++) old.push((await runScript('spawn-view', ['-L', srv.name, '--print', 'work'])).stdout.trim())
  for (const view of old)
    srv.tmux(['set-option', '-t', `=${view}:`, '@tmux-views-claim-at', String(Math.floor(Date.now() / 1000) - 3600)])
  const results = await Promise.all(Array.from({ length: 20 }, () => runScript('spawn-view', ['-L', srv.name, '--json', '--grace', '10m', 'work'])))
  for (const r of results) assert.equal(r.code, 0, r.stderr)
  const views = results.map((r) => JSON.parse(r.stdout))
  assert.equal(new Set(views.map((v) => v.view)).size, 20)
  assert.equal(views.filter((v) => v.reused).length, 5)
  assert.equal(srv.sessions().length, 21)
})

test('a missing parent is an error, exit 1, and nothing is created', async (t) => {
  const srv = withServer(t)
  srv.newSession('other')
  const r = await runScript('spawn-view', ['-L', srv.name, '--print', 'work'])
  assert.equal(r.code, 1)
  assert.match(r.stderr, /^spawn-view: no session named 'work'/)
  assert.equal(r.stderr.trim().split('\n').length, 1)
  assert.deepEqual(srv.names(), ['other'])
})

test('a prefix of a parent name does not match it', async (t) => {
  const srv = withServer(t)
  srv.newSession('workbench')
  const r = await runScript('spawn-view', ['-L', srv.name, '--print', 'work'])
  assert.equal(r.code, 1)
  assert.deepEqual(srv.names(), ['workbench'])
  // and a name that is a prefix of another still picks the exact one
  srv.newSession('work')
  const ok = await runScript('spawn-view', ['-L', srv.name, '--print', 'work'])
  assert.equal(ok.code, 0, ok.stderr)
  assert.equal(srv.sessions().find((s) => s.name === ok.stdout.trim())!.group, 'work')
})

test('--create makes the parent first; two at once agree on one parent', async (t) => {
  const srv = withServer(t)
  srv.newSession('keepalive')
  const [a, b] = await Promise.all([0, 1].map(() => runScript('spawn-view', ['-L', srv.name, '--json', '--create', 'fresh'])))
  assert.equal(a.code, 0, a.stderr)
  assert.equal(b.code, 0, b.stderr)
  const names = srv.names()
  assert.equal(names.filter((n) => n === 'fresh').length, 1)
  assert.equal(names.filter((n) => VIEW.test(n)).length, 2)
})

test('a server that npx zx ... --create starts gives its panes none of npm\'s environment', (t) => {
  const srv = withServer(t)
  // a user's shell, even when this test itself runs under npm test
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TMUX|NODE_OPTIONS|INIT_CWD|npm_.*)$/i.test(k)))
  env.PATH = process.env.PATH!.split(':').filter((d) => !d.includes('node_modules')).join(':')
  Object.assign(env, noConfigTmux()) // the server this starts reads no tmux.conf
  const r = spawnSync('npx', ['zx', 'scripts/spawn-view.mts', '-L', srv.name, '--create', '--print', 'work'], { cwd: ROOT, env, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  const global = srv.tmux(['show-environment', '-g']).stdout.split('\n')
  const pane = (name: string) => global.find((l) => l.startsWith(`${name}=`))
  // NODE_OPTIONS=--import=tsx from .npmrc would stop every node the user runs outside this checkout
  assert.equal(pane('NODE_OPTIONS'), undefined)
  assert.deepEqual(global.filter((l) => /^(npm_|INIT_CWD=)/i.test(l)), [])
  assert.ok(!pane('PATH')!.includes('node_modules/.bin'), pane('PATH'))
})

test('no server on the socket: one-line error, exit 1', async (t) => {
  const srv = withServer(t)
  const r = await runScript('spawn-view', ['-L', srv.name, '--print', 'work'])
  assert.equal(r.code, 1)
  assert.equal(r.stderr, `spawn-view: no tmux server on socket '${srv.name}': start tmux there, or add --create to start it with session 'work'\n`)
})

test('tmux not installed: one-line error, exit 1', async () => {
  const r = await runScript('spawn-view', ['-L', 'unused', '--print', 'work'], { env: { TMUX_VIEWS_TMUX: '/nonexistent/tmux' } })
  assert.equal(r.code, 1)
  assert.match(r.stderr, /^spawn-view: tmux is not installed/)
})

test('bad usage exits 2 and touches nothing', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  for (const args of [[], ['--bogus', 'work'], ['a', 'b'], ['--grace', 'banana', 'work'], ['--socket']]) {
    const r = await runScript('spawn-view', ['-L', srv.name, ...args])
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
    assert.doesNotMatch(r.stderr, /\n\s+at /) // no stack trace
  }
  assert.deepEqual(srv.names(), ['work'])
})

test('--help prints usage and exits 0', async () => {
  const r = await runScript('spawn-view', ['--help'])
  assert.equal(r.code, 0)
  assert.match(r.stdout, /^Usage: spawn-view/)
  for (const flag of ['--print', '--json', '--create', '--no-reuse', '--tab', '--title', '--icon', '--grace', '--socket', '--socket-path', '--verbose'])
    assert.ok(r.stdout.includes(flag), flag)
})

test('hostile parent names: nothing runs, the view is made in the right group', async (t) => {
  const srv = withServer(t)
  const canary = path.join(mkdtempSync(path.join(tmpdir(), 'tv-canary-')), 'ran')
  for (const name of hostileNames(canary)) {
    const id = srv.newSession(name.endsWith(';') ? name.slice(0, -1) + '\\;' : name)
    const parent = srv.sessions().find((s) => s.id === id)!
    assert.equal(parent.name, name, 'fixture made the parent under its exact name')
    const r = await runScript('spawn-view', ["-L", srv.name, "--json", `--title=${name}`, "--", name])
    assert.equal(r.code, 0, `${name}: ${r.stderr}`)
    const out = JSON.parse(r.stdout)
    assert.equal(out.parent, name)
    assert.equal(out.view.match(VIEW)?.[1], name)
    const view = srv.sessions().find((s) => s.name === out.view)!
    assert.equal(view.group, name)
    assert.equal(view['parent-id'], id)
    assert.equal(view.title, name)
  }
  assert.equal(existsSync(canary), false, 'a command in a name ran')
})

test(`a name with a dot finds the session tmux (${TMUX_V}) made from it`, async (t) => {
  const srv = withServer(t)
  srv.newSession('a.b') // tmux before 3.7 stores it as a_b
  const r = await runScript('spawn-view', ['-L', srv.name, '--json', 'a.b'])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(JSON.parse(r.stdout).parent, atLeast(tmuxVersion(TMUX_V), '3.7') ? 'a.b' : 'a_b')
})

test('a parent re-created under an old group name gets no view, and no window is lost', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const view = (await runScript('spawn-view', ['-L', srv.name, '--print', 'work'])).stdout.trim()
  srv.tmux(['kill-session', '-t', '=work'])
  srv.newSession('work', 'sleep 86401') // a new 'work', while the old group 'work' lives on in the view
  const before = srv.tmux(['list-windows', '-a', '-F', '#{session_name} #{pane_start_command}']).stdout
  const r = await runScript('spawn-view', ['-L', srv.name, '--print', 'work'])
  assert.equal(r.code, 1)
  assert.match(r.stderr, /refusing to group with 'work'/)
  assert.equal(srv.tmux(['list-windows', '-a', '-F', '#{session_name} #{pane_start_command}']).stdout, before)
  assert.deepEqual(srv.names(), ['work', view].sort())
})

test('attaches in the terminal by default', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  // A second private server plays the user's terminal: its pane runs spawn-view.
  const term = withServer(t)
  term.newSession('term', `cd '${ROOT}' && env -u TMUX '${process.execPath}' --import tsx scripts/spawn-view.mts -L ${srv.name} --tab 5 work`)
  await retryUntil(() => srv.sessions().some((s) => VIEW.test(s.name) && s.attached === '1'), 'view attached', 20_000)
  const view = srv.sessions().find((s) => VIEW.test(s.name))!
  assert.equal(view.tab, '5')
  assert.equal(srv.sessions().find((s) => s.name === 'work')!.attached, '0')
})

test('inside tmux, switches the current client to the view', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  srv.newSession('home', 'sh')
  const client = await srv.attach('=home')
  t.after(() => client.kill())
  // run spawn-view from a pane of 'home', where $TMUX names this server and client
  srv.tmux(['send-keys', '-t', '=home:', `cd '${ROOT}' && '${process.execPath}' --import tsx scripts/spawn-view.mts work`, 'Enter'])
  await retryUntil(() => srv.sessions().some((s) => VIEW.test(s.name) && s.attached === '1'), 'client switched', 20_000)
  assert.equal(srv.sessions().find((s) => s.name === 'home')!.attached, '0')
})

test('a drawn view name that is taken is drawn again: one view, marked, read back as tmux stored it', async (t) => {
  const srv = withServer(t)
  const parentId = srv.newSession('work')
  srv.newSession('work-view-1-111111')
  const names = ['work-view-1-111111', 'work-view-1-222222']
  const tmux = new Tmux({ kind: 'name', value: srv.name })
  const made = await tmux.newView(parentId, () => names.shift()!, { '@tmux-views-claim': 'tok-1', '@tmux-views-tab': '7' })
  assert.deepEqual(made, { id: srv.idOf('work-view-1-222222'), name: 'work-view-1-222222' })
  assert.deepEqual(srv.names(), ['work', 'work-view-1-111111', 'work-view-1-222222'])
  const view = srv.sessions().find((s) => s.name === made.name)!
  assert.deepEqual([view.claim, view.tab, view.group], ['tok-1', '7', 'work'])
})

test('a reused view takes hostile titles and icons as plain text, set in the same step as its claim', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const canary = path.join(mkdtempSync(path.join(tmpdir(), 'tv-canary-')), 'ran')
  const first = JSON.parse((await runScript('spawn-view', ['-L', srv.name, '--json', 'work'])).stdout)
  for (const text of [...hostileNames(canary), 'back\\slash \\e \\u00e9 "q" $HOME ~ #{pane_id}', 'tab\there']) {
    expireClaim(srv, first.view)
    const r = await runScript('spawn-view', ['-L', srv.name, '--json', `--title=${text}`, `--icon=${text}`, '--tab', '3', 'work'])
    assert.equal(r.code, 0, `${JSON.stringify(text)}: ${r.stderr}`)
    assert.deepEqual(JSON.parse(r.stdout), { ...first, reused: true })
    const view = srv.sessions().find((s) => s.id === first.id)!
    assert.deepEqual([view.title, view.icon, view.tab], [text.replace('\t', ' '), text.replace('\t', ' '), '3'], JSON.stringify(text))
  }
  assert.deepEqual(srv.names(), ['work', first.view])
  assert.equal(existsSync(canary), false, 'a command in a title ran')
})
