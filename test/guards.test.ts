// The kill guard and the sweep lock under real races: the world changes between a cleanup's
// listing and its kills, or a sweep fails half-way, and no window and no lock may be lost.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expireClaim, runScript, sandbox, withServer, type TestServer } from './helpers.ts'
import { shellQuote } from '../lib/commands.ts'
import { lockPath, runtimeDir } from '../lib/lock.ts'
import { SWEEP, assertShape } from './shape.ts'

const TMUX = process.env.TMUX_VIEWS_TMUX || 'tmux'

/**
 * A tmux that runs `act` (tmux commands on the test server) once, just before the first
 * `source-file` call of a script: after the cleanup listed the sessions and judged them, before
 * its guarded kills reach the server. `act` runs to completion first, so the race is certain.
 */
function actBeforeKills(srv: TestServer, act: string[][]): NodeJS.ProcessEnv {
  const dir = mkdtempSync(path.join(tmpdir(), 'tv-race-'))
  const wrapper = path.join(dir, 'tmux')
  const run = act.map((cmd) => `${shellQuote(TMUX)} -L ${shellQuote(srv.name)} ${cmd.map(shellQuote).join(' ')}`).join('\n  ')
  writeFileSync(wrapper, `#!/bin/sh
for a in "$@"; do
  if [ "$a" = source-file ] && mkdir ${shellQuote(path.join(dir, 'acted'))} 2>/dev/null; then
  ${run}
  fi
done
exec ${shellQuote(TMUX)} "$@"
`)
  chmodSync(wrapper, 0o755)
  return { TMUX_VIEWS_TMUX: wrapper, acted: path.join(dir, 'acted') }
}

/** Every pane on the server with the program it runs: what a user would lose. */
function programs(srv: TestServer): string[] {
  const r = srv.tmux(['list-panes', '-a', '-F', '#{window_id} #{pane_start_command}'], { ok: false })
  assert.equal(r.code, 0, `the server is gone: every window was lost (${r.stderr.trim()})`)
  return [...new Set(r.stdout.trim().split('\n'))].sort()
}

test('the parent is killed between a sweep\'s listing and its kill: the view, now alone, keeps the windows', async (t) => {
  const srv = withServer(t)
  const env = sandbox()
  srv.newSession('work', 'sleep 86420')
  srv.tmux(['new-window', '-t', '=work:', 'sleep 86421'])
  const before = programs(srv)
  const v = (await runScript('spawn-view', ['-L', srv.name, '--print', 'work'], { env })).stdout.trim()
  expireClaim(srv, v)
  // listed with its parent: untracked and past its grace, so the sweep judges it removable
  const race = actBeforeKills(srv, [['kill-session', '-t', '=work']])
  const r = await runScript('sweep', ['-L', srv.name, '--json', '--grace', '30s'], { env: { ...env, ...race } })
  assert.equal(r.code, 0, r.stderr)
  assert.ok(existsSync(race.acted!), 'the parent was killed between the listing and the kill')
  assert.deepEqual(JSON.parse(r.stdout), { removed: [], kept: [{ name: v, reason: 'changed' }], dryRun: false, skipped: [] })
  assert.deepEqual(srv.names(), [v])
  assert.deepEqual(programs(srv), before, 'both windows live on in the view')
})

test('the hook: a parent gone between listing and kills leaves one of its two views, with every window', async (t) => {
  const srv = withServer(t)
  const env = sandbox()
  srv.newSession('work', 'sleep 86422')
  srv.tmux(['new-window', '-t', '=work:', 'sleep 86423'])
  const before = programs(srv)
  const views = []
  for (let i = 0; i < 2; i++) {
    const v = (await runScript('spawn-view', ['-L', srv.name, '--print', '--no-reuse', 'work'], { env })).stdout.trim()
    expireClaim(srv, v)
    views.push(v)
  }
  // Listed: the parent and two orphans, both judged removable. At the kills the group holds only
  // the two views: the first may go, the second is the last member and must stay.
  const race = actBeforeKills(srv, [['kill-session', '-t', '=work']])
  const r = await runScript('on-detach', ['-L', srv.name, '--json', '--grace', '30s'], { env: { ...env, ...race } })
  assert.equal(r.code, 0, r.stderr)
  assert.ok(existsSync(race.acted!), 'the parent was killed between the listing and the kills')
  const out = JSON.parse(r.stdout)
  assert.equal(out.removed.length, 1, r.stdout)
  assert.deepEqual(out.kept.map((k: { reason: string }) => k.reason), ['changed'])
  assert.deepEqual(srv.names(), views.filter((v) => v !== out.removed[0]))
  assert.deepEqual(programs(srv), before, 'both windows live on in the view left')
})

