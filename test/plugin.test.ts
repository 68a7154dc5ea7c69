// The WezTerm plugin (plugin/init.lua), run by Lua 5.4 through a stand-in for the `wezterm`
// module (test/plugin/wezterm_stub.lua), against real tmux servers and the compiled scripts.
// The scripts are built from the current sources into a private directory, so this file never
// rebuilds the shared dist/ under other test files that may be running it.
import { after, before, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ROOT, hostileNames, retryUntil, withServer, type TestServer } from './helpers.ts'

const which = (cmd: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { encoding: 'utf8' }).stdout.trim()
const LUA = which(process.env.LUA || 'lua5.4')
const TMUX = which(process.env.TMUX_VIEWS_TMUX || 'tmux')
const DRIVER = path.join(ROOT, 'test', 'plugin', 'drive.lua')
const VIEW = /^(.*)-view-\d+-\d+$/s

// WezTerm's data directory, with the plugin's clone where wezterm.plugin.require leaves it:
// DATA/plugins/<the URL as a directory name>. The clone holds the sources by symlink and the build
// script by copy (it builds next to itself), so this file never rebuilds the shared dist/.
const URL = 'https://github.com/OWNER/tmux-views'
const DATA = mkdtempSync(path.join(tmpdir(), 'tv-wezterm-data-'))
const BUILD = path.join(DATA, 'plugins', 'httpssCssZssZsgithubsDscomsZsOWNERsZstmux-views')

before(() => {
  assert.ok(LUA, 'lua5.4 is not installed')
  mkdirSync(BUILD, { recursive: true })
  for (const entry of ['scripts', 'lib', 'node_modules', 'plugin', 'package.json', 'package-lock.json'])
    symlinkSync(path.join(ROOT, entry), path.join(BUILD, entry))
  mkdirSync(path.join(BUILD, 'tools'))
  for (const file of ['build.mjs', 'sources.mjs']) copyFileSync(path.join(ROOT, 'tools', file), path.join(BUILD, 'tools', file))
  const r = spawnSync(process.execPath, [path.join(BUILD, 'tools', 'build.mjs')], { encoding: 'utf8' })
  assert.equal(r.status, 0, `build failed: ${r.stderr}`)
  // what wezterm.plugin.list() reads: the clone's remote
  mkdirSync(path.join(BUILD, '.git'))
  writeFileSync(path.join(BUILD, '.git', 'config'), `[remote "origin"]\n\turl = ${URL}\n`)
})

after(() => rmSync(DATA, { recursive: true, force: true }))

