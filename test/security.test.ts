// Another local user, and values nobody checked: each test stages the attack for real. As root,
// `chown 12345` makes a directory or socket another user's; no second account is needed.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { ROOT, retryUntil, runScript, sandbox, withServer, type Result, type TestServer } from './helpers.ts'
import { Tmux } from '../lib/tmux.ts'
import type { Session } from '../lib/sessions.ts'

const TMUX = process.env.TMUX_VIEWS_TMUX || 'tmux'
const OTHER = 12345
const UID = process.getuid!()

function tempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A world of its own: config, state and runtime dirs, and a tmux socket directory (TMUX_TMPDIR). */
function world(t: TestContext): { env: NodeJS.ProcessEnv; sockets: string; home: string } {
  const home = tempDir(t, 'tv-sec-')
  const env = { ...process.env, ...sandbox(), TMUX_TMPDIR: path.join(home, 'tmp') }
  mkdirSync(env.TMUX_TMPDIR!, { mode: 0o700 })
  return { env, sockets: path.join(env.TMUX_TMPDIR!, `tmux-${UID}`), home }
}

/** tmux straight on a socket path: -S skips tmux's own directory check, so it reaches a server whatever its directory. */
function onSocket(sock: string, args: string[]): string {
  return spawnSync(TMUX, ['-S', sock, ...args], { encoding: 'utf8', timeout: 10_000 }).stdout
}

/** A server that notes every client that lists its sessions: how a hostile server would start its work. */
function trap(srv: TestServer) {
  srv.tmux(['set-hook', '-g', 'after-list-sessions', 'set-option -g @tv-connected yes'])
}
const connected = (sock: string) => onSocket(sock, ['show-options', '-gqv', '@tv-connected']).trim() === 'yes'

async function orphanView(srv: TestServer, env: NodeJS.ProcessEnv, parent = 'work'): Promise<string> {
  const r = await runScript('spawn-view', ['-L', srv.name, '--print', '--', parent], { env })
  assert.equal(r.code, 0, r.stderr)
  return r.stdout.trim()
}

const oneLine = (stderr: string) => assert.equal(stderr.trimEnd().split('\n').length, 1, stderr)

// ---- 1. only sockets tmux itself would trust --------------------------------------------------

test('--all-sockets: a socket directory another user owns is skipped, never connected to, and reported', async (t) => {
  const { env, sockets } = world(t)
  const srv = withServer(t, env)
  srv.newSession('work')
  await orphanView(srv, env)
  trap(srv)
  const sock = path.join(sockets, srv.name)
  onSocket(sock, ['list-sessions'])
  assert.ok(connected(sock), 'the trap notes a listing')
  onSocket(sock, ['set-option', '-gu', '@tv-connected'])
  chownSync(sockets, OTHER, OTHER)

  for (const script of ['sweep', 'report']) {
    const r = await runScript(script, ['-A', '--json', '--grace', '0'], { env })
    assert.equal(r.code, 1, `${script}: ${r.stderr}`)
    assert.deepEqual(JSON.parse(r.stdout).skipped, [{ socket: sockets, reason: `untrusted: ${sockets} is owned by uid ${OTHER}` }])
    assert.match(r.stderr, new RegExp(`^${script}: skipped socket '.*': untrusted: .* is owned by uid ${OTHER}\n$`))
  }
  assert.equal(connected(sock), false, 'a client connected to the server in the untrusted directory')
  assert.equal(onSocket(sock, ['list-sessions', '-F', '#{session_name}']).split('\n').filter(Boolean).length, 2, 'the view was removed')
  onSocket(sock, ['set-option', '-gu', '@tv-connected']) // that listing was the test's own

  // open to others (tmux refuses that too), and open to the group (stricter than tmux 3.3a)
  chownSync(sockets, UID, UID)
  for (const mode of [0o707, 0o770]) {
    chmodSync(sockets, mode)
    const r = await runScript('sweep', ['-A', '--json'], { env })
    assert.equal(r.code, 1, r.stderr)
    assert.match(JSON.parse(r.stdout).skipped[0].reason, /^untrusted: .* is open to (other users|its group) \(mode 7[07][07]\)$/)
  }
  assert.equal(connected(sock), false)
})

