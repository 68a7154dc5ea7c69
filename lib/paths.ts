// The tool's own directories and files (runtime, state, config): made private, and used only when
// this user owns them and no other user may write them. Another user who could create or write
// one of them could plant a lock that stops every sweep, a log or tab record, or settings.
import { type Stats, existsSync, fstatSync, lstatSync, mkdirSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { Failure } from './errors.ts'

export function myUid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : 0
}

/** Why a file or directory with these stats is not ours to trust, or null when it is. */
export function untrusted(file: string, st: Stats): string | null {
  if (st.uid !== myUid()) return `${file} is owned by uid ${st.uid}, not by you (uid ${myUid()})`
  if (st.mode & 0o022) return `${file} is writable by ${st.mode & 0o002 ? 'other users' : 'its group'} (mode ${(st.mode & 0o777).toString(8)})`
  return null
}

function refuse(why: string): never {
  throw new Failure(`refusing to use ${why}`)
}

/**
 * mkdir -p with new directories 0700, one mkdir per missing component. Node's own recursive mkdir
 * retries forever on a path whose mkdir keeps answering ENOENT (anything under /proc): here that
 * is an error like any other.
 */
export function makeDirs(dir: string): void {
  const missing: string[] = []
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(d)) break
    missing.unshift(d)
    if (d === dirname(d)) break
  }
  for (const d of missing) {
    try {
      mkdirSync(d, { mode: 0o700 })
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'EEXIST') continue
      throw Object.assign(new Error(`cannot create ${d}: ${code ?? (e as Error).message}`), { code })
    }
  }
}

/**
 * The directory `dir`, made (0700) when missing, and checked: a directory, yours, writable by no
 * one else; else a Failure (exit 1). `follow`: a symlink to such a directory is fine (a config
 * directory kept in a dotfiles repository); otherwise a symlink is refused, as tmux refuses one
 * for its socket directory.
 */
export function privateDir(dir: string, opts: { create?: boolean; follow?: boolean } = {}): boolean {
  if (opts.create !== false) makeDirs(dir)
  let st: Stats
  try {
    st = opts.follow ? statSync(dir) : lstatSync(dir)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && opts.create === false) return false
    throw e
  }
  if (!st.isDirectory()) refuse(`${dir}: not a directory${st.isSymbolicLink() ? ' (a symlink)' : ''}`)
  const why = untrusted(dir, st)
  if (why) refuse(why)
  return true
}

/** Check a file just opened (by its descriptor, so it is the file read or written): yours, and writable by no one else. */
export function checkOpened(file: string, fd: number): void {
  const st = fstatSync(fd)
  if (!st.isFile()) refuse(`${file}: not a regular file`)
  const why = untrusted(file, st)
  if (why) refuse(why)
}

/** privateDir's check without making anything: refuse `dir` if it exists and is not safely yours. */
export function checkIfThere(dir: string): void {
  try {
    privateDir(dir, { create: false })
  } catch (e) {
    if (e instanceof Failure) throw e
    // unreadable or on a broken file system: the use itself reports that
  }
}