/** State, config and runtime dirs of this test only: the tab record and locks live there. */
function sandbox(t: TestContext): NodeJS.ProcessEnv {
  const dir = mkdtempSync(path.join(tmpdir(), 'tv-plugin-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_STATE_HOME: path.join(dir, 'state'),
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    XDG_RUNTIME_DIR: path.join(dir, 'run'),
    TV_TMP: dir,
    TV_DATA: DATA,
    TV_URL: URL,
  }
  for (const k of ['TMUX', 'TMUX_PANE', 'TMUX_VIEWS_SOCKET', 'TMUX_VIEWS_SOCKET_PATH', 'TMUX_VIEWS_MAX_AGE', 'TMUX_VIEWS_GRACE'])
    delete env[k]
  env.TMUX_VIEWS_TMUX = TMUX // the tmux the servers run, for scripts the tests call directly
  return env
}

interface Tab { id: number; title: string; args: string[] | null; client: string | null; window: number; domain: string }
interface Drive {
  registered: string[]
  logs: Array<{ level: string; message: string }>
  toasts: Array<{ title: string; message: string; timeout: number }>
  /** argv as run; command: the sweep's own argv inside a background pass's `sh -c` */
  children: Array<{ argv: string[]; command: string[]; background: boolean }>
  instance: string
  [k: string]: any
}

/** Run one scenario of test/plugin/drive.lua; the tmux clients it starts are killed after the test. */
function drive(t: TestContext, env: NodeJS.ProcessEnv, scenario: string, params: object = {}, timeout = 60_000): Drive {
  const r = spawnSync(LUA, [DRIVER, scenario], { encoding: 'utf8', env: { ...env, TV_PARAMS: JSON.stringify(params) }, timeout })
  assert.equal(r.status, 0, `${scenario}: ${r.stderr}${r.error ?? ''}`)
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as Drive
  const pids = [...(out.tabs ?? []), out.first, out.second].filter((x: Tab | undefined) => x?.client).map((x: Tab) => Number(x.client))
  t.after(() => pids.forEach((pid) => { try { process.kill(pid, 'SIGKILL') } catch {} }))
  return out
}

/** A mark on a view, by session id. */
const mark = (srv: TestServer, id: string, option: string) =>
  srv.tmux(['show-options', '-v', '-q', '-t', id, `@tmux-views-${option}`]).stdout.replace(/\n$/, '')

/** The session a tab's args attach: they end with `attach-session -t $ID`. */
function viewOf(srv: TestServer, tab: Tab): Record<string, string> {
  const id = tab.args![tab.args!.length - 1]
  const s = srv.sessions().find((x) => x.id === id)
  assert.ok(s, `no session ${id}`)
  return s
}

const script = (name: string, args: string[], env: NodeJS.ProcessEnv) => {
  const r = spawnSync(process.execPath, [path.join(BUILD, 'dist', 'scripts', `${name}.cjs`), ...args], { encoding: 'utf8', env })
  assert.equal(r.status, 0, `${name}: ${r.stderr}`)
  return r.stdout
}

/** A view no tab tracks, whose claim ran out an hour ago: any sweep may remove it. */
function orphan(srv: TestServer, env: NodeJS.ProcessEnv, parent: string): string {
  const view = script('spawn-view', ['-L', srv.name, '--print', parent], env).trim()
  srv.tmux(['set-option', '-t', `=${view}:`, '@tmux-views-claim-at', String(Math.floor(Date.now() / 1000) - 3600)])
  return view
}

const real = (srv: TestServer) => ({ socket: srv.name, tmux: TMUX, node: process.execPath })

/** The argv a tab runs: tmux without an inherited TMUX, attaching the view by id. */
const attachArgs = (srv: TestServer, id: string) => ['/usr/bin/env', '-u', 'TMUX', '-u', 'TMUX_PANE', TMUX, '-L', srv.name, 'attach-session', '-t', id]

/** WezTerm returns from spawn_tab before the tab's tmux client attaches: wait for it. */
const attached = (srv: TestServer, tabs: Tab[]) =>
  retryUntil(() => {
    const clients = srv.tmux(['list-clients', '-F', '#{client_pid}']).stdout.split('\n')
    return tabs.every((tab) => clients.includes(String(tab.client)))
  }, 'every tab attached')

test('apply_to_config registers only events WezTerm emits, and adds LEADER|CTRL c', (t) => {
  const env = sandbox(t)
  for (const [opts, events] of [
    [{}, ['update-status', 'user-var-changed']],
    [{ restore: true }, ['update-status', 'user-var-changed', 'gui-startup']],
  ] as const) {
    const r = drive(t, env, 'register', { opts })
    assert.deepEqual([...r.registered].sort(), [...events].sort())
    for (const name of r.registered) assert.ok(r.real.includes(name), `${name} is not a WezTerm event`)
    assert.ok(!r.registered.includes('mux-tab-closed') && !r.registered.includes('mux-window-close'))
    assert.deepEqual(r.keys, [{ key: 'x', mods: 'CTRL', callback: false }, { key: 'c', mods: 'LEADER|CTRL', callback: true }])
    assert.equal(r.made_keys, 1)
  }
  const r = drive(t, env, 'register', { opts: { keys: false } })
  assert.deepEqual(r.keys, [{ key: 'x', mods: 'CTRL', callback: false }])
  assert.equal(r.made_keys, 0)
})

test('update-status is throttled to one background sweep a minute; a changed tab set comes sooner', (t) => {
  const env = sandbox(t)
  const r = drive(t, env, 'throttle', { socket: 'sock', tmux: '/x/tmux', node: '/x/node' })
  const I = r.instance
  // ticks every second from 1000 to 1190: tab 2 opened at 1061, a config reload at 1124, tab 2 closed at 1150
  assert.deepEqual(r.passes.map((p: any) => [p.t, p.live_tabs]), [
    [1000, `0.${I},1.${I}`],
    [1060, `0.${I},1.${I}`],
    [1063, `0.${I},1.${I},2.${I}`], // the change, change_delay (3 s) after the last pass
    [1123, `0.${I},1.${I},2.${I}`], // a reload keeps the clock: nothing at 1124
    [1150, `0.${I},1.${I}`], // a change long after the last pass: at once
  ])
  assert.ok(r.children.every((c) => c.background))
  assert.ok(r.children.every((c) => c.argv[0] === '/bin/sh' && c.argv[1] === '-c'), 'each pass in a marker shell')
  assert.deepEqual(r.children[0].argv.slice(4, 8), ['/usr/bin/timeout', '-k', '2', '60'], 'with a deadline')
  assert.deepEqual(r.passes[0].argv, ['/usr/bin/env', '-u', 'NODE_OPTIONS', 'TMUX_VIEWS_TMUX=/x/tmux', '/x/node',
    path.join(BUILD, 'dist', 'scripts', 'sweep.cjs'), '--socket=sock', '--json', '--by=terminal', `--live-tabs=0.${I},1.${I}`])
})

test('spawn: a view grouped with its parent, marked with the tab WezTerm gave it, attached by the tab itself', async (t) => {
  const srv = withServer(t)
  const env = sandbox(t)
  const parentId = srv.newSession('work')
  const r = drive(t, env, 'spawn', { ...real(srv), session: 'work', title: 'logs', icon: '📜' })
  assert.deepEqual(r.toasts, [])
  assert.deepEqual(r.spawned, [1, 2]) // tab 0 is the window's first tab, a plain shell
  const [, a, b] = r.tabs as Tab[]
  await attached(srv, [a, b])
  const clients = srv.tmux(['list-clients', '-F', '#{client_pid} #{session_name}']).stdout.split('\n')
  for (const tab of [a, b]) {
    const view = viewOf(srv, tab)
    assert.deepEqual(tab.args, attachArgs(srv, view.id))
    assert.equal(tab.domain, 'local')
    assert.match(view.name, /^work-view-\d+-\d+$/)
    assert.equal(view.group, 'work')
    assert.equal(view['parent-id'], parentId)
    assert.equal(view.tab, `${tab.id}.${r.instance}`)
    assert.equal(mark(srv, view.id, 'tab'), view.tab)
    assert.ok(r.live_tabs.split(',').includes(view.tab), 'the next sweep sees this tab alive')
    assert.ok(clients.includes(`${tab.client} ${view.name}`), "the tab's own process is the view's client")
  }
  const [va, vb] = [viewOf(srv, a), viewOf(srv, b)]
  assert.notEqual(va.id, vb.id)
  assert.deepEqual([a.title, va.title, va.icon], ['📜 logs', 'logs', '📜'])
  assert.deepEqual([b.title, vb.title, vb.icon], ['second', 'second', ''])
  assert.equal(r.live_tabs, `0.${r.instance},1.${r.instance},2.${r.instance}`)
})

test('a view a closed tab left is reused by the next spawn, and marked with the new tab', (t) => {
  const srv = withServer(t)
  const env = sandbox(t)
  srv.newSession('work')
  const r = drive(t, env, 'reuse', { ...real(srv), session: 'work' })
  const view = viewOf(srv, r.second)
  assert.equal(view.id, r.view, 'the same view')
  assert.notEqual(r.second.id, r.first.id)
  assert.deepEqual([view.tab, view.title, view.attached], [`${r.second.id}.${r.instance}`, 'two', '1'])
  assert.equal(r.live_tabs, `0.${r.instance},${r.second.id}.${r.instance}`)
  assert.equal(srv.sessions().length, 2)
})

test('LEADER|CTRL c sweeps now with the live tabs: an orphaned view and a closed tab\'s view go, a toast says how many', (t) => {
  const srv = withServer(t)
  const env = sandbox(t)
  srv.newSession('work')
  const gone = orphan(srv, env, 'work')
  // a view of a tab WezTerm no longer has, used a moment ago: only the live tab list shows it is
  // orphaned (without --live-tabs a sweep keeps a tracked view until --max-age)
  const closed = script('spawn-view', ['-L', srv.name, '--print', '--no-reuse', '--tab', '99.closed', 'work'], env).trim()
  srv.tmux(['set-option', '-t', `=${closed}:`, '@tmux-views-claim-at', String(Math.floor(Date.now() / 1000) - 3600)])
  assert.deepEqual(srv.names(), [gone, closed, 'work'].sort())
  const r = drive(t, env, 'sweep_key', real(srv))
  assert.deepEqual(srv.names(), ['work'])
  assert.deepEqual(r.toasts.map((x) => [x.title, x.message, x.timeout]), [['tmux-views', 'Cleaned up 2 orphaned view session(s)', 4000]])
  const [sweep] = r.children.filter((c) => c.argv.includes('--by=manual'))
  assert.equal(sweep.background, false)
  assert.ok(sweep.argv.includes('--by=manual') && sweep.argv.includes(`--socket=${srv.name}`))
})

test('user var TMUX_CLEANUP_TRIGGER runs a sweep in the background; other user vars do nothing', (t) => {
  const srv = withServer(t)
  const env = sandbox(t)
  srv.newSession('work')
  orphan(srv, env, 'work')
  const r = drive(t, env, 'trigger', real(srv))
  assert.equal(r.before, 0)
  assert.equal(r.children.length, 1)
  assert.equal(r.children[0].background, true)
  assert.ok(r.children[0].command.includes('--by=terminal'))
  assert.deepEqual(srv.names(), ['work'])
})

test('restore: after every client died at once, the first tick reopens the recorded tabs in order, with new ids', async (t) => {
  const srv = withServer(t)
  const env = sandbox(t)
  srv.newSession('work')
  srv.newSession('logs')
  const specs = [
    { session: 'work', title: 'editor', icon: '✏️' },
    { session: 'logs', title: 'tail', icon: '📜' },
    { session: 'work', title: 'shell', icon: '$' },
  ]
  const rec = drive(t, env, 'record', { ...real(srv), tabs: specs })
  assert.deepEqual(rec.toasts, [])
  const report = () => JSON.parse(script('report', ['--tabs', '--json', '-L', srv.name], env)).tabs
  const recorded = report()
  assert.deepEqual(recorded.map((x: any) => [x.tab, x.parent, x.title, x.icon]),
    (rec.tabs as Tab[]).slice(1).map((tab, i) => [`${tab.id}.${rec.instance}`, specs[i].session, specs[i].title, specs[i].icon]))

  // The crash: WezTerm and every tmux client in it die at once.
  const pids = srv.tmux(['list-clients', '-F', '#{client_pid}']).stdout.split('\n').filter(Boolean)
  assert.deepEqual(pids.sort(), (rec.tabs as Tab[]).slice(1).map((tab) => tab.client).sort())
  for (const pid of pids) process.kill(Number(pid), 'SIGKILL')
  await retryUntil(() => srv.tmux(['list-clients']).stdout === '', 'clients gone')

  const res = drive(t, env, 'restore', real(srv))
  assert.notEqual(res.instance, rec.instance, 'a new WezTerm process: new tab ids')
  assert.equal(res.windows, 1, 'the tabs open in the first window, after its own tab')
  const tabs = (res.tabs as Tab[]).slice(1)
  await attached(srv, tabs)
  assert.deepEqual(tabs.map((tab) => tab.title), ['✏️ editor', '📜 tail', '$ shell'])
  tabs.forEach((tab, i) => {
    const view = viewOf(srv, tab)
    assert.deepEqual([view.group, view.tab, view.title, view.icon, view.attached],
      [specs[i].session, `${tab.id}.${res.instance}`, specs[i].title, specs[i].icon, '1'])
  })
  // the first pass after the restore recorded the new tabs, and no old id; no view is left over
  assert.equal(srv.sessions().length, 2 + specs.length)
  assert.deepEqual(report().map((x: any) => [x.tab, x.title]), tabs.map((tab, i) => [`${tab.id}.${res.instance}`, specs[i].title]))
  assert.deepEqual(res.logs.filter((l) => l.level === 'error'), [])
})

test('hostile session names, titles and icons go through the plugin without running anything', async (t) => {
  const srv = withServer(t)
  const env = sandbox(t)
  const canary = path.join(mkdtempSync(path.join(tmpdir(), 'tv-canary-')), 'ran')
  t.after(() => rmSync(path.dirname(canary), { recursive: true, force: true }))
  const names = hostileNames(canary)
  const ids = names.map((name) => srv.newSession(name.endsWith(';') ? name.slice(0, -1) + '\\;' : name))
  const r = drive(t, env, 'hostile', { ...real(srv), names })
  assert.deepEqual(r.logs.filter((l) => l.level === 'error'), [])
  const tabs = (r.tabs as Tab[]).slice(1)
  assert.equal(tabs.length, names.length)
  await attached(srv, tabs)
  tabs.forEach((tab, i) => {
    const view = viewOf(srv, tab)
    assert.equal(view.name.match(VIEW)?.[1], names[i])
    assert.equal(view['parent-id'], ids[i], names[i])
    assert.equal(view.attached, '1', names[i])
    assert.deepEqual(['tab', 'title', 'icon'].map((o) => mark(srv, view.id, o)), [`${tab.id}.${r.instance}`, names[i], names[i]])
    assert.equal(tab.title, `${names[i]} ${names[i]}`)
  })
  assert.deepEqual(r.toasts.map((x) => x.message), ['Cleaned up 0 orphaned view session(s)'])
  assert.equal(existsSync(canary), false, 'a command in a name ran')
})

test('failures toast, log and open no tab', (t) => {
  const srv = withServer(t)
  const env = sandbox(t)
  srv.newSession('work')
  const empty = mkdtempSync(path.join(tmpdir(), 'tv-empty-root-'))
  t.after(() => rmSync(empty, { recursive: true, force: true }))
  const r = drive(t, env, 'errors', { ...real(srv), session: 'nope', empty_root: empty })
  assert.deepEqual(r.results, { missing: true, nameless: true, no_dist: true })
  assert.equal(r.tabs.length, 1)
  const messages = r.toasts.map((x) => x.message)
  assert.match(messages[0], /^spawn-view: no session named 'nope'/)
  assert.match(messages[1], /needs \{ session = NAME \}/)
  assert.equal(messages[2], `${empty}/dist/scripts/spawn-view.cjs is missing: run npm ci in ${empty} (or set opts.root)`)
  assert.deepEqual(r.logs.filter((l) => l.level === 'error').map((l) => l.message), messages.map((m) => `tmux-views: ${m}`))
  assert.ok(r.toasts.every((x) => x.title === 'tmux-views' && x.timeout === 4000))
  assert.deepEqual(srv.names(), ['work'])
})

test('without opts, node and tmux are found where macOS GUI apps cannot see them, and ROOT is the plugin\'s repository', (t) => {
  const env = sandbox(t)
  const home = path.join(env.TV_TMP!, 'home')
  for (const [dir, name] of [['.volta/bin', 'node'], ['.nix-profile/bin', 'tmux']]) {
    mkdirSync(path.join(home, dir), { recursive: true })
    writeFileSync(path.join(home, dir, name), '')
  }
  const r = drive(t, { ...env, HOME: home, PATH: '' }, 'discover')
  assert.deepEqual(r.children.map((c) => c.command), [['/usr/bin/env', '-u', 'NODE_OPTIONS', `TMUX_VIEWS_TMUX=${home}/.nix-profile/bin/tmux`, `${home}/.volta/bin/node`,
    path.join(BUILD, 'dist', 'scripts', 'sweep.cjs'), '--json', '--by=terminal', `--live-tabs=0.${r.instance}`]])
})

// ---- issue 11: as strict as WezTerm -------------------------------------------------------------

test('copied and loaded under another name, the plugin finds its checkout through wezterm.plugin.list()', (t) => {
  const env = sandbox(t)
  const config = path.join(env.TV_TMP!, 'config')
  mkdirSync(config)
  copyFileSync(path.join(ROOT, 'plugin', 'init.lua'), path.join(config, 'tmux_views_copy.lua'))
  const r = drive(t, env, 'copied', { socket: 'sock', tmux: '/x/tmux', node: '/x/node', config_dir: config })
  assert.deepEqual(r.logs.filter((l) => l.level === 'error'), [])
  assert.equal(r.children[0].command[5], path.join(BUILD, 'dist', 'scripts', 'sweep.cjs'))
})

test('from an SSH-domain pane, with TMUX inherited, the tab runs tmux attach in the local domain', async (t) => {
  const srv = withServer(t)
  const env = { ...sandbox(t), TMUX: '/tmp/some-other-tmux,1,0', TMUX_PANE: '%9' }
  srv.newSession('work')
  const r = drive(t, env, 'remote_pane', { ...real(srv), session: 'work' })
  const tab = (r.tabs as Tab[])[1]
  assert.deepEqual([r.tabs[0].domain, tab.domain], ['SSH:build-host', 'local'])
  assert.deepEqual(tab.args, attachArgs(srv, viewOf(srv, tab).id))
  await attached(srv, [tab]) // the driver already waited: tmux did not refuse to nest
})

test('a flood of TMUX_CLEANUP_TRIGGER starts one pass and queues one, not one per trigger', (t) => {
  const srv = withServer(t)
  const env = sandbox(t)
  srv.newSession('work')
  const r = drive(t, env, 'flood', { ...real(srv), count: 40 })
  assert.equal(r.during, 1, 'one pass while the first runs')
  assert.equal(r.after_tick, 2, 'the queued pass on the next tick')
  assert.equal(r.after_second_tick, 2, 'and no more')
  assert.ok(r.children.every((c) => c.background && c.command.includes('--by=terminal')))
})

test('LEADER|CTRL c with another sweep holding the lock says busy, and sweep --json lists the skipped server (exit 75)', async (t) => {
  const srv = withServer(t)
  const env = sandbox(t)
  srv.newSession('work')
  const gone = orphan(srv, env, 'work')
  const { lockPath } = await import('../lib/lock.ts')
  const lock = lockPath(srv.name, env)
  mkdirSync(path.dirname(lock), { recursive: true, mode: 0o700 })
  writeFileSync(lock, `${process.pid}\n`) // a live holder: this test process
  const s = spawnSync(process.execPath, [path.join(BUILD, 'dist', 'scripts', 'sweep.cjs'), '-L', srv.name, '--json'], { encoding: 'utf8', env })
  assert.equal(s.status, 75, s.stderr)
  assert.deepEqual(JSON.parse(s.stdout).skipped, [{ socket: srv.name, reason: 'busy' }])
  const r = drive(t, env, 'sweep_key', real(srv))
  const message = `Cleaned up 0 orphaned view session(s); busy, not swept: ${srv.name} (busy): another sweep is working, try again`
  assert.deepEqual(r.toasts.map((x) => x.message), [message])
  assert.ok(r.logs.some((l) => l.level === 'info' && l.message === `tmux-views: ${message}`), 'the count is logged')
  assert.ok(srv.names().includes(gone))
  rmSync(lock)
  const again = drive(t, env, 'sweep_key', real(srv))
  assert.deepEqual(again.toasts.map((x) => x.message), ['Cleaned up 1 orphaned view session(s)'])
  assert.ok(again.logs.some((l) => l.level === 'info' && l.message === 'tmux-views: Cleaned up 1 orphaned view session(s)'))
})

test('a bad option is logged with a clear message and never stops another plugin\'s update-status handler', (t) => {
  const env = sandbox(t)
  const opts = { socket: 'sock', tmux: '/x/tmux', node: '/x/node', sweep_interval: '60', change_delay: -1, keys: 'yes', bogus: 1 }
  const r = drive(t, env, 'bad_opts', { opts })
  assert.equal(r.other, 3, 'the handler registered after the plugin ran on every tick')
  const errors = r.logs.filter((l) => l.level === 'error').map((l) => l.message)
  assert.ok(errors.includes('tmux-views: option sweep_interval must be a number of seconds above 0, not "60"; using the default'), errors.join('\n'))
  assert.ok(errors.includes('tmux-views: option change_delay must be a number of seconds above 0, not -1; using the default'))
  assert.ok(errors.includes('tmux-views: option keys must be true or false, not "yes"; using the default'))
  assert.ok(errors.some((m) => m.startsWith('tmux-views: unknown option bogus')))
  assert.ok(!errors.some((m) => m.startsWith('while processing')), 'no handler raised')
})

/** A git checkout of its own whose dist/ says it was built from `built` (null: unknown). */
function checkout(t: TestContext, built: string | null | undefined): { root: string; head: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'tv-checkout-'))
  t.after(() => rmSync(root, { recursive: true, force: true }))
  const git = (...args: string[]) => spawnSync('git', ['-C', root, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { encoding: 'utf8' }).stdout.trim()
  git('init', '-q', '-b', 'main')
  git('commit', '-q', '--allow-empty', '-m', 'one')
  mkdirSync(path.join(root, 'dist'))
  symlinkSync(path.join(BUILD, 'dist', 'scripts'), path.join(root, 'dist', 'scripts'))
  if (built !== undefined) writeFileSync(path.join(root, 'dist', 'build.json'), JSON.stringify({ sources: 'x', commit: built === 'HEAD' ? git('rev-parse', 'HEAD') : built }))
  return { root, head: git('rev-parse', 'HEAD') }
}

