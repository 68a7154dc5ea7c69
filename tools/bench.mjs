// npm run bench: time the compiled entries against bare node and against the older design's
// one-tmux-call-per-view cleanup loop, count the tmux processes each starts, and check the targets.
// Everything runs on a private tmux server (-L tv-bench-<pid> -f /dev/null), killed at exit even on
// failure; config, log, locks live in a temp dir. Exit status: 0 all targets met, 1 a target
// failed, 2 the bench itself failed.
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs'
import { constants, cpus, tmpdir, totalmem } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const STARTUP_RUNS = Number(process.env.BENCH_STARTUP_RUNS) || 15
// Making 1000 grouped sessions costs tmux ~5 s, and every run needs fresh ones: 3 runs there.
const SIZE_RUNS = (n) => Number(process.env.BENCH_SIZE_RUNS) || (n >= 1000 ? 3 : 5)
const SIZES = [10, 100, 1000]
const SERVER = `tv-bench-${process.pid}`
const PARENT = 'work'
const MiB = 1024

// ---- sandbox: a counting tmux wrapper, a plain tmux link, private XDG dirs -------------------
const which = (cmd) => spawnSync('/bin/sh', ['-c', 'command -v "$1"', 'sh', cmd], { encoding: 'utf8' }).stdout.trim()
const REAL_TMUX = process.env.TMUX_VIEWS_TMUX || which('tmux')
if (!REAL_TMUX) fail('tmux is not installed')
// BENCH_DIST=DIR benches another build (e.g. of a scratch copy with a change to try).
const DIST = process.env.BENCH_DIST ? path.resolve(process.env.BENCH_DIST) : path.join(ROOT, 'dist/scripts')
for (const s of ['spawn-view', 'on-detach', 'sweep'])
  if (!existsSync(path.join(DIST, `${s}.mjs`))) fail(`${DIST}/${s}.mjs is missing: run 'npm run build' first`)
