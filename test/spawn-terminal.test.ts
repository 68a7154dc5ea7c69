// spawn-view as terminals run it: the tab's process after the attach, which server a client is
// switched on, the settings it reads, names tmux rewrites or cannot take, what a failure says.
// A second private tmux server plays the terminal where a tab needs a real terminal: its pane
// runs the command as a terminal tab would.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { ROOT, TMUX_V, expireClaim, noConfigTmux, retryUntil, runScript, sandbox, withServer, type TestServer } from './helpers.ts'
import { atLeast, tmuxVersion } from '../lib/version.ts'

const VIEW = /^(.*)-view-\d+-\d+$/s
const LAUNCHER = path.join(ROOT, 'bin', 'tmux-view')
const SPAWN = path.join(ROOT, 'dist', 'scripts', 'spawn-view.cjs')
const sq = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`

/** A tab of the stand-in terminal running `command` (through exec: the pane's process is it). */
function openTab(term: TestServer, name: string, command: string): number {
  term.newSession(name, `exec ${command}`)
  return Number(term.tmux(['display-message', '-p', '-t', `=${name}:`, '#{pane_pid}']).stdout.trim())
}

/** Every process below `pid`, with its program. */
function descendants(pid: number): Array<{ pid: number; comm: string }> {
  const parent = new Map<number, number>()
  const comm = new Map<number, string>()
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8')
      const close = stat.lastIndexOf(')')
      parent.set(Number(p), Number(stat.slice(close + 2).split(' ')[1]))
      comm.set(Number(p), program(Number(p)))
    } catch {}
  }
  const out: Array<{ pid: number; comm: string }> = []
  const walk = (p: number) => {
    for (const [child, pp] of parent) {
      if (pp !== p) continue
      out.push({ pid: child, comm: comm.get(child)! })
      walk(child)
    }
  }
  walk(pid)
  return out
}

/** The program a process runs (its executable; tmux renames its client 'tmux: client'). */
const program = (pid: number) => path.basename(readlinkSync(`/proc/${pid}/exe`))
const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)

// ---- no node behind a tab ------------------------------------------------------------------------

test('a tab opened with bin/tmux-view is tmux attach itself: no node process stays behind it', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const term = withServer(t)
  const pid = openTab(term, 'tab', `env -u TMUX ${sq(LAUNCHER)} -L ${srv.name} --tab 1 work`)
  await retryUntil(() => srv.sessions().some((s) => VIEW.test(s.name) && s.attached === '1'), 'view attached', 20_000)
  assert.equal(program(pid), 'tmux')
  assert.deepEqual(cmdline(pid).slice(1), ['-L', srv.name, 'attach-session', '-t', srv.sessions().find((s) => s.tab === '1')!.id])
  assert.deepEqual(descendants(pid), [], 'nothing runs below the tab\'s tmux client')
  // the client is the view's, and closing the tab (its client ends) leaves no node either
  term.tmux(['kill-session', '-t', '=tab'])
  await retryUntil(() => srv.sessions().every((s) => s.attached === '0'), 'client gone')
})

test('spawn-view run directly: tmux replaces node where node has process.execve, else node waits as its parent', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const term = withServer(t)
  const pid = openTab(term, 'tab', `env -u TMUX ${sq(process.execPath)} ${sq(SPAWN)} -L ${srv.name} work`)
  await retryUntil(() => srv.sessions().some((s) => VIEW.test(s.name) && s.attached === '1'), 'view attached', 20_000)
  if (typeof (process as { execve?: unknown }).execve === 'function') {
    assert.equal(program(pid), 'tmux')
    assert.deepEqual(descendants(pid), [])
  } else {
    // Node 20: what the README says to avoid with bin/tmux-view
    assert.equal(program(pid), 'node')
    assert.deepEqual(descendants(pid).map((p) => p.comm), ['tmux'])
  }
})

test('bin/tmux-view after a failure: spawn-view\'s message and status, and no tmux attach runs', async (t) => {
  const srv = withServer(t)
  srv.newSession('other')
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(LAUNCHER, args, { encoding: 'utf8', env: { ...process.env, ...env, TMUX: '' } })
  let r = run(['-L', srv.name, 'work'])
  assert.equal(r.status, 1)
  assert.equal(r.stdout, '')
  assert.match(r.stderr, /^spawn-view: no session named 'work' on socket '[^']+': add --create to make it/)
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr) // no second line from a tmux attach
  r = run(['--bogus', 'work'])
  assert.equal(r.status, 2)
  assert.equal(r.stdout, '')
  // --help is shown and nothing else happens (with --print-attach it goes to stderr, not to exec)
  r = run(['--help'])
  assert.equal(r.status, 0)
  assert.match(r.stderr, /^Usage: spawn-view/)
  r = run(['-L', srv.name, 'work'], { TMUX_VIEWS_NODE: '/nonexistent/node' })
  assert.equal(r.status, 1)
  assert.equal(r.stderr, 'tmux-view: node not found: set TMUX_VIEWS_NODE to its absolute path\n')
  assert.deepEqual(srv.names(), ['other'])
})

test('spawn-view --print-attach prints the attach command as sh words, and only that', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const r = await runScript('spawn-view', ['-L', srv.name, '--print-attach', 'work'])
  assert.equal(r.code, 0, r.stderr)
  const words = [...r.stdout.trim().matchAll(/'((?:[^']|'\\'')*)'/g)].map((m) => m[1].replaceAll(`'\\''`, "'"))
  const view = srv.sessions().find((s) => VIEW.test(s.name))!
  assert.equal(words.map(sq).join(' '), r.stdout.trim())
  assert.ok(path.isAbsolute(words[0]) && words[0].endsWith('tmux'), words[0])
  assert.deepEqual(words.slice(1), ['-L', srv.name, 'attach-session', '-t', view.id])
  assert.equal((await runScript('spawn-view', ['--print-attach', '--print', 'work'])).code, 2)
})

