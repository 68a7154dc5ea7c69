// What this copy of tmux-views is: its package version, and whether the compiled entries in
// dist/ were built from the commit the checkout is at (after `git pull`, TPM's `prefix U` or a
// plugin update, dist/ is old until `npm ci` runs). File reads only: no git, no child process.
import { existsSync, readFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sourceHash } from '../tools/sources.mjs'

/** The root of the checkout or package a script runs from (scripts/X.mts, or dist/scripts/X.cjs and its old name X.mjs). */
export function rootOf(file: string): string {
  const dir = dirname(file)
  return basename(dir) === 'scripts' && basename(dirname(dir)) === 'dist'
    ? resolve(dir, '../..')
    : resolve(dir, '..')
}

/** "tmux-views 0.1.0", and the commit dist/ was built from when known. */
export function versionText(metaUrl: string): string {
  const root = rootOf(fileURLToPath(metaUrl))
  const pkg = readJson(join(root, 'package.json')) as { name?: string; version?: string } | null
  const built = builtFrom(root)
  return `tmux-views ${pkg?.version ?? 'unknown'}${built ? ` (built from ${built.slice(0, 12)})` : ''}`
}

/** dist/build.json at `root`: the commit and the source hash the build was made from. */
function buildInfo(root: string): { commit: string | null; sources: string | null } {
  const info = readJson(join(root, 'dist', 'build.json')) as { commit?: unknown; sources?: unknown } | null
  const text = (v: unknown) => (typeof v === 'string' ? v : null)
  return { commit: text(info?.commit), sources: text(info?.sources) }
}

/** The commit dist/build.json names, or null. */
export function builtFrom(root: string): string | null {
  return buildInfo(root).commit
}

/**
 * The commit a git checkout at `root` is at, from .git itself (HEAD, a loose ref or packed-refs;
 * a worktree's or submodule's `.git` file points to its git dir). Null outside a checkout.
 */
export function checkoutCommit(root: string): string | null {
  let gitDir = join(root, '.git')
  const dotGit = read(gitDir)
  if (dotGit !== null) {
    const m = /^gitdir: (.+)$/m.exec(dotGit)
    if (!m) return null
    gitDir = resolve(root, m[1].trim())
  }
  const head = read(join(gitDir, 'HEAD'))?.trim()
  if (!head) return null
  if (/^[0-9a-f]{40,64}$/.test(head)) return head
  const ref = /^ref: (\S+)$/.exec(head)?.[1]
  if (!ref) return null
  const common = read(join(gitDir, 'commondir'))?.trim()
  for (const dir of [gitDir, ...(common ? [resolve(gitDir, common)] : [])]) {
    const loose = read(join(dir, ref))?.trim()
    if (loose && /^[0-9a-f]{40,64}$/.test(loose)) return loose
    const packed = read(join(dir, 'packed-refs'))
    const line = packed?.split('\n').find((l) => l.endsWith(` ${ref}`))
    if (line) return line.split(' ')[0]
  }
  return null
}

/**
 * One line when dist/ at `root` was built from other sources than the checkout has (only in a git
 * checkout whose build recorded its commit); null when they agree or cannot be compared. The
 * commit is compared first (two small file reads); only when it differs are the sources hashed,
 * so a commit that changed no source (docs, tests) is not called stale.
 */
export function staleBuild(root: string): string | null {
  const { commit: built, sources } = buildInfo(root)
  if (built === null || !existsSync(join(root, '.git'))) return null
  const head = checkoutCommit(root)
  if (head === null || head === built) return null
  try {
    if (sources !== null && sources === sourceHash(root)) return null
  } catch {} // sources unreadable: the commits decide
  return `dist/ was built from ${built.slice(0, 12)}, the checkout is at ${head.slice(0, 12)}: run 'npm ci' in ${root}`
}

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return null
  }
}

function readJson(file: string): unknown {
  const text = read(file)
  if (text === null) return null
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}
