// Pure decisions over parsed sessions: what is a view, whose view it is, which one to reuse.
// No I/O here, so every rule is tested with plain data.
import type { Session } from './sessions.ts'

/** `<parent>-view-<unix-seconds>-<random>`, the name the older design used too. */
export const VIEW_NAME = /^(.*)-view-(\d+)-(\d+)$/s

export function viewName(parent: string, nowSec: number, random: number): string {
  return `${parent}-view-${nowSec}-${random}`
}

/** Sessions by name and by id, built once per listing: a sweep over 1000 views stays linear. */
const indexes = new WeakMap<Session[], { byName: Map<string, Session>; byId: Map<string, Session> }>()
function index(sessions: Session[]) {
  let ix = indexes.get(sessions)
  if (!ix) {
    ix = { byName: new Map(sessions.map((s) => [s.name, s])), byId: new Map(sessions.map((s) => [s.id, s])) }
    indexes.set(sessions, ix)
  }
  return ix
}

/** The session named exactly `name` (null: a name tmux refuses, so no session has it). */
export function findSession(sessions: Session[], name: string | null): Session | undefined {
  return name === null ? undefined : index(sessions).byName.get(name)
}

export type ViewKind = 'marked' | 'legacy'

/**
 * A view is a session spawn-view marked, or one of the older design: named
 * `<parent>-view-<digits>-<digits>` AND grouped with a session named `<parent>`.
 */
export function viewKind(s: Session, sessions: Session[]): ViewKind | null {
  if (s.parentId !== null) return 'marked'
  const m = VIEW_NAME.exec(s.name)
  if (!m || s.group === null) return null
  const parent = m[1]
  const o = index(sessions).byName.get(parent)
  return o !== undefined && o !== s && o.group === s.group ? 'legacy' : null
}

/** The parent of a view when it is still alive and in the view's group. */
export function parentOf(view: Session, sessions: Session[]): Session | undefined {
  const inGroup = (o: Session | undefined) => o !== undefined && o !== view && o.group !== null && o.group === view.group ? o : undefined
  const { byId, byName } = index(sessions)
  if (view.parentId !== null) return inGroup(byId.get(view.parentId))
  const m = VIEW_NAME.exec(view.name)
  const named = m ? inGroup(byName.get(m[1])) : undefined
  return named?.parentId === null ? named : undefined
}

/** The views that belong to `parent`. */
export function viewsOf(parent: Session, sessions: Session[]): Session[] {
  return sessions.filter((s) => viewKind(s, sessions) !== null && parentOf(s, sessions) === parent)
}

/**
 * A claimed view waits for its client: protected from reuse and cleanup until a client attaches
 * (tmux's last-attached time reaches the claim time) or the grace period passes.
 */
export function claimPending(view: Session, nowSec: number, graceSec: number): boolean {
  if (view.claimAt === null) return false
  const attachedSince = view.lastAttached !== null && view.lastAttached >= view.claimAt
  return !attachedSince && nowSec - view.claimAt < graceSec
}

/**
 * The views of `parent` that a new tab may take over, most recently used first. A view attached
 * in this very second is passed over, so "attached since the claim" stays exact at one-second
 * resolution.
 */
export function reusableViews(parent: Session, sessions: Session[], nowSec: number, graceSec: number): Session[] {
  return viewsOf(parent, sessions)
    .filter((v) => v.attached === 0 && !claimPending(v, nowSec, graceSec) && (v.lastAttached ?? -1) < nowSec)
    .sort((a, b) => (b.lastAttached ?? 0) - (a.lastAttached ?? 0))
}

/**
 * Joining a group goes by name: if the parent is in no group but a group of its name exists
 * (views of an earlier session of that name), a new view would merge the two and tmux would
 * destroy one set of windows. Such a parent must not get a view.
 */
export function groupConflict(parent: Session, sessions: Session[]): boolean {
  return parent.group === null && sessions.some((s) => s.group === parent.name)
}

// ---- which views may go -----------------------------------------------------------------------

export interface Policy {
  nowSec: number
  graceSec: number
  /** sweep: also remove tracked views unattached this long; null: the hook's rule (any orphan) */
  maxAgeSec: number | null
  /** the tabs the terminal still has; null when unknown */
  liveTabs: Set<string> | null
}

export type KeepReason = 'attached' | 'claimed' | 'last-of-group' | 'tracked'
export type RemoveReason = 'orphan' | 'untracked' | 'expired'

export interface Verdict {
  view: Session
  kind: ViewKind
  /** the parent, when alive and still in the view's group */
  parent: Session | undefined
  remove: boolean
  reason: KeepReason | RemoveReason
}

/** Seconds since a view last had a client (or since it was made or claimed, if later). */
export function unattachedFor(view: Session, nowSec: number): number {
  return nowSec - Math.max(view.lastAttached ?? 0, view.activity, view.created, view.claimAt ?? 0)
}

/**
 * A view may go only when no client shows it, it is not inside its claim grace, and it is not the
 * last member of its group (killing that would kill the user's programs). The hook removes every
 * such view; a sweep only the untracked ones and those unattached longer than max-age.
 */
export function judge(view: Session, kind: ViewKind, sessions: Session[], p: Policy): Verdict {
  const parent = parentOf(view, sessions)
  const keep = (reason: KeepReason): Verdict => ({ view, kind, parent, remove: false, reason })
  const go = (reason: RemoveReason): Verdict => ({ view, kind, parent, remove: true, reason })
  if (view.attached > 0) return keep('attached')
  if (claimPending(view, p.nowSec, p.graceSec) || !SAFE_TOKEN.test(view.claim ?? '')) return keep('claimed')
  if (view.groupSize <= 1) return keep('last-of-group')
  if (p.maxAgeSec === null) return go('orphan')
  if (view.tab === null || (p.liveTabs !== null && !p.liveTabs.has(view.tab))) return go('untracked')
  if (unattachedFor(view, p.nowSec) >= p.maxAgeSec) return go('expired')
  return keep('tracked')
}

/** Claim tokens are compared inside a tmux format at kill time, so only plain ones are trusted. */
export const SAFE_TOKEN = /^[\w-]*$/

/**
 * Every view on the server, judged as if removed least recently used first: a group never loses
 * its last member, even when all of its members may go (a parent gone, its views orphaned), and
 * the member it keeps is the one used last. Verdicts come back in listing order.
 */
export function judgeAll(sessions: Session[], p: Policy): Verdict[] {
  const views = sessions.map((s) => ({ s, kind: viewKind(s, sessions) })).filter((x) => x.kind !== null)
  const used = (s: Session) => s.lastAttached ?? s.created
  const left = new Map<string, number>()
  const verdicts = new Map<Session, Verdict>()
  for (const { s, kind } of [...views].sort((a, b) => used(a.s) - used(b.s))) {
    let v = judge(s, kind!, sessions, p)
    const members = left.get(s.group!) ?? s.groupSize
    if (v.remove && members <= 1) v = { ...v, remove: false, reason: 'last-of-group' }
    if (v.remove) left.set(s.group!, members - 1)
    verdicts.set(s, v)
  }
  return views.map(({ s }) => verdicts.get(s)!)
}

/** The name to give back to a view that outlived its parent, if the name is free. */
export function rescueName(v: Verdict, sessions: Session[]): string | null {
  if (v.reason !== 'last-of-group' || v.parent) return null
  const name = v.view.parentName ?? VIEW_NAME.exec(v.view.name)?.[1] ?? null
  return name !== null && !index(sessions).byName.has(name) ? name : null
}