test('the member a sweep would keep is killed between listing and kills: the group keeps one session', async (t) => {
  // Three views of a dead parent: the sweep keeps the one used last and removes the other two.
  // Another cleanup (or the user) kills that one meanwhile: of the two left, one must stay.
  const srv = withServer(t)
  const env = sandbox()
  srv.newSession('work', 'sleep 86424')
  const before = programs(srv)
  for (let i = 0; i < 3; i++) {
    const v = (await runScript('spawn-view', ['-L', srv.name, '--print', '--no-reuse', 'work'], { env })).stdout.trim()
    expireClaim(srv, v)
  }
  srv.tmux(['kill-session', '-t', '=work'])
  const plan = JSON.parse((await runScript('sweep', ['-L', srv.name, '--json', '--dry-run'], { env })).stdout)
  assert.equal(plan.removed.length, 2, JSON.stringify(plan))
  assert.deepEqual(plan.kept.map((k: { reason: string }) => k.reason), ['last-of-group'])
  const race = actBeforeKills(srv, [['kill-session', '-t', srv.idOf(plan.kept[0].name)]])
  const r = await runScript('sweep', ['-L', srv.name, '--json'], { env: { ...env, ...race } })
  assert.equal(r.code, 0, r.stderr)
  assert.ok(existsSync(race.acted!), 'the kept member was killed between the listing and the kills')
  const out = JSON.parse(r.stdout)
  assert.equal(out.removed.length, 1, r.stdout)
  assert.deepEqual(srv.names(), plan.removed.filter((v: string) => v !== out.removed[0]))
  assert.deepEqual(programs(srv), before, 'the window lives on in the view left')
})

// ---- the sweep lock ---------------------------------------------------------------------------

function locks(env: NodeJS.ProcessEnv): string[] {
  try {
    return readdirSync(runtimeDir(env)).filter((f) => f.endsWith('.lock'))
  } catch {
    return []
  }
}

test('a sweep that fails half-way still releases its lock', async (t) => {
  const srv = withServer(t)
  const env = sandbox()
  srv.newSession('work')
  const v = (await runScript('spawn-view', ['-L', srv.name, '--print', 'work'], { env })).stdout.trim()
  expireClaim(srv, v)
  // the server dies after the listing: the pass fails with the lock held
  const race = actBeforeKills(srv, [['kill-server']])
  const r = await runScript('sweep', ['-L', srv.name], { env: { ...env, ...race } })
  assert.equal(r.code, 1)
  assert.equal(r.stderr, `sweep: no tmux server on socket '${srv.name}'\n`)
  assert.deepEqual(locks(env), [], 'the lock file was left behind')
})

test('a lock file still being written (no pid yet) is busy, not stale; an old empty one is stale', async (t) => {
  const srv = withServer(t)
  const env = sandbox()
  srv.newSession('work')
  const v = (await runScript('spawn-view', ['-L', srv.name, '--print', 'work'], { env })).stdout.trim()
  expireClaim(srv, v)
  const file = lockPath(srv.name, env)
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  writeFileSync(file, '') // another sweep between its open and its write
  const busy = await runScript('sweep', ['-L', srv.name, '--json'], { env })
  assert.equal(busy.code, 75, busy.stderr)
  assertShape(JSON.parse(busy.stdout), SWEEP)
  assert.deepEqual(JSON.parse(busy.stdout).skipped, [{ socket: srv.name, reason: 'busy' }])
  assert.ok(srv.names().includes(v), 'the sweep ran although another held the lock')
  assert.ok(existsSync(file), 'the lock of the other sweep was taken away')
  // a writer that died before writing its pid: stale after a while, and taken over
  const old = new Date(Date.now() - 60_000)
  utimesSync(file, old, old)
  const r = await runScript('sweep', ['-L', srv.name, '--json'], { env })
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout).removed, [v])
  assert.deepEqual(locks(env), [])
})
