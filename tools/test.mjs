// npm test: run the suite in a world of its own, then prove it left nothing behind.
//
// Every file the suite makes goes under one temp root: TMPDIR (so every mkdtemp of the tests) and
// TMUX_TMPDIR (so every tmux socket) point into it, and the user's real socket directory is never
// touched. Every process the suite starts inherits TV_TEST_RUN=<root>; after the run, any process
// still carrying it is a leftover: it is named, ended by its pid, and the run fails. So does a tmux
// server still answering in the private socket directory. The root is removed at the end.
//
// Arguments go to `node --test` (default: test/*.test.ts). TV_TEST_TIMEOUT (ms, default 10 minutes)
// bounds each test; on Node 20 the runner applies it to each whole file too, and the largest files
// take 2-3 minutes alone on a loaded 2-core machine.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const run = realpathSync(mkdtempSync(path.join(tmpdir(), 'tv-suite-')))
const marker = `TV_TEST_RUN=${run}`
const dirs = { TMPDIR: path.join(run, 'tmp'), TMUX_TMPDIR: path.join(run, 'sockets') }
for (const d of Object.values(dirs)) mkdirSync(d, { mode: 0o700 })

const files = process.argv.slice(2).length
  ? process.argv.slice(2)
  : readdirSync(path.join(ROOT, 'test')).filter((f) => f.endsWith('.test.ts')).sort().map((f) => `test/${f}`)
const timeout = process.env.TV_TEST_TIMEOUT || '600000'
const env = { ...process.env, ...dirs, TV_TEST_RUN: run }
delete env.TMUX
delete env.TMUX_PANE

const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', `--test-timeout=${timeout}`, ...files], {
  cwd: ROOT,
  env,
  stdio: 'inherit',
})
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
const code = await new Promise((resolve) => child.on('close', (c, s) => resolve(c ?? (s ? 1 : 0))))

const problems = []
// Processes the suite started and left running (tmux servers, clients, hook jobs, sleeps). A server
// told to exit a moment ago may still be on its way out: each gets a few seconds before it counts.
const deadline = Date.now() + 5000
let left = marked()
while (left.length && Date.now() < deadline) {
  await new Promise((r) => setTimeout(r, 100))
  left = marked()
}
for (const { pid, cmd } of left) {
  problems.push(`process ${pid} still running: ${cmd.slice(0, 160)}`)
  try {
    process.kill(pid, 'SIGKILL')
  } catch {}
}
// tmux servers still answering on a socket of the run.
const sockets = path.join(dirs.TMUX_TMPDIR, `tmux-${process.getuid()}`)
for (const name of safeReaddir(sockets)) {
  const sock = path.join(sockets, name)
  if (!isSocket(sock)) continue
  const r = spawnSync(process.env.TMUX_VIEWS_TMUX || 'tmux', ['-S', sock, '-N', 'list-sessions'], { stdio: 'ignore', timeout: 5000 })
  if (r.status === 0) {
    problems.push(`tmux server still running on ${name}`)
    spawnSync(process.env.TMUX_VIEWS_TMUX || 'tmux', ['-S', sock, 'kill-server'], { stdio: 'ignore', timeout: 5000 })
  }
}
rmSync(run, { recursive: true, force: true })

if (problems.length) {
  console.error(`\nThe suite left ${problems.length} thing(s) behind:`)
  for (const p of problems) console.error(`  ${p}`)
  process.exit(code || 1)
}
console.log(`# leftovers: none (no process, no tmux server; ${run} removed)`)
process.exit(code)

/** Live processes whose environment carries this run's marker. */
function marked() {
  const out = []
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number)) {
    if (pid === process.pid) continue
    if (!readOr(`/proc/${pid}/environ`).split('\0').includes(marker)) continue
    // a zombie (exited, not yet reaped by its parent) runs nothing
    if (/^\d+ \(.*\) Z/s.test(readOr(`/proc/${pid}/stat`))) continue
    out.push({ pid, cmd: readOr(`/proc/${pid}/cmdline`).split('\0').join(' ').trim() })
  }
  return out
}

function readOr(file) {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

function safeReaddir(dir) {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

function isSocket(p) {
  try {
    return statSync(p).isSocket()
  } catch {
    return false
  }
}
