// After git pull, TPM's prefix U or a plugin update, dist/ holds code built from another commit
// until npm ci runs. Every entry says so in one line: on stderr (the timer's log), in the status
// line (the TPM entry), in report --doctor.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ROOT, sandbox, withServer } from './helpers.ts'
import { checkoutCommit, staleBuild } from '../lib/build.ts'
import { shellQuote } from '../lib/commands.ts'

const BUILT = 'a'.repeat(40)
const PULLED = 'b'.repeat(40)

function tempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A git checkout whose dist/ was built from BUILT and whose HEAD is `head` (a branch ref). */
function checkout(t: TestContext, head: string): string {
  const dir = path.join(tempDir(t, 'tv-upgrade-'), `it's #{x}`)
  mkdirSync(dir)
  cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true })
  cpSync(path.join(ROOT, 'tmux-views.tmux'), path.join(dir, 'tmux-views.tmux'))
  cpSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'))
  const info = JSON.parse(readFileSync(path.join(dir, 'dist', 'build.json'), 'utf8'))
  writeFileSync(path.join(dir, 'dist', 'build.json'), JSON.stringify({ ...info, commit: BUILT }))
  mkdirSync(path.join(dir, '.git', 'refs', 'heads'), { recursive: true })
  writeFileSync(path.join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n')
  writeFileSync(path.join(dir, '.git', 'refs', 'heads', 'main'), `${head}\n`)
  return dir
}

const node = (dir: string, script: string, args: string[], env: NodeJS.ProcessEnv = {}, ext = 'cjs') =>
  spawnSync(process.execPath, [path.join(dir, 'dist', 'scripts', `${script}.${ext}`), ...args], { encoding: 'utf8', env: { ...process.env, ...sandbox(), ...env } })

test('the checkout\'s commit is read from .git: a branch, packed refs, a worktree\'s .git file, a detached HEAD', (t) => {
  const dir = tempDir(t, 'tv-git-')
  assert.equal(checkoutCommit(dir), null)
  mkdirSync(path.join(dir, 'common', 'worktrees', 'wt'), { recursive: true })
  writeFileSync(path.join(dir, 'common', 'packed-refs'), `# pack-refs with: peeled\n${PULLED} refs/heads/topic\n`)
  writeFileSync(path.join(dir, 'common', 'worktrees', 'wt', 'HEAD'), 'ref: refs/heads/topic\n')
  writeFileSync(path.join(dir, 'common', 'worktrees', 'wt', 'commondir'), '../..\n')
  writeFileSync(path.join(dir, '.git'), `gitdir: ${path.join(dir, 'common', 'worktrees', 'wt')}\n`)
  assert.equal(checkoutCommit(dir), PULLED)
  writeFileSync(path.join(dir, 'common', 'worktrees', 'wt', 'HEAD'), `${BUILT}\n`)
  assert.equal(checkoutCommit(dir), BUILT)
  // this very checkout (the suite runs in a clone): what git itself says
  const git = spawnSync('git', ['-C', ROOT, 'rev-parse', 'HEAD'], { encoding: 'utf8' })
  assert.equal(git.status, 0, git.stderr)
  assert.equal(checkoutCommit(ROOT), git.stdout.trim())
})

test('an entry built from another commit says so in one line, and only then', (t) => {
  const pulled = checkout(t, PULLED)
  // the entry, and its old name (the .mjs shim) that older wiring runs
  for (const ext of ['cjs', 'mjs'])
    for (const [script, args] of [['report', ['--version']], ['sweep', ['-L', 'tv-no-such-server', '--dry-run']], ['tmux-views', ['--version']]] as const) {
      const r = node(pulled, script, [...args], {}, ext)
      assert.equal(r.status, 0, r.stderr)
      assert.equal(r.stderr, `${script}: dist/ was built from aaaaaaaaaaaa, the checkout is at bbbbbbbbbbbb: run 'npm ci' in ${pulled}\n`, `${script}.${ext}`)
    }
  const fresh = checkout(t, BUILT)
  assert.equal(node(fresh, 'report', ['--version']).stderr, '')
  assert.equal(staleBuild(fresh), null)
  // as the hook it stays silent
  const hook = node(pulled, 'on-detach', ['--hook'], { TMUX: '/nonexistent/socket,1,0' })
  assert.deepEqual([hook.status, hook.stdout, hook.stderr], [0, '', ''])
})

test('an entry whose code is missing (a half-copied dist/) says so in one line with the fix; without its code cache it runs', (t) => {
  const dir = checkout(t, BUILT)
  rmSync(path.join(dir, 'dist', 'code', 'sweep.js'))
  const r = node(dir, 'sweep', ['--dry-run'])
  assert.deepEqual([r.status, r.stdout], [1, ''])
  assert.equal(r.stderr, `sweep: cannot read ${path.join(dir, 'dist', 'code', 'sweep.js')} (ENOENT): run 'npm ci' in ${dir}\n`)
  rmSync(path.join(dir, 'dist', 'code', 'report.js.cache'))
  const report = node(dir, 'report', ['--version'])
  assert.deepEqual([report.status, report.stderr], [0, ''])
  assert.match(report.stdout, /^tmux-views \d+\.\d+\.\d+/)
})

test('report --doctor and the TPM entry say that dist/ is stale, with the fix', (t) => {
  const pulled = checkout(t, PULLED)
  const srv = withServer(t)
  srv.newSession('work')
  const doctor = node(pulled, 'report', ['-L', srv.name, '--doctor', '--json'])
  const build = JSON.parse(doctor.stdout).checks.find((k: { name: string }) => k.name === 'build')
  assert.deepEqual(build, { name: 'build', ok: false, detail: `dist/ was built from aaaaaaaaaaaa, the checkout is at bbbbbbbbbbbb: run 'npm ci' in ${pulled}`, fix: `cd ${shellQuote(pulled)} && npm ci` })
  // TPM runs the entry while tmux starts (no client yet): the message waits for the first client
  const r = srv.tmux(['run-shell', shellQuote(path.join(pulled, 'tmux-views.tmux')).replaceAll('#', '##')], { ok: false })
  assert.equal(r.code, 0, r.stderr)
  assert.match(srv.tmux(['show-hooks', '-g', 'client-attached']).stdout, /tmux-views: dist\/ was built from aaaaaaaaaaaa, the checkout is at bbbbbbbbbbbb: run 'npm ci' in /)
})