test('a dist/ built from another commit than the checkout (after wezterm.plugin.update_all) says run npm ci, and runs nothing', async (t) => {
  const srv = withServer(t)
  const env = sandbox(t)
  srv.newSession('work')
  const old = 'a'.repeat(40)
  const { root, head } = checkout(t, old)
  for (const packed of [false, true]) {
    if (packed) spawnSync('git', ['-C', root, 'pack-refs', '--all'])
    assert.equal(existsSync(path.join(root, '.git', 'refs', 'heads', 'main')), !packed)
    const r = drive(t, env, 'stale', { ...real(srv), root, session: 'work' })
    const message = `${root}/dist/ was built from commit ${old.slice(0, 12)} but the checkout is at ${head.slice(0, 12)}: run npm ci in ${root}`
    assert.equal(r.opened, false)
    assert.deepEqual(r.toasts.map((x) => x.message), [message])
    assert.ok(r.logs.some((l) => l.level === 'error' && l.message === `tmux-views: ${message}`))
    assert.deepEqual(r.children, [], 'no old script ran')
  }
  const fresh = checkout(t, 'HEAD')
  const r = drive(t, env, 'stale', { ...real(srv), root: fresh.root, session: 'work' })
  assert.equal(r.opened, true, JSON.stringify(r.toasts))
  await attached(srv, [(r.tabs as Tab[])[1]])
})

