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

/**
 * The -F format of one listing. Option values are whatever any script or user set: a newline or
 * tab in one must not add, drop or shift a row or a field. So each row and field is framed by a
 * tag made fresh for this listing (random, so no value set before the listing can hold it):
 * `TAG<` field `TAG|` field ... `TAG>` and a newline.
 */
export function sessionFormat(tag: string): string {
  return `${tag}<${SESSION_FIELDS.map(([, f]) => `#{${f}}`).join(`${tag}|`)}${tag}>`
}

/** A parent id as tmux makes it; anything else in the mark is not ours. */
const SESSION_ID = /^\$\d+$/

/**
 * Sessions from a listing made with sessionFormat(tag). A row that does not have exactly the
 * framing and fields asked for is left out (it is no view of ours); so is a row whose parent mark
 * is not a session id.
 */
export function parseSessions(stdout: string, tag: string): Session[] {
  // Plain loops: a sweep parses this once per run, cold, up to thousands of rows (~2 ms less than
  // forEach with a closure per field at 1000 rows).
  const end = `${tag}>`
  const sep = `${tag}|`
  const sessions: Session[] = []
  const chunks = stdout.split(`${tag}<`)
  for (let c = 1; c < chunks.length; c++) {
    const chunk = chunks[c]
    const cut = chunk.endsWith(`${end}\n`) ? end.length + 1 : chunk.endsWith(end) ? end.length : -1
    if (cut < 0) continue
    const body = chunk.slice(0, -cut)
    if (body.includes(end)) continue
    const values = body.split(sep)
    if (values.length !== SESSION_FIELDS.length) continue
    const row: Record<string, unknown> = {}
    for (let i = 0; i < values.length; i++) row[SESSION_FIELDS[i][0]] = SESSION_FIELDS[i][2](values[i])
    const s = row as unknown as Session
    if (!SESSION_ID.test(s.id) || (s.parentId !== null && !SESSION_ID.test(s.parentId))) continue
    sessions.push(s)
  }
  // Counted here: tmux's #{session_group_size} walks the group for every row, quadratic in views.
  const sizes = new Map<string, number>()
  for (const s of sessions) if (s.group !== null) sizes.set(s.group, (sizes.get(s.group) ?? 0) + 1)
  for (const s of sessions) s.groupSize = s.group === null ? 0 : sizes.get(s.group)!
  return sessions
}
