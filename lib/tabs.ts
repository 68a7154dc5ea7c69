// The tab record: which terminal tabs were showing which views at the last pass that knew the
// terminal's live tabs (sweep --live-tabs). It outlives a terminal crash, so tabs can be restored.
import { closeSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { logDir } from './log.ts'
import { tryLock } from './lock.ts'
import { Failure } from './errors.ts'
import { checkOpened, privateDir } from './paths.ts'
import type { Session } from './sessions.ts'

export interface TabRecord {
  tab: string
  title: string | null
  icon: string | null
  parent: string | null
  view: string
  socket: string
}

export function tabsPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(logDir(env), 'tabs.json')
}

/** The live tabs' views, in the order they were opened (claim time, then tab id). */
export function liveTabRecords(sessions: Session[], liveTabs: Set<string>, socket: string): TabRecord[] {
  return sessions
    .filter((s) => s.tab !== null && liveTabs.has(s.tab))
    .sort((a, b) => (a.claimAt ?? a.created) - (b.claimAt ?? b.created) || Number(a.tab) - Number(b.tab))
    .map((s) => ({ tab: s.tab!, title: s.title, icon: s.icon, parent: s.parentName, view: s.name, socket }))
}

/**
 * The record after a pass over the servers `swept`: their live tabs as found now, and the tabs of
 * other servers kept while the terminal still has them (a pass over one server must not make a
 * restore forget the tabs of another).
 */
function mergeTabs(previous: TabRecord[], fresh: TabRecord[], swept: Set<string>, liveTabs: Set<string>): TabRecord[] {
  return [...previous.filter((r) => !swept.has(r.socket) && liveTabs.has(r.tab)), ...fresh]
}

/**
 * Merge a pass's tabs into the record under a lock, so two passes over different servers at once
 * never lose each other's tabs; replace the file atomically (a reader sees the old or the new
 * one). Waits up to `waitMs` for another pass; a warning instead of an update when it cannot
 * have the lock or write the file. Throws only a Failure: a directory or record another user
 * owns or may write.
 */
export async function recordTabs(
  fresh: TabRecord[],
  swept: Set<string>,
  liveTabs: Set<string>,
  env: NodeJS.ProcessEnv = process.env,
  waitMs = 2000,
): Promise<string | null> {
  const file = tabsPath(env)
  let unlock: (() => void) | null = null
  try {
    for (const end = Date.now() + waitMs; !(unlock = tryLock(`${file}.lock`)) && Date.now() < end; )
      await new Promise((r) => setTimeout(r, 20))
    if (!unlock) return `another pass holds the tab record (${file}.lock); not updated this time`
    const tmp = `${file}.${process.pid}.tmp`
    const records = mergeTabs(readTabs(env), fresh, swept, liveTabs)
    writeFileSync(tmp, JSON.stringify({ updated: new Date().toISOString(), tabs: records }, null, 2) + '\n', { mode: 0o600 })
    renameSync(tmp, file)
    return null
  } catch (e) {
    if (e instanceof Failure) throw e
    return `cannot write the tab record (${file}): ${(e as Error).message}`
  } finally {
    unlock?.()
  }
}

/** The record; none when missing or unreadable. A Failure when another user owns or may write it. */
export function readTabs(env: NodeJS.ProcessEnv = process.env): TabRecord[] {
  const file = tabsPath(env)
  let fd: number
  try {
    if (!privateDir(dirname(file), { create: false })) return []
    fd = openSync(file, 'r')
  } catch (e) {
    if (e instanceof Failure) throw e
    return []
  }
  try {
    checkOpened(file, fd)
    const data = JSON.parse(readFileSync(fd, 'utf8'))
    return Array.isArray(data?.tabs) ? data.tabs : []
  } catch (e) {
    if (e instanceof Failure) throw e
    return []
  } finally {
    closeSync(fd)
  }
}
