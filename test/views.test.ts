// The pure rules, over plain data: no tmux here.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { serverFrom } from '../lib/server.ts'
import { SESSION_FIELDS, parseSessions, sessionFormat, type Session } from '../lib/sessions.ts'
import { chain, escapeArg, escapeName } from '../lib/commands.ts'
import { claimPending, findSession, groupConflict, judgeAll, parentOf, reusableViews, viewKind, viewsOf } from '../lib/views.ts'
import { session } from './fixtures.ts'


test('the -F format and the parser come from one field list; each row and field framed by the tag', () => {
  const T = 'tvTAG'
  const row = (...v: string[]) => `${T}<${v.join(`${T}|`)}${T}>\n`
  assert.equal(sessionFormat(T).split(`${T}|`).length, SESSION_FIELDS.length)
  assert.deepEqual(parseSessions(row('$4', 'plain', '0', '1', '1', '', '', '', '', '', '', '', '', '', '', ''), T).map((x) => [x.group, x.groupSize]), [[null, 0]])
  const [s] = parseSessions(
    row('$3', 'work-view-1-2', '0', '1700000000', '1700000005', '', 'work', '$1', 'work', '1700000000', 'tok', '1700000001', '7', 'logs\nline\ttab', '📜', '1') +
      row('$1', 'work', '0', '1700000000', '1700000005', '', 'work', '', '', '', '', '', '', '', '', '') +
      row('$4', 'plain', '0', '1', '1', '', '', '', '', '', '', '', '', '', '', ''),
    T,
  )
  assert.deepEqual(s, {
    id: '$3', name: 'work-view-1-2', attached: 0, created: 1700000000, activity: 1700000005, lastAttached: null, group: 'work', groupSize: 2,
    parentId: '$1', parentName: 'work', viewCreated: 1700000000, claim: 'tok', claimAt: 1700000001, tab: '7', title: 'logs\nline\ttab', icon: '📜', kept: true,
  })
  // malformed rows are no sessions at all: a field short, a parent mark that is no session id, no end
  const short = row('$5', 'x', '0', '1', '1', '', 'work', '$1', 'work', '1', '', '', '', '', '')
  const badParent = row('$6', 'y', '0', '1', '1', '', 'work', '$1 x', 'work', '1', '', '', '', '', '', '')
  const open = row('$7', 'z', '0', '1', '1', '', '', '', '', '', '', '', '', '', '', '').replace(`${T}>\n`, '')
  assert.deepEqual(parseSessions(short + badParent + open, T), [])
})

test("an argument ending in ';' is escaped so tmux does not end the command there", () => {
  assert.equal(escapeArg('x;'), 'x\\;')
  assert.equal(escapeArg('x\\;'), 'x\\\\;')
  assert.equal(escapeArg('x'), 'x')
  assert.deepEqual(chain([['a', ';'], ['b']]), ['a', '\\;', ';', 'b'])
  assert.equal(escapeName('#(id)'), '##(id)')
})

test('the server comes from --socket, --socket-path, then $TMUX, then the default', () => {
  assert.deepEqual(serverFrom({ socket: 'x', socketPath: '/p' }, { TMUX: '/t,1,2' }), { kind: 'name', value: 'x' })
  assert.deepEqual(serverFrom({ socketPath: '/p' }, { TMUX: '/t,1,2' }), { kind: 'path', value: '/p' })
  assert.deepEqual(serverFrom({}, { TMUX: '/tmp/tmux-0/a,b,123,0' }), { kind: 'path', value: '/tmp/tmux-0/a,b' })
  assert.deepEqual(serverFrom({}, {}), { kind: 'default' })
  // while tmux reads its config (TPM runs plugins then) the session index is -1
  assert.deepEqual(serverFrom({}, { TMUX: '/tmp/tmux-0/default,123,-1' }), { kind: 'path', value: '/tmp/tmux-0/default' })
})

test('findSession is exact: a prefix or a look-alike never matches', () => {
  const all = [session({ name: 'workbench' }), session({ name: 'a_b' })]
  assert.equal(findSession(all, 'work'), undefined)
  assert.equal(findSession(all, 'a.b'), undefined, 'how tmux stores a name is version.ts storedName')
  assert.equal(findSession(all, 'a_b')?.name, 'a_b')
  assert.equal(findSession(all, null), undefined)
})

