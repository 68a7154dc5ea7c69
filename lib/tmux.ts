// The one module that starts tmux. Every call goes through Tmux.run(), which adds the server
// choice (-L / -S) and hands tmux its arguments as an argv (no shell), with a bounded wait.
import { spawnSync } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { resolve } from 'node:path'
import { serverArgs, serverLabel, socketProblem, type Server } from './server.ts'
import { HOOKS, chain, cleanValue, escapeName, isOurHook, keepsEveryGroup, quoteForTmux, removable, worldUnchanged } from './commands.ts'
import { MARK, parseSessions, sessionFormat, type Session } from './sessions.ts'
import { withoutNpm } from './env.ts'
import { tmuxVersion, type TmuxVersion } from './version.ts'

/** The option name the unguarded kills' gate asks for when the server changed since the listing. */
const CHANGED = 'tmux-views: changed since the listing'

/** The option name the first-view gate asks for when the listing must be looked at first. */
const LOOK_FIRST = 'tmux-views: look at the listing first'

/**
 * A gate for the rest of a command line (one command group): tmux skips what follows a command that
 * fails. show-options expands its option name as a format (with `target` as its context), so the
 * gate names a real option while `format` is 1 and fails on the unknown option `shut` otherwise.
 * An if-shell with the commands in a { } block would do the same, but tmux parses such a block
 * slowly (~35 ms for 1000 kills, tmux 3.3a).
 */
function gate(format: string, shut: string, target?: string): string[] {
  return ['show-options', '-sv', ...(target === undefined ? [] : ['-t', target]), `#{?${format},buffer-limit,${shut}}`]
}

/**
 * A fresh tag to frame one listing's rows and fields (sessionFormat). Math.random, not node:crypto
 * (~3 ms at start-up): it guards against values set before this listing, not against an adversary
 * who can predict it.
 */
function listingTag(): string {
  return `tv${Math.random().toString(36).slice(2, 12)}${Math.random().toString(36).slice(2, 12)}`
}

// ---- errors -----------------------------------------------------------------------------------

export type TmuxErrorKind = 'missing' | 'no-server' | 'no-session' | 'stuck' | 'untrusted' | 'failed'

/** A failed tmux call, with a one-line message that names the tmux command. */
export class TmuxError extends Error {
  kind: TmuxErrorKind
  stdout: string
  stderr: string
  constructor(kind: TmuxErrorKind, message: string, stdout = '', stderr = '') {
    super(message)
    this.kind = kind
    this.stdout = stdout
    this.stderr = stderr
  }
}

