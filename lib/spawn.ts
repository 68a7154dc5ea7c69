// Make or reuse a view of a parent session, race-free: every claim and every creation is one
// atomic tmux invocation, so N spawns at once get N distinct views.
import { TmuxError, type Tmux } from './tmux.ts'
import { MARK, type Session } from './sessions.ts'
import { findSession, groupConflict, parentOf, reusableViews, viewKind, viewName } from './views.ts'
import { storedName } from './version.ts'
import { firstViewGate, idOfNamed } from './commands.ts'
import { Failure, UsageError } from './cli.ts'

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

/**
 * The longest parent name, --tab, --title or --icon, in UTF-8 bytes. Each goes into one tmux
 * command message up to three times (mark, name, escaped), and tmux takes at most 16 KiB there:
 * a longer one is refused before anything is made.
 */
export const MAX_NAME_BYTES = 1000

/** A usage error for a name or tab text too long to go through tmux. */
export function checkLengths(texts: Record<string, string | undefined>): void {
  for (const [what, text] of Object.entries(texts)) {
    const bytes = text === undefined ? 0 : Buffer.byteLength(text)
    if (bytes > MAX_NAME_BYTES) throw new UsageError(`${what} is ${bytes} bytes long; the limit is ${MAX_NAME_BYTES} bytes: use a shorter one`)
  }
}

export async function spawnView(tmux: Tmux, parentName: string, opts: SpawnOptions): Promise<Spawned> {
  const now = opts.nowSec ?? (() => Math.floor(Date.now() / 1000))
  const log = opts.log ?? (() => {})
  checkLengths({ PARENT: parentName, '--tab': opts.tab, '--title': opts.title, '--icon': opts.icon })
  const tabMarks = pickDefined({ [MARK.tab]: opts.tab, [MARK.title]: opts.title, [MARK.icon]: opts.icon })
  let sessions: Session[]
  try {
    const first = await firstView(tmux, parentName, tabMarks, now, log)
    if (!Array.isArray(first)) return first
    sessions = first
  } catch (e) {
    if (!(e instanceof TmuxError && e.kind === 'no-server')) throw e
    if (!opts.create)
      throw new Failure(`no tmux server on socket '${tmux.label}': start tmux there, or add --create to start it with session '${parentName}'`)
    sessions = []
  }
  // The name as given, else as this tmux stores it ('a.b' is 'a_b' before 3.7): -V only if needed.
  let parent = findSession(sessions, parentName) ?? findSession(sessions, storedName(parentName, await tmux.versionInfo()))
  if (!parent && opts.create) {
    if (storedName(parentName, await tmux.versionInfo()) === null)
      throw new Failure(`${await tmux.version()} refuses a session name with control characters: ${JSON.stringify(parentName)}`)
    // tmux rewrites some characters of a name: find what it made by its id, or, when another spawn
    // made it first, by the name tmux says it stored.
    const made = await tmux.newSession(parentName)
    sessions = await tmux.listSessionsStrict()
    parent = 'id' in made ? sessions.find((s) => s.id === made.id) : sessions.find((s) => s.name === made.taken)
  }
  if (!parent) throw new Failure(`no session named '${parentName}' on socket '${tmux.label}': add --create to make it, or give the name as 'tmux ls' shows it`)
  // Asked for a view of a view: mean its parent.
  if (viewKind(parent, sessions)) parent = parentOf(parent, sessions) ?? parent
  if (groupConflict(parent, sessions))
    throw new Failure(
      `refusing to group with '${parent.name}': a session group of that name exists without it ` +
        `(views of an earlier '${parent.name}'); run 'sweep --rescue' or rename the session`,
    )

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

/**
 * The usual case in one tmux call: a parent with a plain name and no view to reuse gets its new
 * view in the call that lists the server (firstViewGate decides inside tmux, at that moment).
 * Otherwise nothing is made, and the listing comes back for the decisions below.
 */
async function firstView(
  tmux: Tmux,
  parentName: string,
  tabMarks: Record<string, string>,
  now: () => number,
  log: (line: string) => void,
): Promise<Spawned | Session[]> {
  const gate = firstViewGate(parentName)
  if (gate === null) return tmux.listSessionsStrict()
  const t = now()
  // the parent's id is not known yet: tmux fills it in from the session of that name
  const marks = newViewMarks(parentName, t, tabMarks)
  const { sessions, made } = await tmux.listOrNewView(parentName, gate, nameFor(parentName, t), marks, { [MARK.parentId]: idOfNamed(parentName) })
  if (made === null) return sessions
  log(`Creating new view session: ${made.name}`)
  return { id: made.id, view: made.name, parent: parentName, reused: false }
}

async function createView(
  tmux: Tmux,
  parent: Session,
  tabMarks: Record<string, string>,
  now: () => number,
  log: (line: string) => void,
): Promise<Spawned> {
  const t = now()
  const marks = { [MARK.parentId]: parent.id, ...newViewMarks(parent.name, t, tabMarks) }
  try {
    const { id, name } = await tmux.newView(parent.id, nameFor(parent.name, t), marks)
    log(`Creating new view session: ${name}`)
    return { id, view: name, parent: parent.name, reused: false }
  } catch (e) {
    if (e instanceof TmuxError && e.kind === 'no-session')
      throw new Failure(`session '${parent.name}' went away before its view was made: run spawn-view again (--create makes it anew)`)
    throw e
  }
}

/** A view name maker for newView: the parent's name, the time, a fresh random part each call. */
function nameFor(parent: string, t: number): () => string {
  return () => viewName(parent, t, 100000 + Math.floor(Math.random() * 900000))
}

/** The marks of a view made at `t`, but for its parent's id: parent name, time, a fresh claim, the tab's. */
function newViewMarks(parentName: string, t: number, tabMarks: Record<string, string>): Record<string, string> {
  return { [MARK.parent]: parentName, [MARK.created]: String(t), [MARK.claim]: newToken(), [MARK.claimAt]: String(t), ...tabMarks }
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
