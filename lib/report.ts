// What report prints: each view with its state, as plain data (pure), and the table around it.
import type { Session } from './sessions.ts'
import { judgeAll, type Policy } from './views.ts'

export type ViewState = 'attached' | 'orphan' | 'grace' | 'last-of-group'

export interface ViewRow {
  name: string
  id: string
  parent: string | null
  socket: string
  /** number of clients */
  attached: number
  state: ViewState
  design: 'marked' | 'older'
  createdAt: string
  lastAttachedAt: string | null
  tab: string | null
  title: string | null
  icon: string | null
}

const iso = (sec: number) => new Date(sec * 1000).toISOString()
const STATE: Record<string, ViewState> = { attached: 'attached', claimed: 'grace', 'last-of-group': 'last-of-group' }

/** Every view, judged by the hook's rule: would the next detach remove it, and if not, why. */
export function viewRows(sessions: Session[], socket: string, policy: Omit<Policy, 'maxAgeSec' | 'liveTabs'>): ViewRow[] {
  return judgeAll(sessions, { ...policy, maxAgeSec: null, liveTabs: null }).map((v) => ({
    name: v.view.name,
    id: v.view.id,
    parent: v.parent?.name ?? v.view.parentName,
    socket,
    attached: v.view.attached,
    state: v.remove ? 'orphan' : (STATE[v.reason] ?? 'orphan'),
    design: v.kind === 'marked' ? 'marked' : 'older',
    createdAt: iso(v.view.viewCreated ?? v.view.created),
    lastAttachedAt: v.view.lastAttached === null ? null : iso(v.view.lastAttached),
    tab: v.view.tab,
    title: v.view.title,
    icon: v.view.icon,
  }))
}

export interface Counts {
  views: number
  attached: number
  /** views no client shows */
  orphans: number
  removable: number
  grace: number
  lastOfGroup: number
}

export function countRows(rows: ViewRow[]): Counts {
  const n = (f: (r: ViewRow) => boolean) => rows.filter(f).length
  return {
    views: rows.length,
    attached: n((r) => r.attached > 0),
    orphans: n((r) => r.attached === 0),
    removable: n((r) => r.state === 'orphan'),
    grace: n((r) => r.state === 'grace'),
    lastOfGroup: n((r) => r.state === 'last-of-group'),
  }
}

/** "3s", "4m", "2h", "5d": short and coarse, for a table. */
export function ago(fromMs: number, nowMs: number): string {
  const s = Math.max(0, Math.round((nowMs - fromMs) / 1000))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m`
  if (s < 86400) return `${Math.floor(s / 3600)}h`
  return `${Math.floor(s / 86400)}d`
}

/** Columns padded to their widest cell; colour is applied after padding so it never skews widths. */
export function table(rows: string[][], paint: Array<((s: string) => string) | undefined> = []): string[] {
  const width = (s: string) => [...s].length
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => width(r[i] ?? '')))) ?? []
  return rows.map((r) =>
    r.map((cell, i) => {
      const padded = i === r.length - 1 ? cell : cell + ' '.repeat(widths[i] - width(cell))
      return paint[i] ? paint[i]!(padded) : padded
    }).join('  ').trimEnd(),
  )
}
