// What report prints: each view with its state, as plain data (pure), and the table around it.
import type { Session } from './sessions.ts'
import { printable } from './text.ts'
import { judgeAll, unattachedFor, type Policy } from './views.ts'

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
  /**
   * Which layer removes it, and when: `hook` true when the next detach anywhere on the server
   * removes it; `sweepInSec` 0 when the next sweep does, N when a sweep does once it has been
   * unattached for --max-age (in N seconds), null when no sweep does (attached, claimed, the
   * last of its group). `graceLeftSec`: how long a claim still protects it.
   */
  next: { hook: boolean; sweepInSec: number | null; graceLeftSec: number | null }
}

const iso = (sec: number) => new Date(sec * 1000).toISOString()
const STATE: Record<string, ViewState> = { attached: 'attached', claimed: 'grace', 'last-of-group': 'last-of-group' }

/** Every view, judged by the hook's rule (its state), and by the sweep's (when a sweep takes it). */
export function viewRows(sessions: Session[], socket: string, policy: Omit<Policy, 'maxAgeSec' | 'liveTabs'> & { maxAgeSec?: number }): ViewRow[] {
  const maxAgeSec = policy.maxAgeSec ?? 300
  const sweep = new Map(judgeAll(sessions, { ...policy, maxAgeSec, liveTabs: null }).map((v) => [v.view.id, v]))
  return judgeAll(sessions, { ...policy, maxAgeSec: null, liveTabs: null }).map((v) => {
    const s = sweep.get(v.view.id)!
    const sweepInSec = s.remove ? 0 : s.reason === 'tracked' ? Math.max(1, maxAgeSec - unattachedFor(v.view, policy.nowSec)) : null
    const graceLeftSec = v.reason === 'claimed' && v.view.claimAt !== null ? Math.max(0, v.view.claimAt + policy.graceSec - policy.nowSec) : null
    return {
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
      next: { hook: v.remove, sweepInSec, graceLeftSec },
    }
  })
}

/** The STATE cell: the state, and for an orphan which layer removes it and when. */
export function stateText(r: ViewRow): string {
  const older = r.design === 'older' ? ' (older)' : ''
  if (r.state === 'grace') return `grace ${r.next.graceLeftSec === null ? '' : ago(0, r.next.graceLeftSec * 1000)}`.trim() + older
  if (r.state !== 'orphan') return r.state + older
  const sweep = r.next.sweepInSec === 0 ? 'sweep' : r.next.sweepInSec === null ? '' : `sweep ${ago(0, r.next.sweepInSec * 1000)}`
  return `orphan: ${['hook', sweep].filter(Boolean).join(r.next.sweepInSec ? '; ' : ', ')}${older}`
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

/**
 * Width in terminal cells: a CJK character or an emoji takes two, a combining mark or a joiner
 * none. Counted per grapheme (Intl.Segmenter), so a flag or a ZWJ family is one wide cell pair.
 */
export function cellWidth(text: string): number {
  let w = 0
  for (const { segment } of graphemes.segment(text)) w += graphemeWidth(segment)
  return w
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' })

function graphemeWidth(g: string): number {
  const cp = g.codePointAt(0)!
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0
  if (/^\p{Mn}|^\p{Me}|^[\u200b-\u200f\ufe00-\ufe0f]/u.test(g)) return 0
  if (/\p{Emoji_Presentation}|\p{Extended_Pictographic}\ufe0f|\p{Regional_Indicator}/u.test(g)) return 2
  return WIDE.some(([a, b]) => cp >= a && cp <= b) ? 2 : 1
}

/** East Asian Wide and Fullwidth ranges (Unicode 15, EastAsianWidth.txt, W and F), coarsened. */
const WIDE: Array<[number, number]> = [
  [0x1100, 0x115f], [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff],
  [0xa000, 0xa4cf], [0xa960, 0xa97f], [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f], [0xff00, 0xff60], [0xffe0, 0xffe6], [0x1f300, 0x1f64f], [0x1f900, 0x1f9ff],
  [0x20000, 0x2fffd], [0x30000, 0x3fffd],
]

/** `text` cut to `width` cells, with … standing in for what was cut (from the middle if asked). */
export function fitCells(text: string, width: number, middle = false): string {
  if (cellWidth(text) <= width) return text
  if (width <= 1) return width === 1 ? '…' : ''
  const parts = [...graphemes.segment(text)].map((x) => x.segment)
  const take = (list: string[], room: number) => {
    const out: string[] = []
    for (const g of list) {
      if (room - graphemeWidth(g) < 0) break
      room -= graphemeWidth(g)
      out.push(g)
    }
    return out
  }
  if (!middle) return take(parts, width - 1).join('') + '…'
  const tail = take([...parts].reverse(), Math.ceil((width - 1) / 2)).reverse()
  return take(parts, width - 1 - cellWidth(tail.join(''))).join('') + '…' + tail.join('')
}

/**
 * Columns padded to their widest cell (in terminal cells); colour is applied after padding so it
 * never skews widths. Cells hold text from tmux: control characters in them are shown escaped. With `fit`, the columns named in `shrink` (in that order) are cut with …
 * until each line takes at most `fit` cells; `middle` columns keep their end (a view's unique part).
 */
export function table(
  cells: string[][],
  paint: Array<((s: string) => string) | undefined> = [],
  o: { fit?: number; shrink?: number[]; middle?: number[] } = {},
): string[] {
  const rows = cells.map((r) => r.map(printable))
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => cellWidth(r[i] ?? '')))) ?? []
  const total = () => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1)
  for (const i of o.shrink ?? []) {
    if (o.fit === undefined || total() <= o.fit) break
    const min = Math.min(widths[i], Math.max(cellWidth(rows[0][i]), o.middle?.includes(i) ? 12 : 3))
    widths[i] = Math.max(min, widths[i] - (total() - o.fit))
  }
  return rows.map((r) =>
    r.map((raw, i) => {
      const cell = cellWidth(raw) > widths[i] ? fitCells(raw, widths[i], o.middle?.includes(i)) : raw
      const padded = i === r.length - 1 ? cell : cell + ' '.repeat(widths[i] - cellWidth(cell))
      return paint[i] ? paint[i]!(padded) : padded
    }).join('  ').trimEnd(),
  )
}
