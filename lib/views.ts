// Pure decisions over parsed sessions: what is a view, whose view it is, which one to reuse.
// No I/O here, so every rule is tested with plain data.
import type { Session } from './tmux.ts'

/** `<parent>-view-<unix-seconds>-<random>`, the name the older design used too. */
export const VIEW_NAME = /^(.*)-view-(\d+)-(\d+)$/s

export function viewName(parent: string, nowSec: number, random: number): string {
  return `${parent}-view-${nowSec}-${random}`
}

/**
 * How tmux stores a name given to -s: ':' and '.' become '_', then backslashes, tabs, newlines
 * and other control characters are written as C escapes (tmux's utf8_stravis).
 */
export function storedName(name: string): string {
  const cstyle: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\b': '\\b', '\f': '\\f', '\v': '\\v', '\x07': '\\a', '\0': '\\000' }
  return name
    .replace(/[:.]/g, '_')
    .replace(/[\\\u0000-\u001f\u007f]/g, (c) => cstyle[c] ?? '\\' + c.charCodeAt(0).toString(8).padStart(3, '0'))
}

/** The session a user means by `name`: the exact name, else the name as tmux would store it. */
export function findSession(sessions: Session[], name: string): Session | undefined {
  return sessions.find((s) => s.name === name) ?? sessions.find((s) => s.name === storedName(name))
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
  return sessions.some((o) => o !== s && o.name === parent && o.group === s.group) ? 'legacy' : null
}

/** The parent of a view when it is still alive and in the view's group. */
export function parentOf(view: Session, sessions: Session[]): Session | undefined {
  const inGroup = (o: Session) => o !== view && o.group !== null && o.group === view.group
  if (view.parentId !== null) return sessions.find((o) => o.id === view.parentId && inGroup(o))
  const m = VIEW_NAME.exec(view.name)
  return m ? sessions.find((o) => o.name === m[1] && inGroup(o) && o.parentId === null) : undefined
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
