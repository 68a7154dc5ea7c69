// Every --json output pinned field by field (test/shape.ts): a machine reading it breaks on a
// renamed, dropped or retyped field, so the tests must too.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { expireClaim, runScript, sandbox, withServer, type TestServer } from './helpers.ts'
import { ON_DETACH, REPORT, SPAWN, SWEEP, TABS, assertShape, type Shape } from './shape.ts'

async function json(name: string, args: string[], env: NodeJS.ProcessEnv): Promise<Record<string, any>> {
  const r = await runScript(name, args, { env })
  assert.equal(r.code, 0, `${name} ${args.join(' ')}: ${r.stderr}`)
  assert.equal(r.stdout.split('\n').length, 2, 'one line of JSON')
  return JSON.parse(r.stdout)
}

/** kept in name order: the order of tmux's listing is not part of the contract */
function byName<T extends { kept: Array<{ name: string }> }>(out: T): T {
  return { ...out, kept: [...out.kept].sort((a, b) => a.name.localeCompare(b.name)) }
}

async function spawn(srv: TestServer, env: NodeJS.ProcessEnv, ...args: string[]) {
  const out = await json('spawn-view', ['-L', srv.name, '--json', '--grace', '1h', ...args], env)
  assertShape(out, SPAWN)
  return out
}

test('spawn-view --json: view, parent, reused, socket and id, each with its type and value', async (t) => {
  const srv = withServer(t)
  const env = sandbox()
  const parentId = srv.newSession('work')
  const out = await spawn(srv, env, 'work')
  const made = srv.sessions().find((s) => s.name === out.view)!
  assert.deepEqual(out, { view: made.name, parent: 'work', reused: false, socket: srv.name, id: made.id })
  assert.notEqual(made.id, parentId)
})

test('sweep --json: removed, kept with reasons, dryRun; rescued as {name, as}; noServer', async (t) => {
  const srv = withServer(t)
  const env = sandbox()
  srv.newSession('work', 'sleep 86410')
  srv.newSession('notes')
  const gone = (await spawn(srv, env, 'work')).view
  const kept = (await spawn(srv, env, 'work')).view // in its (explicit, 1h) claim grace
  const orphan = (await spawn(srv, env, 'notes')).view
  expireClaim(srv, gone)
  expireClaim(srv, orphan)
  srv.tmux(['kill-session', '-t', '=notes'])

  const dry = await json('sweep', ['-L', srv.name, '--json', '--dry-run', '--grace', '1h'], env)
  assertShape(dry, SWEEP)
  assert.deepEqual(byName(dry as any), byName({ removed: [gone], kept: [{ name: kept, reason: 'claimed' }, { name: orphan, reason: 'last-of-group' }], dryRun: true, skipped: [] }))

  const out = await json('sweep', ['-L', srv.name, '--json', '--rescue', '--grace', '1h'], env)
  assertShape(out, SWEEP)
  assert.deepEqual(out, { removed: [gone], kept: [{ name: kept, reason: 'claimed' }], dryRun: false, skipped: [], rescued: [{ name: orphan, as: 'notes' }] })
  assert.deepEqual(srv.names(), [kept, 'notes', 'work'].sort())

  srv.kill()
  const none = await json('sweep', ['-L', srv.name, '--json'], env)
  assertShape(none, SWEEP)
  assert.deepEqual(none, { removed: [], kept: [], dryRun: false, skipped: [], noServer: true })
})

test('on-detach --json: removed, kept with reasons, dryRun', async (t) => {
  const srv = withServer(t)
  const env = { ...sandbox(), TMUX_VIEWS_GRACE: '1h' }
  srv.newSession('work')
  const gone = (await spawn(srv, env, 'work')).view
  const kept = (await spawn(srv, env, 'work')).view
  expireClaim(srv, gone)
  const dry = await json('on-detach', ['-L', srv.name, '--json', '-n'], env)
  assertShape(dry, ON_DETACH)
  assert.deepEqual(dry, { removed: [gone], kept: [{ name: kept, reason: 'claimed' }], dryRun: true })
  const out = await json('on-detach', ['-L', srv.name, '--json'], env)
  assertShape(out, ON_DETACH)
  assert.deepEqual(out, { removed: [gone], kept: [{ name: kept, reason: 'claimed' }], dryRun: false })
})

