// '#' in names and paths on every path that hands them to tmux's format expansion: the parent
// --create makes, the name --rescue gives back, and the hook's run-shell command. Undoubled, '#{…}'
// would turn into another name and '#(…)' would run a command.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ROOT, expireClaim, retryUntil, runScript, sandbox, withServer, type TestServer } from './helpers.ts'

/** A server whose environment names a canary file: `#(touch $(printenv TV_CANARY))` run by it leaves a trace. */
function canaryServer(t: TestContext): { srv: TestServer; ran: () => boolean } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tv-canary-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const canary = path.join(dir, 'ran')
  return { srv: withServer(t, { ...process.env, TV_CANARY: canary }), ran: () => existsSync(canary) }
}

const HASHED = '#(touch $(printenv TV_CANARY)) #{session_id} ##' // (tmux itself writes '$X' as '\$X')

test('--create makes a parent named with # exactly as given, and runs nothing', async (t) => {
  const { srv, ran } = canaryServer(t)
  const env = sandbox()
  srv.newSession('keepalive')
  const r = await runScript('spawn-view', ['-L', srv.name, '--json', '--create', '--', HASHED], { env })
  assert.equal(r.code, 0, r.stderr)
  assert.equal(JSON.parse(r.stdout).parent, HASHED)
  const parent = srv.sessions().find((s) => s.name === HASHED)
  assert.ok(parent, `no session named ${JSON.stringify(HASHED)}: ${JSON.stringify(srv.names())}`)
  const view = srv.sessions().find((s) => s.name === JSON.parse(r.stdout).view)!
  assert.equal(view.group, HASHED)
  assert.equal(ran(), false, 'a command in the name ran')
})

test('--rescue gives a view back a parent name with # exactly, and runs nothing', async (t) => {
  const { srv, ran } = canaryServer(t)
  const env = sandbox()
  srv.newSession(HASHED, 'sleep 86430')
  const v = (await runScript('spawn-view', ['-L', srv.name, '--print', '--', HASHED], { env })).stdout.trim()
  expireClaim(srv, v)
  srv.tmux(['kill-session', '-t', srv.idOf(HASHED)])
  const r = await runScript('sweep', ['-L', srv.name, '--json', '--rescue'], { env })
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout).rescued, [{ name: v, as: HASHED }])
  assert.deepEqual(srv.names(), [HASHED])
  assert.equal(srv.tmux(['list-panes', '-a', '-F', '#{pane_start_command}']).stdout.trim(), '"sleep 86430"')
  assert.equal(ran(), false, 'a command in the name ran')
})

test('the hook installed from a checkout whose path holds # runs that checkout\'s on-detach, and nothing else', async (t) => {
  const { srv, ran } = canaryServer(t)
  const env = sandbox()
  // A real copy, not a symlink: node resolves a symlinked script to its target, and the hook
  // would then name the plain path this test means to avoid.
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'tv-checkout-')), `co ${HASHED}`)
  t.after(() => rmSync(path.dirname(dir), { recursive: true, force: true }))
  mkdirSync(dir)
  cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true })
  const entry = path.join(dir, 'dist', 'scripts', 'on-detach.cjs')
  srv.newSession('work')
  const install = spawnSync(process.execPath, [entry, '-L', srv.name, '--install'], { encoding: 'utf8', env: { ...process.env, ...env } })
  assert.equal(install.status, 0, install.stderr)
  const hook = srv.tmux(['show-hooks', '-g', 'client-detached']).stdout
  assert.ok(hook.includes('co ##(touch'), `the hook names the checkout with # doubled: ${hook}`)
  const v = (await runScript('spawn-view', ['-L', srv.name, '--print', 'work'], { env })).stdout.trim()
  const tab = await srv.attach(srv.idOf(v))
  await tab.detach()
  await retryUntil(() => !srv.names().includes(v), 'the hook from the # checkout removed the view')
  assert.equal(ran(), false, 'a command in the path ran')
})
