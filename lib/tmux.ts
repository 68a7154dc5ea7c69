// The one module that starts tmux. Every call goes through Tmux.run(), which adds the server
// choice (-L / -S) and quotes each argument through zx, so no name ever reaches a shell as text.
import fs from 'node:fs'
import path from 'node:path'
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
  // $TMUX is "SOCKET_PATH,SERVER_PID,SESSION_INDEX" (the index is -1 while tmux reads its config,
  // when TPM runs plugins); the path may itself hold commas.
  const inside = env.TMUX?.replace(/,\d+,-?\d+$/, '')
  if (inside) return { kind: 'path', value: inside }
  return { kind: 'default' }
}

export function serverArgs(server: Server): string[] {
  if (server.kind === 'name') return ['-L', server.value]
  if (server.kind === 'path') return ['-S', server.value]
  return []
}

/** How a server is named in output and the log: a socket in tmux's own directory by its -L name. */
export function serverLabel(server: Server, env: NodeJS.ProcessEnv = process.env): string {
  if (server.kind === 'default') return 'default'
  if (server.kind === 'path' && path.dirname(server.value) === socketDir(env)) return path.basename(server.value)
  return server.value
}

/** tmux's own socket directory for this user: $TMUX_TMPDIR (or /tmp) / tmux-UID. */
export function socketDir(env: NodeJS.ProcessEnv = process.env): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0
  return path.join(env.TMUX_TMPDIR || '/tmp', `tmux-${uid}`)
}

/** Every server socket of this user (live or stale: a stale one answers "no server"). */
export function allServers(env: NodeJS.ProcessEnv = process.env): Server[] {
  const dir = socketDir(env)
  let names: string[]
  try {
    names = fs.readdirSync(dir).sort()
  } catch {
    return []
  }
  return names
    .map((n) => path.join(dir, n))
    .filter((p) => {
      try {
        return fs.statSync(p).isSocket()
      } catch {
        return false
      }
    })
    .map((p) => ({ kind: 'path', value: p }))
}

// ---- versions: what differs between the tmux releases users run -----------------------------------
// 3.2: -N (don't start a server), hooks fire on every client loss, #{current_file}, source-file -.
// 3.3: destroy-unattached crashed the server here in 4 of 12 detach runs.
// 3.4: destroy-unattached gained keep-group (crash reports). 3.5: run-shell uses default-shell,
// which is why hookCommand() holds only quoted words. None of our commands read #{hook_client}.

export interface Check {
  name: string
  ok: boolean
  detail: string
  /** the command that fixes it */
  fix?: string
}

/** "tmux 3.3a" → 3.3; "tmux next-3.6" → 3.6; unknown → null. */
export function tmuxVersion(text: string): number | null {
  const m = /(\d+)\.(\d+)/.exec(text)
  return m ? Number(`${m[1]}.${m[2]}`) : null
}

/** The known hazards of a tmux version and its destroy-unattached setting (pure). */
export function hazards(version: number | null, destroyUnattached: string): Check[] {
  const out: Check[] = []
  if (version !== null && version < 3.2)
    out.push({ name: 'tmux version', ok: false, detail: `tmux ${version} may not fire client-detached when a client dies; tmux-views needs 3.2 or newer`, fix: 'upgrade tmux, and run sweep from a timer meanwhile' })
  if (destroyUnattached !== 'off' && destroyUnattached !== '') {
    const why = version !== null && version < 3.4
      ? `crashed tmux ${version} here in 4 of 12 detach runs, and `
      : destroyUnattached === 'keep-group' ? 'keep-group has crash reports, and ' : ''
    out.push({ name: 'destroy-unattached', ok: false, detail: `destroy-unattached is '${destroyUnattached}': it ${why}kills programs when a view outlives its parent; tmux-views does this job safely`, fix: 'tmux set-option -g destroy-unattached off' })
  }
  return out
}

// ---- errors -----------------------------------------------------------------------------------

export type TmuxErrorKind = 'missing' | 'no-server' | 'no-session' | 'failed'

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
  kept: '@tmux-views-kept',
} as const

export interface Session {
  id: string
  name: string
  attached: number
  created: number
  activity: number
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
  kept: boolean
}

const text = (v: string) => v
const int = (v: string) => Number.parseInt(v, 10) || 0
const optInt = (v: string) => (v === '' ? null : Number.parseInt(v, 10))
const optText = (v: string) => (v === '' ? null : v)

/**
 * One list: it builds the -F format and parses rows, so order and parser cannot drift apart.
 * groupSize is the one field not read from tmux (parseSessions counts it).
 */