// ---- inside tmux: only a client of the same server -----------------------------------------------

test('from a pane of another server, spawn-view switches no client there: it refuses, and makes nothing', async (t) => {
  const a = withServer(t)
  a.newSession('home')
  const b = withServer(t)
  b.newSession('work')
  b.newSession('other')
  const someone = await b.attach('=other') // another terminal's client on B
  t.after(() => someone.kill())
  const socketA = a.tmux(['display-message', '-p', '#{socket_path}']).stdout.trim()
  const env = { TMUX: `${socketA},${a.pid},0` }
  const r = await runScript('spawn-view', ['-L', b.name, 'work'], { env })
  assert.equal(r.code, 1)
  assert.match(r.stderr, new RegExp(`^spawn-view: this pane belongs to another tmux server than '${b.name}': run spawn-view from a terminal outside tmux`))
  assert.deepEqual(b.names(), ['other', 'work'])
  assert.equal(b.tmux(['list-clients', '-F', '#{client_session}']).stdout.trim(), 'other')
  // the same through the launcher; --print (no attach) still works from there
  const l = spawnSync(LAUNCHER, ['-L', b.name, 'work'], { encoding: 'utf8', env: { ...process.env, ...env } })
  assert.equal(l.status, 1, l.stderr)
  assert.deepEqual(b.names(), ['other', 'work'])
  const p = await runScript('spawn-view', ['-L', b.name, '--print', 'work'], { env })
  assert.equal(p.code, 0, p.stderr)
  assert.equal(b.tmux(['list-clients', '-F', '#{client_session}']).stdout.trim(), 'other')
})

test('from a pane of the same server, bin/tmux-view switches that pane\'s client and exits', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  srv.newSession('home', 'sh')
  const client = await srv.attach('=home')
  t.after(() => client.kill())
  srv.tmux(['send-keys', '-t', '=home:', `${sq(LAUNCHER)} work; echo "tmux-view exit $?"`, 'Enter'])
  await retryUntil(() => srv.sessions().some((s) => VIEW.test(s.name) && s.attached === '1'), 'client switched', 20_000)
  await retryUntil(() => srv.tmux(['capture-pane', '-p', '-t', '=home:']).stdout.includes('tmux-view exit 0'), 'launcher exited 0')
  assert.equal(srv.sessions().find((s) => s.name === 'home')!.attached, '0')
})

// ---- one set of settings ---------------------------------------------------------------------------

test('one config file: all four scripts use its socket and grace', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const env = sandbox()
  const file = path.join(env.XDG_CONFIG_HOME!, 'tmux-views', 'config.json')
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, JSON.stringify({ socket: srv.name, grace: '1h' }))
  const first = await runScript('spawn-view', ['--json', 'work'], { env })
  assert.equal(first.code, 0, first.stderr)
  const a = JSON.parse(first.stdout)
  assert.equal(a.socket, srv.name)
  // claimed ten minutes ago, no client yet: inside the file's grace of an hour (far past the default 30 s)
  srv.tmux(['set-option', '-t', a.id, '@tmux-views-claim-at', String(Math.floor(Date.now() / 1000) - 600)])
  const b = JSON.parse((await runScript('spawn-view', ['--json', 'work'], { env })).stdout)
  assert.notEqual(b.view, a.view, 'spawn-view handed out a view still inside its grace')
  const detach = JSON.parse((await runScript('on-detach', ['--json'], { env })).stdout)
  assert.deepEqual(detach.removed, [])
  assert.ok(detach.kept.some((k: { name: string; reason: string }) => k.name === a.view && k.reason === 'claimed'), JSON.stringify(detach))
  const sweep = JSON.parse((await runScript('sweep', ['--json'], { env })).stdout)
  assert.deepEqual(sweep.removed, [])
  assert.ok(sweep.kept.some((k: { name: string; reason: string }) => k.name === a.view && k.reason === 'claimed'), JSON.stringify(sweep))
  const report = JSON.parse((await runScript('report', ['--json'], { env })).stdout)
  assert.equal(report.views.find((v: { name: string }) => v.name === a.view).state, 'grace')
  // the environment beats the file, as for the other scripts: TMUX_VIEWS_SOCKET picks the server
  const other = withServer(t)
  other.newSession('work')
  const c = await runScript('spawn-view', ['--print', 'work'], { env: { ...env, TMUX_VIEWS_SOCKET: other.name } })
  assert.equal(c.code, 0, c.stderr)
  assert.ok(other.names().includes(c.stdout.trim()))
  assert.equal(srv.names().length, 3)
})

