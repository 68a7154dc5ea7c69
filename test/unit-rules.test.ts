// The edges of the pure rules (lib/views.ts) and of the tmux command text (lib/commands.ts) that
// test/views.test.ts leaves open; written against the mutants `npm run mutate` found alive.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Session } from '../lib/sessions.ts'
import { HOOK, WORLD_FORMAT, chain, cleanValue, escapeArg, escapeName, firstViewGate, hookCommand, hookConfLine, keepsEveryGroup, quoteForTmux, removable, shellQuote, worldAsSeen, worldUnchanged } from '../lib/commands.ts'
import {
  SAFE_TOKEN, VIEW_NAME, claimPending, findSession, judge, judgeAll, parentOf, rescueName, reusableViews, unattachedFor, viewKind, viewName, viewsOf,
  type Policy,
} from '../lib/views.ts'
import { storedName, tmuxVersion } from '../lib/version.ts'
import { session } from './fixtures.ts'

const HOOK_RULE = (nowSec: number): Policy => ({ nowSec, graceSec: 30, maxAgeSec: null, liveTabs: null })
const SWEEP_RULE = (nowSec: number, maxAgeSec = 300, liveTabs: Set<string> | null = null): Policy => ({ nowSec, graceSec: 30, maxAgeSec, liveTabs })

// ---- names ------------------------------------------------------------------------------------

test('view names: PARENT-view-SECONDS-RANDOM, parsed back only when the whole name has that form', () => {
  assert.equal(viewName('work', 1700000000, 123456), 'work-view-1700000000-123456')
  assert.deepEqual(VIEW_NAME.exec('a-view-b-view-1-2')?.slice(1), ['a-view-b', '1', '2'])
  assert.deepEqual(VIEW_NAME.exec('line\nbreak-view-1-2')?.slice(1), ['line\nbreak', '1', '2'])
  assert.equal(VIEW_NAME.exec('work-view-1-2x'), null)
  assert.equal(VIEW_NAME.exec('work-view-1-'), null)
  assert.equal(VIEW_NAME.exec('work-view--2'), null)
})

test('storedName writes every control character as tmux 3.3a does; findSession takes the stored name exactly', () => {
  const v33 = tmuxVersion('tmux 3.3a')
  assert.equal(storedName('\r\b\f\v\x07\0', v33), '\\r\\b\\f\\v\\a\\000')
  assert.equal(storedName('\x01\x1b\x7f', v33), '\\001\\033\\177')
  assert.equal(storedName(' ~!"', v33), ' ~!"')
  const all = [session({ name: 'a\\rb' }), session({ name: 'x_y' })]
  assert.equal(findSession(all, storedName('a\rb', v33))?.name, 'a\\rb')
  assert.equal(findSession(all, storedName('x.y', v33)), all[1])
  assert.equal(findSession(all, 'x_y'), all[1])
  assert.equal(findSession(all, 'x.y'), undefined) // exact only: on 3.7+ 'x.y' is a name of its own
})

// ---- views and parents ------------------------------------------------------------------------

test('an older-design name is a view only when grouped, and grouped with its named parent', () => {
  const parent = session({ name: 'work' }) // ungrouped
  const lone = session({ name: 'work-view-1-2' }) // ungrouped too: null === null is no group
  assert.equal(viewKind(lone, [parent, lone]), null)
  const p2 = session({ name: 'notes', group: 'notes' })
  const elsewhere = session({ name: 'notes-view-1-2', group: 'other' }) // its parent is in another group
  assert.equal(viewKind(elsewhere, [p2, elsewhere]), null)
  assert.equal(parentOf(elsewhere, [p2, elsewhere]), undefined)
})

test('parentOf: only a live parent in the view\'s own group, never the view itself', () => {
  const parent = session({ name: 'work', group: 'work' })
  const view = session({ name: 'v', group: 'work', parentId: parent.id })
  assert.equal(parentOf(view, [parent, view]), parent)
  const moved = { ...parent, group: 'other' }
  assert.equal(parentOf(view, [moved, view]), undefined, 'a parent in another group')
  const ungrouped = session({ name: 'u', parentId: '$p' })
  const ungroupedParent = session({ id: '$p', name: 'p' })
  assert.equal(parentOf(ungrouped, [ungroupedParent, ungrouped]), undefined, 'no group at all')
  const self = session({ id: '$self', name: 'x', group: 'g', parentId: '$self' })
  assert.equal(parentOf(self, [self]), undefined, 'marks naming the view itself')
  assert.equal(parentOf(session({ name: 'gone-view-1-2', group: 'gone' }), []), undefined, 'an older-design view whose parent is gone')
  // an older-design view whose namesake is itself a view (of another parent) has no parent
  const fake = session({ name: 'w', group: 'g', parentId: '$elsewhere' })
  const legacy = session({ name: 'w-view-1-2', group: 'g' })
  assert.equal(parentOf(legacy, [fake, legacy]), undefined)
})