const TMP = mkdtempSync(path.join(tmpdir(), 'tv-bench-'))
// Whatever happens from here on, the private server, its socket and the temp dir go at exit.
let running = null // the child being measured
process.on('exit', () => {
  running?.kill()
  spawnSync(REAL_TMUX, ['-L', SERVER, 'kill-server'], { stdio: 'ignore' })
  rmSync(TMP, { recursive: true, force: true })
  rmSync(path.join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid()}`, SERVER), { force: true }) // the dead socket
})
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => process.exit(128 + constants.signals[sig]))
// Bench a snapshot of the build: a concurrent `npm run build` or `npm test` rewrites dist/.
cpSync(DIST, path.join(TMP, 'dist'), { recursive: true })
const COUNT = path.join(TMP, 'tmux-calls')
const RSS = path.join(TMP, 'rss')
for (const d of ['count', 'plain', 'config', 'state', 'run']) mkdirSync(path.join(TMP, d))
const sq = (s) => `'${s.replaceAll("'", `'\\''`)}'`
// One line per tmux process (the caller's pid, for diagnosis), then the real tmux.
writeFileSync(path.join(TMP, 'count/tmux'), `#!/bin/sh\necho "$PPID" >> ${sq(COUNT)}\nexec ${sq(REAL_TMUX)} "$@"\n`)
chmodSync(path.join(TMP, 'count/tmux'), 0o755)
symlinkSync(REAL_TMUX, path.join(TMP, 'plain/tmux')) // same lookup, no extra process

const baseEnv = { ...process.env, SHELL: '/bin/sh', XDG_CONFIG_HOME: path.join(TMP, 'config'), XDG_STATE_HOME: path.join(TMP, 'state'), XDG_RUNTIME_DIR: path.join(TMP, 'run') }
// Never the user's server or settings; no tsx preload from npm's node-options (hooks run plain node).
for (const k of ['TMUX', 'TMUX_PANE', 'TMUX_VIEWS_TMUX', 'TMUX_VIEWS_SOCKET', 'TMUX_VIEWS_SOCKET_PATH', 'TMUX_VIEWS_GRACE', 'TMUX_VIEWS_MAX_AGE', 'NODE_OPTIONS']) delete baseEnv[k]
const envWith = (dir) => ({ ...baseEnv, PATH: `${path.join(TMP, dir)}:${process.env.PATH}` })
const PLAIN = envWith('plain')
const COUNTED = envWith('count')


function fail(msg) {
  console.error(`bench: ${msg}`)
  process.exit(2)
}

// ---- the private server ----------------------------------------------------------------------
function tmux(args, { ok = true, input } = {}) {
  const r = spawnSync(REAL_TMUX, ['-L', SERVER, '-f', '/dev/null', ...args], { encoding: 'utf8', input, env: baseEnv })
  if (ok && r.status !== 0) fail(`tmux ${args[0]}: ${(r.stderr || r.error?.message || '').trim()}`)
  return r.stdout ?? ''
}
const sessionCount = () => tmux(['list-sessions', '-F', '#{session_id}'], { ok: false }).split('\n').filter(Boolean).length

/** Leave only PARENT, then add n detached views of the older design (untracked: sweep removes them). */
function reset(n) {
  if (sessionCount() === 0) tmux(['new-session', '-d', '-s', PARENT, ';', 'set-option', '-g', 'default-shell', '/bin/sh'])
  else tmux(['kill-session', '-a', '-t', `=${PARENT}`])
  const old = Math.floor(Date.now() / 1000) - 3600
  const lines = Array.from({ length: n }, (_, i) => `new-session -d -t =${PARENT} -s ${PARENT}-view-${old}-${100000 + i}`)
  if (n) tmux(['source-file', '-'], { input: lines.join('\n') + '\n' })
  if (sessionCount() !== n + 1) fail(`reset(${n}) made ${sessionCount() - 1} views`)
}

// ---- the commands ----------------------------------------------------------------------------
const entry = (s) => path.join(TMP, 'dist', `${s}.mjs`)
// The older design's manual cleanup: one list, then one tmux process per view.
const LOOP = `for s in $(tmux -L "$1" list-sessions -F '#{session_name}' -f '#{&&:#{m:*-view-*,#{session_name}},#{==:#{session_attached},0}}'); do tmux -L "$1" kill-session -t "=$s"; done`
const CMD = {
  node0: { label: 'node -e 0', argv: [process.execPath, '-e', '0'] },
  spawn: { label: 'spawn-view --print', script: 'spawn-view', argv: [process.execPath, entry('spawn-view'), '--print', '-L', SERVER, PARENT] },
  detach: { label: 'on-detach', script: 'on-detach', argv: [process.execPath, entry('on-detach'), '-L', SERVER] },
  sweep: { label: 'sweep', script: 'sweep', argv: [process.execPath, entry('sweep'), '-L', SERVER] },
  loop: { label: 'per-view shell loop', argv: ['/bin/sh', '-c', LOOP, 'loop', SERVER] },
}

// Asynchronous on purpose: a synchronous child would hold off SIGINT/SIGTERM handlers (and so the
// server's cleanup) until the whole bench had run.
function exec(argv, env) {
  return new Promise((resolve) => {
    const p = (running = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] }))
    let stderr = ''
    p.stderr.on('data', (d) => (stderr += d))
    p.on('error', (e) => fail(`${argv[0]}: ${e.message}`))
    p.on('close', (code, signal) => {
      running = null
      if (code === 0) resolve()
      else fail(`${argv.join(' ')}: ${signal ?? `exit ${code}`}: ${stderr.trim()}`)
    })
  })
}

/** Wall time of one run in ms (monotonic clock), with the plain tmux. */
async function timeOnce(cmd) {
  const t0 = process.hrtime.bigint()
  await exec(cmd.argv, PLAIN)
  return Number(process.hrtime.bigint() - t0) / 1e6
}

// Peak RSS: /usr/bin/time's %M when it works; else node reports its own getrusage() peak at exit.
const TIME = existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status === 0 ? '/usr/bin/time' : null
const RSS_PRELOAD = `import{writeFileSync as w}from'node:fs';process.on('exit',()=>w(process.env.TV_BENCH_RSS,String(process.resourceUsage().maxRSS)))`

