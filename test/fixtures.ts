// Plain-data fixtures for the pure tests (no tmux, no sandbox): a session with every field set.
import type { Session } from '../lib/sessions.ts'

let ids = 0
/** A session row as parseSessions would give it, with `p` on top of quiet defaults. */
export function session(p: Partial<Session>): Session {
  return {
    id: `$${ids++}`, name: 's', attached: 0, created: 1000, activity: 1000, lastAttached: null, group: null, groupSize: 0,
    parentId: null, parentName: null, viewCreated: null, claim: null, claimAt: null, tab: null, title: null, icon: null, kept: false,
    ...p,
  }
}
