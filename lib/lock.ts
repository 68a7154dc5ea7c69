// A per-server lock in the runtime directory, so a timer's sweep and a key binding's sweep never
// work on one server at the same time. A lock whose process is gone is stale and taken over.
import { linkSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, isAbsolute, join } from 'node:path'
import { myUid, privateDir } from './paths.ts'
import { Failure } from './errors.ts'

/**
 * $XDG_RUNTIME_DIR/tmux-views, else (cron has no XDG_RUNTIME_DIR) $TMPDIR/tmux-views-UID, as tmux
 * does for its sockets. Either is used only if it is yours and writable by no one else
 * (tryLock checks): in a shared /tmp another user could create it first.
 */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_RUNTIME_DIR && isAbsolute(env.XDG_RUNTIME_DIR) ? env.XDG_RUNTIME_DIR : tmpdir()
  return join(base, env.XDG_RUNTIME_DIR ? 'tmux-views' : `tmux-views-${myUid()}`)
}

export function lockPath(server: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(runtimeDir(env), `sweep-${fnv1a64(server)}.lock`)
}

/**
 * The lock's name for a server label: 64-bit FNV-1a of its UTF-8 bytes, 16 hex digits. Not
 * node:crypto, which costs every hook ~3 ms to load; two labels sharing a lock would only take turns.
 */
function fnv1a64(text: string): string {
  let h = 0xcbf29ce484222325n
  for (const b of Buffer.from(text, 'utf8')) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn
  return h.toString(16).padStart(16, '0')
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Create the lock holding our pid, all at once: the pid goes to a file of our own first, which
 * link() then puts in place (link never replaces a file). A full or read-only disk fails here,
 * and leaves no lock, empty or otherwise. False when the lock exists.
 */
function create(file: string): boolean {
  const tmp = `${file}.new-${process.pid}-${Math.random().toString(36).slice(2, 10)}`
  try {
    writeFileSync(tmp, `${process.pid}\n`, { flag: 'wx', mode: 0o600 })
    linkSync(tmp, file)
    return true
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw e
  } finally {
    unlinkQuietly(tmp)
  }
}

/**
 * Take the lock, or return null when a live process holds it. The returned function releases it.
 * Throws a Failure when the lock's directory is not safely yours, and the file system's error
 * (ENOSPC, EROFS, ...) when the lock cannot be written.
 */
export function tryLock(file: string): (() => void) | null {
  privateDir(dirname(file))
  for (let attempt = 0; attempt < 3; attempt++) {
    if (create(file)) {
      return () => {
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file)
        } catch {}
      }
    }
    let holder = NaN
    try {
      holder = Number.parseInt(readFileSync(file, 'utf8'), 10)
    } catch {
      continue // released meanwhile: try again
    }
    // A lock without a pid (written by an older version, which wrote it after creating the file)
    // may still be being written: give its writer a moment rather than steal it.
    if (Number.isNaN(holder) && Date.now() - statMs(file) < 2000) return null
    if (!Number.isNaN(holder) && alive(holder)) return null
    // Stale. Move it aside and look again: another process may have taken it over meanwhile,
    // and a live lock moved aside by mistake is linked back (link never overwrites).
    const aside = `${file}.stale-${process.pid}`
    try {
      renameSync(file, aside)
    } catch {
      continue
    }
    const pid = Number.parseInt(readOr(aside, ''), 10)
    if (!Number.isNaN(pid) && pid !== holder && alive(pid)) {
      try {
        linkSync(aside, file)
      } catch {}
      unlinkQuietly(aside)
      return null
    }
    unlinkQuietly(aside)
  }
  return null
}

/** unlink, ignoring a file already gone (fs.rmSync would load its whole rimraf for one file). */
function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file)
  } catch {}
}

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return fallback
  }
}

function statMs(file: string): number {
  try {
    return statSync(file).mtimeMs
  } catch {
    return 0
  }
}

/**
 * Take the lock, waiting for its holder up to `ms`; after that, go on without it (the release is
 * then a no-op). For the hook: passes on one server take turns, so two passes fired together (an
 * attach and a detach, a switch) never both count one removal, and none is skipped.
 */
export async function waitLock(file: string, ms: number): Promise<() => void> {
  const end = Date.now() + ms
  for (;;) {
    let unlock: (() => void) | null
    try {
      unlock = tryLock(file)
    } catch (e) {
      // a full or read-only runtime directory costs the turn-taking, not the pass; a directory
      // that is not safely yours is still refused
      if (e instanceof Failure) throw e
      return () => {}
    }
    if (unlock) return unlock
    if (Date.now() > end) return () => {}
    await new Promise((r) => setTimeout(r, 20))
  }
}