test('--all-sockets: a socket another user owns is skipped unconnected, the good one swept; a stale one costs no tmux process', async (t) => {
  const { env, sockets, home } = world(t)
  const good = withServer(t, env)
  good.newSession('work')
  const view = await orphanView(good, env)
  const evil = withServer(t, env)
  evil.newSession('bait')
  trap(evil)
  const evilSock = path.join(sockets, evil.name)
  chownSync(evilSock, OTHER, OTHER)
  // stale sockets: a socket file nothing listens on any more (a server killed hard leaves one)
  const stale = Array.from({ length: 12 }, (_, i) => path.join(sockets, `stale-${i}`))
  for (const s of stale)
    spawnSync(process.execPath, ['-e', "require('net').createServer().listen(process.argv[1], () => process.exit(0))", s])
  assert.ok(stale.every((s) => existsSync(s)))
  // every tmux the sweep starts, with its arguments
  const calls = path.join(home, 'calls')
  const wrapper = path.join(home, 'tmux-logged')
  writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${calls}'\nexec '${TMUX}' "$@"\n`, { mode: 0o755 })

  const r = await runScript('sweep', ['-A', '--json', '--grace', '0'], { env: { ...env, TMUX_VIEWS_TMUX: wrapper } })
  assert.equal(r.code, 1, r.stderr) // an untrusted socket is a failure the user must see
  const out = JSON.parse(r.stdout)
  assert.deepEqual(out.removed, [view])
  assert.deepEqual(out.skipped, [{ socket: evil.name, reason: `untrusted: ${evilSock} is owned by uid ${OTHER}` }])
  assert.equal(connected(evilSock), false, 'a client connected to the socket another user owns')
  const started = readFileSync(calls, 'utf8').split('\n').filter(Boolean)
  assert.ok(started.every((c) => c.includes(`-S ${path.join(sockets, good.name)} `)), started.join('\n'))

  // -S names a socket explicitly: still refused when another user owns it
  const s = await runScript('sweep', ['-S', evilSock], { env })
  assert.equal(s.code, 1)
  assert.match(s.stderr, new RegExp(`^sweep: refusing to connect to socket '.*': .* is owned by uid ${OTHER}\n$`))
  assert.equal(connected(evilSock), false)
})

// ---- 2. no state path another user can own ----------------------------------------------------

test('a runtime directory another user made first (cron: no XDG_RUNTIME_DIR) is refused, not used or skipped', async (t) => {
  const { env, home } = world(t)
  const srv = withServer(t, env)
  srv.newSession('work')
  const view = await orphanView(srv, env)
  // the other user's directory, with a lock held by a live process: every sweep would skip
  const tmp = path.join(home, 'shared-tmp')
  mkdirSync(tmp, { mode: 0o1777 })
  const dir = path.join(tmp, `tmux-views-${UID}`)
  mkdirSync(dir)
  chmodSync(dir, 0o777)
  const tag = createHash('sha256').update(srv.name).digest('hex').slice(0, 16)
  writeFileSync(path.join(dir, `sweep-${tag}.lock`), `${process.pid}\n`)
  chownSync(path.join(dir, `sweep-${tag}.lock`), OTHER, OTHER)
  chownSync(dir, OTHER, OTHER)
  const r = await runScript('sweep', ['-L', srv.name, '--grace', '0'], { env: { ...env, XDG_RUNTIME_DIR: '', TMPDIR: tmp } })
  assert.equal(r.code, 1, r.stdout)
  assert.match(r.stderr, new RegExp(`^sweep: refusing to use ${dir} is owned by uid ${OTHER}, not by you .*\n$`))
  assert.ok(srv.names().includes(view), 'refused means not used: nothing swept')
})

