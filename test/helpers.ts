// Test fixtures: every test gets its own tmux server (unique -L name, -f /dev/null), killed after
// the test; nothing here can reach a user's server, and nothing is ended by name. `npm test`
// (tools/test.mjs) also gives the whole run a private TMPDIR and TMUX_TMPDIR and checks at the end
// that no process or server of the run is left.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestContext } from 'node:test'

delete process.env.TMUX
delete process.env.TMUX_PANE
// Config, log, tab record and locks of this test process (and of the tmux servers it starts, whose
// hooks run scripts) live in a temp dir, never in the user's home.
const sandboxDir = mkdtempSync(path.join(tmpdir(), 'tv-test-home-'))
for (const [key, dir] of [['XDG_CONFIG_HOME', 'config'], ['XDG_STATE_HOME', 'state'], ['XDG_RUNTIME_DIR', 'run']])
  process.env[key] = path.join(sandboxDir, dir)

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const TMUX = process.env.TMUX_VIEWS_TMUX || 'tmux'
/** The tmux under test ("tmux 3.8"): tests assert the behaviour of this version, not of one release. */
export const TMUX_V = spawnSync(TMUX, ['-V'], { encoding: 'utf8' }).stdout?.trim() ?? ''
/** How long one tmux call or script run of a test may take before it fails the test. */
const CALL_TIMEOUT_MS = 30_000
const SCRIPT_TIMEOUT_MS = 60_000

// Hooks, timers and terminals run dist/: a dist/ built from other sources would test old code.
{
  const { sourceHash } = await import('../tools/sources.mjs')
  let built: string | undefined
  try {
    built = JSON.parse(readFileSync(path.join(ROOT, 'dist', 'build.json'), 'utf8')).sources
  } catch {}
  if (built !== sourceHash(ROOT)) throw new Error(`dist/ was not built from these sources: run 'npm run build' (npm test does)`)
}

export interface Result {
  code: number | null
  stdout: string
  stderr: string
}

export class TestServer {
  name: string
  env: NodeJS.ProcessEnv
  constructor(name: string, env: NodeJS.ProcessEnv = process.env) {
    this.name = name
    this.env = env
  }

