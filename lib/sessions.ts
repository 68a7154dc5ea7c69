// The session model: the marks a view carries, the list-sessions format and its parser (pure).
/** The marks spawn-view leaves on a view: session user options, so tracking lives in tmux. */
export const MARK = {
  parentId: '@tmux-views-parent-id',
  parent: '@tmux-views-parent',
  created: '@tmux-views-created',
  claim: '@tmux-views-claim',
  claimAt: '@tmux-views-claim-at',
  tab: '@tmux-views-tab',
  title: '@tmux-views-title',
  icon: '@tmux-views-icon',
  kept: '@tmux-views-kept',
} as const

export interface Session {
  id: string
  name: string
  attached: number
  created: number
  activity: number
  lastAttached: number | null
  group: string | null
  groupSize: number
  parentId: string | null
  parentName: string | null
  viewCreated: number | null
  claim: string | null
  claimAt: number | null
  tab: string | null
  title: string | null
  icon: string | null
  kept: boolean
}

const text = (v: string) => v
const int = (v: string) => Number.parseInt(v, 10) || 0
const optInt = (v: string) => (v === '' ? null : Number.parseInt(v, 10))
const optText = (v: string) => (v === '' ? null : v)

/**
 * One list: it builds the -F format and parses rows, so order and parser cannot drift apart.
 * groupSize is the one field not read from tmux (parseSessions counts it).
 */
export const SESSION_FIELDS: ReadonlyArray<[keyof Session, string, (v: string) => unknown]> = [
  ['id', 'session_id', text],
  ['name', 'session_name', text],
  ['attached', 'session_attached', int],
  ['created', 'session_created', int],
  ['activity', 'session_activity', int],
  ['lastAttached', 'session_last_attached', optInt],
  ['group', 'session_group', optText],
  ['parentId', MARK.parentId, optText],
  ['parentName', MARK.parent, optText],
  ['viewCreated', MARK.created, optInt],
  ['claim', MARK.claim, optText],
  ['claimAt', MARK.claimAt, optInt],
  ['tab', MARK.tab, optText],
  ['title', MARK.title, optText],
  ['icon', MARK.icon, optText],
  ['kept', MARK.kept, (v: string) => v !== ''],
]

// tmux writes names with tabs escaped (\t), and option values are cleaned on write, so a tab
// separates fields safely.
export const SESSION_FORMAT = SESSION_FIELDS.map(([, f]) => `#{${f}}`).join('\t')

export function parseSessions(stdout: string): Session[] {
  const sessions = stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const values = line.split('\t')
      const row: Record<string, unknown> = {}
      SESSION_FIELDS.forEach(([key, , parse], i) => (row[key] = parse(values[i] ?? '')))
      return row as unknown as Session
    })
  // Counted here: tmux's #{session_group_size} walks the group for every row, quadratic in views.
  const sizes = new Map<string, number>()
  for (const s of sessions) if (s.group !== null) sizes.set(s.group, (sizes.get(s.group) ?? 0) + 1)
  for (const s of sessions) s.groupSize = s.group === null ? 0 : sizes.get(s.group)!
  return sessions
}