test('report --json: every field of every view, createdAt the time the view was made (not its group\'s)', async (t) => {
  const srv = withServer(t)
  const env = sandbox()
  srv.newSession('work')
  const made = await spawn(srv, env, '--tab', '3', '--title', 'logs', '--icon', '📜', 'work')
  // The view was made now; the group (and so tmux's session_created of a view that joins it) may
  // be older. Pin the mark to a known time an hour back so the two cannot agree by chance.
  const createdSec = Math.floor(Date.now() / 1000) - 3600
  srv.tmux(['set-option', '-t', made.id, '@tmux-views-created', String(createdSec)])
  srv.tmux(['new-session', '-d', '-t', '=work', '-s', 'work-view-1735324800-5432']) // older design
  const legacyCreated = Number(srv.tmux(['display-message', '-p', '-t', srv.idOf('work-view-1735324800-5432'), '#{session_created}']).stdout)

  const out = await json('report', ['-L', srv.name, '--json', '--grace', '1h'], env)
  assertShape(out, REPORT)
  const next = Object.fromEntries(out.views.map((v: { name: string; next: unknown }) => [v.name, v.next]))
  const byName = Object.fromEntries(out.views.map(({ next: _, ...v }: { name: string; next: unknown }) => [v.name, v]))
  // next: the hook leaves a view in its grace and takes the orphan of the older design
  assert.equal((next[made.view] as { hook: boolean }).hook, false)
  assert.ok((next[made.view] as { graceLeftSec: number }).graceLeftSec > 3000)
  assert.equal((next['work-view-1735324800-5432'] as { hook: boolean }).hook, true)
  assert.deepEqual(byName[made.view], {
    name: made.view, id: made.id, parent: 'work', socket: srv.name, attached: 0, state: 'grace', design: 'marked',
    createdAt: new Date(createdSec * 1000).toISOString(), lastAttachedAt: null, tab: '3', title: 'logs', icon: '📜',
  })
  assert.deepEqual(byName['work-view-1735324800-5432'], {
    name: 'work-view-1735324800-5432', id: srv.idOf('work-view-1735324800-5432'), parent: 'work', socket: srv.name, attached: 0,
    state: 'orphan', design: 'older', createdAt: new Date(legacyCreated * 1000).toISOString(), lastAttachedAt: null, tab: null, title: null, icon: null,
  })
  assert.deepEqual(out.counts, { views: 2, attached: 0, orphans: 2, removable: 1, grace: 1, lastOfGroup: 0 })
  assert.equal(out.orphans, 2)
})

test('report --tabs --json and --stats --json: every field with its type', async (t) => {
  const srv = withServer(t)
  const env = sandbox()
  srv.newSession('work')
  const v = await spawn(srv, env, '--tab', '7', '--title', 't', 'work')
  await json('sweep', ['-L', srv.name, '--json', '--live-tabs', '7', '--grace', '1h'], env)
  const tabs = await json('report', ['--tabs', '--json'], env)
  assertShape(tabs, TABS)
  assert.deepEqual(tabs, { tabs: [{ tab: '7', title: 't', icon: null, parent: 'work', view: v.view, socket: srv.name }] })

  const stats = await json('report', ['--stats', '--json'], env)
  assertShape(stats, {
    stats: {
      since: 'iso-date|null', events: 'integer', created: 'integer', reused: 'integer', removed: 'integer', rescued: 'integer',
      keptLastOfGroup: 'integer', removedBy: { '*': 'integer' }, reuseRate: 'number|null', lifetimeSec: { median: 'number|null', p95: 'number|null' },
      orphansCleanedPerDay: 'number|null',
    },
    corrupt: 'integer',
    log: 'string',
  })
  assert.equal(stats.stats.created, 1)
})

test('the shape check itself fails on a missing, extra or retyped field', () => {
  const shape: Shape = { a: 'string', 'b?': ['integer'], c: { d: 'iso-date|null' } }
  assertShape({ a: 'x', c: { d: null } }, shape)
  assertShape({ a: 'x', b: [1, 2], c: { d: '2026-01-02T03:04:05.000Z' } }, shape)
  for (const bad of [{ c: { d: null } }, { a: 'x', c: { d: null }, e: 1 }, { a: 1, c: { d: null } }, { a: 'x', b: [1.5], c: { d: null } }, { a: 'x', c: { d: '2026-01-02' } }])
    assert.throws(() => assertShape(bad, shape), JSON.stringify(bad))
})
