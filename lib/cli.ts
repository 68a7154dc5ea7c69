// What every script shares: flags, exit codes, one-line errors, colour only on a terminal.
import { writeSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { isatty } from 'node:tty'
import { fileURLToPath } from 'node:url'
// zx re-exports minimist only from its full index, whose vendor bundle costs ~50 ms at every start;
// the package itself is 3 KB. chalk comes from zx/core, loaded only to colour a terminal (paint).
import minimist from 'minimist'
import ms from 'ms'
import { TmuxError } from './tmux.ts'
import { rootOf, staleBuild, versionText } from './build.ts'

import { Failure, UsageError } from './errors.ts'
import { printable } from './text.ts'

export { Failure, UsageError }

export interface FlagSpec {
  string?: string[]
  boolean?: string[]
  alias?: Record<string, string>
  default?: Record<string, unknown>
}

/** The arguments after the script itself, whether run by node, tsx or `npx zx`. */
export function scriptArgs(metaUrl: string, argv = process.argv): string[] {
  const self = fileURLToPath(metaUrl)
  const i = argv.findIndex((a, n) => n > 0 && resolve(a) === self)
  return argv.slice(i === -1 ? 2 : i + 1)
}

export type Flags = Record<string, unknown> & { _: string[] }

/** Flags whose empty value (--socket=, -L '') would silently mean something else: a usage error. */
const NON_EMPTY = new Set(['socket', 'socket-path', 'grace', 'max-age', 'since', 'timeout'])

/** minimist, strict: an unknown flag or a missing value is a usage error. */
export function parseFlags(args: string[], spec: FlagSpec): Flags {
  const flags = minimist(args, {
    string: spec.string,
    boolean: [...(spec.boolean ?? []), 'help', 'version'],
    alias: { h: 'help', ...spec.alias },
    default: spec.default,
    '--': true,
    unknown: (arg: string) => {
      if (!arg.startsWith('-') || arg === '-') return true
      throw new UsageError(`unknown flag: ${arg.split('=')[0]}`)
    },
  }) as Flags
  flags._ = [...flags._.map(String), ...((flags['--'] as string[] | undefined) ?? [])]
  for (const name of spec.string ?? []) {
    const v = flags[name]
    if (Array.isArray(v)) throw new UsageError(`--${name} given twice`)
    if (v === '' && (args.some((a) => a === `--${name}`) || NON_EMPTY.has(name))) throw new UsageError(`--${name} needs a value`)
  }
  return flags
}

/** What colour needs of an output stream. */
type Output = { isTTY?: boolean }

/** stdout, asked through its fd: process.stdout would set up node's stream (~1 ms) to answer. */
const STDOUT: Output = { get isTTY() { return isatty(1) } }

/** Colour only on a terminal, and never with NO_COLOR. */
export function useColour(stream: Output = STDOUT, env = process.env): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in env && env.NO_COLOR !== '') && env.TERM !== 'dumb'
}

/** The colours the scripts use. */
export type Paint = Record<'red' | 'green' | 'yellow' | 'cyan' | 'dim' | 'bold', (text: string) => string>

const PLAIN: Paint = { red: String, green: String, yellow: String, cyan: String, dim: String, bold: String }

/**
 * Colours for `stream`: chalk on a terminal, plain text otherwise. zx/core, which brings chalk, is
 * imported only here and only then: it costs ~30 ms, and hooks and timers never print in colour.
 */
export async function paint(stream: Output = STDOUT): Promise<Paint> {
  if (!useColour(stream)) return PLAIN
  const { chalk } = await import('zx/core')
  chalk.level = Math.max(chalk.level, 1) as 1
  return chalk
}

let silenced = false

/** From here on, print nothing and exit 0 whatever happens (for tmux hooks). */
export function silence() {
  silenced = true
  process.stdout.write = process.stderr.write = (() => true) as typeof process.stdout.write
}

/**
 * Print one line on stdout with a plain write(2): console.log's first use sets up a stream, which
 * costs ~4 ms of a start that terminals pay on every new tab. A stdout left non-blocking by whoever
 * shares it (EAGAIN) gets the stream after all; a reader that went away (EPIPE) ends the output
 * quietly, as console.log does; silence() holds here too.
 */
