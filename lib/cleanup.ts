// One cleanup pass over one server, shared by the hook (on-detach) and sweep: list once, judge
// with the pure rules, remove in one guarded batch, log what happened.
import { appendEvents, type Layer, type LifecycleEvent } from './log.ts'
import { TmuxError, type Tmux } from './tmux.ts'
import { judgeAll, rescueName, type Policy, type Verdict } from './views.ts'

export interface CleanupOptions {
  policy: Policy
  dryRun: boolean
  rescue?: boolean
  layer: Layer
  env?: NodeJS.ProcessEnv
}

export interface CleanupResult {
  socket: string
  noServer: boolean
  /** removed (or, in a dry run, would be removed) */
  removed: Array<{ name: string; reason: string }>
  kept: Array<{ name: string; reason: string }>
  rescued: Array<{ name: string; as: string }>
  verdicts: Verdict[]
}

export async function cleanup(tmux: Tmux, opts: CleanupOptions): Promise<CleanupResult> {
  const result: CleanupResult = { socket: tmux.label, noServer: false, removed: [], kept: [], rescued: [], verdicts: [] }
  let sessions
  try {
    sessions = await tmux.listSessionsStrict()
  } catch (e) {
    if (e instanceof TmuxError && e.kind === 'no-server') return { ...result, noServer: true }
    throw e
  }
  const verdicts = (result.verdicts = judgeAll(sessions, opts.policy))
  const candidates = verdicts.filter((v) => v.remove)
  const gone = new Set(opts.dryRun ? candidates.map((v) => v.view.id) : await tmux.removeViews(candidates.map((v) => v.view), sessions))
  const events: LifecycleEvent[] = []
  const time = new Date().toISOString() // one pass, one moment: its removals happened in one tmux call
  const event = (e: Omit<LifecycleEvent, 'time' | 'socket' | 'layer'>): LifecycleEvent => ({ time, socket: tmux.label, layer: opts.layer, ...e })

  for (const v of verdicts) {
    const parent = v.parent?.name ?? v.view.parentName
    if (gone.has(v.view.id)) {
      result.removed.push({ name: v.view.name, reason: v.reason })
      const lifetimeSec = opts.policy.nowSec - (v.view.viewCreated ?? v.view.created)
      events.push(event({ event: 'removed', parent, view: v.view.name, lifetimeSec }))
      continue
    }
    // A candidate the guard spared was attached, claimed or left alone in its group meanwhile.
    const reason = v.remove ? 'changed' : v.reason
    const name = opts.rescue && !opts.dryRun ? rescueName(v, sessions) : null
    if (name !== null) {
      try {
        await tmux.rescue(v.view, name)
        result.rescued.push({ name: v.view.name, as: name })
        events.push(event({ event: 'rescued', parent: name, view: v.view.name }))
        continue
      } catch (e) {
        if (!(e instanceof TmuxError) || e.kind === 'no-server') throw e
      }
    }
    result.kept.push({ name: v.view.name, reason: opts.rescue && reason === 'last-of-group' && !opts.dryRun ? 'last-of-group, name taken' : reason })
  }

  // The last of a group is logged once, when a pass first keeps it.
  const newlyKept = verdicts.filter((v) => v.reason === 'last-of-group' && !v.view.kept && !result.rescued.some((r) => r.name === v.view.name))
  if (!opts.dryRun && newlyKept.length) {
    await tmux.markKept(newlyKept.map((v) => v.view))
    for (const v of newlyKept) events.push(event({ event: 'kept-last-of-group', parent: v.view.parentName, view: v.view.name }))
  }
  if (!opts.dryRun) appendEvents(events, { env: opts.env })
  return result
}
