// End to end in a real terminal emulator: kitty under Xvfb (software GL), scripted through its
// remote control, opens tabs with the README's kitty recipe on a private tmux server with the
// cleanup hook installed. Needs `kitty` and `Xvfb` (Debian: kitty, xvfb). Xvfb and kitty are
// ended by the pids this test started.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, readlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ROOT, noConfigTmux, retryUntil, runScript, withServer } from './helpers.ts'
import { descendants } from '../tools/proc.mjs'

const VIEW = /^(.*)-view-\d+-\d+$/s

/** The README's kitty recipe: the words after `map kitty_mod+enter`, with the checkout put in. */
function recipe(): string[] {
  const line = /^map kitty_mod\+enter (launch .*)$/m.exec(readFileSync(path.join(ROOT, 'README.md'), 'utf8'))
  assert.ok(line, 'the README has a kitty map line')
  return line[1].trim().split(/\s+/).map((w) => w.replace('/path/to/tmux-views', ROOT))
}

/** Start a process and end it by its pid after the test. */
function start(t: TestContext, cmd: string, args: string[], opts: Parameters<typeof spawn>[2]): ChildProcess {
  const p = spawn(cmd, args, opts)
  const exited = new Promise((resolve) => p.once('exit', resolve))
  t.after(async () => {
    if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGKILL')
      await exited
    }
  })
  return p
}

/** Xvfb on a display it picks itself (-displayfd): no guessing at free numbers. */
async function xvfb(t: TestContext): Promise<string> {
  const x = start(t, 'Xvfb', ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1024x768x24'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] })
  let err = ''
  x.stderr!.on('data', (d) => (err += d))
  const display = await new Promise<string>((resolve, reject) => {
    let out = ''
    x.stdio[3]!.on('data', (d) => {
      out += d
      if (out.includes('\n')) resolve(out.trim())
    })
    x.once('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${err.trim().split('\n').pop()}`)))
  })
  return `:${display}`
}

/** The processes below `pid`, each with the program it runs. */
function tree(pid: number): Array<{ pid: number; exe: string }> {
  return descendants(pid).flatMap((k) => {
    try {
      return [{ pid: k, exe: path.basename(readlinkSync(`/proc/${k}/exe`)) }]
    } catch {
      return [] // gone meanwhile, or not ours to read
    }
  })
}

interface KittyWindow { id: number; pid: number; tab: number }

test('kitty: three tabs from the README recipe are tmux clients; a closed tab\'s view goes, quitting kitty removes every view and keeps the work', async (t) => {
  const srv = withServer(t)
  srv.newSession('work', 'sleep 86400')
  const program = Number(srv.tmux(['display-message', '-p', '-t', '=work:', '#{pane_pid}']).stdout.trim())
  const install = await runScript('on-detach', ['-L', srv.name, '--install'])
  assert.equal(install.code, 0, install.stderr)

  const display = await xvfb(t)
  const sock = path.join(mkdtempSync(path.join(tmpdir(), 'tv-kitty-')), 'kitty.sock')
  // kitty's environment is what its tabs get: the private server by TMUX_VIEWS_SOCKET (the recipe
  // stays as the README shows it), a tmux that reads no tmux.conf, no npm preload, not inside tmux.
  const env: NodeJS.ProcessEnv = { ...process.env, ...noConfigTmux(), DISPLAY: display, LIBGL_ALWAYS_SOFTWARE: '1', TMUX_VIEWS_SOCKET: srv.name }
  for (const k of ['TMUX', 'TMUX_PANE', 'NODE_OPTIONS', 'WAYLAND_DISPLAY', 'KITTY_WINDOW_ID', 'KITTY_LISTEN_ON']) delete env[k]
  const kitty = start(t, 'kitty', ['--config', 'NONE', '-o', 'allow_remote_control=yes', '--listen-on', `unix:${sock}`, 'sleep', '86400'], { env, stdio: ['ignore', 'ignore', 'pipe'] })
  let kittyErr = ''
  kitty.stderr!.on('data', (d) => (kittyErr += d))
  const kittyGone = new Promise((resolve) => kitty.once('exit', resolve))

  const remote = (args: string[]) => {
    const r = spawnSync('kitty', ['@', '--to', `unix:${sock}`, ...args], { encoding: 'utf8', env, timeout: 30_000 })
    return { ok: r.status === 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '' }
  }
  await retryUntil(() => kitty.exitCode === null && remote(['ls']).ok, `kitty answers on its socket (${kittyErr.trim().split('\n').pop()})`, 30_000, 200)
  const windows = (): KittyWindow[] =>
    JSON.parse(remote(['ls']).stdout).flatMap((os: { tabs: Array<{ id: number; windows: Array<{ id: number; pid: number }> }> }) =>
      os.tabs.flatMap((tab) => tab.windows.map((w) => ({ id: w.id, pid: w.pid, tab: tab.id }))))

  const opened: number[] = []
  for (let i = 0; i < 3; i++) {
    const r = remote(recipe())
    assert.ok(r.ok, r.stderr)
    opened.push(Number(r.stdout.trim()))
  }
  const views = () => srv.sessions().filter((s) => VIEW.test(s.name))
  await retryUntil(() => views().filter((v) => v.attached === '1').length === 3, 'three views attached', 30_000)
  assert.equal(views().length, 3)

  // Each tab's process is the tmux client itself: no node in the tab, none anywhere under kitty.
  const tabs = windows().filter((w) => opened.includes(w.id))
  assert.equal(tabs.length, 3)
  const clients = new Map(srv.tmux(['list-clients', '-F', '#{client_pid}\t#{session_name}']).stdout.trim().split('\n').map((l) => l.split('\t') as [string, string]))
  for (const w of tabs) {
    assert.equal(path.basename(readlinkSync(`/proc/${w.pid}/exe`)), 'tmux', `tab ${w.id}`)
    assert.ok(clients.has(String(w.pid)), `tab ${w.id}'s process is a client of the server`)
    assert.deepEqual(tree(w.pid), [], `nothing runs below tab ${w.id}'s tmux client`)
  }
  assert.deepEqual(tree(kitty.pid!).filter((p) => p.exe.startsWith('node')), [], 'no node process under kitty')

  // Close one tab: its view goes within seconds (the hook), the other two stay attached.
  const closed = tabs[1]
  const closedView = clients.get(String(closed.pid))!
  assert.ok(remote(['close-tab', '--match', `id:${closed.tab}`]).ok)
  await retryUntil(() => !srv.names().includes(closedView), 'the closed tab\'s view was removed', 15_000)
  assert.deepEqual(views().map((v) => v.attached), ['1', '1'])

  // Quit kitty: every view goes; the parent session and its program stay.
  kitty.kill('SIGTERM')
  await kittyGone
  await retryUntil(() => views().length === 0, 'every view removed after kitty quit', 15_000)
  assert.deepEqual(srv.names(), ['work'])
  assert.equal(path.basename(readlinkSync(`/proc/${program}/exe`)), 'sleep', 'the parent\'s program still runs')
})