test('several tmux servers: each tab on its own, sweeps cover every server with a live tab, restore reopens each on its own', async (t) => {
  const a = withServer(t)
  const b = withServer(t)
  const env = sandbox(t)
  a.newSession('work')
  b.newSession('notes')
  b.newSession('other')
  const goneB = orphan(b, env, 'other') // not of 'notes': the spawn would take it
  const specs = [{ session: 'work', title: 'code' }, { session: 'notes', title: 'todo', socket: b.name }]
  const rec = drive(t, env, 'record', { ...real(a), tabs: specs })
  assert.deepEqual(rec.logs.filter((l) => l.level === 'error'), [])
  const [, ta, tb] = rec.tabs as Tab[]
  assert.equal(viewOf(a, ta).group, 'work')
  assert.equal(viewOf(b, tb).group, 'notes')
  const swept = rec.children.filter((c) => c.background).map((c) => c.command.find((x) => x.startsWith('--socket=')))
  assert.deepEqual(swept.sort(), [`--socket=${a.name}`, `--socket=${b.name}`].sort())
  assert.ok(!b.names().includes(goneB), 'the background pass swept the second server too')

  for (const srv of [a, b]) for (const pid of srv.tmux(['list-clients', '-F', '#{client_pid}']).stdout.split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL')
  await retryUntil(() => a.tmux(['list-clients']).stdout === '' && b.tmux(['list-clients']).stdout === '', 'clients gone')
  const res = drive(t, env, 'restore', { ...real(a), restore: 'ask', choose: 'reopen' })
  assert.equal(res.asked, 1, 'an InputSelector offered the restore')
  const tabs = (res.tabs as Tab[]).slice(1)
  assert.deepEqual(tabs.map((tab) => tab.title), ['code', 'todo'])
  assert.deepEqual(tabs.map((tab) => tab.args!.slice(6, 8)), [['-L', a.name], ['-L', b.name]])
  await attached(a, [tabs[0]])
  await attached(b, [tabs[1]])
})

test('a second WezTerm process restores nothing that a running one shows', async (t) => {
  const srv = withServer(t)
  const env = sandbox(t)
  srv.newSession('work')
  const rec = drive(t, env, 'record', { ...real(srv), tabs: [{ session: 'work', title: 'code' }] })
  await attached(srv, (rec.tabs as Tab[]).slice(1))
  const res = drive(t, env, 'restore', real(srv))
  assert.deepEqual((res.tabs as Tab[]).length, 1, 'only the new window\'s own tab')
  assert.equal(srv.sessions().length, 2)
})

test('a hung node at start-up: the first window is up, and the restore gives up after its timeout', (t) => {
  const env = sandbox(t)
  const hung = path.join(env.TV_TMP!, 'node')
  writeFileSync(hung, '#!/bin/sh\nexec sleep 600\n', { mode: 0o755 })
  const r = drive(t, env, 'restore', { socket: 'sock', tmux: TMUX, node: hung, timeout: 1 }, 30_000)
  assert.equal(r.windows, 1)
  assert.ok(r.seconds <= 5, `took ${r.seconds} s`)
  assert.deepEqual(r.logs.filter((l) => l.level === 'error').map((l) => l.message), ['tmux-views: restore: report: no answer within 1 s'])
})
