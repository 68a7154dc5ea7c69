// Which tmux server: the flags' socket, the server of $TMUX, or tmux's default; and every server
// socket of this user (for --all-sockets).
import fs from 'node:fs'
import path from 'node:path'

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

/** The socket file a server listens on, as tmux's client would find it. */
export function socketPath(server: Server, env: NodeJS.ProcessEnv = process.env): string {
  if (server.kind === 'path') return server.value
  return path.join(socketDir(env), server.kind === 'name' ? server.value : 'default')
}

/**
 * Where this process runs relative to `server`: 'outside' any tmux, 'inside' a pane of that very
 * server ($TMUX names its socket), or inside 'another' server's pane.
 */
export function whereAmI(server: Server, env: NodeJS.ProcessEnv = process.env): 'outside' | 'inside' | 'another' {
  const mine = env.TMUX?.replace(/,\d+,-?\d+$/, '')
  if (!mine) return 'outside'
  const real = (p: string) => {
    try {
      return fs.realpathSync(p)
    } catch {
      return path.resolve(p)
    }
  }
  return real(mine) === real(socketPath(server, env)) ? 'inside' : 'another'
}
