// npm run bench, per attached tab: what stays running behind a terminal tab once it shows its
// view. A private "terminal" tmux server (-L <server>-term) gives each tab a pane whose process
// is the tab's program, exactly as a terminal starts it; after the view is attached, the pane's
// process tree is read from /proc: node processes and resident memory (VmRSS).
import { spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { descendants, ended } from './proc.mjs'

const sq = (s) => `'${s.replaceAll("'", `'\\''`)}'`

/** `pid` and every process below it. */
const tree = (pid) => [pid, ...descendants(pid)]

function status(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8')
  return { name: /^Name:\s*(.*)$/m.exec(text)[1], kib: Number(/^VmRSS:\s*(\d+)/m.exec(text)?.[1] ?? 0) }
}

/** Resolves once process `pid` has ended (see ended); fails after 10 s. */
async function exited(pid) {
  const end = Date.now() + 10_000
  while (!ended(pid)) {
    if (Date.now() > end) throw new Error(`the terminal server (pid ${pid}) did not exit within 10 s of kill-server`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/**
 * Open `tabs` tabs with each way of starting spawn-view, wait until their views are attached, and
 * measure. `dist` is the directory holding spawn-view.cjs; `bin` the launcher to copy beside it.
 */
export async function benchTabs({ tmux, server, parent, dist, root, tmp, env, tabs = 3 }) {
  const term = `${server}-term`
  const t = (args, ok = true) => {
    const r = spawnSync(tmux, ['-L', term, '-f', '/dev/null', ...args], { encoding: 'utf8', env })
    if (ok && r.status !== 0) throw new Error(`tmux ${args[0]}: ${r.stderr.trim()}`)
    return r.stdout
  }
  const s = (args) => spawnSync(tmux, ['-L', server, ...args], { encoding: 'utf8', env }).stdout
  // the launcher finds ../dist/scripts/spawn-view.cjs beside itself: give it the benched build
  const home = path.join(tmp, 'tabs-checkout')
  mkdirSync(path.join(home, 'bin'), { recursive: true })
  mkdirSync(path.join(home, 'dist'))
  symlinkSync(dist, path.join(home, 'dist', 'scripts'))
  copyFileSync(path.join(root, 'bin', 'tmux-view'), path.join(home, 'bin', 'tmux-view'))
  chmodSync(path.join(home, 'bin', 'tmux-view'), 0o755)
  // a build from before the entries were CommonJS has only spawn-view.mjs
  const spawn = existsSync(path.join(dist, 'spawn-view.cjs')) ? 'spawn-view.cjs' : 'spawn-view.mjs'
  const ways = [
    { label: `node ${spawn} (before)`, cmd: `${sq(process.execPath)} ${sq(path.join(dist, spawn))}` },
    { label: 'bin/tmux-view (after)', cmd: `TMUX_VIEWS_NODE=${sq(process.execPath)} ${sq(path.join(home, 'bin', 'tmux-view'))}` },
  ]
  const rows = []
  try {
    for (const way of ways) {
      const pids = []
      for (let i = 0; i < tabs; i++) {
        const name = `tab${rows.length}-${i}`
        t(['new-session', '-d', '-s', name, `exec env -u TMUX ${way.cmd} -L ${sq(server)} ${sq(parent)}`])
        pids.push(Number(t(['display-message', '-p', '-t', `=${name}:`, '#{pane_pid}']).trim()))
      }
      const end = Date.now() + 20_000
      const attached = () => s(['list-clients', '-F', '#{client_pid}']).split('\n').filter(Boolean).length
      while (attached() < tabs) {
        if (Date.now() > end) throw new Error(`${way.label}: ${attached()} of ${tabs} tabs attached after 20 s`)
        await new Promise((r) => setTimeout(r, 50))
      }
      const per = pids.map((pid) => tree(pid).map(status))
      const node = per.map((procs) => procs.filter((p) => p.name === 'node' || p.name.startsWith('node')).length)
      const kib = per.map((procs) => procs.reduce((n, p) => n + p.kib, 0))
      rows.push({ label: way.label, tabs, node: Math.max(...node), procs: per[0].map((p) => p.name).join(' > '), mib: kib.reduce((a, b) => a + b, 0) / tabs / 1024 })
      // The tabs close; their clients go. The next way starts a server on the same socket: a
      // client that reached this one while it shut down would get "server exited unexpectedly".
      const serverPid = Number(t(['display-message', '-p', '#{pid}']).trim())
      t(['kill-server'], false)
      await exited(serverPid)
      s(['kill-session', '-a', '-t', `=${parent}`])
    }
  } finally {
    t(['kill-server'], false)
  }
  return rows
}
