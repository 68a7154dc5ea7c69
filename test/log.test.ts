// The lifecycle log on real files: each test gets its own XDG_STATE_HOME, passed through `env`.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { ROOT } from './helpers.ts'
import {
  appendEvents,
  computeStats,
  logDir,
  logPath,
  readEvents,
  type LifecycleEvent,
} from '../lib/log.ts'

function stateEnv(t: { after: (fn: () => void) => void }): NodeJS.ProcessEnv {
  const dir = fs.mkdtempSync(path.join(tmpdir(), 'tv-log-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return { XDG_STATE_HOME: dir, HOME: '/nonexistent-home' }
}

const T0 = Date.parse('2025-01-01T00:00:00Z')

function ev(n: number, more: Partial<LifecycleEvent> = {}): LifecycleEvent {
  return {
    time: new Date(T0 + n * 1000).toISOString(),
    event: 'created',
    layer: 'spawn',
    socket: 'default',
    parent: 'work',
    view: `work-view-${n}`,
    ...more,
  }
}

const noWarn = (msg: string) => assert.fail(`unexpected warning: ${msg}`)

test('appended events read back unchanged, in a 0600 file inside a 0700 directory', (t) => {
  const env = stateEnv(t)
  const events = [ev(1), ev(2, { event: 'removed', layer: 'hook', parent: null, lifetimeSec: 42 }), ev(3, { view: `it's "odd"\n#{x}` })]
  appendEvents(events.slice(0, 2), { env, warn: noWarn })
  appendEvents(events.slice(2), { env, warn: noWarn })
  assert.deepEqual(readEvents({ env }), { events, corrupt: 0 })
  assert.equal(fs.readFileSync(logPath(env), 'utf8').split('\n').length, 4) // 3 lines and the final newline
  assert.equal(fs.statSync(logPath(env)).mode & 0o777, 0o600)
  assert.equal(fs.statSync(logDir(env)).mode & 0o777, 0o700)
})

test('the log lives under XDG_STATE_HOME, else under HOME/.local/state', () => {
  assert.equal(logPath({ XDG_STATE_HOME: '/s', HOME: '/h' }), '/s/tmux-views/events.jsonl')
  assert.equal(logPath({ XDG_STATE_HOME: '', HOME: '/h' }), '/h/.local/state/tmux-views/events.jsonl')
  assert.equal(logPath({ HOME: '/h' }), '/h/.local/state/tmux-views/events.jsonl')
  // a relative XDG path is invalid by the XDG spec
  assert.equal(logPath({ XDG_STATE_HOME: 'rel', HOME: '/h' }), '/h/.local/state/tmux-views/events.jsonl')
  assert.equal(logDir({ XDG_STATE_HOME: '/s' }), '/s/tmux-views')
})

test('a no-event append creates nothing', (t) => {
  const env = stateEnv(t)
  appendEvents([], { env, warn: noWarn })
  assert.equal(fs.existsSync(logDir(env)), false)
})

test('a full log rotates to events.jsonl.1 and both generations read back in order', (t) => {
  const env = stateEnv(t)
  const events = [1, 2, 3, 4, 5, 6].map((n) => ev(n))
  const line = Buffer.byteLength(JSON.stringify(events[0]) + '\n')
  const maxBytes = Math.floor(line * 2.5) // rotates before the 4th append, not again before the 7th
  for (const e of events) appendEvents([e], { env, maxBytes, warn: noWarn })
  const old = fs.readFileSync(`${logPath(env)}.1`, 'utf8').trim().split('\n')
  assert.deepEqual(old.map((l) => JSON.parse(l).view), ['work-view-1', 'work-view-2', 'work-view-3'])
  assert.deepEqual(readEvents({ env }), { events, corrupt: 0 })
  assert.equal(fs.statSync(`${logPath(env)}.1`).mode & 0o777, 0o600)
})

test('the log stays bounded: only one old generation is kept', (t) => {
  const env = stateEnv(t)
  const maxBytes = 2000
  for (let n = 0; n < 300; n++) appendEvents([ev(n)], { env, maxBytes, warn: noWarn })
  const files = fs.readdirSync(logDir(env)).sort()
  assert.deepEqual(files, ['events.jsonl', 'events.jsonl.1'])
  for (const f of files) assert.ok(fs.statSync(path.join(logDir(env), f)).size <= maxBytes + 200, f)
  const { events, corrupt } = readEvents({ env })
  assert.equal(corrupt, 0)
  assert.ok(events.length < 300)
  assert.equal(events.at(-1)!.view, 'work-view-299')
  // what is kept is the newest events, contiguous and in order
  const first = Number(events[0].view.split('-').pop())
  assert.deepEqual(events.map((e) => e.view), events.map((_, i) => `work-view-${first + i}`))
})

test('an unwritable state directory warns once and does not throw', (t) => {
  const env = stateEnv(t)
  const blocker = path.join(env.XDG_STATE_HOME!, 'a-file')
  fs.writeFileSync(blocker, '')
  const bad = { ...env, XDG_STATE_HOME: path.join(blocker, 'state') } // mkdir fails with ENOTDIR, even as root
  const warnings: string[] = []
  appendEvents([ev(1), ev(2)], { env: bad, warn: (m) => warnings.push(m) })
  assert.equal(warnings.length, 1)
  assert.ok(warnings[0].startsWith(`tmux-views: cannot write the lifecycle log (${logPath(bad)}): `), warnings[0])
  assert.match(warnings[0], /ENOTDIR/)
  assert.deepEqual(readEvents({ env: bad }), { events: [], corrupt: 0 })
})

test('without a warn option the failure is one line on stderr', (t) => {
  const env = stateEnv(t)
  fs.mkdirSync(logPath(env), { recursive: true }) // the log path is a directory: open fails
  const lines: string[] = []
  const write = process.stderr.write
  process.stderr.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof write
  try {
    appendEvents([ev(1)], { env })
  } finally {
    process.stderr.write = write
  }
  assert.equal(lines.length, 1)
  assert.match(lines[0], /^tmux-views: cannot write the lifecycle log \(.*events\.jsonl\): .*EISDIR.*\n$/)
})

test('8 processes appending at once never mix their lines', async (t) => {
  const env = stateEnv(t)
  const url = pathToFileURL(path.join(ROOT, 'lib', 'log.ts')).href
  // A real start barrier: each child loads the code, says so, and waits for one 'go' sent to all
  // of them once every child is ready, however slow the machine is to start them.
  const child = (p: number) => `
    const { appendEvents } = await import(${JSON.stringify(url)})
    process.stdout.write('ready\\n')
    await new Promise((r) => process.stdin.once('data', r))
    const warn = (m) => { process.stderr.write(m + '\\n'); process.exitCode = 1 }
    const ev = (n) => ({ time: new Date().toISOString(), event: 'created', layer: 'spawn', socket: 'p${p}',
      parent: 'work', view: 'p${p}-' + n + (n % 3 === 0 ? '-' + 'x'.repeat(3000) : '') })
    const opts = { env: { XDG_STATE_HOME: ${JSON.stringify(env.XDG_STATE_HOME)} }, maxBytes: 64 * 1024 * 1024, warn }
    for (let n = 0; n < 100; n++) appendEvents([ev(n)], opts)
    for (let n = 100; n < 200; n += 10) appendEvents(Array.from({ length: 10 }, (_, i) => ev(n + i)), opts)
    process.stdin.destroy()
  `
  const children = Array.from({ length: 8 }, (_, p) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child(p)], { cwd: ROOT })
    t.after(() => proc.kill('SIGKILL'))
    let stderr = ''
    proc.stderr.on('data', (d) => (stderr += d))
    const ready = new Promise<void>((resolve, reject) => {
      let out = ''
      proc.stdout.on('data', (d) => (out += d) === 'ready\n' && resolve())
      proc.on('close', (code) => reject(new Error(`child ${p} exited (${code}) before it was ready: ${stderr}`)))
    })
    const done = new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      proc.on('error', reject)
      proc.on('close', (code) => resolve({ code, stderr }))
    })
    return { proc, ready, done }
  })
  await Promise.all(children.map((c) => c.ready))
  for (const c of children) c.proc.stdin.write('go\n')
  const results = await Promise.all(children.map((c) => c.done))
  for (const r of results) assert.equal(r.code, 0, r.stderr)

  assert.equal(fs.existsSync(`${logPath(env)}.1`), false)
  const lines = fs.readFileSync(logPath(env), 'utf8').split('\n')
  assert.equal(lines.pop(), '')
  assert.equal(lines.length, 8 * 200)
  const seen = new Set(lines.map((l) => JSON.parse(l).view.replace(/-x+$/, '')))
  assert.equal(seen.size, 8 * 200)
  assert.equal(readEvents({ env }).events.length, 8 * 200)
})