/** One untimed run with the counting wrapper: the tmux processes it started and its peak RSS in KiB. */
async function probe(cmd) {
  writeFileSync(COUNT, '')
  writeFileSync(RSS, '')
  let argv = cmd.argv
  if (TIME) argv = [TIME, '-f', '%M', '-o', RSS, ...argv]
  else if (argv[0] === process.execPath) argv = [argv[0], '--import', `data:text/javascript,${encodeURIComponent(RSS_PRELOAD)}`, ...argv.slice(1)]
  await exec(argv, { ...COUNTED, TV_BENCH_RSS: RSS })
  const calls = readFileSync(COUNT, 'utf8').split('\n').filter(Boolean).length
  const kib = Number.parseInt(readFileSync(RSS, 'utf8').trim().split('\n').pop(), 10) // NaN: not measured
  return { calls, kib }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

// ---- the runs --------------------------------------------------------------------------------
const rows = [] // { label, script, views, ms[], calls, kib }

/**
 * Each group starts from reset(n), then runs its [command, views label, sessions expected after]
 * in order: once probed (tmux count, RSS), then `runs` times timed, groups interleaved so that
 * machine noise hits every command alike.
 */
async function measure(n, runs, groups) {
  const mine = new Map()
  for (let i = -1; i < runs; i++)
    for (const group of groups) {
      reset(n)
      for (const [cmd, views, left] of group) {
        if (i >= 0) mine.get(cmd).ms.push(await timeOnce(cmd))
        else {
          const r = { label: cmd.label, script: cmd.script, views, ms: [], ...(await probe(cmd)) }
          rows.push(r)
          mine.set(cmd, r)
        }
        const now = sessionCount()
        if (left !== undefined && now !== left) fail(`${cmd.label} (${views} views) left ${now} sessions, expected ${left}`)
      }
    }
}

console.error(`bench: private tmux server '${SERVER}'; start-up ${STARTUP_RUNS} runs; views: ${SIZES.map((n) => `${n} x${SIZE_RUNS(n)}`).join(', ')}`)
// Start-up: PARENT alone. spawn-view makes a view (the longer path: list, create chain, name);
// on-detach then has nothing to do (the new view is claimed, waiting for its client).
await measure(0, STARTUP_RUNS, [[[CMD.node0, '-'], [CMD.spawn, '0'], [CMD.detach, '1 claimed', 2]]])
// n detached views: spawn-view reuses (claims) one, on-detach removes the other n-1; sweep and
// the loop each get a fresh set and must leave PARENT alone.
for (const n of SIZES) {
  const v = String(n)
  await measure(n, SIZE_RUNS(n), [[[CMD.spawn, v], [CMD.detach, v, 2]], [[CMD.sweep, v, 1]], [[CMD.loop, v, 1]]])
  console.error(`bench: ${n} views done`)
}

// ---- report ----------------------------------------------------------------------------------
const med = (label, views) => median(rows.find((r) => r.label === label && r.views === views).ms)
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a')
const sh = (cmd) => spawnSync('/bin/sh', ['-c', cmd], { encoding: 'utf8' }).stdout.trim()
console.log(`Machine: ${sh('nproc')} CPUs, ${sh("lscpu | sed -n 's/^Model name: *//p'") || cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM; node ${process.version}; ${sh(`${sq(REAL_TMUX)} -V`)}`)
console.log(`Max RSS: ${TIME ? '/usr/bin/time -f %M' : 'process.resourceUsage().maxRSS at exit'}; tmux processes: a counting wrapper first on PATH\n`)
console.log('| command | views | runs | median ms | min ms | tmux processes | max RSS MiB |')
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |')
for (const r of rows)
  console.log(`| ${r.label} | ${r.views} | ${r.ms.length} | ${fmt(median(r.ms))} | ${fmt(Math.min(...r.ms))} | ${r.calls} | ${fmt(r.kib / MiB)} |`)
console.log('\nviews: detached views before the command. spawn-view reuses one of them; on-detach then removes the\nother n-1 (with 1 claimed: nothing to do); sweep and the loop get a fresh set and remove all n.')

const node0 = med('node -e 0', '-')
const checks = [
  ['spawn-view --print / node -e 0', med('spawn-view --print', '0') / node0, '≤ 2x', (x) => x <= 2, (x) => `${fmt(x, 2)}x`],
  ['on-detach (nothing to do) / node -e 0', med('on-detach', '1 claimed') / node0, '≤ 2x', (x) => x <= 2, (x) => `${fmt(x, 2)}x`],
]
for (const n of SIZES) {
  const sweepRow = rows.find((r) => r.label === 'sweep' && r.views === String(n))
  checks.push([`loop / sweep, ${n} views`, med('per-view shell loop', String(n)) / med('sweep', String(n)), n === 1000 ? '≥ 5x' : '-', (x) => n !== 1000 || x >= 5, (x) => `${fmt(x, 1)}x`])
  checks.push([`sweep tmux processes, ${n} views`, sweepRow.calls, '≤ 5', (x) => x <= 5, String])
}
for (const s of ['spawn-view', 'on-detach', 'sweep']) {
  const peak = Math.max(...rows.filter((r) => r.script === s).map((r) => r.kib)) / MiB
  checks.push([`peak RSS ${s} (any size)`, peak, '< 100 MiB', (x) => x < 100, (x) => `${fmt(x)} MiB`])
}
console.log('\n| target | measured | limit | result |')
console.log('| --- | ---: | ---: | --- |')
let failed = 0
for (const [what, value, limit, ok, show] of checks) {
  const pass = Number.isFinite(value) && ok(value)
  if (limit !== '-' && !pass) failed++
  console.log(`| ${what} | ${show(value)} | ${limit} | ${limit === '-' ? '' : pass ? 'PASS' : 'FAIL'} |`)
}
console.log(failed ? `\n${failed} target(s) FAILED` : '\nAll targets PASS')
process.exitCode = failed ? 1 : 0
