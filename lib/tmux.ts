// The one module that starts tmux. Every call goes through Tmux.run(), which adds the server
// choice (-L / -S) and quotes each argument through zx, so no name ever reaches a shell as text.
import { $ } from 'zx/core'

// ---- server choice ----------------------------------------------------------------------------

export type Server =
  | { kind: 'name'; value: string } // tmux -L NAME
  | { kind: 'path'; value: string } // tmux -S PATH
  | { kind: 'default' }

/** `--socket` wins, then `--socket-path`, then the server of `$TMUX`, then tmux's default. */
export function serverFrom(
  flags: { socket?: string; socketPath?: string },
  env: NodeJS.ProcessEnv = process.env,
): Server {
  if (flags.socket) return { kind: 'name', value: flags.socket }
  if (flags.socketPath) return { kind: 'path', value: flags.socketPath }
  // $TMUX is "SOCKET_PATH,SERVER_PID,SESSION_INDEX"; the path may itself hold commas.
  const inside = env.TMUX?.replace(/,\d+,\d+$/, '')
  if (inside) return { kind: 'path', value: inside }
  return { kind: 'default' }
}

export function serverArgs(server: Server): string[] {
  if (server.kind === 'name') return ['-L', server.value]
  if (server.kind === 'path') return ['-S', server.value]
  return []
}

export function serverLabel(server: Server): string {
  return server.kind === 'default' ? 'default' : server.value
}

// ---- errors -----------------------------------------------------------------------------------

export type TmuxErrorKind = 'missing' | 'no-server' | 'no-session' | 'failed'

/** A failed tmux call, with a one-line message that names the tmux command. */
export class TmuxError extends Error {
  kind: TmuxErrorKind
  stdout: string
  constructor(kind: TmuxErrorKind, message: string, stdout = '') {
    super(message)
    this.kind = kind
    this.stdout = stdout
  }
}

export function classify(stderr: string, exitCode: number | null): TmuxErrorKind {
  if (exitCode === 127 || /command not found|No such file or directory.*tmux|not found: tmux/.test(stderr))
    return 'missing'
  if (/no server running|error connecting to|server exited unexpectedly/.test(stderr)) return 'no-server'
  if (/can't find session|no such session|session not found/.test(stderr)) return 'no-session'
  return 'failed'
}

// ---- command building -------------------------------------------------------------------------

/**
 * tmux ends a command at any argument that ends in ';' (and drops the ';'). Escape it so a value
 * like "x;" stays "x;" and never starts a second command.
 */
export function escapeArg(arg: string): string {
  return arg.endsWith(';') ? arg.slice(0, -1) + '\\;' : arg
}

/** Names given to -s and rename-session are format-expanded: `#(cmd)` would run cmd. */
export function escapeName(name: string): string {
  return name.replaceAll('#', '##')
}

/** Join commands into one invocation's arguments: tmux runs such a chain atomically. */
export function chain(commands: string[][]): string[] {
  return commands.flatMap((cmd, i) => [...(i ? [';'] : []), ...cmd.map(escapeArg)])
}

/** Session options hold tab text; a tab or newline in a value would break the listing's rows. */
export function cleanValue(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ')
}

// ---- the session model ------------------------------------------------------------------------

/** The marks spawn-view leaves on a view: session user options, so tracking lives in tmux. */
export const MARK = {
  parentId: '@tmux-views-parent-id',
  parent: '@tmux-views-parent',
  created: '@tmux-views-created',
  claim: '@tmux-views-claim',
  claimAt: '@tmux-views-claim-at',
  tab: '@tmux-views-tab',
  title: '@tmux-views-title',
  icon: '@tmux-views-icon',
} as const

export interface Session {
  id: string
  name: string
  attached: number
  created: number
  lastAttached: number | null
  group: string | null
  groupSize: number
  parentId: string | null
  parentName: string | null
  viewCreated: number | null
  claim: string | null
  claimAt: number | null
  tab: string | null
  title: string | null
  icon: string | null
}

const text = (v: string) => v
const int = (v: string) => Number.parseInt(v, 10) || 0
const optInt = (v: string) => (v === '' ? null : Number.parseInt(v, 10))
const optText = (v: string) => (v === '' ? null : v)

/** One list: it builds the -F format and parses rows, so order and parser cannot drift apart. */
export const SESSION_FIELDS: ReadonlyArray<[keyof Session, string, (v: string) => unknown]> = [
  ['id', 'session_id', text],
  ['name', 'session_name', text],
  ['attached', 'session_attached', int],
  ['created', 'session_created', int],
  ['lastAttached', 'session_last_attached', optInt],
  ['group', 'session_group', optText],
  ['groupSize', 'session_group_size', int],
  ['parentId', MARK.parentId, optText],
  ['parentName', MARK.parent, optText],
  ['viewCreated', MARK.created, optInt],
  ['claim', MARK.claim, optText],
  ['claimAt', MARK.claimAt, optInt],
  ['tab', MARK.tab, optText],
  ['title', MARK.title, optText],
  ['icon', MARK.icon, optText],
]

// tmux writes names with tabs escaped (\t), and option values are cleaned on write, so a tab
// separates fields safely.
export const SESSION_FORMAT = SESSION_FIELDS.map(([, f]) => `#{${f}}`).join('\t')

export function parseSessions(stdout: string): Session[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const values = line.split('\t')
      const row: Record<string, unknown> = {}
      SESSION_FIELDS.forEach(([key, , parse], i) => (row[key] = parse(values[i] ?? '')))
      return row as unknown as Session
    })
}