export const SESSION_FIELDS: ReadonlyArray<[keyof Session, string, (v: string) => unknown]> = [
  ['id', 'session_id', text],
  ['name', 'session_name', text],
  ['attached', 'session_attached', int],
  ['created', 'session_created', int],
  ['activity', 'session_activity', int],
  ['lastAttached', 'session_last_attached', optInt],
  ['group', 'session_group', optText],
  ['parentId', MARK.parentId, optText],
  ['parentName', MARK.parent, optText],
  ['viewCreated', MARK.created, optInt],
  ['claim', MARK.claim, optText],
  ['claimAt', MARK.claimAt, optInt],
  ['tab', MARK.tab, optText],
  ['title', MARK.title, optText],
  ['icon', MARK.icon, optText],
  ['kept', MARK.kept, (v: string) => v !== ''],
]

// tmux writes names with tabs escaped (\t), and option values are cleaned on write, so a tab
// separates fields safely.
export const SESSION_FORMAT = SESSION_FIELDS.map(([, f]) => `#{${f}}`).join('\t')

export function parseSessions(stdout: string): Session[] {
  const sessions = stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const values = line.split('\t')
      const row: Record<string, unknown> = {}
      SESSION_FIELDS.forEach(([key, , parse], i) => (row[key] = parse(values[i] ?? '')))
      return row as unknown as Session
    })
  // Counted here: tmux's #{session_group_size} walks the group for every row, quadratic in views.
  const sizes = new Map<string, number>()
  for (const s of sessions) if (s.group !== null) sizes.set(s.group, (sizes.get(s.group) ?? 0) + 1)
  for (const s of sessions) s.groupSize = s.group === null ? 0 : sizes.get(s.group)!
  return sessions
}

