// The lifecycle log: one JSON line per event in $XDG_STATE_HOME/tmux-views/events.jsonl. Logging
// is a side job, so a broken log (a full disk, say) costs one warning, never the script; only a
// log directory or file that another user owns or may write is an error (a Failure, exit 1).
import { closeSync, fstatSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, isAbsolute, join } from 'node:path'
import { Failure } from './errors.ts'
import { tryLock } from './lock.ts'
import { checkOpened, privateDir } from './paths.ts'

export type EventName = 'created' | 'reused' | 'removed' | 'rescued' | 'kept-last-of-group'
export type Layer = 'spawn' | 'hook' | 'sweep' | 'manual' | 'terminal'

export interface LifecycleEvent {
  time: string // ISO 8601
  event: EventName
  /** spawn for created/reused; hook, sweep, manual or terminal for removals */
  layer: Layer
  /** the tmux server's label */
  socket: string
  parent: string | null
  view: string
  /** for removals: seconds from the view's creation to its removal */
  lifetimeSec?: number
}

/** Past this size the log moves to events.jsonl.1 (replacing the older one) before the next append. */
export const MAX_LOG_BYTES = 1024 * 1024

const DAY_MS = 86_400_000

// ---- where ------------------------------------------------------------------------------------

export function logDir(env: NodeJS.ProcessEnv = process.env): string {
  // The XDG spec says a relative path in these variables is invalid and must be ignored.
  const state = env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME)
    ? env.XDG_STATE_HOME
    : join(env.HOME || homedir(), '.local', 'state')
  return join(state, 'tmux-views')
}

export function logPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(logDir(env), 'events.jsonl')
}

// ---- writing ----------------------------------------------------------------------------------

export interface AppendOptions {
  env?: NodeJS.ProcessEnv
  maxBytes?: number
  warn?: (msg: string) => void
}

/** `fd` once checkOpened passes (the file is ours, writable by no one else); closed if not. */
function checked(file: string, fd: number): number {
  try {
    checkOpened(file, fd)
  } catch (e) {
    closeSync(fd)
    throw e
  }
  return fd
}

function openChecked(file: string): number {
  return checked(file, openSync(file, 'a', 0o600))
}

/**
 * Open the log for appending, rotating it first when it has grown past maxBytes. One writer at a
 * time rotates, under a lock, and only after looking again at the file at the path: a writer
 * that saw the big file after another one rotated it must not move the fresh log over the full
 * .1. A writer that does not get the lock appends to the file it opened: its line lands in this
 * generation or, if that was just moved, in .1; lost either way is nothing.
 */
function openLog(file: string, maxBytes: number): number {
  const fd = openChecked(file)
  if (fstatSync(fd).size <= maxBytes) return fd
  let unlock: (() => void) | null = null
  try {
    unlock = tryLock(`${file}.rotate.lock`)
  } catch (e) {
    if (e instanceof Failure) {
      closeSync(fd)
      throw e
    }
  }
  if (!unlock) return fd
  let rotated = false
  try {
    if (statSync(file).size > maxBytes) {
      renameSync(file, `${file}.1`)
      rotated = true
    }
  } catch {
    // gone meanwhile: nothing to rotate
  } finally {
    unlock()
  }
  if (!rotated) return fd
  closeSync(fd)
  return openChecked(file)
}

/** Append events to the log; a write that fails is a warning. Throws only a Failure: a log directory or file that is not safely yours. */
export function appendEvents(events: LifecycleEvent[], opts: AppendOptions = {}): void {
  if (events.length === 0) return
  let file = '(unknown)'
  try {
    file = logPath(opts.env)
    const buf = Buffer.from(events.map((e) => JSON.stringify(e) + '\n').join(''))
    privateDir(dirname(file))
    // A second try only if the generation written to was dropped before the write (two rotations
    // while this writer slept): then the lines go to the current log.
    for (let attempt = 0; attempt < 2; attempt++) {
      const fd = openLog(file, opts.maxBytes ?? MAX_LOG_BYTES)
      try {
        // One write() to an O_APPEND file lands at the end as a whole, so lines from parallel
        // writers never mix (on local filesystems; NFS gives no such promise).
        const written = writeSync(fd, buf)
        if (written < buf.length) {
          // End the fragment, so only it is unreadable and not the next writer's line as well.
          writeSync(fd, '\n')
          throw new Error(`short write (${written} of ${buf.length} bytes)`)
        }
        if (fstatSync(fd).nlink > 0) break
      } finally {
        closeSync(fd)
      }
    }
  } catch (e) {
    if (e instanceof Failure) throw e
    const reason = (e as Error)?.message ?? String(e)
    const msg = `tmux-views: cannot write the lifecycle log (${file}): ${reason}`
    try {
      if (opts.warn) opts.warn(msg)
      else process.stderr.write(msg + '\n')
    } catch {
      // a closed stderr must not fail the script either
    }
  }
}

// ---- reading ----------------------------------------------------------------------------------

export interface ReadResult {
  events: LifecycleEvent[]
  /** lines that were not JSON, or not an object with a string `event` and a valid `time` */
  corrupt: number
}