test('views: marked ones, and older-design ones only when grouped with their named parent', () => {
  const parent = session({ name: 'work', group: 'work', groupSize: 3 })
  const marked = session({ name: 'anything', group: 'work', parentId: parent.id })
  const legacy = session({ name: 'work-view-1735324800-5432', group: 'work' })
  const lookalike = session({ name: 'work-view-1-2' }) // not grouped
  const stranger = session({ name: 'other-view-1-2', group: 'work' }) // no session named 'other'
  const all = [parent, marked, legacy, lookalike, stranger]
  assert.equal(viewKind(marked, all), 'marked')
  assert.equal(viewKind(legacy, all), 'legacy')
  assert.equal(viewKind(lookalike, all), null)
  assert.equal(viewKind(stranger, all), null)
  assert.equal(viewKind(parent, all), null)
  assert.deepEqual(viewsOf(parent, all), [marked, legacy])
  assert.equal(parentOf(marked, all), parent)
})

test('a claim protects a view until a client attaches or the grace passes', () => {
  const v = session({ claimAt: 100 })
  assert.equal(claimPending(v, 110, 30), true)
  assert.equal(claimPending(v, 130, 30), false)
  assert.equal(claimPending({ ...v, lastAttached: 100 }, 110, 30), false)
  assert.equal(claimPending({ ...v, lastAttached: 99 }, 110, 30), true)
  assert.equal(claimPending(session({}), 110, 30), false)
})

test('reusable views: unattached, unclaimed, most recently used first', () => {
  const parent = session({ name: 'work', group: 'work' })
  const mk = (p: Partial<Session>) => session({ group: 'work', parentId: parent.id, ...p })
  const attached = mk({ attached: 1 })
  const claimed = mk({ claimAt: 195 })
  const old = mk({ lastAttached: 50 })
  const recent = mk({ lastAttached: 150 })
  const thisSecond = mk({ lastAttached: 200 })
  const expired = mk({ claimAt: 100 })
  const all = [parent, attached, claimed, old, recent, thisSecond, expired]
  assert.deepEqual(reusableViews(parent, all, 200, 30), [recent, old, expired])
})

test('judgeAll: the hook takes any orphan; a sweep only untracked or expired ones; a group keeps one member', () => {
  const now = 10_000
  const parent = session({ name: 'work', group: 'work', groupSize: 6 })
  const mk = (p: Partial<Session>) => session({ group: 'work', groupSize: 6, parentId: parent.id, created: now - 60, activity: now - 60, ...p })
  const attached = mk({ attached: 1 })
  const claimed = mk({ claim: 'a-1', claimAt: now - 5 })
  const untracked = mk({})
  const tracked = mk({ tab: '3' })
  const stale = mk({ tab: '4', lastAttached: now - 4000, created: now - 5000, activity: now - 4000 })
  const all = [parent, attached, claimed, untracked, tracked, stale]
  const hook = judgeAll(all, { nowSec: now, graceSec: 30, maxAgeSec: null, liveTabs: null })
  assert.deepEqual(hook.map((v) => v.reason), ['attached', 'claimed', 'orphan', 'orphan', 'orphan'])
  const sweep = judgeAll(all, { nowSec: now, graceSec: 30, maxAgeSec: 3600, liveTabs: null })
  assert.deepEqual(sweep.map((v) => v.reason), ['attached', 'claimed', 'untracked', 'tracked', 'expired'])
  const live = judgeAll(all, { nowSec: now, graceSec: 30, maxAgeSec: 3600, liveTabs: new Set(['4']) })
  assert.deepEqual(live.map((v) => v.reason), ['attached', 'claimed', 'untracked', 'untracked', 'expired'])
  // the parent gone: of three orphaned views, two may go and the last holds the windows
  const orphans = [1, 2, 3].map(() => mk({ groupSize: 3, parentId: '$999' }))
  assert.deepEqual(judgeAll(orphans, { nowSec: now, graceSec: 30, maxAgeSec: null, liveTabs: null }).map((v) => v.remove), [true, true, false])
  // ...and the one kept is the one used last, wherever tmux lists it
  const used = [now - 10, now - 500, null].map((lastAttached) => mk({ groupSize: 3, parentId: '$999', lastAttached, created: now - 1000 }))
  const kept = judgeAll(used, { nowSec: now, graceSec: 30, maxAgeSec: null, liveTabs: null })
  assert.deepEqual(kept.map((v) => [v.view, v.reason]), [[used[0], 'last-of-group'], [used[1], 'orphan'], [used[2], 'orphan']])
  // a claim token that could not be compared safely inside a tmux format protects the view
  assert.equal(judgeAll([parent, mk({ claim: 'x},#{y' })], { nowSec: now, graceSec: 30, maxAgeSec: null, liveTabs: null })[0].reason, 'claimed')
})

test('a parent in no group must not join a group that carries its name', () => {
  const parent = session({ name: 'work' })
  const leftover = session({ name: 'work-view-1-2', group: 'work', groupSize: 1 })
  assert.equal(groupConflict(parent, [parent, leftover]), true)
  assert.equal(groupConflict(parent, [parent]), false)
  assert.equal(groupConflict({ ...parent, group: 'work' }, [parent, leftover]), false)
})