test('viewsOf: the views of this parent only', () => {
  const work = session({ name: 'work', group: 'work' })
  const notes = session({ name: 'notes', group: 'notes' })
  const mine = session({ name: 'a', group: 'work', parentId: work.id })
  const theirs = session({ name: 'b', group: 'notes', parentId: notes.id })
  const plain = session({ name: 'c', group: 'work' })
  assert.deepEqual(viewsOf(work, [work, notes, mine, theirs, plain]), [mine])
})

// ---- claims, reuse, age -----------------------------------------------------------------------

test('claims: the grace ends exactly graceSec after the claim; an attach at the claim second counts', () => {
  const v = session({ claimAt: 100 })
  assert.equal(claimPending(v, 129, 30), true)
  assert.equal(claimPending(v, 130, 30), false)
  assert.equal(claimPending({ ...v, lastAttached: 100 }, 101, 30), false)
  // whatever the clock says: no claim is never pending; never attached is not attached since the claim
  assert.equal(claimPending(session({}), 10, 30), false)
  assert.equal(claimPending(session({ claimAt: 0 }), 10, 30), true)
})

test('reusable views: most recently used first, never-attached ones last', () => {
  const parent = session({ name: 'work', group: 'work' })
  const mk = (lastAttached: number | null) => session({ group: 'work', parentId: parent.id, lastAttached })
  const [a, b, c, d] = [mk(100), mk(300), mk(null), mk(200)]
  assert.deepEqual(reusableViews(parent, [parent, a, b, c, d], 1000, 30), [b, d, a, c])
  assert.deepEqual(reusableViews(parent, [parent, c], 1, 0), [c], 'never attached: reusable at any time')
})

test('unattachedFor counts from the latest of last attach, activity, creation and claim', () => {
  const base = { created: 100, activity: 100 }
  assert.equal(unattachedFor(session({ ...base, lastAttached: 500 }), 1000), 500)
  assert.equal(unattachedFor(session({ ...base, claimAt: 700 }), 1000), 300)
  assert.equal(unattachedFor(session({ ...base, activity: 800 }), 1000), 200)
  assert.equal(unattachedFor(session({ created: 900, activity: 100 }), 1000), 100)
  assert.equal(unattachedFor(session({ ...base, lastAttached: 600, claimAt: 400 }), 1000), 400)
})

// ---- verdicts ---------------------------------------------------------------------------------

test('judge: each rule in order, with its reason and whether the view may go', () => {
  const now = 10_000
  const parent = session({ name: 'work', group: 'work', groupSize: 2 })
  const mk = (p: Partial<Session>) => session({ group: 'work', groupSize: 2, parentId: parent.id, created: now - 60, activity: now - 60, ...p })
  const verdict = (v: Session, p: Policy) => {
    const { remove, reason } = judge(v, 'marked', [parent, v], p)
    return [remove, reason]
  }
  assert.deepEqual(verdict(mk({ attached: 2 }), HOOK_RULE(now)), [false, 'attached'])
  assert.deepEqual(verdict(mk({ claim: 'tok-1', claimAt: now - 1 }), HOOK_RULE(now)), [false, 'claimed'])
  assert.deepEqual(verdict(mk({ claim: 'tok 1' }), HOOK_RULE(now)), [false, 'claimed'], 'a token unsafe in a format')
  assert.deepEqual(verdict(mk({ claim: 'tok_1-A' }), HOOK_RULE(now)), [true, 'orphan'])
  assert.deepEqual(verdict(mk({ groupSize: 1 }), HOOK_RULE(now)), [false, 'last-of-group'])
  assert.deepEqual(verdict(mk({ groupSize: 1, tab: '3' }), SWEEP_RULE(now)), [false, 'last-of-group'], 'alone, even when tracked')
  assert.deepEqual(verdict(mk({}), HOOK_RULE(now)), [true, 'orphan'])
  assert.deepEqual(verdict(mk({}), SWEEP_RULE(now)), [true, 'untracked'])
  assert.deepEqual(verdict(mk({ tab: '3' }), SWEEP_RULE(now, 300, new Set(['4']))), [true, 'untracked'])
  assert.deepEqual(verdict(mk({ tab: '3' }), SWEEP_RULE(now, 300, new Set(['3']))), [false, 'tracked'])
  assert.deepEqual(verdict(mk({ tab: '3' }), SWEEP_RULE(now, 60)), [true, 'expired'], 'unattached exactly max-age')
  assert.deepEqual(verdict(mk({ tab: '3' }), SWEEP_RULE(now, 61)), [false, 'tracked'])
  assert.equal(judge(mk({}), 'legacy', [parent], HOOK_RULE(now)).kind, 'legacy')
  assert.equal(judge(mk({}), 'marked', [parent], HOOK_RULE(now)).parent, parent)
  assert.equal(SAFE_TOKEN.test(''), true)
  assert.equal(SAFE_TOKEN.test('a#{b}'), false)
})