export function classify(stderr: string, exitCode: number | null): TmuxErrorKind {
  if (exitCode === 127 || /command not found|No such file or directory.*tmux|not found: tmux/.test(stderr))
    return 'missing'
  if (/no server running|error connecting to|server exited unexpectedly/.test(stderr)) return 'no-server'
  if (/can't find session|no such session|session not found/.test(stderr)) return 'no-session'
  return 'failed'
}

// ---- the runner -------------------------------------------------------------------------------

/**
 * The most one tmux invocation's command words may hold: tmux's client packs them into one message
 * of at most 16 KiB (MAX_IMSGSIZE) and otherwise fails with "command too long" after nothing ran.
 */
export const MAX_COMMAND_BYTES = 16_000

/** How long one tmux call may take before the server counts as stuck. */
export const DEFAULT_TIMEOUT_MS = 5000

interface Exec {
  code: number | null
  stdout: string
  stderr: string
  /** the spawn error's code (ENOENT: no such program) */
  error?: string
  timedOut: boolean
}

/**
 * Start tmux itself (no shell) with the environment npm or npx did not add; collect its output.
 * The only place in the project that starts tmux. Synchronous on purpose: every caller waits for
 * the answer anyway, and spawnSync spares the pipes' stream machinery (~5 ms of a start-up that
 * hooks pay on every detach). A call past `timeoutMs` is killed.
 */
function execTmux(bin: string, argv: string[], o: { input?: string; inherit?: boolean; timeoutMs: number }): Exec {
  const r = spawnSync(bin, argv, {
    env: withoutNpm(process.env),
    stdio: o.inherit ? 'inherit' : 'pipe',
    input: o.inherit ? undefined : (o.input ?? ''),
    encoding: 'utf8',
    maxBuffer: Infinity, // list-sessions of thousands of views
    timeout: o.timeoutMs > 0 ? o.timeoutMs : undefined,
    killSignal: 'SIGKILL',
  })
  // EPIPE: tmux exited (no server) without reading all its input; its exit status tells the rest.
  const failure = (r.error as NodeJS.ErrnoException | undefined)?.code
  const timedOut = failure === 'ETIMEDOUT'
  const error = failure === 'EPIPE' || timedOut ? undefined : failure
  return { code: error ? null : r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error, timedOut }
}

export interface RunOptions {
  input?: string
  /** only spawn-view --create may start a server; every other call passes -N */
  startServer?: boolean
  /** attach and switch-client need the terminal */
  inherit?: boolean
}

export class Tmux {
  server: Server
  bin: string
  /** how long one call may wait for the server (0: no limit) */
  timeoutMs: number

  constructor(server: Server, opts: { bin?: string; timeoutMs?: number } = {}) {
    this.server = server
    this.bin = opts.bin ?? (process.env.TMUX_VIEWS_TMUX || 'tmux')
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
  }

  get label(): string {
    return serverLabel(this.server)
  }

  /**
   * Run one tmux invocation of one or more commands (chained atomically); resolves with stdout,
   * rejects with a one-line TmuxError. tmux is started directly with an argv: no shell, so no
   * quoting and no rc file of the user's is ever read. A call that gets no answer within
   * `timeoutMs` (a stopped or wedged server) is killed and fails as 'stuck'.
   */
  async run(commands: string[][], opts: RunOptions = {}): Promise<string> {
    const args = chain(commands)
    const size = args.reduce((n, a) => n + Buffer.byteLength(a) + 1, 0)
    if (size > MAX_COMMAND_BYTES)
      throw new TmuxError('failed', `tmux ${args[0]}: command too long (${size} bytes; tmux takes at most ${MAX_COMMAND_BYTES}): use shorter names`)
    // tmux checks its own socket directory for -L and the default server, but not a socket given
    // with -S: a socket another user made is never connected to (its server's hooks would make
    // our client read and write files as us).
    if (this.server.kind === 'path' && args[0] !== '-V') {
      const why = socketProblem(this.server.value)
      if (why) throw new TmuxError('untrusted', `refusing to connect to socket '${this.label}': ${why}`)
    }
    // -N: a server that died mid-run must not be replaced by an empty one started by our command.
    // -u: without a UTF-8 locale (cron, systemd) tmux would print the tab between fields as '_'.
    const flags = [...(opts.startServer ? [] : ['-N']), ...(opts.inherit ? [] : ['-u'])]
    const argv = [...serverArgs(this.server), ...flags, ...args]
    const out = execTmux(this.bin, argv, {
      input: opts.input,
      inherit: opts.inherit,
      // attach and switch-client run as long as the user keeps the tab: no time limit there
      timeoutMs: opts.inherit ? 0 : this.timeoutMs,
    })
    if (out.code === 0) return out.stdout
    const stderr = out.stderr.trim().split('\n').pop() ?? ''
    const kind = out.error === 'ENOENT' ? 'missing' : out.timedOut ? 'stuck' : classify(out.stderr, out.code)
    const what = args.find((a) => !a.startsWith('-')) ?? 'tmux'
    if (kind === 'missing') throw this.missing()
    if (kind === 'no-server') throw new TmuxError(kind, `no tmux server on socket '${this.label}'`)
    if (kind === 'stuck')
      throw new TmuxError(kind, `tmux server on socket '${this.label}' did not answer within ${this.timeoutMs / 1000}s (${what}): is it stopped (kill -CONT its pid) or busy? try again`)
    const why = stderr || (out.error ? `cannot run '${this.bin}': ${out.error}` : `exit code ${out.code}`)
    throw new TmuxError(kind, `tmux ${what}: ${why}`, out.stdout, out.stderr)
  }

  private missing(): TmuxError {
    return new TmuxError('missing', `tmux is not installed (looked for '${this.bin}'): install it, or set TMUX_VIEWS_TMUX to its absolute path`)
  }

  /** The tmux binary as an absolute path (PATH searched as a shell would), or a 'missing' error. */
  resolveBin(env: NodeJS.ProcessEnv = process.env): string {
    const runnable = (file: string) => {
      try {
        accessSync(file, constants.X_OK)
        return true
      } catch {
        return false
      }
    }
    const found = this.bin.includes('/')
      ? [resolve(this.bin)]
      : (env.PATH ?? '/usr/bin:/bin').split(':').map((d) => resolve(d || '.', this.bin))
    const bin = found.find(runnable)
    if (!bin) throw this.missing()
    return bin
  }

  /** The argv that attaches a terminal to session `id` ($N): the absolute tmux, the server, the target. */
  attachArgv(id: string, env: NodeJS.ProcessEnv = process.env): string[] {
    return [this.resolveBin(env), ...serverArgs(this.server), 'attach-session', '-t', id]
  }

  /**
   * Attach this terminal to session `id`. Where node has process.execve (22.15+), this process
   * becomes tmux: nothing of ours stays behind the tab. Elsewhere tmux runs as a child until it
   * detaches (bin/tmux-view avoids that on any node: it execs the argv of attachArgv itself).
   */
  async attach(id: string): Promise<void> {
    const env = withoutNpm(process.env)
    const argv = this.attachArgv(id, env)
    const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve
    if (typeof execve === 'function') execve.call(process, argv[0], argv, env) // a failed execve aborts node: argv[0] was checked
    await this.run([['attach-session', '-t', id]], { inherit: true })
  }

  private versionOut?: Promise<string>
  /** "tmux 3.3a", from one `tmux -V` per Tmux object (per run); needs no server. */
  version(): Promise<string> {
    return (this.versionOut ??= this.run([['-V']]).then((out) => out.trim()))
  }

  /** The version parsed (null for a build from git: it counts as the newest). */
  async versionInfo(): Promise<TmuxVersion | null> {
    return tmuxVersion(await this.version())
  }

  /** Every session, from one list-sessions call. No server means no sessions. */
  async listSessions(): Promise<Session[]> {
    try {
      return await this.listSessionsStrict()
    } catch (e) {
      if (e instanceof TmuxError && e.kind === 'no-server') return []
      throw e
    }
  }

  /** Like listSessions, but a missing server is an error. */
  async listSessionsStrict(): Promise<Session[]> {
    const tag = listingTag()
    return parseSessions(await this.run([['list-sessions', '-F', sessionFormat(tag)]]), tag)
  }

  /**
   * Make a plain session. Resolves with the id tmux made it under, or with the name tmux stored
   * for it (it rewrites some characters) when a session of that name appeared first.
   */
  async newSession(name: string): Promise<{ id: string } | { taken: string }> {
    try {
      const out = await this.run([['new-session', '-d', '-s', escapeName(name), '-P', '-F', '#{session_id}']], { startServer: true })
      return { id: out.trim() }
    } catch (e) {
      const taken = e instanceof TmuxError ? /duplicate session: (.*)/s.exec(e.stderr.trim()) : null
      if (taken) return { taken: taken[1] }
      throw e
    }
  }

  /**
   * Make a view of parent `parent` (a target: `$id`, or `=name:`) in one atomic chain: it is
   * created under a plain temporary name (so the marks can target it exactly), marked and claimed
   * (`formatMarks` are expanded as formats first), then renamed to a name from `makeName` (asked
   * again if that name is taken), and read back by its unique claim token, as tmux stored it.
   * Commands in `first` run ahead of it in the same chain; if one fails, nothing is made. Fails
   * without creating anything if the parent is gone.
   */
  async newView(
    parent: string,
    makeName: () => string,
    marks: Record<string, string>,
    opts: { first?: string[][]; formatMarks?: Record<string, string> } = {},
  ): Promise<{ id: string; name: string }> {
    const tmp = `tmux-views-new-${process.pid}-${Math.random().toString(36).slice(2, 10)}`
    const target = `=${tmp}:`
    const token = marks[MARK.claim]
    if (!/^[\w-]+$/.test(token ?? '')) throw new Error('newView needs a plain claim token to read the view back')
    const rename = () => ['rename-session', '-t', target, '--', escapeName(makeName())]
    // Framed by the token, which nothing listed before this call can hold: the output of `first`
    // comes ahead of it.
    const readBack = ['list-sessions', '-f', `#{==:#{${MARK.claim}},${token}}`, '-F', `${token}<#{session_id}\t#{session_name}`]
    let commands = [
      ...(opts.first ?? []),
      // new-session -t with a missing target silently makes a new group: check first.
      ['has-session', '-t', parent],
      ['new-session', '-d', '-t', parent, '-s', tmp, '-P', '-F', '#{session_id}'],
      ...Object.entries(marks).map(([k, v]) => ['set-option', '-t', target, k, cleanValue(v)]),
      ...Object.entries(opts.formatMarks ?? {}).map(([k, f]) => ['set-option', '-F', '-t', target, k, f]),
      rename(),
      readBack,
    ]
    for (let attempt = 0; ; attempt++) {
      try {
        const out = await this.run(commands)
        const line = out.slice(out.lastIndexOf(`${token}<`) + token.length + 1).replace(/\n$/, '')
        const tab = line.indexOf('\t')
        return { id: line.slice(0, tab), name: line.slice(tab + 1) }
      } catch (e) {
        if (!(e instanceof TmuxError && /duplicate session/.test(e.message) && attempt < 5)) throw e
        commands = [rename(), readBack] // made and marked; only the random part of the name collided
      }
    }
  }

  /**
   * One call for a tab's usual case: the listing and, in the same atomic chain, a new view of the
   * session named `parent` if `firstView` (firstViewGate) expands to 1 right after the listing. `made`
   * is null when it did not: nothing was made, and the caller decides from the listing.
   */
  async listOrNewView(
    parent: string,
    firstView: string,
    makeName: () => string,
    marks: Record<string, string>,
    formatMarks: Record<string, string>,
  ): Promise<{ sessions: Session[]; made: { id: string; name: string } | null }> {
    const tag = listingTag()
    const list = ['list-sessions', '-F', sessionFormat(tag)]
    // The gate has the parent as its target: it fails, too, when there is no such parent.
    const pass = gate(firstView, LOOK_FIRST, `=${parent}:`)
    try {
      return { sessions: [], made: await this.newView(`=${parent}:`, makeName, marks, { first: [list, pass], formatMarks }) }
    } catch (e) {
      if (!(e instanceof TmuxError) || !['failed', 'no-session'].includes(e.kind)) throw e
      // Nothing after the listing's last row: the chain stopped before new-session printed the
      // view's id, so nothing was made. Anything after it: a view was made, and the error is
      // newView's to tell.
      if (e.stdout.endsWith(`${tag}>\n`)) return { sessions: parseSessions(e.stdout, tag), made: null }
      throw e
    }
  }

  /**
   * Compare-and-set the claim of a view inside the server: it succeeds only if nobody attached,
   * the last attach time and the claim are still what the caller saw, and then sets `marks` with
   * the claim. True when this call won.
   */
  async claim(view: Session, token: string, now: number, marks: Record<string, string> = {}): Promise<boolean> {
    const cond =
      `#{&&:#{==:#{session_attached},0},` +
      `#{&&:#{==:#{session_last_attached},${view.lastAttached ?? ''}},` +
      `#{==:#{${MARK.claim}},${view.claim ?? ''}}}}`
    const id = quoteForTmux(view.id)
    const set = Object.entries({ [MARK.claim]: token, [MARK.claimAt]: String(now), ...marks })
      .map(([k, v]) => `set-option -t ${id} ${k} ${quoteForTmux(cleanValue(v))}`)
      .join(' ; ')
    try {
      const out = await this.run([
        ['if-shell', '-F', '-t', view.id, cond, set],
        ['display-message', '-p', '-t', view.id, `#{${MARK.claim}}`],
      ])
      return out.trim() === token
    } catch (e) {
      if (e instanceof TmuxError && e.kind === 'no-session') return false
      throw e
    }
  }

  /**
   * Run many commands through `source-file -`: one process, no argument-size limit. A command that
   * fails (a guard whose session has gone) fails alone; the others still run.
   */
  async source(lines: string[]): Promise<{ stdout: string; stderr: string }> {
    if (lines.length === 0) return { stdout: '', stderr: '' }
    try {
      return { stdout: await this.run([['source-file', '-']], { input: lines.join('\n') + '\n' }), stderr: '' }
    } catch (e) {
      if (e instanceof TmuxError && e.kind !== 'missing' && e.kind !== 'no-server') return { stdout: e.stdout, stderr: e.stderr }
      throw e
    }
  }

  /**
   * Remove views, one batched invocation. Each kill is guarded inside the server, at the moment of
   * the kill: still no client, the same last-attach time and claim as seen, and not the last
   * member of its group. Resolves with the ids this call removed: gone from the closing list, and
   * not already gone when their guard ran (another cleanup's). Given `seen`, the listing the views
   * were judged from, one check of the whole server stands in for the per-view guards when nothing
   * changed since (a second invocation, with the guards, when something did).
   */
  async removeViews(views: Session[], seen?: Session[]): Promise<string[]> {
    if (views.length === 0) return []
    // With the whole listing at hand: while the server is still exactly as listed (one format over
    // every session, checked in the same atomic batch as the kills), the kills need no guards.
    const unchanged = seen && keepsEveryGroup(seen, views) ? worldUnchanged(seen) : null
    if (unchanged !== null) {
      // One line, one command group: the kills run only past the gate.
      const { stdout, stderr } = await this.source([
        [gate(unchanged, CHANGED).map(quoteForTmux).join(' '), ...views.map((v) => `kill-session -t ${quoteForTmux(v.id)}`)].join(' ; '),
        "list-sessions -F '#{session_id}'",
      ])
      if (!stderr.includes(CHANGED)) {
        const left = new Set(stdout.split('\n'))
        return views.map((v) => v.id).filter((id) => !left.has(id))
      }
      // Something changed since the listing: each kill checks its own view after all.
    }
    const { stdout, stderr } = await this.source([
      ...views.map((v) => `if-shell -F -t ${quoteForTmux(v.id)} ${quoteForTmux(removable(v))} { kill-session -t ${quoteForTmux(v.id)} }`),
      "list-sessions -F '#{session_id}'",
    ])
    const left = new Set(stdout.split('\n'))
    const missing = new Set([...stderr.matchAll(/can't find session:? (\$\d+)/g)].map((m) => m[1]))
    return views.map((v) => v.id).filter((id) => !left.has(id) && !missing.has(id))
  }

  /** Note on views that they were kept as the last of their group (so it is logged once). */
  async markKept(views: Session[]): Promise<void> {
    await this.source(views.map((v) => `set-option -t ${quoteForTmux(v.id)} ${MARK.kept} 1`))
  }

  /** Give a view that outlived its parent the parent's name back, as a plain session. */
  async rescue(view: Session, name: string): Promise<void> {
    const unset = Object.values(MARK).map((m) => ['set-option', '-u', '-t', view.id, m])
    await this.run([['rename-session', '-t', view.id, '--', escapeName(name)], ...unset])
  }

  /** The global hooks of each event of HOOKS, by index. One call. */
  private async hookTable(): Promise<Map<string, Map<number, string>>> {
    const events = HOOKS.map((h) => h.replace(/\[\d+\]$/, ''))
    const out = await this.run(events.map((e) => ['show-hooks', '-g', e]))
    const table = new Map(events.map((e) => [e, new Map<number, string>()]))
    for (const line of out.split('\n')) {
      const m = /^([\w-]+)\[(\d+)\] (.*)$/.exec(line)
      if (m) table.get(m[1])?.set(Number(m[2]), m[3])
    }
    return table
  }

  /**
   * Each of HOOKS with our command, or null where ours is not installed. Ours is recognised by its
   * command (isOurHook), at whatever index it sits; the key names that index.
   */
  async hooks(): Promise<Record<string, string | null>> {
    const table = await this.hookTable()
    return Object.fromEntries(HOOKS.map((h) => {
      const event = h.replace(/\[\d+\]$/, '')
      const ours = [...table.get(event)!].find(([, c]) => isOurHook(c))
      return ours ? [`${event}[${ours[0]}]`, ours[1]] : [h, null]
    }))
  }

  /** The client-detached hook's command, or null. */
  async hook(): Promise<string | null> {
    return Object.entries(await this.hooks()).find(([name]) => name.startsWith('client-detached['))?.[1] ?? null
  }

  /**
   * Install `command` for every event of HOOKS (null: remove ours), in one atomic call. Only a hook
   * whose command is ours is ever replaced or removed: ours stays at its index, else takes the
   * index HOOKS names when free, else the next free one. Says where each went, and which hook of
   * someone else's held the preferred index and was left alone.
   */
  async setHook(command: string | null): Promise<Array<{ event: string; index: number | null; foreign: number | null }>> {
    const table = await this.hookTable()
    const done: Array<{ event: string; index: number | null; foreign: number | null }> = []
    const commands: string[][] = []
    for (const h of HOOKS) {
      const event = h.replace(/\[\d+\]$/, '')
      const preferred = Number(/\[(\d+)\]$/.exec(h)![1])
      const hooks = table.get(event)!
      const ours = [...hooks].filter(([, c]) => isOurHook(c)).map(([i]) => i)
      const foreign = hooks.has(preferred) && !ours.includes(preferred) ? preferred : null
      const unset = (i: number) => ['set-hook', '-gu', `${event}[${i}]`]
      if (command === null) {
        commands.push(...ours.map(unset))
        done.push({ event, index: ours[0] ?? null, foreign })
        continue
      }
      let index = ours[0] ?? preferred
      while (hooks.has(index) && !ours.includes(index)) index++
      // a copy of ours at a second index (two installs raced) goes
      commands.push(...ours.filter((i) => i !== index).map(unset), ['set-hook', '-g', `${event}[${index}]`, command])
      done.push({ event, index, foreign })
    }
    if (commands.length) await this.run(commands)
    return done
  }
}