test('a state directory, log, tab record or config file another user owns or may write is refused with one line, exit 1', async (t) => {
  const { env } = world(t)
  const srv = withServer(t, env)
  srv.newSession('work')
  const view = await orphanView(srv, env)
  const state = path.join(env.XDG_STATE_HOME!, 'tmux-views')
  mkdirSync(state, { recursive: true, mode: 0o700 })
  const logged = readFileSync(path.join(state, 'events.jsonl'), 'utf8') // spawn-view's "created"

  chownSync(state, OTHER, OTHER)
  let r = await runScript('sweep', ['-L', srv.name, '--grace', '0'], { env })
  assert.equal(r.code, 1)
  assert.match(r.stderr, /^sweep: refusing to use .*tmux-views is owned by uid 12345/)
  oneLine(r.stderr)
  assert.ok(srv.names().includes(view), 'nothing swept')
  assert.equal(readFileSync(path.join(state, 'events.jsonl'), 'utf8'), logged, 'the log was written')

  chownSync(state, UID, UID)
  chmodSync(state, 0o770)
  r = await runScript('report', ['--stats'], { env })
  assert.equal(r.code, 1)
  assert.match(r.stderr, /^report: refusing to use .*tmux-views is writable by its group \(mode 770\)\n$/)

  chmodSync(state, 0o700)
  const tabs = path.join(state, 'tabs.json')
  writeFileSync(tabs, JSON.stringify({ tabs: [{ tab: '1', title: 'planted', icon: null, parent: 'work', view, socket: srv.name }] }), { mode: 0o600 })
  chownSync(tabs, OTHER, OTHER)
  r = await runScript('report', ['--tabs'], { env })
  assert.equal(r.code, 1, r.stdout)
  assert.match(r.stderr, /^report: refusing to use .*tabs\.json is owned by uid 12345/)
  oneLine(r.stderr)

  const config = path.join(env.XDG_CONFIG_HOME!, 'tmux-views')
  mkdirSync(config, { recursive: true, mode: 0o700 })
  writeFileSync(path.join(config, 'config.json'), '{"maxAge": "1s"}')
  chmodSync(path.join(config, 'config.json'), 0o666)
  r = await runScript('sweep', ['-L', srv.name, '--dry-run'], { env })
  assert.equal(r.code, 1)
  assert.match(r.stderr, /^sweep: refusing to use .*config\.json is writable by other users \(mode 666\)\n$/)
})

// ---- 3. rows are data -------------------------------------------------------------------------

test('a newline in an option cannot forge a row: the hook never kills a session it did not make', async (t) => {
  const srv = withServer(t)
  const work = srv.newSession('work')
  // the user's own second session in the group (not a view: no marks, no view name)
  srv.tmux(['new-session', '-d', '-t', '=work', '-s', 'mine'])
  const mine = srv.idOf('mine')
  const real = srv.tmux(['display-message', '-p', '-t', mine, '#{session_created}\t#{session_activity}\t#{session_last_attached}']).stdout.trim().split('\t')
  // a row in the tab-separated shape list-sessions was read with: id name attached created
  // activity last-attached group parent-id parent view-created claim claim-at tab title icon kept
  const forged = [mine, 'x-view-1-1', '0', real[0], real[1], real[2], 'work', work, 'work', real[0], '', '', '', '', '', ''].join('\t')
  srv.tmux(['set-option', '-t', work, '@tmux-views-icon', `x\n${forged}`])
  const r = await runScript('on-detach', ['-L', srv.name, '--json'])
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout).removed, [])
  // (the test helper's own listing is line-based: read the names alone)
  assert.deepEqual(srv.tmux(['list-sessions', '-F', '#{session_name}']).stdout.split('\n').filter(Boolean).sort(), ['mine', 'work'])
})

test('the kill guard inside tmux re-checks that its target is a view', async (t) => {
  const srv = withServer(t)
  const work = srv.newSession('work')
  srv.tmux(['new-session', '-d', '-t', '=work', '-s', 'mine'])
  const id = srv.idOf('mine')
  const last = srv.tmux(['display-message', '-p', '-t', id, '#{session_last_attached}']).stdout.trim()
  const seen: Session = {
    id, name: 'mine', attached: 0, created: 0, activity: 0, lastAttached: last === '' ? null : Number(last), group: 'work', groupSize: 2,
    parentId: work, parentName: 'work', viewCreated: null, claim: null, claimAt: null, tab: null, title: null, icon: null, kept: false,
  }
  const tmux = new Tmux({ kind: 'name', value: srv.name })
  // as a marked view (its parent mark is not there) and as an older-design view (not its name)
  assert.deepEqual(await tmux.removeViews([seen]), [])
  assert.deepEqual(await tmux.removeViews([{ ...seen, parentId: null, parentName: null }]), [])
  assert.deepEqual(srv.names(), ['mine', 'work'])
})

