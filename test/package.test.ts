// tmux-views as an npm package: `npm pack`, then `npm install -g` of the tarball into a temp
// prefix, offline (the package has no runtime dependency: dist/ is a bundle). The commands work
// from any directory with plain node (no TypeScript loader, no dev dependency), against a private
// server; `npm uninstall -g` leaves a hook that removes itself on the next detach.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ROOT, retryUntil, sandbox, withServer } from './helpers.ts'

function tempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** npm as a user runs it, outside the checkout (its .npmrc and npm's own variables do not apply). */
function npm(args: string[], cwd: string, cache: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_cache: cache, npm_config_update_notifier: 'false' }
  for (const k of Object.keys(env)) if (/^npm_(?!config_cache$|config_update_notifier$)/i.test(k) || k === 'NODE_OPTIONS' || k === 'INIT_CWD') delete env[k]
  const r = spawnSync('npm', args, { cwd, env, encoding: 'utf8', timeout: 120_000 })
  assert.equal(r.status, 0, `npm ${args.join(' ')}: ${r.stderr}`)
  return r
}

test('npm pack + npm install -g: every command works from any directory with plain node; uninstall leaves nothing running', async (t) => {
  const dir = tempDir(t, 'tv-pkg-')
  const cache = path.join(dir, 'cache')
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
  assert.deepEqual(pkg.dependencies ?? {}, {}, 'the package has no runtime dependency: dist/ bundles them')
  assert.equal(pkg.scripts.prepare, undefined, 'no install-time script for npm to warn about')
  // npm test built dist/ from these sources just now: pack it as it is
  npm(['pack', '--ignore-scripts', '--pack-destination', dir], ROOT, cache)
  const tarball = readdirSync(dir).find((f) => /^tmux-views-.*\.tgz$/.test(f))!
  const prefix = path.join(dir, 'prefix')
  const install = npm(['install', '-g', path.join(dir, tarball), '--prefix', prefix, '--offline', '--no-audit', '--no-fund'], dir, cache)
  assert.doesNotMatch(install.stderr, /warn/i)
  const home = path.join(prefix, 'lib', 'node_modules', 'tmux-views')
  assert.ok(existsSync(path.join(home, 'dist', 'build.json')))
  assert.equal(existsSync(path.join(home, 'node_modules')), false, 'nothing installed beside it: no tsx, no zx')

  const bin = path.join(prefix, 'bin')
  const env: NodeJS.ProcessEnv = { ...process.env, ...sandbox(), PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin` }
  delete env.NODE_OPTIONS
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(path.join(bin, cmd), args, { cwd: '/', env, encoding: 'utf8', timeout: 60_000 })
    return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' }
  }
  const commands = ['tmux-views', 'tmux-views-spawn', 'tmux-views-on-detach', 'tmux-views-sweep', 'tmux-views-report']
  for (const cmd of commands) {
    assert.ok(statSync(path.join(bin, cmd)).mode & 0o111, `${cmd} is not executable`)
    const r = run(cmd, ['--version'])
    assert.deepEqual([r.code, r.stderr], [0, ''], cmd)
    assert.match(r.stdout, new RegExp(`^tmux-views ${pkg.version.replaceAll('.', '\\.')}( \\(built from [0-9a-f]{12}\\))?\\n$`), cmd)
  }

  const srv = withServer(t)
  srv.newSession('work')
  const spawned = run('tmux-views', ['spawn', '-L', srv.name, '--print', '--grace', '0', 'work'])
  assert.equal(spawned.code, 0, spawned.stderr)
  const view = spawned.stdout.trim()
  assert.ok(srv.names().includes(view))
  assert.equal(run('tmux-views-spawn', ['-L', srv.name, '--print', '--no-reuse', 'work']).code, 0)
  const dry = run('tmux-views', ['sweep', '-L', srv.name, '--dry-run', '--grace', '0'])
  assert.equal(dry.code, 0, dry.stderr)
  assert.match(dry.stdout, /^Would clean up 2 orphaned view session\(s\)$/m)
  const report = run('tmux-views-report', ['-L', srv.name, '--json'])
  assert.equal(JSON.parse(report.stdout).views.length, 2)
  const installed = run('tmux-views', ['on-detach', '-L', srv.name, '--install'])
  assert.equal(installed.code, 0, installed.stderr)
  assert.match(installed.stderr, new RegExp(`run .*${home.replaceAll('/', '\\/')}\\/dist\\/scripts\\/on-detach\\.cjs`))
  // the hook from the package removes the view of a tab that closes
  const tab = await srv.attach(`=${view}`)
  await tab.detach()
  await retryUntil(() => !srv.names().includes(view), 'the hook from the package removed the view')
  assert.equal(run('tmux-views', ['frobnicate']).code, 2)

  // uninstall: the package is gone; its hook goes quietly at the next detach
  npm(['uninstall', '-g', 'tmux-views', '--prefix', prefix, '--offline'], dir, cache)
  assert.equal(existsSync(home), false)
  const again = await srv.attach('=work')
  await again.detach()
  await retryUntil(() => !/client-detached\[48\]/.test(srv.tmux(['show-hooks', '-g', 'client-detached']).stdout), 'the hook removed itself')
  assert.deepEqual(srv.tmux(['list-panes', '-a', '-F', '#{pane_in_mode}']).stdout.trim().split('\n').filter((m) => m !== '0'), [], 'no pane in view mode')
})