// ---- names -------------------------------------------------------------------------------------------

test('--create with names tmux rewrites ($, quotes, backslashes, C1 controls): one parent, one view in its group', async (t) => {
  const srv = withServer(t)
  srv.newSession('keepalive')
  // tmux 3.7 and later refuse a name with a control character (test/versions.test.ts)
  const names = ['$dollar', `it's "q" \\back\\`, 'c1\u0085\u009bx', 'a$b_${c}', ...(atLeast(tmuxVersion(TMUX_V), '3.7') ? [] : ['tab\there'])]
  for (const name of names) {
    for (let i = 0; i < 2; i++) { // the second time the parent exists: found, not made again
      const r = await runScript('spawn-view', ['-L', srv.name, '--json', '--create', '--', name])
      assert.equal(r.code, 0, `${JSON.stringify(name)}: ${r.stderr}`)
      const out = JSON.parse(r.stdout)
      const view = srv.sessions().find((s) => s.id === out.id)!
      const parent = srv.sessions().find((s) => s.name === out.parent)!
      assert.ok(parent && !VIEW.test(parent.name), `${JSON.stringify(name)}: parent ${out.parent}`)
      assert.equal(view.group, parent.group)
      assert.equal(view['parent-id'], parent.id)
    }
  }
  // and without --create the name as the user typed it finds what tmux made of it
  const r = await runScript('spawn-view', ['-L', srv.name, '--json', '--', '$dollar'])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(srv.sessions().filter((s) => !VIEW.test(s.name)).length, names.length + 1)
})

test('a name over 1000 bytes is refused before anything is made, and says the limit', async (t) => {
  const srv = withServer(t)
  srv.newSession('keepalive')
  const before = srv.names()
  for (const args of [['--create', '--', 'x'.repeat(8192)], ['--create', '--title', 't'.repeat(1001), 'work'], ['--create', '--', 'é'.repeat(501)]]) {
    const r = await runScript('spawn-view', ['-L', srv.name, '--print', ...args])
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stderr, /^spawn-view: (PARENT|--title) is \d+ bytes long; the limit is 1000 bytes: use a shorter one$/m)
    assert.deepEqual(srv.names(), before)
  }
  // exactly at the limit works, all the way through a claim of the same view
  const name = 'y'.repeat(1000)
  const r = await runScript('spawn-view', ['-L', srv.name, '--json', '--create', '--title', 't'.repeat(1000), '--icon', 'i'.repeat(1000), '--tab', '9'.repeat(1000), '--', name])
  assert.equal(r.code, 0, r.stderr)
  const made = JSON.parse(r.stdout)
  assert.equal(made.parent, name)
  expireClaim(srv, made.view)
  const again = await runScript('spawn-view', ['-L', srv.name, '--json', '--title', 't'.repeat(1000), '--icon', 'i'.repeat(1000), '--tab', '8'.repeat(1000), '--', name])
  assert.equal(again.code, 0, again.stderr)
  assert.equal(JSON.parse(again.stdout).view, made.view)
})

// ---- every failure says what to do ---------------------------------------------------------------------

test('failures name the way out: no server, no session, no tmux', async (t) => {
  const srv = withServer(t)
  let r = await runScript('spawn-view', ['-L', srv.name, 'work'])
  assert.equal(r.code, 1)
  assert.equal(r.stderr, `spawn-view: no tmux server on socket '${srv.name}': start tmux there, or add --create to start it with session 'work'\n`)
  r = await runScript('spawn-view', ['-L', srv.name, '--create', '--print', 'work'], { env: noConfigTmux() })
  assert.equal(r.code, 0, r.stderr)
  srv.pid = Number(srv.tmux(['display-message', '-p', '#{pid}']).stdout.trim())
  r = await runScript('spawn-view', ['-L', srv.name, 'nope'])
  assert.match(r.stderr, /: add --create to make it, or give the name as 'tmux ls' shows it\n$/)
  r = await runScript('spawn-view', ['-L', srv.name, 'work'], { env: { TMUX_VIEWS_TMUX: '/nonexistent/tmux' } })
  assert.equal(r.code, 1)
  assert.equal(r.stderr, `spawn-view: tmux is not installed (looked for '/nonexistent/tmux'): install it, or set TMUX_VIEWS_TMUX to its absolute path\n`)
})