// ---- 4. nothing raw to the terminal -----------------------------------------------------------

const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/

test('C0 and C1 controls in titles, icons, tabs and names come out of report and sweep escaped; --json exact', async (t) => {
  const { env } = world(t)
  const srv = withServer(t, env)
  srv.newSession('work')
  const title = 'red\u009b31m\u009d0;pwned\u009c'
  const r0 = await runScript('spawn-view', ['-L', srv.name, '--print', '--tab', '7\u009b2J', '--title', title, '--icon', '\u009b?1049h', 'work'], { env })
  assert.equal(r0.code, 0, r0.stderr)
  const view = r0.stdout.trim()
  // a value set by someone else, not cleaned on the way in
  srv.tmux(['set-option', '-t', srv.idOf(view), '@tmux-views-icon', '\u001b]0;pwned\u0007\u001b[2J'])

  // wide enough that report does not shorten the TAB column (it fits $COLUMNS)
  const human = await runScript('report', ['-L', srv.name], { env: { ...env, COLUMNS: '300' } })
  assert.equal(human.code, 0, human.stderr)
  assert.doesNotMatch(human.stdout, CONTROL)
  assert.match(human.stdout, /red\\x9b31m\\x9d0;pwned\\x9c/)
  // exact: as tmux hands the value out (tmux 3.5 and later write C0 controls of an option as \033)
  const asTmuxHasIt = (option: string) => srv.tmux(['display-message', '-p', '-t', srv.idOf(view), `#{${option}}`]).stdout.replace(/\n$/, '')
  const json = JSON.parse((await runScript('report', ['-L', srv.name, '--json'], { env })).stdout)
  assert.equal(json.views[0].title, title)
  assert.equal(json.views[0].title, asTmuxHasIt('@tmux-views-title'))
  assert.equal(json.views[0].icon, asTmuxHasIt('@tmux-views-icon'))

  // the tab record, as report --tabs shows it
  const state = path.join(env.XDG_STATE_HOME!, 'tmux-views')
  mkdirSync(state, { recursive: true, mode: 0o700 })
  writeFileSync(path.join(state, 'tabs.json'), JSON.stringify({ tabs: [{ tab: '1\u009b', title, icon: '\u001b[31m', parent: 'w\u0085', view: 'v\u009d', socket: 's\u001b' }] }), { mode: 0o600 })
  const tabs = await runScript('report', ['--tabs'], { env })
  assert.equal(tabs.code, 0, tabs.stderr)
  assert.doesNotMatch(tabs.stdout, CONTROL)

  // sweep names what it removes (a name tmux keeps as given: C1 in a parent's name on tmux >= 3.7
  // or escaped by tmux before; either way nothing raw)
  srv.tmux(['set-option', '-t', srv.idOf(view), '@tmux-views-claim-at', '1'])
  const sweep = await runScript('sweep', ['-L', 'x\u009b2J', '--dry-run'], { env })
  assert.doesNotMatch(sweep.stdout + sweep.stderr, CONTROL)
  const dry = await runScript('sweep', ['-L', srv.name, '--dry-run', '-v'], { env })
  assert.equal(dry.code, 0, dry.stderr)
  assert.doesNotMatch(dry.stdout, CONTROL)
})

// ---- 5. a stuck server blocks nobody ----------------------------------------------------------