// ---- the runner -------------------------------------------------------------------------------

export interface RunOptions {
  input?: string
  /** attach and switch-client need the terminal */
  inherit?: boolean
}

export class Tmux {
  server: Server
  bin: string

  constructor(server: Server, bin = process.env.TMUX_VIEWS_TMUX || 'tmux') {
    this.server = server
    this.bin = bin
  }

  get label(): string {
    return serverLabel(this.server)
  }

  /**
   * Run one tmux invocation of one or more commands (chained atomically); resolves with stdout,
   * rejects with a one-line TmuxError.
   */
  async run(commands: string[][], opts: RunOptions = {}): Promise<string> {
    const args = chain(commands)
    const argv = [...serverArgs(this.server), ...args]
    const out = await $({
      input: opts.input,
      stdio: opts.inherit ? 'inherit' : 'pipe',
      nothrow: true,
      quiet: true,
      verbose: false,
    })`${this.bin} ${argv}`
    if (out.exitCode === 0) return out.stdout
    const stderr = out.stderr.trim().split('\n').pop() ?? ''
    const kind = classify(out.stderr, out.exitCode)
    const what = args.find((a) => !a.startsWith('-')) ?? 'tmux'
    if (kind === 'missing') throw new TmuxError(kind, `tmux is not installed (looked for '${this.bin}')`)
    if (kind === 'no-server') throw new TmuxError(kind, `no tmux server on socket '${this.label}'`)
    throw new TmuxError(kind, `tmux ${what}: ${stderr || `exit code ${out.exitCode}`}`, out.stdout)
  }

  /** Every session, from one list-sessions call. No server means no sessions. */
  async listSessions(): Promise<Session[]> {
    try {
      return parseSessions(await this.run([['list-sessions', '-F', SESSION_FORMAT]]))
    } catch (e) {
      if (e instanceof TmuxError && e.kind === 'no-server') return []
      throw e
    }
  }

  /** Like listSessions, but a missing server is an error. */
  async listSessionsStrict(): Promise<Session[]> {
    return parseSessions(await this.run([['list-sessions', '-F', SESSION_FORMAT]]))
  }

  /** Make a plain session; true if made, false if one of that name appeared first. */
  async newSession(name: string): Promise<boolean> {
    try {
      await this.run([['new-session', '-d', '-s', escapeName(name)]])
      return true
    } catch (e) {
      if (e instanceof TmuxError && /duplicate session/.test(e.message)) return false
      throw e
    }
  }

  /**
   * Make a view of parent `parentId` in one atomic chain: it is created under a plain temporary
   * name (so the marks can target it exactly), marked and claimed, then renamed to a name from
   * `makeName` (asked again if that name is taken). Resolves with the new session's id. Fails
   * without creating anything if the parent is gone.
   */
  async newView(parentId: string, makeName: () => string, marks: Record<string, string>): Promise<string> {
    const tmp = `tmux-views-new-${process.pid}-${Math.random().toString(36).slice(2, 10)}`
    const target = `=${tmp}:`
    const rename = () => ['rename-session', '-t', target, '--', escapeName(makeName())]
    let commands = [
      // new-session -t with a missing target silently makes a new group: check first.
      ['has-session', '-t', parentId],
      ['new-session', '-d', '-t', parentId, '-s', tmp, '-P', '-F', '#{session_id}'],
      ...Object.entries(marks).map(([k, v]) => ['set-option', '-t', target, k, cleanValue(v)]),
      rename(),
    ]
    let id = ''
    for (let attempt = 0; ; attempt++) {
      try {
        id ||= (await this.run(commands)).trim()
        return id
      } catch (e) {
        if (!(e instanceof TmuxError && /duplicate session/.test(e.message) && attempt < 5)) throw e
        id ||= e.stdout.trim() // made and marked; only the random part of the name collided
        commands = [rename()]
      }
    }
  }

  /**
   * Compare-and-set the claim of a view inside the server: it succeeds only if nobody attached,
   * the last attach time and the claim are still what the caller saw. True when this call won.
   */
  async claim(view: Session, token: string, now: number): Promise<boolean> {
    const cond =
      `#{&&:#{==:#{session_attached},0},` +
      `#{&&:#{==:#{session_last_attached},${view.lastAttached ?? ''}},` +
      `#{==:#{${MARK.claim}},${view.claim ?? ''}}}}`
    const id = quoteForTmux(view.id)
    const set = `set-option -t ${id} ${MARK.claim} ${token} ; set-option -t ${id} ${MARK.claimAt} ${now}`
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

  async sessionName(id: string): Promise<string> {
    return (await this.run([['display-message', '-p', '-t', id, '#{session_name}']])).trim()
  }

  /** Set marks on a session by id, then optionally run one more command, in one invocation. */
  async setMarks(id: string, marks: Record<string, string>, then: string[][] = [], opts: RunOptions = {}) {
    const sets = Object.entries(marks).map(([k, v]) => ['set-option', '-t', id, k, cleanValue(v)])
    if (sets.length + then.length === 0) return ''
    return this.run([...sets, ...then], opts)
  }
}

/** Quote a value for tmux's own command parser (inside if-shell's command string). */
export function quoteForTmux(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}