test('judgeAll: a view kept for its own reason does not use up its group\'s members', () => {
  const now = 10_000
  // parent gone; one view attached (kept), one orphan: the orphan may go, the attached one holds the windows
  const attached = session({ group: 'g', groupSize: 2, parentId: '$gone', attached: 1, created: 1 })
  const orphan = session({ group: 'g', groupSize: 2, parentId: '$gone', created: 2 })
  assert.deepEqual(judgeAll([attached, orphan], HOOK_RULE(now)).map((v) => [v.remove, v.reason]), [[false, 'attached'], [true, 'orphan']])
  // sessions that are no views are not judged
  assert.deepEqual(judgeAll([session({ name: 'plain' })], HOOK_RULE(now)), [])
})

test('rescueName: the parent\'s name for the last of a group whose parent is gone, if free', () => {
  const now = 10_000
  const marked = session({ name: 'x-view-1-2', group: 'work', groupSize: 1, parentId: '$gone', parentName: 'work' })
  const [v] = judgeAll([marked], HOOK_RULE(now))
  assert.equal(rescueName(v, [marked]), 'work')
  assert.equal(rescueName(v, [marked, session({ name: 'work' })]), null, 'the name is taken')
  const legacy = session({ name: 'notes-view-1-2', group: 'notes', groupSize: 1 })
  assert.equal(rescueName({ view: legacy, kind: 'legacy', parent: undefined, remove: false, reason: 'last-of-group' }, [legacy]), 'notes')
  assert.equal(rescueName({ view: legacy, kind: 'legacy', parent: undefined, remove: false, reason: 'attached' }, [legacy]), null)
  assert.equal(rescueName({ view: legacy, kind: 'legacy', parent: legacy, remove: false, reason: 'last-of-group' }, [legacy]), null, 'parent alive')
  const nameless = session({ name: 'odd', group: 'g', groupSize: 1, parentId: '$gone' })
  assert.equal(rescueName({ view: nameless, kind: 'marked', parent: undefined, remove: false, reason: 'last-of-group' }, [nameless]), null)
})

// ---- command text -----------------------------------------------------------------------------

test('arguments and names for tmux: a trailing ; escaped, # doubled, control characters cleaned', () => {
  assert.equal(escapeArg(';'), '\\;')
  assert.equal(escapeArg('a;b'), 'a;b')
  assert.equal(escapeName('a#b##'), 'a##b####')
  assert.deepEqual(chain([['a', 'x;']]), ['a', 'x\\;'])
  assert.deepEqual(chain([['a'], ['b'], ['c']]), ['a', ';', 'b', ';', 'c'])
  assert.deepEqual(chain([]), [])
  assert.equal(cleanValue('a\tb\nc\rd\x00e\x1ff\x7fg h'), 'a b c d e f g h')
})

test('the kill guard compares clients, last attach, claim and group size in one format', () => {
  // (its behaviour against real servers and real races: guards.test.ts, cleanup.test.ts)
  const g = removable(session({ lastAttached: 1700000000, claim: 'tok-1' }))
  assert.ok(g.startsWith('#{==:#{session_attached}/#{session_last_attached}/#{@tmux-views-claim}/#{e|>:#{session_group_size},1}/'), g)
  assert.ok(g.includes(',0/1700000000/tok-1/1/'), g)
  assert.ok(removable(session({})).includes(',0///1/'))
})