test('corrupt lines are skipped and counted, blank lines ignored', (t) => {
  const env = stateEnv(t)
  appendEvents([ev(1)], { env, warn: noWarn })
  fs.appendFileSync(logPath(env), [
    '{"time": "2025-01-01T00:00:0', // a torn line
    '',
    '   ',
    'not json',
    '[1, 2]',
    'null',
    '{"event": "created"}', // no time
    '{"time": "yesterday-ish", "event": "created"}', // time is not a date
    '',
  ].join('\n'))
  appendEvents([ev(2)], { env, warn: noWarn })
  const r = readEvents({ env })
  assert.deepEqual(r.events.map((e) => e.view), ['work-view-1', 'work-view-2'])
  assert.equal(r.corrupt, 6)
})

test('a missing log is no events; sinceMs keeps only recent events', (t) => {
  const env = stateEnv(t)
  assert.deepEqual(readEvents({ env }), { events: [], corrupt: 0 })
  appendEvents([ev(0), ev(3600), ev(7200)], { env, warn: noWarn })
  const r = readEvents({ env, sinceMs: 3600_000, now: T0 + 7200_000 })
  assert.deepEqual(r.events.map((e) => e.view), ['work-view-3600', 'work-view-7200'])
})

test('computeStats counts a scripted lifecycle', () => {
  const events: LifecycleEvent[] = [
    ev(0, { view: 'a' }),
    ev(10, { view: 'b' }),
    ev(20, { view: 'c' }),
    ev(30, { view: 'a', event: 'reused' }),
    ev(100, { view: 'a', event: 'removed', layer: 'hook', lifetimeSec: 100 }),
    ev(110, { view: 'b', event: 'removed', layer: 'hook', lifetimeSec: 100 }),
    ev(220, { view: 'c', event: 'removed', layer: 'sweep', lifetimeSec: 200 }),
    ev(230, { view: 'd', event: 'rescued', layer: 'sweep' }),
    ev(240, { view: 'work', event: 'kept-last-of-group', layer: 'hook' }),
  ]
  const now = T0 + 2 * 86_400_000 // two days after the first event
  assert.deepEqual(computeStats(events, { now }), {
    since: null,
    events: 9,
    created: 3,
    reused: 1,
    removed: 3,
    rescued: 1,
    keptLastOfGroup: 1,
    removedBy: { hook: 2, sweep: 1 },
    reuseRate: 0.25,
    lifetimeSec: { median: 100, p95: 200 },
    orphansCleanedPerDay: 1.5,
  })
})

