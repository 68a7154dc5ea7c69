// Make or reuse a view of a parent session, race-free: every claim and every creation is one
// atomic tmux invocation, so N spawns at once get N distinct views.
import { TmuxError, type Tmux } from './tmux.ts'
import { MARK, type Session } from './sessions.ts'
import { findSession, groupConflict, parentOf, reusableViews, viewKind, viewName } from './views.ts'
import { Failure } from './cli.ts'

export interface SpawnOptions {
  create?: boolean
  reuse?: boolean
  graceSec: number
  tab?: string
  title?: string
  icon?: string
  log?: (line: string) => void
  nowSec?: () => number
}

export interface Spawned {
  id: string
  view: string
  parent: string
  reused: boolean
}

export async function spawnView(tmux: Tmux, parentName: string, opts: SpawnOptions): Promise<Spawned> {
  const now = opts.nowSec ?? (() => Math.floor(Date.now() / 1000))
  const log = opts.log ?? (() => {})
  let sessions = opts.create ? await tmux.listSessions() : await tmux.listSessionsStrict()
  let parent = findSession(sessions, parentName)
  if (!parent && opts.create) {
    await tmux.newSession(parentName) // false: another spawn made it first, which is as good
    sessions = await tmux.listSessionsStrict()
    parent = findSession(sessions, parentName)
  }
  if (!parent) throw new Failure(`no session named '${parentName}' on socket '${tmux.label}' (--create makes it)`)
  // Asked for a view of a view: mean its parent.
  if (viewKind(parent, sessions)) parent = parentOf(parent, sessions) ?? parent
  if (groupConflict(parent, sessions))
    throw new Failure(
      `refusing to group with '${parent.name}': a session group of that name exists without it ` +
        `(views of an earlier '${parent.name}'); run 'sweep --rescue' or rename the session`,
    )

  const tabMarks = pickDefined({ [MARK.tab]: opts.tab, [MARK.title]: opts.title, [MARK.icon]: opts.icon })

  if (opts.reuse !== false) {
    for (const view of reusableViews(parent, sessions, now(), opts.graceSec)) {
      // A view of the older design gets the marks of a new one, so it is tracked from now on.
      const marks = view.parentId === null ? { ...tabMarks, ...parentMarks(parent, view.created) } : tabMarks
      if (!(await tmux.claim(view, newToken(), now(), marks))) continue // another spawn took it: try the next
      log(`Reusing existing view session: ${view.name}`)
      return { id: view.id, view: view.name, parent: parent.name, reused: true }
    }
  }
  return createView(tmux, parent, tabMarks, now, log)
}

async function createView(
  tmux: Tmux,
  parent: Session,
  tabMarks: Record<string, string>,
  now: () => number,
  log: (line: string) => void,
): Promise<Spawned> {
  const t = now()
  const makeName = () => viewName(parent.name, t, 100000 + Math.floor(Math.random() * 900000))
  const marks = { ...parentMarks(parent, t), [MARK.claim]: newToken(), [MARK.claimAt]: String(t), ...tabMarks }
  try {
    const { id, name } = await tmux.newView(parent.id, makeName, marks)
    log(`Creating new view session: ${name}`)
    return { id, view: name, parent: parent.name, reused: false }
  } catch (e) {
    if (e instanceof TmuxError && e.kind === 'no-session')
      throw new Failure(`session '${parent.name}' went away before its view was made`)
    throw e
  }
}

function parentMarks(parent: Session, createdSec: number): Record<string, string> {
  return { [MARK.parentId]: parent.id, [MARK.parent]: parent.name, [MARK.created]: String(createdSec) }
}

/**
 * A claim token: unique among concurrent spawns by the pid, and across pid reuse by the random
 * part. Nothing secret hangs on it, so Math.random does (node:crypto costs ~3 ms at start-up).
 */
function newToken(): string {
  return `${process.pid}-${Math.random().toString(36).slice(2, 14)}`
}

function pickDefined(o: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, string>
}
