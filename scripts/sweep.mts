// sweep: remove orphaned views, for timers, cron, key bindings and by hand. Never removes the
// last session of a group: that would kill its programs.
import { Tmux } from '../lib/tmux.ts'
import { allServers, serverFrom } from '../lib/server.ts'
import { cleanup, type CleanupResult } from '../lib/cleanup.ts'
import { loadSettings } from '../lib/config.ts'
import { lockPath, tryLock } from '../lib/lock.ts'
import { liveTabRecords, recordTabs } from '../lib/tabs.ts'
import type { Layer } from '../lib/log.ts'
import { SERVER_FLAGS, SERVER_HELP, UsageError, paint, parseDuration, parseFlags, runMain, scriptArgs, version, VERSION_HELP } from '../lib/cli.ts'

const USAGE = `Usage: sweep [options]

Remove view sessions that no client shows: untracked ones (no tab recorded, or
a tab not among --live-tabs) and those unattached longer than --max-age. A view
in its claim grace, attached, or the last session of its group is kept.

Options:
  -n, --dry-run           list what would be removed; change nothing
  --max-age DURATION      remove tracked views unattached this long (default 5m)
  --grace DURATION        protection of a claimed, not yet attached view (default 30s)
  --live-tabs ID,...      the tabs the terminal still has; records them for restore
  --rescue                rename a view whose parent is gone back to the parent's name
  --by LAYER              who runs it, for the lifecycle log: sweep (default), manual, terminal
${SERVER_HELP}
  -A, --all-sockets       every tmux server of this user
  --json                  print {"removed","kept","dryRun","skipped"} (and "rescued", "noServer")
  -v, --verbose           also list what is kept, and why
  -h, --help              show this help
${VERSION_HELP}

Durations: 90s, 5m, 2h (a bare number is seconds). Settings also come from
$XDG_CONFIG_HOME/tmux-views/config.json and TMUX_VIEWS_MAX_AGE, TMUX_VIEWS_GRACE,
TMUX_VIEWS_SOCKET; flags win.
Exit status: 0 ok (also when no server runs), 75 a server was skipped because
another sweep is working on it (try again), 1 failure, 2 bad usage.`

/** A server this pass did not sweep, and why ('busy': another sweep holds its lock). */
interface Skipped {
  socket: string
  reason: string
}

const EX_TEMPFAIL = 75

await runMain('sweep', USAGE, async () => {
  const flags = parseFlags(scriptArgs(import.meta.url), {
    string: [...SERVER_FLAGS, 'max-age', 'grace', 'live-tabs', 'by'],
    boolean: ['dry-run', 'all-sockets', 'rescue', 'json', 'verbose'],
    alias: { n: 'dry-run', L: 'socket', S: 'socket-path', A: 'all-sockets', v: 'verbose' },
  })
  if (flags.help) return void console.log(USAGE)
  if (flags.version) return version(import.meta.url)
  if (flags._.length) throw new UsageError(`unexpected argument: ${flags._[0]}`)
  const settings = loadSettings(flags)
  const layer = (flags.by ?? 'sweep') as Layer
  if (!['sweep', 'manual', 'terminal'].includes(layer)) throw new UsageError(`--by wants sweep, manual or terminal, not '${layer}'`)
  const liveTabs = flags['live-tabs'] === undefined ? null : new Set(String(flags['live-tabs']).split(',').map((t) => t.trim()).filter(Boolean))
  const dryRun = Boolean(flags['dry-run'])
  const policy = {
    nowSec: Math.floor(Date.now() / 1000),
    graceSec: parseDuration('grace', settings.grace) / 1000,
    maxAgeSec: parseDuration('max-age', settings.maxAge) / 1000,
    liveTabs,
  }
  const servers = flags['all-sockets'] ? allServers() : [serverFrom(settings)]

  const results: CleanupResult[] = []
  const skipped: Skipped[] = []
  const tabs = []
  for (const server of servers) {
    const tmux = new Tmux(server)
    const unlock = dryRun ? () => {} : tryLock(lockPath(tmux.label))
    if (!unlock) {
      console.error(`sweep: another sweep is working on '${tmux.label}'; skipped`)
      skipped.push({ socket: tmux.label, reason: 'busy' })
      continue
    }
    try {
      const result = await cleanup(tmux, { policy, dryRun, rescue: Boolean(flags.rescue), layer })
      if (liveTabs) tabs.push(...liveTabRecords(result.verdicts.map((v) => v.view), liveTabs, tmux.label))
      results.push(result)
    } finally {
      unlock()
    }
  }
  const swept = new Set(results.map((r) => r.socket))
  const warning = liveTabs && !dryRun ? await recordTabs(tabs, swept, liveTabs) : null
  if (warning) console.error(`sweep: ${warning}`)
  await print(results, skipped, { dryRun, json: Boolean(flags.json), verbose: Boolean(flags.verbose), all: Boolean(flags['all-sockets']) })
  // A skipped server was not swept: "Cleaned up 0" alone would hide the orphans it still has.
  return skipped.length ? EX_TEMPFAIL : 0
})

async function print(results: CleanupResult[], skipped: Skipped[], o: { dryRun: boolean; json: boolean; verbose: boolean; all: boolean }) {
  // With --all-sockets each listed view names its server: the same name may live on two.
  const where = (socket: string) => (o.all ? `, socket ${socket}` : '')
  const removed = results.flatMap((r) => r.removed.map((x) => ({ ...x, socket: r.socket })))
  const kept = results.flatMap((r) => r.kept.map((x) => ({ ...x, socket: r.socket })))
  const rescued = results.flatMap((r) => r.rescued.map((x) => ({ ...x, socket: r.socket })))
  const noServer = results.length > 0 && results.every((r) => r.noServer)
  if (o.json) {
    const json: Record<string, unknown> = { removed: removed.map((r) => r.name), kept: kept.map(({ name, reason }) => ({ name, reason })), dryRun: o.dryRun, skipped }
    if (rescued.length) json.rescued = rescued.map(({ name, as }) => ({ name, as }))
    if (noServer) json.noServer = true
    return void console.log(JSON.stringify(json))
  }
  const c = await paint()
  for (const k of skipped) console.log(c.yellow(`Skipped socket '${k.socket}': ${k.reason === 'busy' ? 'another sweep is working on it; try again' : k.reason}`))
  if (noServer && !o.all) return void console.log(`No tmux server on socket '${results[0].socket}': nothing to clean.`)
  const n = removed.length
  console.log(o.dryRun ? `Would clean up ${n} orphaned view session(s)` : `Cleaned up ${n} orphaned view session(s)`)
  if (o.dryRun || o.verbose) for (const r of removed) console.log(`  ${c.red('-')} ${r.name} ${c.dim(`(${r.reason}${where(r.socket)})`)}`)
  for (const r of rescued) console.log(`Rescued ${r.name} as ${c.bold(r.as)}${o.all ? c.dim(` (socket ${r.socket})`) : ''}`)
  const orphanedWork = kept.filter((k) => k.reason.startsWith('last-of-group'))
  if (orphanedWork.length)
    console.log(c.yellow(`Kept ${orphanedWork.length} view(s) whose parent is gone: they hold the windows. 'sweep --rescue' renames them back.`))
  if (o.verbose) for (const k of kept) console.log(`  ${c.green('=')} ${k.name} ${c.dim(`(kept: ${k.reason}${where(k.socket)})`)}`)
}
