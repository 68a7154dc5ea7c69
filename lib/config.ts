// Settings: defaults < $XDG_CONFIG_HOME/tmux-views/config.json < environment < flags.
import { closeSync, openSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, isAbsolute, join } from 'node:path'
import { UsageError, parseDuration } from './cli.ts'
import { Failure } from './errors.ts'
import { checkOpened, privateDir } from './paths.ts'

export interface Settings {
  maxAge: string
  grace: string
  /** how long one tmux call may wait for its server before it counts as stuck ('0': no limit) */
  timeout: string
  socket?: string
  socketPath?: string
}

export const DEFAULTS: Settings = { maxAge: '5m', grace: '30s', timeout: '5s' }

/** The config file's keys, the environment variable and the flag for each. */
const KEYS: Record<keyof Settings, { env: string; flag: string; duration: boolean }> = {
  maxAge: { env: 'TMUX_VIEWS_MAX_AGE', flag: 'max-age', duration: true },
  grace: { env: 'TMUX_VIEWS_GRACE', flag: 'grace', duration: true },
  timeout: { env: 'TMUX_VIEWS_TIMEOUT', flag: 'timeout', duration: true },
  socket: { env: 'TMUX_VIEWS_SOCKET', flag: 'socket', duration: false },
  socketPath: { env: 'TMUX_VIEWS_SOCKET_PATH', flag: 'socket-path', duration: false },
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME)
    ? env.XDG_CONFIG_HOME
    : join(env.HOME || homedir(), '.config')
  return join(base, 'tmux-views', 'config.json')
}

/** The config file's settings; a missing file is none, a bad one a usage error naming file and key. */
export function readConfig(file: string): Partial<Settings> {
  let text: string
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`)
  }
  try {
    // Settings another user could write (the file or its directory) are refused, not read.
    privateDir(dirname(file), { create: false, follow: true })
    checkOpened(file, fd)
    text = readFileSync(fd, 'utf8')
  } catch (e) {
    if (e instanceof Failure) throw e
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`)
  } finally {
    closeSync(fd)
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (e) {
    throw new UsageError(`${file}: not valid JSON (${(e as Error).message})`)
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new UsageError(`${file}: expected a JSON object`)
  const out: Partial<Settings> = {}
  for (const [key, value] of Object.entries(data)) {
    if (key === '$schema') continue
    // own keys only: "constructor" or "__proto__" must not find Object.prototype's
    const spec = Object.hasOwn(KEYS, key) ? KEYS[key as keyof Settings] : undefined
    if (!spec) throw new UsageError(`${file}: unknown key "${key}" (known: ${Object.keys(KEYS).join(', ')})`)
    if (typeof value !== 'string' || value === '') throw new UsageError(`${file}: key "${key}" must be a non-empty string`)
    if (spec.duration) check(() => parseDuration(spec.flag, value), `${file}: key "${key}"`)
    out[key as keyof Settings] = value
  }
  return out
}

/** Merge the layers; every duration is checked, so a bad one is a usage error before any work. */
export function loadSettings(flags: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env, useFile = true): Settings {
  const file = useFile ? readConfig(configPath(env)) : {}
  const merged: Settings = { ...DEFAULTS }
  for (const [key, spec] of Object.entries(KEYS) as Array<[keyof Settings, (typeof KEYS)[keyof Settings]]>) {
    const fromEnv = env[spec.env] || undefined
    const fromFlag = flags[spec.flag] as string | undefined
    const value = fromFlag ?? fromEnv ?? file[key]
    if (value === undefined) continue
    if (spec.duration && fromFlag === undefined && fromEnv !== undefined) check(() => parseDuration(spec.flag, value), `$${spec.env}`)
    if (spec.duration) parseDuration(spec.flag, value)
    merged[key] = value
  }
  // A socket named by a higher layer replaces a socket path from a lower one, and the other way round.
  if (flags.socket || flags['socket-path']) {
    merged.socket = flags.socket as string | undefined
    merged.socketPath = flags['socket-path'] as string | undefined
  }
  return merged
}

function check(fn: () => unknown, where: string) {
  try {
    fn()
  } catch (e) {
    throw new UsageError(`${where}: ${(e as Error).message.replace(/^--[\w-]+ /, '')}`)
  }
}
