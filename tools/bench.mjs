// npm run bench: time the compiled entries against bare node, the sweep against its floor (tmux's
// own work plus a node start) and against the older design's one-tmux-call-per-view cleanup loop,
// count the tmux processes each starts (and the shells between node and tmux), check the targets.
// Everything runs on a private tmux server (-L tv-bench-<pid> -f /dev/null), killed at exit even on
// failure; config, log, locks live in a temp dir. Exit status: 0 all targets met, 1 a target
// failed, 2 the bench itself failed.
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { constants, cpus, loadavg, tmpdir, totalmem } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchTabs } from './bench-tabs.mjs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const STARTUP_RUNS = Number(process.env.BENCH_STARTUP_RUNS) || 15
// Making n grouped sessions costs tmux O(n²) (1000: ~5 s, 3000: ~40 s), and every run needs a
// fresh set: one run for 3000. 1000 gets five: with three, its medians moved by 10 % from one
// bench to the next on a 2-CPU VM.
const SIZE_RUNS = (n) => Number(process.env.BENCH_SIZE_RUNS) || (n >= 3000 ? 1 : 5)
const SIZES = (process.env.BENCH_SIZES || '10,100,1000,3000').split(',').map(Number)
// Other node binaries (comma-separated) to time the TypeScript entry paths with, e.g. a Node 24.
const OTHER_NODES = (process.env.BENCH_NODES || '').split(',').filter(Boolean)
const SERVER = `tv-bench-${process.pid}`
const PARENT = 'work'
const MiB = 1024

// ---- sandbox: a counting tmux wrapper, a plain tmux link, private XDG dirs -------------------
const which = (cmd) => spawnSync('/bin/sh', ['-c', 'command -v "$1"', 'sh', cmd], { encoding: 'utf8' }).stdout.trim()
const REAL_TMUX = process.env.TMUX_VIEWS_TMUX || which('tmux')
if (!REAL_TMUX) fail('tmux is not installed')
// BENCH_DIST=DIR benches another build's scripts directory (e.g. a scratch copy's dist/scripts).
const DIST = process.env.BENCH_DIST ? path.resolve(process.env.BENCH_DIST) : path.join(ROOT, 'dist/scripts')
// The entries are NAME.cjs; a build from before they were CommonJS has only NAME.mjs.
const EXT = existsSync(path.join(DIST, 'sweep.cjs')) ? 'cjs' : 'mjs'
for (const s of ['spawn-view', 'on-detach', 'sweep'])
  if (!existsSync(path.join(DIST, `${s}.${EXT}`))) fail(`${DIST}/${s}.${EXT} is missing: run 'npm run build' first`)
