// What a build of dist/ was made from: a hash over the sources it bundles, and the git commit.
// tools/build.mjs writes both to dist/build.json; the tests refuse a dist/ built from other sources.
import { execFileSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

/** sha256 over lib/, scripts/ and package-lock.json (names and contents), in a fixed order. */
export function sourceHash(root) {
  const files = ['lib', 'scripts']
    .flatMap((dir) => readdirSync(join(root, dir)).filter((f) => /\.m?ts$/.test(f)).map((f) => `${dir}/${f}`))
    .sort()
  files.push('package-lock.json')
  // node:crypto only here: every entry imports this file (the stale-build check), few call it
  const hash = createRequire(import.meta.url)('node:crypto').createHash('sha256')
  for (const f of files) hash.update(`${f}\0`).update(readFileSync(join(root, f))).update('\0')
  return hash.digest('hex')
}

/** The checkout's commit, or null outside git. */
export function gitCommit(root) {
  try {
    return execFileSync('git', ['-C', root, 'rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null
  } catch {
    return null
  }
}