  /** Run tmux on this server; throws with tmux's message unless `ok` is false. */
  tmux(args: string[], opts: { ok?: boolean; input?: string } = {}): Result {
    const r = spawnSync(TMUX, ['-L', this.name, '-f', '/dev/null', ...args], { encoding: 'utf8', input: opts.input, env: this.env, timeout: CALL_TIMEOUT_MS, killSignal: 'SIGKILL' })
    if (r.error) throw new Error(`tmux ${args.join(' ')}: ${r.error.message}`) // includes a time-out
    const res = { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' }
    if (opts.ok !== false && res.code !== 0) throw new Error(`tmux ${args.join(' ')}: ${res.stderr.trim()}`)
    return res
  }

  /** The server's pid, kept so kill() ends it even when its socket is gone. */
  pid: number | null = null
  private notePid() {
    if (this.pid === null) this.pid = Number(this.tmux(['display-message', '-p', '#{pid}']).stdout.trim()) || null
  }

  /** A plain session, named exactly `name` ('#' doubled, as tmux's -s wants). */
  newSession(name: string, command = 'sleep 86400'): string {
    const id = this.tmux(['new-session', '-d', '-x', '80', '-y', '24', '-s', name.replaceAll('#', '##'), '-P', '-F', '#{session_id}', command]).stdout.trim()
    this.notePid()
    return id
  }

  /**
   * Session rows as objects, from list-sessions. Any tmux error fails the test: "no server" too,
   * unless the caller says that a server gone (its last session ended) is an expected state.
   */
  sessions(opts: { mayBeGone?: boolean } = {}): Array<Record<string, string>> {
    const fields = ['session_id', 'session_name', 'session_attached', 'session_group', 'session_group_size', '@tmux-views-parent-id', '@tmux-views-claim', '@tmux-views-tab', '@tmux-views-title', '@tmux-views-icon']
    const r = this.tmux(['list-sessions', '-F', fields.map((f) => `#{${f}}`).join('\t')], { ok: false })
    if (r.code !== 0) {
      if (opts.mayBeGone && /no server running|error connecting/.test(r.stderr)) return []
      throw new Error(`tmux list-sessions on ${this.name}: ${r.stderr.trim() || `exit ${r.code}`}`)
    }
    return r.stdout.split('\n').filter(Boolean).map((l) => Object.fromEntries(l.split('\t').map((v, i) => [fields[i].replace(/^@tmux-views-|^session_/, ''), v])))
  }

  /** A session's $id: tmux cannot target a name that starts with '$', even with '='. */
  idOf(name: string): string {
    const s = this.sessions().find((x) => x.name === name)
    if (!s) throw new Error(`no session named ${JSON.stringify(name)}`)
    return s.id
  }

  names(opts: { mayBeGone?: boolean } = {}): string[] {
    return this.sessions(opts).map((s) => s.name).sort()
  }

  /** A real client in control mode, attached to `target`, stdin held open until detach(). */
  async attach(target: string): Promise<Client> {
    const proc = spawn(TMUX, ['-L', this.name, '-f', '/dev/null', '-C', 'attach-session', '-t', target], { stdio: ['pipe', 'pipe', 'pipe'], env: this.env })
    proc.stderr!.resume()
    const client = new Client(proc)
    await retryUntil(() => this.tmux(['list-clients', '-F', '#{client_pid}']).stdout.split('\n').includes(String(proc.pid)), 'client attached')
    return client
  }

  /** End the server: kill-server, and by its pid if its socket went first (a test removed the dir). */
  kill() {
    this.tmux(['kill-server'], { ok: false })
    if (this.pid === null) return
    try {
      process.kill(this.pid, 'SIGKILL')
    } catch {}
  }
}

export class Client {
  proc: ChildProcess
  exited: Promise<void>
  /** what tmux sent this control client (tmux 3.5 sends display-message text as %message) */
  output = ''
  constructor(proc: ChildProcess) {
    this.proc = proc
    this.exited = new Promise((resolve) => proc.once('exit', () => resolve()))
    proc.stdout!.on('data', (d) => (this.output += d))
  }
  /** Close stdin: a control client then detaches, as a closed terminal tab does. */
  async detach() {
    this.proc.stdin!.end()
    await this.exited
  }
  async kill(signal: NodeJS.Signals = 'SIGKILL') {
    this.proc.kill(signal)
    await this.exited
  }
}

let counter = 0
/** A fresh tmux server for this test, killed when the test ends. */
export function withServer(t: TestContext, env: NodeJS.ProcessEnv = process.env): TestServer {
  const server = new TestServer(`tv-test-${process.pid}-${++counter}-${randomBytes(3).toString('hex')}`, env)
  t.after(() => server.kill())
  return server
}

/** Run scripts/NAME.mts as a user would, with node and tsx; TMUX is unset unless opts.env sets it. */
export function runScript(name: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...opts.env }
    if (!opts.env?.TMUX) delete env.TMUX
    const p = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', `${name}.mts`), ...args], { cwd: ROOT, env })
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => {
      p.kill('SIGKILL')
      reject(new Error(`${name} ${args.join(' ')}: no exit within ${SCRIPT_TIMEOUT_MS / 1000}s\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, SCRIPT_TIMEOUT_MS)
    p.stdout.on('data', (d) => (stdout += d))
    p.stderr.on('data', (d) => (stderr += d))
    p.on('error', reject)
    p.stdin.end(opts.input ?? '')
    p.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** Poll until fn() is true; fail with `what` after `ms`. */
export async function retryUntil(fn: () => boolean | Promise<boolean>, what: string, ms = 10_000, every = 25) {
  const end = Date.now() + ms
  for (;;) {
    if (await fn()) return
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`)
    await new Promise((r) => setTimeout(r, every))
  }
}

/** Names that would run a command or break quoting if anything handled them carelessly. */
export function hostileNames(canary: string): string[] {
  return [
    `it's`,
    `say "hi"`,
    `$(touch ${canary})`,
    `\`touch ${canary}\``,
    `two words`,
    `#{session_id}`,
    `#(touch ${canary})`,
    `ünï-cødé ✓`,
    `-leading`,
    `semi;`,
  ]
}

/** An isolated home for config, state and runtime files, as extra environment for a script. */
export function sandbox(): NodeJS.ProcessEnv {
  const dir = mkdtempSync(path.join(tmpdir(), 'tv-env-'))
  return { XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_STATE_HOME: path.join(dir, 'state'), XDG_RUNTIME_DIR: path.join(dir, 'run') }
}

/** A home whose ~/.bashrc and BASH_ENV file leave a trace if any shell reads them. */
export function rcTrap(): { home: string; bashEnv: string; sprung: () => boolean } {
  const home = mkdtempSync(path.join(tmpdir(), 'tv-home-'))
  const canary = path.join(home, 'rc-ran')
  for (const file of ['.bashrc', 'bash_env']) writeFileSync(path.join(home, file), `touch '${canary}'\n`)
  return { home, bashEnv: path.join(home, 'bash_env'), sprung: () => existsSync(canary) }
}

/** A view whose claim ran out an hour ago, as a tab that never attached leaves it. */
export function expireClaim(srv: TestServer, view: string) {
  srv.tmux(['set-option', '-t', srv.idOf(view), '@tmux-views-claim-at', String(Math.floor(Date.now() / 1000) - 3600)])
}

/**
 * A tmux for scripts that start a server themselves (spawn-view --create): the same tmux with
 * `-f /dev/null`, so no test server ever reads the user's or the system's tmux.conf.
 */
export function noConfigTmux(): NodeJS.ProcessEnv {
  const dir = mkdtempSync(path.join(tmpdir(), 'tv-tmux-'))
  const file = path.join(dir, 'tmux')
  const real = spawnSync('/bin/sh', ['-c', 'command -v "$1"', 'sh', TMUX], { encoding: 'utf8' }).stdout.trim() || TMUX
  writeFileSync(file, `#!/bin/sh\nexec '${real.replaceAll("'", `'\\''`)}' -f /dev/null "$@"\n`)
  chmodSync(file, 0o755)
  return { TMUX_VIEWS_TMUX: file }
}

/**
 * Whether an on-detach started by this server's hooks still runs (read from /proc). An attach runs
 * the hook too (client-session-changed): wait for !hookRunning before changing what a pass judges.
 */
export function hookRunning(srv: TestServer): boolean {
  const pid = srv.tmux(['display-message', '-p', '#{pid}']).stdout.trim()
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8')
      if (stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] !== pid) continue
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('on-detach')) return true
    } catch {}
  }
  return false
}
