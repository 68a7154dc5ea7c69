// Which tmux server: the flags' socket, the server of $TMUX, or tmux's default; and every server
// socket of this user (for --all-sockets) that tmux itself would trust.
import { type Stats, lstatSync, readdirSync, realpathSync } from 'node:fs'
import { connect as connectSocket } from 'node:net'
import { basename, dirname, join, resolve as resolvePath } from 'node:path'
import { myUid } from './paths.ts'

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
  const inside = tmuxSocket(env)
  if (inside) return { kind: 'path', value: inside }
  return { kind: 'default' }
}

/**
 * The socket of the server whose pane this runs in, from $TMUX ("SOCKET_PATH,SERVER_PID,
 * SESSION_INDEX"; the index is -1 while tmux reads its config, when TPM runs plugins; the path
 * may itself hold commas), or undefined outside tmux.
 */
function tmuxSocket(env: NodeJS.ProcessEnv): string | undefined {
  return env.TMUX?.replace(/,\d+,-?\d+$/, '') || undefined
}

export function serverArgs(server: Server): string[] {
  if (server.kind === 'name') return ['-L', server.value]
  if (server.kind === 'path') return ['-S', server.value]
  return []
}

/** How a server is named in output and the log: a socket in tmux's own directory by its -L name. */
export function serverLabel(server: Server, env: NodeJS.ProcessEnv = process.env): string {
  if (server.kind === 'default') return 'default'
  if (server.kind === 'path' && dirname(server.value) === socketDir(env)) return basename(server.value)
  return server.value
}

/** tmux's own socket directory for this user: $TMUX_TMPDIR (or /tmp) / tmux-UID. */
export function socketDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.TMUX_TMPDIR || '/tmp', `tmux-${myUid()}`)
}

/** A server left out of a pass, and why: untrusted (with the reason after a colon), stuck, busy. */
export interface Skipped {
  socket: string
  reason: string
}

/**
 * Why tmux would not use `dir` as this user's socket directory, or null. tmux checks it before
 * it connects with -L or to its default server (tmux.c, expand_paths / make_label: lstat, a
 * directory, owned by the user, no permission bits for others; tmux 3.3a looks at "other" only,
 * this also refuses group bits, which tmux never sets on the directory it makes).
 */
export function socketDirProblem(dir: string, st: Stats): string | null {
  if (st.isSymbolicLink()) return `${dir} is a symlink`
  if (!st.isDirectory()) return `${dir} is not a directory`
  if (st.uid !== myUid()) return `${dir} is owned by uid ${st.uid}`
  if (st.mode & 0o077) return `${dir} is open to ${st.mode & 0o007 ? 'other users' : 'its group'} (mode ${(st.mode & 0o777).toString(8)})`
  return null
}

/**
 * Why a socket another user may have made must not be connected to, or null. A server of another
 * user makes our tmux client read and write files as us (its hooks: save-buffer, load-buffer), so
 * a socket not owned by us is never connected to. A missing socket is not a problem here: tmux
 * then says there is no server.
 */
export function socketProblem(file: string): string | null {
  let st: Stats
  try {
    st = lstatSync(file)
  } catch {
    return null
  }
  if (!st.isSocket()) return `${file} is not a socket`
  if (st.uid !== myUid()) return `${file} is owned by uid ${st.uid}`
  return null
}

/** Does a server listen on this socket? A refused connection is a stale socket (no tmux process needed to find out). */
function listening(file: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connectSocket(file)
    const done = (live: boolean) => {
      sock.destroy()
      clearTimeout(timer)
      resolve(live)
    }
    // no answer to connect at all: let tmux (with its time limit) find out what is wrong
    const timer = setTimeout(() => done(true), timeoutMs)
    sock.once('connect', () => done(true))
    sock.once('error', (e: NodeJS.ErrnoException) => done(!(e.code === 'ECONNREFUSED' || e.code === 'ENOENT')))
  })
}

/**
 * Every live server socket of this user that tmux would trust, and the ones skipped as untrusted.
 * A directory or socket that fails the check is never connected to; a stale socket (nothing
 * listens) is left out without starting tmux.
 */
export async function allServers(env: NodeJS.ProcessEnv = process.env): Promise<{ servers: Server[]; skipped: Skipped[] }> {
  const dir = socketDir(env)
  let st: Stats
  try {
    st = lstatSync(dir)
  } catch {
    return { servers: [], skipped: [] }
  }
  const bad = socketDirProblem(dir, st)
  if (bad) return { servers: [], skipped: [{ socket: dir, reason: `untrusted: ${bad}` }] }
  let names: string[]
  try {
    names = readdirSync(dir).sort()
  } catch {
    return { servers: [], skipped: [] }
  }
  const skipped: Skipped[] = []
  const sockets = names.map((n) => join(dir, n)).filter((p) => {
    try {
      if (!lstatSync(p).isSocket()) return false
    } catch {
      return false
    }
    const why = socketProblem(p)
    if (why) skipped.push({ socket: basename(p), reason: `untrusted: ${why}` })
    return why === null
  })
  const live = await Promise.all(sockets.map((p) => listening(p)))
  return { servers: sockets.filter((_, i) => live[i]).map((p) => ({ kind: 'path', value: p })), skipped }
}

/** The socket file a server listens on, as tmux's client would find it. */
export function socketPath(server: Server, env: NodeJS.ProcessEnv = process.env): string {
  if (server.kind === 'path') return server.value
  return join(socketDir(env), server.kind === 'name' ? server.value : 'default')
}

/**
 * Where this process runs relative to `server`: 'outside' any tmux, 'inside' a pane of that very
 * server ($TMUX names its socket), or inside 'another' server's pane.
 */
export function whereAmI(server: Server, env: NodeJS.ProcessEnv = process.env): 'outside' | 'inside' | 'another' {
  const mine = tmuxSocket(env)
  if (!mine) return 'outside'
  const real = (p: string) => {
    try {
      return realpathSync(p)
    } catch {
      return resolvePath(p)
    }
  }
  return real(mine) === real(socketPath(server, env)) ? 'inside' : 'another'
}