test('computeStats percentiles use the nearest rank', () => {
  const removed = (lifetimes: number[]) =>
    lifetimes.map((n, i) => ev(i, { event: 'removed', layer: 'manual', lifetimeSec: n }))
  const now = T0 + 1000
  const twenty = Array.from({ length: 20 }, (_, i) => i + 1).reverse()
  assert.deepEqual(computeStats(removed(twenty), { now }).lifetimeSec, { median: 10, p95: 19 })
  assert.deepEqual(computeStats(removed([4, 1, 3, 2]), { now }).lifetimeSec, { median: 2, p95: 4 })
  assert.deepEqual(computeStats(removed([7]), { now }).lifetimeSec, { median: 7, p95: 7 })
  // removals without a lifetime are counted but not measured
  const s = computeStats([...removed([5]), ev(9, { event: 'removed', layer: 'terminal' })], { now })
  assert.equal(s.removed, 2)
  assert.deepEqual(s.lifetimeSec, { median: 5, p95: 5 })
  // less than a day of history still counts as one day
  assert.equal(s.orphansCleanedPerDay, 2)
})

test('computeStats with sinceMs drops old events and divides by the window', () => {
  const day = 86_400_000
  const now = T0 + 10 * day
  const at = (ms: number, more: Partial<LifecycleEvent>) => ({ ...ev(0), time: new Date(ms).toISOString(), ...more })
  const events = [
    at(T0, { event: 'created' }),
    at(T0 + day, { event: 'removed', layer: 'sweep', lifetimeSec: 86_400 }),
    at(now - 2 * day, { event: 'created' }),
    at(now - day, { event: 'reused' }),
    at(now - day, { event: 'removed', layer: 'hook', lifetimeSec: 60 }),
    at(now - 1000, { event: 'removed', layer: 'terminal', lifetimeSec: 30 }),
  ]
  const s = computeStats(events, { now, sinceMs: 4 * day })
  assert.equal(s.since, new Date(now - 4 * day).toISOString())
  assert.equal(s.events, 4)
  assert.equal(s.created, 1)
  assert.equal(s.reuseRate, 0.5)
  assert.deepEqual(s.removedBy, { hook: 1, terminal: 1 })
  assert.deepEqual(s.lifetimeSec, { median: 30, p95: 60 })
  assert.equal(s.orphansCleanedPerDay, 0.5)

  const empty = computeStats([], { now })
  assert.equal(empty.reuseRate, null)
  assert.deepEqual(empty.lifetimeSec, { median: null, p95: null })
  assert.equal(empty.orphansCleanedPerDay, null)
  assert.deepEqual(empty.removedBy, {})
})