test('a stopped server is reported as stuck within --timeout, and every other server is still swept and listed', async (t) => {
  const { env } = world(t)
  const a = withServer(t, env)
  const b = withServer(t, env)
  a.newSession('work')
  b.newSession('work')
  const views = [await orphanView(a, env), await orphanView(b, env)]
  // stop the one listed first, so the other comes after it
  const [stuck, healthy] = [a, b].sort((x, y) => (x.name < y.name ? -1 : 1))
  const goodView = views[[a, b].indexOf(healthy)]
  process.kill(stuck.pid!, 'SIGSTOP')
  try {
    const started = Date.now()
    const r = await runScript('sweep', ['-A', '--json', '--grace', '0', '--timeout', '1s'], { env })
    assert.equal(r.code, 75, r.stderr)
    const out = JSON.parse(r.stdout)
    assert.deepEqual(out.removed, [goodView])
    assert.deepEqual(out.skipped, [{ socket: stuck.name, reason: 'stuck' }])
    assert.match(r.stderr, new RegExp(`^sweep: tmux server on socket '${stuck.name}' did not answer within 1s \\(list-sessions\\)[^\n]*; skipped\n$`))
    assert.ok(Date.now() - started < 20_000)

    const other = await orphanView(healthy, env)
    const rep = await runScript('report', ['-A', '--json'], { env: { ...env, TMUX_VIEWS_TIMEOUT: '1s' } })
    assert.equal(rep.code, 75, rep.stderr)
    const listed = JSON.parse(rep.stdout)
    assert.deepEqual(listed.views.map((v: { name: string }) => v.name), [other])
    assert.deepEqual(listed.skipped, [{ socket: stuck.name, reason: 'stuck' }])
  } finally {
    process.kill(stuck.pid!, 'SIGCONT')
  }
})

// ---- 6. our hook index is ours only -----------------------------------------------------------

function hooks(srv: TestServer): string[] {
  return srv.tmux(['show-hooks', '-g', 'client-detached']).stdout.split('\n').filter((l) => l.startsWith('client-detached['))
}

test("--install, --uninstall and @tmux-views-hook off never touch the user's own hook at our index", async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  srv.tmux(['set-hook', '-g', 'client-detached[48]', 'set-option -g @users-own-hook ran'])
  const mine = 'client-detached[48] set-option -g @users-own-hook ran'

  const r = await runScript('on-detach', ['-L', srv.name, '--install'])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stderr, /client-detached\[48\] on '.*' runs another command; left it alone, installed ours at client-detached\[49\]/)
  assert.equal((await runScript('on-detach', ['-L', srv.name, '--install'])).code, 0)
  let h = hooks(srv)
  assert.equal(h.length, 2, h.join('\n'))
  assert.equal(h[0], mine)
  assert.match(h[1], /^client-detached\[49\] run-shell -b .*tmux-views-hook .*on-detach\.cjs'/)

  // ours works where it is: the view of a tab that closes goes
  const v = (await runScript('spawn-view', ['-L', srv.name, '--print', 'work'])).stdout.trim()
  const tab = await srv.attach(srv.idOf(v))
  await tab.detach()
  await retryUntil(() => !srv.names().includes(v), 'the hook at [49] removed the view')

  // the plugin with @tmux-views-hook off removes ours, and only ours
  srv.tmux(['set-option', '-g', '@tmux-views-hook', 'off'])
  const entry = path.join(ROOT, 'tmux-views.tmux')
  const off = srv.tmux(['run-shell', `'${entry}'`], { ok: false })
  assert.equal(off.code, 0, off.stderr)
  assert.deepEqual(hooks(srv), [mine])
  const u = await runScript('on-detach', ['-L', srv.name, '--uninstall'])
  assert.equal(u.code, 0, u.stderr)
  assert.deepEqual(hooks(srv), [mine])
  h = hooks(srv)
  assert.equal(h.length, 1)
})

// ---- 7. faults cost a message, not the job ----------------------------------------------------

/**
 * Run a script in a mount namespace of its own where `$RT` is a fresh tmpfs that `prelude` can
 * fill or make read-only; afterwards the files left in $RT/tmux-views are printed on stderr as
 * "LEFT: ...". Nothing of the mount outlives the process.
 */