function parseLine(line: string): LifecycleEvent | null {
  try {
    const v = JSON.parse(line)
    if (v && typeof v === 'object' && typeof v.event === 'string' && typeof v.time === 'string'
      && !Number.isNaN(Date.parse(v.time)))
      return v as LifecycleEvent
  } catch {
    // counted by the caller
  }
  return null
}

function openIfThere(file: string): number | null {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch (e) {
    // ENOTDIR: a file stands where a directory of the path should be, so no log can exist
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return null
    throw e
  }
  return checked(file, fd)
}

function inWindow(sinceMs: number | undefined, now: number): (e: LifecycleEvent) => boolean {
  if (sinceMs === undefined) return () => true
  const from = now - sinceMs
  return (e) => Date.parse(e.time) >= from
}

export function readEvents(opts: { env?: NodeJS.ProcessEnv; sinceMs?: number; now?: number } = {}): ReadResult {
  const file = logPath(opts.env)
  try {
    privateDir(dirname(file), { create: false })
  } catch (e) {
    if (e instanceof Failure) throw e
  }
  // Current file first: if a rotation happens in between, .1 is then the file already open, and
  // is skipped instead of read twice.
  const current = openIfThere(file)
  let old: number | null = null
  try {
    old = openIfThere(`${file}.1`)
    if (old !== null && current !== null) {
      const a = fstatSync(old)
      const b = fstatSync(current)
      if (a.ino === b.ino && a.dev === b.dev) {
        closeSync(old)
        old = null
      }
    }
    const keep = inWindow(opts.sinceMs, opts.now ?? Date.now())
    const out: ReadResult = { events: [], corrupt: 0 }
    for (const fd of [old, current]) {
      if (fd === null) continue
      for (const line of readFileSync(fd, 'utf8').split('\n')) {
        if (line.trim() === '') continue
        const event = parseLine(line)
        if (!event) out.corrupt++
        else if (keep(event)) out.events.push(event)
      }
    }
    return out
  } finally {
    if (old !== null) closeSync(old)
    if (current !== null) closeSync(current)
  }
}

// ---- statistics -------------------------------------------------------------------------------

export interface Stats {
  /** start of the window, or null for all events */
  since: string | null
  events: number
  created: number
  reused: number
  removed: number
  rescued: number
  keptLastOfGroup: number
  /** removals per layer, e.g. { hook: 2, sweep: 1 } */
  removedBy: Record<string, number>
  /** reused / (created + reused); null when both are 0 */
  reuseRate: number | null
  /** over the removals that carry lifetimeSec */
  lifetimeSec: { median: number | null; p95: number | null }
  /** cleanup removals per day over the window (or first event to now), counting at least 1 day */
  orphansCleanedPerDay: number | null
}

/**
 * Nearest-rank percentile: the ceil(p*n)-th smallest value, always one of the values themselves
 * (median of [1,2,3,4] is 2; p95 of 1..20 is 19). `sorted` must be ascending.
 */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null
  // the epsilon keeps float noise such as 0.95 * 20 = 19.000000000000004 from skipping a rank
  const rank = Math.max(1, Math.ceil(p * sorted.length - 1e-9))
  return sorted[Math.min(rank, sorted.length) - 1]
}

const CLEANUP_LAYERS: ReadonlySet<string> = new Set<Layer>(['hook', 'sweep', 'manual', 'terminal'])

export function computeStats(events: LifecycleEvent[], opts: { now?: number; sinceMs?: number } = {}): Stats {
  const now = opts.now ?? Date.now()
  const list = events.filter(inWindow(opts.sinceMs, now))
  const count = (name: EventName) => list.filter((e) => e.event === name).length
  const removals = list.filter((e) => e.event === 'removed')

  const removedBy: Record<string, number> = {}
  for (const e of removals) removedBy[e.layer] = (removedBy[e.layer] ?? 0) + 1

  const created = count('created')
  const reused = count('reused')
  const lifetimes = removals
    .map((e) => e.lifetimeSec)
    .filter((n): n is number => typeof n === 'number' && Number.isFinite(n))
    .sort((a, b) => a - b)

  let spanMs: number | null = opts.sinceMs ?? null
  if (spanMs === null && list.length > 0)
    spanMs = now - list.reduce((first, e) => Math.min(first, Date.parse(e.time)), Infinity)
  const cleaned = removals.filter((e) => CLEANUP_LAYERS.has(e.layer)).length

  return {
    since: opts.sinceMs === undefined ? null : new Date(now - opts.sinceMs).toISOString(),
    events: list.length,
    created,
    reused,
    removed: removals.length,
    rescued: count('rescued'),
    keptLastOfGroup: count('kept-last-of-group'),
    removedBy,
    reuseRate: created + reused === 0 ? null : reused / (created + reused),
    lifetimeSec: { median: percentile(lifetimes, 0.5), p95: percentile(lifetimes, 0.95) },
    orphansCleanedPerDay: spanMs === null ? null : cleaned / Math.max(1, spanMs / DAY_MS),
  }
}