const TMP = mkdtempSync(path.join(tmpdir(), 'tv-bench-'))
// Whatever happens from here on, the private server, its socket and the temp dir go at exit.
let running = null // the child being measured
process.on('exit', () => {
  running?.kill()
  spawnSync(REAL_TMUX, ['-L', SERVER, 'kill-server'], { stdio: 'ignore' })
  rmSync(TMP, { recursive: true, force: true })
  for (const name of [SERVER, `${SERVER}-term`]) // the dead sockets (the tab bench's terminal server too)
    rmSync(path.join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid()}`, name), { force: true })
})
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => process.exit(128 + constants.signals[sig]))
// Bench a snapshot of the build (the whole of it: an entry runs ../code/NAME.js): a concurrent
// `npm run build` or `npm test` rewrites dist/.
cpSync(path.dirname(DIST), path.join(TMP, 'build'), { recursive: true })
const SCRIPTS = path.join(TMP, 'build', path.basename(DIST))
const COUNT = path.join(TMP, 'tmux-calls')
const RECORD = path.join(TMP, 'record')
const RSS = path.join(TMP, 'rss')
for (const d of ['count', 'plain', 'config', 'state', 'run', 'record']) mkdirSync(path.join(TMP, d))
const sq = (s) => `'${s.replaceAll("'", `'\\''`)}'`
// The counting tmux: one line per tmux process, 'shell' when a shell started it, else 'direct'.
// A shell exports SHLVL or PWD to what it starts; node does not, and the bench removes both from
// the environment, so tmux's exec-time environment (/proc/PID/environ) tells who started it.
// It also keeps each call's argv and stdin (RECORD/PID.argv, .in): the sweep's floor replays them.
writeFileSync(path.join(TMP, 'count/tmux'), `#!/bin/sh
if tr '\\0' '\\n' < /proc/$$/environ | grep -q -e '^SHLVL=' -e '^PWD='; then echo shell; else echo direct; fi >> ${sq(COUNT)}
printf '%s\\0' "$@" > ${sq(RECORD)}/$$.argv
cat > ${sq(RECORD)}/$$.in
exec ${sq(REAL_TMUX)} "$@" < ${sq(RECORD)}/$$.in
`)
chmodSync(path.join(TMP, 'count/tmux'), 0o755)
symlinkSync(REAL_TMUX, path.join(TMP, 'plain/tmux')) // same lookup, no extra process

const baseEnv = { ...process.env, SHELL: '/bin/sh', XDG_CONFIG_HOME: path.join(TMP, 'config'), XDG_STATE_HOME: path.join(TMP, 'state'), XDG_RUNTIME_DIR: path.join(TMP, 'run') }
// Never the user's server or settings; no tsx preload from npm's node-options (hooks run plain node).
for (const k of ['SHLVL', 'PWD', 'OLDPWD', '_', 'TMUX', 'TMUX_PANE', 'TMUX_VIEWS_TMUX', 'TMUX_VIEWS_SOCKET', 'TMUX_VIEWS_SOCKET_PATH', 'TMUX_VIEWS_GRACE', 'TMUX_VIEWS_MAX_AGE', 'NODE_OPTIONS']) delete baseEnv[k]
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
const entry = (s) => path.join(SCRIPTS, `${s}.${EXT}`)
// The older design's manual cleanup: one list, then one tmux process per view.
const LOOP = `for s in $(tmux -L "$1" list-sessions -F '#{session_name}' -f '#{&&:#{m:*-view-*,#{session_name}},#{==:#{session_attached},0}}'); do tmux -L "$1" kill-session -t "=$s"; done`
const CMD = {
  node0: { label: 'node -e 0', argv: [process.execPath, '-e', '0'] },
  spawn: { label: 'spawn-view --print', script: 'spawn-view', argv: [process.execPath, entry('spawn-view'), '--print', '-L', SERVER, PARENT] },
  detach: { label: 'on-detach', script: 'on-detach', argv: [process.execPath, entry('on-detach'), '-L', SERVER] },
  sweep: { label: 'sweep', script: 'sweep', argv: [process.execPath, entry('sweep'), '-L', SERVER] },
  loop: { label: 'per-view shell loop', argv: ['/bin/sh', '-c', LOOP, 'loop', SERVER] },
  // The sweep's floor: its own two tmux calls (recorded from its probe run, session ids mapped to
  // the fresh set's), run straight from here like a shell would; plus a node start (node0).
  floorNode: { label: 'floor: node -e 0', floor: 'node', argv: [process.execPath, '-e', '0'] },
  list: { label: "floor: sweep's list-sessions", floor: 'list' },
  batch: { label: "floor: sweep's guarded kill batch", floor: 'batch' },
  // Start-up floors: spawn-view's and on-detach's own tmux calls, recorded and replayed the same way.
  spawnCalls: { label: "floor: spawn-view's tmux calls", floor: 'spawn-view' },
  detachCalls: { label: "floor: on-detach's tmux calls", floor: 'on-detach' },
}

// Asynchronous on purpose: a synchronous child would hold off SIGINT/SIGTERM handlers (and so the
// server's cleanup) until the whole bench had run.
function exec(argv, env, { stdin = 'ignore', cwd } = {}) {
  return new Promise((resolve) => {
    const p = (running = spawn(argv[0], argv.slice(1), { env, cwd, stdio: [stdin, 'ignore', 'pipe'] }))
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

// ---- the sweep's floor: its recorded tmux calls, replayed -----------------------------------
const ids = () => tmux(['list-sessions', '-F', '#{session_id}']).split('\n').filter(Boolean).sort((a, b) => a.slice(1) - b.slice(1))
const recorded = new Map() // n -> { ids, list: argv, batch: { argv, input } }

/** After the sweep's probe run over n views: keep its two tmux calls (what RECORD holds). */
function keepFloor(n, idsBefore) {
  const calls = readdirSync(RECORD).filter((f) => f.endsWith('.argv')).map((f) => {
    const argv = readFileSync(path.join(RECORD, f), 'utf8').split('\0').slice(0, -1)
    return { argv, input: readFileSync(path.join(RECORD, f.replace(/argv$/, 'in')), 'utf8') }
  })
  const list = calls.find((c) => c.argv.includes('list-sessions'))
  const batch = calls.find((c) => c.argv.includes('source-file'))
  if (calls.length !== 2 || !list || !batch) fail(`sweep over ${n} views made ${calls.length} tmux calls; its floor expects list-sessions and source-file`)
  recorded.set(n, { ids: idsBefore, list: list.argv, batch })
}

/** Every tmux call of the last probe, in the order they ran (by pid). */
function recordedCalls() {
  return readdirSync(RECORD).filter((f) => f.endsWith('.argv')).sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10)).map((f) => ({
    argv: readFileSync(path.join(RECORD, f), 'utf8').split('\0').slice(0, -1),
    input: readFileSync(path.join(RECORD, f.replace(/argv$/, 'in')), 'utf8'),
  }))
}
const startupCalls = new Map() // script -> its recorded tmux calls, from its start-up probe

/** The recorded call for this fresh set: views are made in the same order, so ids map by rank. */
function replay(n, which) {
  const r = recorded.get(n)
  const now = ids()
  const map = new Map(r.ids.map((id, i) => [id, now[i]]))
  const swap = (text) => text.replace(/\$\d+/g, (id) => map.get(id) ?? id)
  if (which === 'list') return { argv: [REAL_TMUX, ...r.list.map(swap)] }
  const file = path.join(TMP, 'batch.in')
  writeFileSync(file, swap(r.batch.input))
  return { argv: [REAL_TMUX, ...r.batch.argv.map(swap)], file }
}

/** Wall time of one run in ms (monotonic clock), with the plain tmux. */
async function timeOnce(cmd, n) {
  if (startupCalls.has(cmd.floor)) {
    // a start-up floor: the script's own tmux calls, one after another, as a shell would run them
    let ms = 0
    for (const call of startupCalls.get(cmd.floor)) {
      const file = path.join(TMP, 'call.in')
      writeFileSync(file, call.input)
      const stdin = openSync(file, 'r')
      const t0 = process.hrtime.bigint()
      await exec([REAL_TMUX, ...call.argv], PLAIN, { stdin })
      ms += Number(process.hrtime.bigint() - t0) / 1e6
      closeSync(stdin)
    }
    return ms
  }
  const { argv, file } = cmd.floor === 'list' || cmd.floor === 'batch' ? replay(n, cmd.floor) : cmd
  const stdin = file ? openSync(file, 'r') : 'ignore' // like a shell's `< file`
  const t0 = process.hrtime.bigint()
  await exec(argv, PLAIN, { stdin, cwd: cmd.cwd })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (file) closeSync(stdin)
  return ms
}

// Peak RSS: /usr/bin/time's %M when it works; else node reports its own getrusage() peak at exit.
const TIME = existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status === 0 ? '/usr/bin/time' : null
const RSS_PRELOAD = `import{writeFileSync as w}from'node:fs';process.on('exit',()=>w(process.env.TV_BENCH_RSS,String(process.resourceUsage().maxRSS)))`

/** One untimed run with the counting tmux: its tmux processes, how many a shell started, peak RSS in KiB. */
async function probe(cmd) {
  writeFileSync(COUNT, '')
  writeFileSync(RSS, '')
  for (const f of readdirSync(RECORD)) rmSync(path.join(RECORD, f))
  let argv = cmd.argv
  if (TIME) argv = [TIME, '-f', '%M', '-o', RSS, ...argv]
  else if (argv[0] === process.execPath) argv = [argv[0], '--import', `data:text/javascript,${encodeURIComponent(RSS_PRELOAD)}`, ...argv.slice(1)]
  await exec(argv, { ...COUNTED, TV_BENCH_RSS: RSS })
  const lines = readFileSync(COUNT, 'utf8').split('\n').filter(Boolean)
  const kib = Number.parseInt(readFileSync(RSS, 'utf8').trim().split('\n').pop(), 10) // NaN: not measured
  return { calls: lines.length, shells: lines.filter((l) => l === 'shell').length, kib }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

// ---- the runs --------------------------------------------------------------------------------
const rows = [] // { label, script, views, ms[], calls, shells, kib }

/**
 * Each group starts from reset(n), then runs its [command, views label, sessions expected after]
 * in order: once probed (tmux count, shells, RSS; the floor has no probe), then `runs` times
 * timed, groups interleaved so that machine noise hits every command alike.
 */
async function measure(n, runs, groups) {
  const mine = new Map()
  for (let i = -1; i < runs; i++)
    for (const group of groups) {
      if (i < 0 && group[0][0].floor) {
        for (const [cmd, views] of group) rows.push(mine.set(cmd, { label: cmd.label, views, ms: [] }).get(cmd))
        continue
      }
      reset(n)
      const before = ids()
      for (const [cmd, views, left] of group) {
        if (i >= 0) mine.get(cmd).ms.push(await timeOnce(cmd, n))
        else {
          const r = { label: cmd.label, script: cmd.script, views, ms: [], ...(cmd.floor ? {} : await probe(cmd)) }
          rows.push(r)
          mine.set(cmd, r)
          if (cmd === CMD.sweep) keepFloor(n, before)
          if (n === 0 && cmd.script) startupCalls.set(cmd.script, recordedCalls())
        }
        const now = sessionCount()
        if (left !== undefined && now !== left) fail(`${cmd.label} (${views} views) left ${now} sessions, expected ${left}`)
      }
    }
}

console.error(`bench: private tmux server '${SERVER}'; start-up ${STARTUP_RUNS} runs; views: ${SIZES.map((n) => `${n} x${SIZE_RUNS(n)}`).join(', ')}`)
// Start-up: PARENT alone. spawn-view makes a view (a first view: the listing and the create chain in one call);
// on-detach then has nothing to do (the new view is claimed, waiting for its client).
// Their floors replay the same tmux calls in a group of their own.
await measure(0, STARTUP_RUNS, [[[CMD.node0, '-'], [CMD.spawn, '0'], [CMD.detach, '1 claimed', 2]], [[CMD.spawnCalls, '0'], [CMD.detachCalls, '1 claimed', 2]]])
// n detached views: spawn-view reuses (claims) one, on-detach removes the other n-1; the sweep,
// its floor and the loop each get a fresh set and must leave PARENT alone.
for (const n of SIZES) {
  const v = String(n)
  await measure(n, SIZE_RUNS(n), [[[CMD.spawn, v], [CMD.detach, v, 2]], [[CMD.sweep, v, 1]], [[CMD.floorNode, v], [CMD.list, v], [CMD.batch, v, 1]], [[CMD.loop, v, 1]]])
  console.error(`bench: ${n} views done`)
}

// The by-hand path the README documents (npx zx on the TypeScript) against the compiled entry,
// on this node and each of BENCH_NODES: a dry run over 10 views, from the checkout.
const PATH_RUNS = Number(process.env.BENCH_PATH_RUNS) || 5
const paths = [] // { node, way, ms[] }
reset(10)
for (const node of [process.execPath, ...OTHER_NODES]) {
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout?.trim()
  if (!version) fail(`${node}: not a node binary`)
  const [major, minor] = version.slice(1).split('.').map(Number)
  const env = { ...PLAIN, PATH: `${path.dirname(node)}:${PLAIN.PATH}` } // npx and zx run on this node
  const ways = [
    ['npx zx scripts/sweep.mts', ['npx', 'zx', 'scripts/sweep.mts']],
    // Node >= 22.18 strips the types itself; older ones need tsx
    major > 22 || (major === 22 && minor >= 18)
      ? ['node scripts/sweep.mts', [node, 'scripts/sweep.mts']]
      : ['node --import tsx scripts/sweep.mts', [node, '--import', 'tsx', 'scripts/sweep.mts']],
    [`node dist/scripts/sweep.${EXT}`, [node, entry('sweep')]],
  ].map(([way, argv]) => ({ node: version, way, argv: [...argv, '--dry-run', '-L', SERVER], ms: [] }))
  for (let i = 0; i < PATH_RUNS; i++)
    for (const w of ways) {
      const t0 = process.hrtime.bigint()
      await exec(w.argv, env, { cwd: ROOT })
      w.ms.push(Number(process.hrtime.bigint() - t0) / 1e6)
    }
  paths.push(...ways)
}

// Per attached tab: what stays running behind it (tools/bench-tabs.mjs).
process.on('exit', () => spawnSync(REAL_TMUX, ['-L', `${SERVER}-term`, 'kill-server'], { stdio: 'ignore' }))
reset(0)
const tabRows = await benchTabs({ tmux: REAL_TMUX, server: SERVER, parent: PARENT, dist: SCRIPTS, root: ROOT, tmp: TMP, env: PLAIN })

// ---- report ----------------------------------------------------------------------------------
const row = (label, views) => rows.find((r) => r.label === label && r.views === views)
const med = (label, views) => median(row(label, views)?.ms ?? [])
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a')
const sh = (cmd) => spawnSync('/bin/sh', ['-c', cmd], { encoding: 'utf8' }).stdout.trim()
console.log(`Machine: ${sh('nproc')} CPUs, ${sh("lscpu | sed -n 's/^Model name: *//p'") || cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}; node ${process.version}; ${sh(`${sq(REAL_TMUX)} -V`)}`)
console.log(`Max RSS: ${TIME ? '/usr/bin/time -f %M' : 'process.resourceUsage().maxRSS at exit'}; tmux processes and the shells that started them: a counting tmux first on PATH\n`)
console.log('| command | views | runs | median ms | min ms | tmux processes | of them via a shell | max RSS MiB |')
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
const dash = (x, show = String) => (x === undefined ? '-' : show(x))
for (const r of rows)
  console.log(`| ${r.label} | ${r.views} | ${r.ms.length} | ${fmt(median(r.ms))} | ${fmt(Math.min(...r.ms))} | ${dash(r.calls)} | ${dash(r.shells)} | ${dash(r.kib, (k) => fmt(k / MiB))} |`)
console.log('\nviews: detached views before the command. spawn-view reuses one of them; on-detach then removes the\nother n-1 (with 1 claimed: nothing to do); the sweep, its floor and the loop get a fresh set and remove all n.')

console.log('\n| tab started with | tabs | node processes per tab | processes in the tab | RSS per tab MiB |')
console.log('| --- | ---: | ---: | --- | ---: |')
for (const r of tabRows) console.log(`| ${r.label} | ${r.tabs} | ${r.node} | ${r.procs} | ${fmt(r.mib)} |`)

// How each figure grows with the views, and what dominates the sweep: node's start, tmux listing
// the sessions, tmux running the guarded kills, or the sweep's own work above that floor.
const node0 = med('node -e 0', '-')
// The floor's node start is timed in the floor's own group, beside the sweep it is compared with.
const floorParts = (v) => [med(CMD.floorNode.label, v), med(CMD.list.label, v), med(CMD.batch.label, v)]
const floorOf = (v) => floorParts(v).reduce((a, b) => a + b)
console.log('\n| views | spawn-view / node -e 0 | on-detach / node -e 0 | sweep ms | floor ms (node + list + kills) | sweep / floor | loop / sweep | the sweep\'s time goes to |')
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |')
for (const n of SIZES) {
  const v = String(n)
  const sweep = med('sweep', v)
  const [start, list, kills] = floorParts(v)
  const parts = [['node start', start], ['listing', list], ['guarded kills', kills], ['sweep\'s own work', sweep - floorOf(v)]]
  const share = parts.sort((a, b) => b[1] - a[1]).map(([what, ms]) => `${what} ${fmt((100 * Math.max(0, ms)) / sweep, 0)}%`).join(', ')
  console.log(`| ${n} | ${fmt(med('spawn-view --print', v) / node0, 2)}x | ${fmt(med('on-detach', v) / node0, 2)}x | ${fmt(sweep)} | ${[start, list, kills].map((x) => fmt(x)).join(' + ')} = ${fmt(floorOf(v))} | ${fmt(sweep / floorOf(v), 2)}x | ${fmt(med('per-view shell loop', v) / sweep, 1)}x | ${share} |`)
}

console.log('\n| by-hand path: sweep --dry-run, 10 views | node | median ms | min ms |')
console.log('| --- | --- | ---: | ---: |')
for (const p of paths) console.log(`| \`${p.way}\` | ${p.node} | ${fmt(median(p.ms))} | ${fmt(Math.min(...p.ms))} |`)

const ratio = (x) => `${fmt(x, 2)}x`
// What no code of ours can go below: node's start plus the script's own tmux calls from a shell.
const startFloor = (label, views) => node0 + med(label, views)
const checks = [
  ['spawn-view --print / node -e 0', med('spawn-view --print', '0') / node0, '≤ 1.25x', (x) => x <= 1.25, ratio],
  ['on-detach (nothing to do) / node -e 0', med('on-detach', '1 claimed') / node0, '≤ 1.25x', (x) => x <= 1.25, ratio],
  ["spawn-view's floor (node -e 0 + its tmux call) / node -e 0", startFloor(CMD.spawnCalls.label, '0') / node0, '-', () => true, ratio],
  ["on-detach's floor (node -e 0 + its tmux call) / node -e 0", startFloor(CMD.detachCalls.label, '1 claimed') / node0, '-', () => true, ratio],
  ['spawn-view --print / its floor', med('spawn-view --print', '0') / startFloor(CMD.spawnCalls.label, '0'), '-', () => true, ratio],
  ['on-detach (nothing to do) / its floor', med('on-detach', '1 claimed') / startFloor(CMD.detachCalls.label, '1 claimed'), '-', () => true, ratio],
]
if (SIZES.includes(1000)) {
  checks.push(['sweep / its floor, 1000 views', med('sweep', '1000') / floorOf('1000'), '≤ 1.2x', (x) => x <= 1.2, ratio])
  checks.push(['per-view loop / sweep, 1000 views', med('per-view shell loop', '1000') / med('sweep', '1000'), '≥ 8x', (x) => x >= 8, (x) => `${fmt(x, 1)}x`])
  // The most any sweep could show against the loop: the loop over the sweep's floor.
  checks.push(['per-view loop / the sweep\'s floor, 1000 views', med('per-view shell loop', '1000') / floorOf('1000'), '-', () => true, (x) => `${fmt(x, 1)}x`])
}
// The entries' V8 code cache (tools/build.mjs): does this node take it, or compile the code anew?
const CACHE_CHECK = "const{readFileSync:r}=require('node:fs');const{Script:S}=require('node:vm');const f=process.argv[1];process.stdout.write(String(!new S(r(f,'utf8'),{filename:f,cachedData:r(f+'.cache')}).cachedDataRejected))"
const cacheTaken = ['spawn-view', 'on-detach', 'sweep'].filter((s) => {
  const code = path.join(SCRIPTS, '..', 'code', `${s}.js`)
  return existsSync(`${code}.cache`) && spawnSync(process.execPath, ['-e', CACHE_CHECK, code], { encoding: 'utf8', env: PLAIN }).stdout === 'true'
})
checks.push(['V8 code cache taken by this node (spawn-view, on-detach, sweep)', cacheTaken.length, '-', () => true, (x) => `${x} of 3`])
const probed = rows.filter((r) => r.script && r.calls !== undefined)
checks.push(['shells started per tmux call (spawn-view, on-detach, sweep)', probed.reduce((a, r) => a + r.shells, 0) / probed.reduce((a, r) => a + r.calls, 0), '0', (x) => x === 0, (x) => fmt(x, 2)])
checks.push(['node processes per attached tab (bin/tmux-view)', tabRows.find((r) => r.label.startsWith('bin/')).node, '0', (x) => x === 0, String])
for (const n of SIZES.filter((n) => row('sweep', String(n))?.calls !== undefined))
  checks.push([`sweep tmux processes, ${n} views`, row('sweep', String(n)).calls, '≤ 5', (x) => x <= 5, String])
for (const s of ['spawn-view', 'on-detach', 'sweep']) {
  const peak = Math.max(...rows.filter((r) => r.script === s && r.kib !== undefined).map((r) => r.kib)) / MiB
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