// ---- the runner -------------------------------------------------------------------------------

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
    // -N: a server that died mid-run must not be replaced by an empty one started by our command.
    // -u: without a UTF-8 locale (cron, systemd) tmux would print the tab between fields as '_'.
    const flags = [...(opts.startServer ? [] : ['-N']), ...(opts.inherit ? [] : ['-u'])]
    const argv = [...serverArgs(this.server), ...flags, ...args]
    const out = await $({
      env: shellEnv(process.env),
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
    throw new TmuxError(kind, `tmux ${what}: ${stderr || `exit code ${out.exitCode}`}`, out.stdout, out.stderr)
  }

  /** "tmux 3.3a"; needs no server. */
  async version(): Promise<string> {
    return (await this.run([['-V']])).trim()
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
      await this.run([['new-session', '-d', '-s', escapeName(name)]], { startServer: true })
      return true
    } catch (e) {
      if (e instanceof TmuxError && /duplicate session/.test(e.message)) return false
      throw e
    }
  }

  /**
   * Make a view of parent `parentId` in one atomic chain: it is created under a plain temporary
   * name (so the marks can target it exactly), marked and claimed, then renamed to a name from
   * `makeName` (asked again if that name is taken), and read back by its unique claim token, as
   * tmux stored it. Fails without creating anything if the parent is gone.
   */
  async newView(parentId: string, makeName: () => string, marks: Record<string, string>): Promise<{ id: string; name: string }> {
    const tmp = `tmux-views-new-${process.pid}-${Math.random().toString(36).slice(2, 10)}`
    const target = `=${tmp}:`
    const token = marks[MARK.claim]
    if (!/^[\w-]+$/.test(token ?? '')) throw new Error('newView needs a plain claim token to read the view back')
    const rename = () => ['rename-session', '-t', target, '--', escapeName(makeName())]
    const readBack = ['list-sessions', '-f', `#{==:#{${MARK.claim}},${token}}`, '-F', '#{session_id}\t#{session_name}']
    let commands = [
      // new-session -t with a missing target silently makes a new group: check first.
      ['has-session', '-t', parentId],
      ['new-session', '-d', '-t', parentId, '-s', tmp, '-P', '-F', '#{session_id}'],
      ...Object.entries(marks).map(([k, v]) => ['set-option', '-t', target, k, cleanValue(v)]),
      rename(),
      readBack,
    ]
    for (let attempt = 0; ; attempt++) {
      try {
        const out = await this.run(commands)
        const line = out.slice(out.lastIndexOf('\n', out.indexOf('\t')) + 1).replace(/\n$/, '')
        const tab = line.indexOf('\t')
        return { id: line.slice(0, tab), name: line.slice(tab + 1) }
      } catch (e) {
        if (!(e instanceof TmuxError && /duplicate session/.test(e.message) && attempt < 5)) throw e
        commands = [rename(), readBack] // made and marked; only the random part of the name collided
      }
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
   * not already gone when their guard ran (another cleanup's).
   */
  async removeViews(views: Session[]): Promise<string[]> {
    if (views.length === 0) return []
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

  /** The hook's command, or null when none is installed at our index. */
  async hook(): Promise<string | null> {
    const out = await this.run([['show-hooks', '-g', 'client-detached']])
    const line = out.split('\n').find((l) => l.startsWith(`${HOOK} `))
    return line ? line.slice(HOOK.length + 1) : null
  }

  async setHook(command: string | null): Promise<void> {
    await this.run([command === null ? ['set-hook', '-gu', HOOK] : ['set-hook', '-g', HOOK, command]])
  }
}

/**
 * The kill guard: a tmux format that is true only if `v` may still go: no client, the last-attach
 * time and claim as seen, and another member left in its group. One string comparison (the values
 * are digits and [\w-] tokens, so '/' cannot occur in them) costs tmux less than nested &&s, which
 * counts when a sweep guards 1000 kills.
 */
export function removable(v: Session): string {
  const now = '#{session_attached}/#{session_last_attached}/#{' + MARK.claim + '}/#{e|>:#{session_group_size},1}'
  return `#{==:${now},0/${v.lastAttached ?? ''}/${v.claim ?? ''}/1}`
}

// ---- the client-detached hook -----------------------------------------------------------------

/** One fixed index in the hook array, so reinstalling never duplicates and other hooks stay. */
export const HOOK = 'client-detached[48]'

/**
 * The environment for zx's `bash -c`. With SHLVL unset or 0 (cron, systemd, a GUI terminal
 * starting node) and a socket on stdin, as zx gives it, Debian's bash thinks it runs over ssh and
 * sources ~/.bashrc on every tmux call: measured here, a report went from 0.13 s to 61 s on a
 * slow rc file. BASH_ENV would be sourced likewise. What npm or npx added goes too (see
 * withoutNpm): a server that spawn-view --create starts hands its environment to every pane.
 */
export function shellEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { BASH_ENV: _, ...rest } = withoutNpm(env)
  return { ...rest, SHLVL: String(Math.max(1, Number.parseInt(env.SHLVL ?? '', 10) || 0)) }
}

/**
 * `env` as it was before npm or npx ran us: no npm_* variables, INIT_CWD, NODE, the NODE_OPTIONS
 * of the project's .npmrc (--import=tsx fails every node started outside this checkout), or the
 * node_modules/.bin directories npm put in front of PATH. Unchanged when npm did not run us.
 */
export function withoutNpm(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.npm_lifecycle_event === undefined && env.npm_execpath === undefined) return env
  const out: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(env)) if (!/^npm_/i.test(k) && k !== 'INIT_CWD') out[k] = v
  if (env.NODE !== undefined && env.NODE === env.npm_node_execpath) delete out.NODE
  if (env.NODE_OPTIONS !== undefined && env.NODE_OPTIONS === env.npm_config_node_options) delete out.NODE_OPTIONS
  if (env.PATH !== undefined) {
    const dirs = env.PATH.split(':')
    let first = 0
    while (first < dirs.length - 1 && /[/\\]node_modules[/\\]\.bin$|[/\\]node-gyp-bin$/.test(dirs[first])) first++
    out.PATH = dirs.slice(first).join(':')
  }
  return out
}

/** POSIX shell single quotes. */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`
}

/**
 * The hook's tmux command: run the compiled on-detach in the background. It holds no session
 * name, and only two single-quoted words and a flag, so any default-shell runs it (tmux 3.5 runs
 * run-shell through default-shell: fish and csh included). `--hook` makes on-detach silent and
 * always exit 0 (a hook's output or failure opens a view-mode screen in the user's pane) and take
 * the server from $TMUX, which tmux sets for run-shell.
 */
export function hookCommand(node: string, entry: string): string {
  // NODE_OPTIONS goes: a server started under npm or npx carries --import=tsx, which fails node
  // at start-up (silently, in a hook) in any session outside this checkout.
  const sh = `'/usr/bin/env' -u NODE_OPTIONS ${shellQuote(node)} ${shellQuote(entry)} --hook`
  return `run-shell -b ${quoteForTmux(sh.replaceAll('#', '##'))}`
}

/** The same hook as a line for a tmux.conf. */
export function hookConfLine(node: string, entry: string): string {
  return `set-hook -g '${HOOK}' ${quoteForTmux(hookCommand(node, entry))}`
}

/** Quote a value for tmux's own command parser (inside if-shell's command string). */
export function quoteForTmux(value: string): string {
  if (!value.includes("'")) return `'${value}'`
  return `"${value.replace(/[\\"$]/g, '\\$&')}"`
}