test('the server as listed: one row per session in WORLD_FORMAT\'s fields, the name test only for unmarked ones', () => {
  // (that tmux expands #{S:WORLD_FORMAT} to exactly this: cleanup.test.ts, on every tmux in CI)
  assert.ok(WORLD_FORMAT.startsWith('#{session_id}/#{session_attached}/#{session_last_attached}/#{@tmux-views-claim}/#{@tmux-views-parent-id}/'))
  const parent = session({ id: '$0', name: 'work', group: 'work', attached: 2, lastAttached: 1700000000 })
  const marked = session({ id: '$3', name: 'x', group: 'work', parentId: '$0', claim: '123-abc_9' })
  const legacy = session({ id: '$4', name: 'work-view-1700000000-123456', group: 'work' })
  const renamed = session({ id: '$5', name: 'work-view-1700000000-123456 (mine)', group: 'work' })
  assert.equal(worldAsSeen([parent, marked, legacy, renamed]), '$0/2/1700000000///0|$3/0//123-abc_9/$0/|$4/0////1|$5/0////0|')
  assert.equal(worldAsSeen([]), '')
  // a value that a format would read as syntax: no shortcut, the per-view guards run
  for (const claim of ['a,b', 'a}b', '#{x}', "a'b", 'a b', 'a|b', 'a/b'])
    assert.equal(worldAsSeen([parent, session({ claim })]), null, claim)
})

test('worldUnchanged: the world in the listing\'s order, then in id order when that differs', () => {
  const a = session({ id: '$10', name: 'a' })
  const b = session({ id: '$9', name: 'b' })
  const S = `#{S:${WORLD_FORMAT}}`
  assert.equal(worldUnchanged([b]), `#{==:${S},$9/0////0|}`)
  assert.equal(worldUnchanged([a, b]), `#{?#{==:${S},$10/0////0|$9/0////0|},1,#{==:${S},$9/0////0|$10/0////0|}}`)
  assert.equal(worldUnchanged([a, session({ claim: 'a,b' })]), null)
})

test('keepsEveryGroup: a plan may empty no group, and a session outside any group is never planned away', () => {
  const parent = session({ group: 'work' })
  const a = session({ group: 'work' })
  const b = session({ group: 'work' })
  const alone = session({ group: 'other' })
  assert.equal(keepsEveryGroup([parent, a, b, alone], [a, b]), true)
  assert.equal(keepsEveryGroup([a, b], [a]), true)
  assert.equal(keepsEveryGroup([a, b], [a, b]), false)
  assert.equal(keepsEveryGroup([parent, a, alone], [a, alone]), false)
  assert.equal(keepsEveryGroup([parent, a], []), true)
  const ungrouped = session({})
  assert.equal(keepsEveryGroup([parent, ungrouped], [ungrouped]), false)
})

test('quoting: POSIX shell single quotes, and tmux\'s own parser', () => {
  assert.equal(shellQuote("it's"), "'it'\\''s'")
  assert.equal(shellQuote(''), "''")
  assert.equal(quoteForTmux('plain $x "y"'), `'plain $x "y"'`)
  assert.equal(quoteForTmux(`it's "a" $b \\c`), `"it's \\"a\\" \\$b \\\\c"`)
})

test('the hook: one fixed index, a run-shell that names no session, the same as a tmux.conf line', () => {
  assert.equal(HOOK, 'client-detached[48]')
  // (what tmux makes of these strings is tested against real servers: cleanup.test.ts, escaping.test.ts)
  const cmd = hookCommand('/n', "/it's #1/x.mjs")
  assert.ok(cmd.startsWith('run-shell -b "/bin/sh '), cmd)
  assert.ok(cmd.includes(`'/n' '/it'\\\\''s ##1/x.mjs'`), 'node and entry POSIX-quoted, # doubled: ' + cmd)
  assert.doesNotMatch(cmd, /[^#]#1/)
  assert.ok(hookConfLine('/n', '/e').startsWith(`set-hook -g '${HOOK}' ${quoteForTmux(hookCommand('/n', '/e'))}`))
})

test('the one-call spawn takes only plain names that are no view name', () => {
  for (const name of ['work', 'my.project', 'a-b_c', 'x'.repeat(100)]) assert.notEqual(firstViewGate(name), null, name)
  for (const name of ['', 'a b', 'a:b', 'a#b', 'a,b', 'a}b', 'é', 'work-view-1-2', 'x'.repeat(101), '$(x)']) assert.equal(firstViewGate(name), null, name)
})