function inOwnMount(t: TestContext, prelude: string, script: string, args: string[], env: NodeJS.ProcessEnv): Promise<Result> {
  const rt = tempDir(t, 'tv-mnt-')
  const sh = `set -e; RT="$1"; shift; mount -t tmpfs -o size=64k,mode=0700 tmpfs "$RT"; mkdir -m 700 "$RT/tmux-views"; ${prelude}
set +e; "$@"; rc=$?; echo "LEFT:$(ls -A "$RT/tmux-views" | tr '\\n' ' ')" >&2; exit $rc`
  return run('unshare', ['-m', '--propagation', 'private', 'sh', '-c', sh, 'sh', rt, process.execPath, '--import', 'tsx', path.join(ROOT, 'scripts', `${script}.mts`), ...args], { ...env, XDG_RUNTIME_DIR: rt })
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: ROOT, env })
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => {
      p.kill('SIGKILL')
      reject(new Error(`${cmd} ${args.join(' ')}: no exit within ${timeoutMs / 1000}s\nstderr: ${stderr}`))
    }, timeoutMs)
    p.stdout.on('data', (d) => (stdout += d))
    p.stderr.on('data', (d) => (stderr += d))
    p.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

for (const [fault, prelude, code] of [
  ['full (ENOSPC)', 'dd if=/dev/zero of="$RT/fill" bs=4k 2>/dev/null || true', 'ENOSPC'],
  ['read-only (EROFS)', 'mount -o remount,ro "$RT"', 'EROFS'],
] as const) {
  test(`a ${fault} runtime directory: sweep still sweeps, says so in one line, exits 1 and leaves no lock`, async (t) => {
    const { env } = world(t)
    const srv = withServer(t, env)
    srv.newSession('work')
    const view = await orphanView(srv, env)
    const r = await inOwnMount(t, prelude, 'sweep', ['-L', srv.name, '--grace', '0'], env)
    const [message, left] = r.stderr.trimEnd().split('\n')
    assert.equal(r.code, 1, r.stderr)
    assert.match(message, new RegExp(`^sweep: cannot take the lock for '${srv.name}' \\(.*${code}.*\\); swept without it$`))
    assert.equal(left, 'LEFT:', 'a lock (or its temp file) was left behind')
    assert.match(r.stdout, /^Cleaned up 1 orphaned view session\(s\)\n$/)
    assert.deepEqual(srv.names(), ['work'], `${view} was not swept`)
  })
}

test('state and runtime directories whose mkdir keeps answering ENOENT (/proc): the scripts end promptly, the work done', async (t) => {
  const { env } = world(t)
  const srv = withServer(t, env)
  srv.newSession('work')
  const view = await orphanView(srv, env)
  const bad = { ...env, XDG_STATE_HOME: '/proc/self/tv-nope/state', XDG_RUNTIME_DIR: '/proc/self/tv-nope/run' }
  const r = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'sweep.mts'), '-L', srv.name, '--grace', '0'], bad, 20_000)
  assert.equal(r.code, 1, r.stderr)
  const lines = r.stderr.trimEnd().split('\n')
  assert.match(lines[0], /^sweep: cannot take the lock for '.*' \(cannot create \/proc\/self\/tv-nope: ENOENT\); swept without it$/)
  assert.match(lines[1], /^tmux-views: cannot write the lifecycle log \(.*\): cannot create \/proc\/self\/tv-nope: ENOENT$/)
  assert.equal(lines.length, 2)
  assert.ok(!srv.names().includes(view))
  const s = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'spawn-view.mts'), '-L', srv.name, '--print', 'work'], bad, 20_000)
  assert.equal(s.code, 0, s.stderr)
  assert.match(s.stderr, /^tmux-views: cannot write the lifecycle log .*ENOENT\n$/)
})

// ---- 8. log rotation loses nothing ------------------------------------------------------------