export function say(line: string): void {
  if (silenced) return
  let buf = Buffer.from(`${line}\n`)
  while (buf.length > 0) {
    try {
      buf = buf.subarray(writeSync(1, buf))
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'EPIPE') return // the reader is gone (`| head`): nothing more to say, and no error
      if (code !== 'EAGAIN') throw e
      process.stdout.write(buf)
      return
    }
  }
}

/** The line every script's --help shows for --version. */
export const VERSION_HELP = '  --version               print the version (and the commit dist/ was built from)'

/** `--version`: print it and end the script; for `if (flags.version) return version(import.meta.url)`. */
export function version(metaUrl: string): void {
  console.log(versionText(metaUrl))
}

/**
 * One line on stderr when this compiled entry's dist/ was built from another commit than its git
 * checkout is at (after git pull or a plugin update without npm ci). Source runs (tsx) have
 * nothing to compare. For the timer this lands in the journal; the TPM entry shows it in the
 * status line; a hook stays silent (report --doctor says it). Said after the work, so that
 * --hook's silence holds.
 */
function warnStale(name: string) {
  const entry = process.argv[1] ?? ''
  if (!/[/\\]dist[/\\]scripts[/\\][^/\\]+\.[cm]js$/.test(entry)) return
  const stale = staleBuild(rootOf(entry))
  if (stale) process.stderr.write(`${name}: ${stale}\n`)
}

/** Run a script's main(): map errors to one line on stderr and an exit code, never a stack. */
export async function runMain(name: string, usage: string, main: () => Promise<number | void>) {
  process.once('exit', () => void (silenced && (process.exitCode = 0)))
  try {
    process.exitCode = (await main()) ?? 0
  } catch (e) {
    const err = e as Error
    if (err instanceof UsageError) {
      process.stderr.write(`${name}: ${printable(err.message)}\n${usage.split('\n')[0]}\nTry '${name} --help'.\n`)
      process.exitCode = 2
      return
    }
    const known = err instanceof Failure || err instanceof TmuxError
    const msg = known ? err.message : `unexpected error: ${err?.message ?? String(e)}`
    // names and paths in a message are shown escaped: one line, and no control reaches the terminal
    process.stderr.write(`${name}: ${printable(msg)}\n`)
    if (!known && process.env.TMUX_VIEWS_DEBUG) process.stderr.write(`${err?.stack}\n`)
    process.exitCode = 1
  } finally {
    warnStale(name)
  }
}

/** A duration in `ms` syntax (90s, 5m, 2h; a bare number is seconds) as milliseconds. */
export function parseDuration(flag: string, value: unknown): number {
  const text = String(value).trim()
  if (text === '') throw new UsageError(`--${flag} needs a value: a duration such as 30s, 5m or 2h`)
  let n: unknown
  try {
    n = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : ms(text as ms.StringValue)
  } catch {
    n = undefined
  }
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0)
    throw new UsageError(`--${flag} wants a duration such as 30s, 5m or 2h, not '${text}'`)
  return n
}

/** The flags that choose a tmux server and how long it may take to answer, shared by every script. */
export const SERVER_FLAGS = ['socket', 'socket-path', 'timeout']
export const SERVER_HELP = `  -L, --socket NAME       tmux server socket name (tmux -L)
  -S, --socket-path PATH  tmux server socket path (tmux -S); a socket another user owns is refused
                          default: the server of $TMUX, else tmux's default server
  --timeout DURATION      how long one tmux call may wait for its server (default 5s; 0: no limit)`

/**
 * The compiled entry of script `name` (dist/scripts/NAME.cjs), which hooks, timers and terminals
 * run: plain node on one CommonJS file is the fast path (dist/scripts/NAME.mjs is only the old
 * name, kept for older wiring). `metaUrl` is the calling script's import.meta.url.
 */
export function compiledEntry(metaUrl: string, name: string): string {
  const self = fileURLToPath(metaUrl)
  const dir = /\.[cm]js$/.test(self) ? dirname(self) : resolve(dirname(self), '../dist/scripts')
  return join(dir, `${name}.cjs`)
}