test('24 processes appending across rotations lose no event, and a fresh log never replaces a full .1', async (t) => {
  const dir = tempDir(t, 'tv-rot-')
  const url = pathToFileURL(path.join(ROOT, 'lib', 'log.ts')).href
  const gate = path.join(dir, 'go')
  const N = 24
  const EACH = 200
  // Two logs, written at once by every process. "once": one line is about 120 bytes, the run
  // about 580 KB, so a 320 KB log rotates once and every event must be in events.jsonl or .1.
  // "often": 8 KB rotates about 70 times; older generations go by design, but no append may fail
  // (each failure is an event lost) and .1 must always be a full generation.
  const logs = { once: 320 * 1024, often: 8 * 1024 }
  const child = (p: number) => `
    const fs = await import('node:fs')
    const { appendEvents } = await import(${JSON.stringify(url)})
    fs.writeFileSync(${JSON.stringify(path.join(dir, 'ready-'))} + ${p}, '')
    while (!fs.existsSync(${JSON.stringify(gate)})) await new Promise((r) => setTimeout(r, 2))
    const warn = (m) => { process.stderr.write(m + '\\n'); process.exitCode = 1 }
    for (let n = 0; n < ${EACH}; n++)
      for (const [name, maxBytes] of ${JSON.stringify(Object.entries(logs))})
        appendEvents([{ time: new Date().toISOString(), event: 'created', layer: 'spawn', socket: 'p${p}', parent: 'work', view: 'p${p}-' + n }],
          { env: { XDG_STATE_HOME: ${JSON.stringify(dir)} + '/' + name }, maxBytes, warn })
  `
  const procs = Array.from({ length: N }, (_, p) => run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child(p)], process.env, 150_000))
  // a real barrier: every writer is loaded and waiting before any writes
  await retryUntil(() => Array.from({ length: N }, (_, p) => existsSync(path.join(dir, `ready-${p}`))).every(Boolean), 'all writers ready', 120_000)
  writeFileSync(gate, '')
  const failed = (await Promise.all(procs)).filter((r) => r.code !== 0 || r.stderr !== '')
  assert.equal(failed.length, 0, `${failed.length} writer(s) failed to append: ${failed[0]?.stderr.split('\n')[0]}`)

  for (const [name, maxBytes] of Object.entries(logs)) {
    const log = path.join(dir, name, 'tmux-views', 'events.jsonl')
    const views = [log, `${log}.1`].flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean)).map((l) => JSON.parse(l).view)
    assert.equal(new Set(views).size, views.length, `${name}: an event was written twice`)
    assert.ok(readFileSync(`${log}.1`).length > maxBytes, `${name}: events.jsonl.1 is not a full generation`)
    if (name === 'once') assert.equal(views.length, N * EACH, `once: lost ${N * EACH - views.length} event(s)`)
  }
})

// ---- 9. bad input is exit 2 -------------------------------------------------------------------

test('bad input is exit 2 with a clear message', async (t) => {
  const { env } = world(t)
  const cases: Array<[string, string[], RegExp]> = [
    ['sweep', ['--socket='], /--socket needs a value/],
    ['sweep', ['--socket-path='], /--socket-path needs a value/],
    ['report', ['-L', ''], /--socket needs a value/],
    ['sweep', ['--grace='], /--grace needs a value/],
    ['sweep', ['--max-age='], /--max-age needs a value/],
    ['report', ['--stats', '--since='], /--since needs a value/],
    ['sweep', ['--timeout='], /--timeout needs a value/],
    ['sweep', ['--timeout', 'soon'], /--timeout wants a duration/],
    ['sweep', ['-A', '-L', 'x'], /--all-sockets goes without --socket and --socket-path/],
    ['report', ['-A', '-S', '/tmp/x'], /--all-sockets goes without --socket and --socket-path/],
    ['on-detach', ['--socket='], /--socket needs a value/],
  ]
  for (const [script, args, message] of cases) {
    const r = await runScript(script, args, { env })
    assert.equal(r.code, 2, `${script} ${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr.split('\n')[0], message)
    assert.doesNotMatch(r.stderr, /unexpected error/)
  }
  const dir = path.join(env.XDG_CONFIG_HOME!, 'tmux-views')
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    writeFileSync(path.join(dir, 'config.json'), `{"${key}": "5m"}`, { mode: 0o600 })
    const r = await runScript('sweep', ['--dry-run'], { env })
    assert.equal(r.code, 2, `${key}: ${r.stderr}`)
    assert.match(r.stderr, new RegExp(`unknown key "${key}"`))
  }
})
