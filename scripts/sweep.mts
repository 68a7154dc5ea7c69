// sweep: remove orphaned views, for timers, cron, key bindings and by hand. Never removes the
// last session of a group: that would kill its programs.
import { Tmux, TmuxError } from '../lib/tmux.ts'
import { allServers, serverFrom, type Server, type Skipped } from '../lib/server.ts'
import { cleanup, type CleanupResult } from '../lib/cleanup.ts'
import { loadSettings } from '../lib/config.ts'
import { lockPath, runtimeDir, tryLock } from '../lib/lock.ts'
import { checkIfThere } from '../lib/paths.ts'
import { liveTabRecords, recordTabs } from '../lib/tabs.ts'
import { logDir, type Layer } from '../lib/log.ts'
import { printable } from '../lib/text.ts'
import { Failure, SERVER_FLAGS, SERVER_HELP, UsageError, paint, parseDuration, parseFlags, runMain, say, scriptArgs, version, VERSION_HELP } from '../lib/cli.ts'

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
  -A, --all-sockets       every tmux server of this user whose socket tmux would trust
  --json                  print {"removed","kept","dryRun","skipped"} (and "rescued", "noServer")
  -v, --verbose           also list what is kept, and why
  -h, --help              show this help
${VERSION_HELP}

Durations: 90s, 5m, 2h (a bare number is seconds). Settings also come from
$XDG_CONFIG_HOME/tmux-views/config.json and TMUX_VIEWS_MAX_AGE, TMUX_VIEWS_GRACE,
TMUX_VIEWS_SOCKET, TMUX_VIEWS_TIMEOUT; flags win.
Exit status: 0 ok (also when no server runs), 1 failure (also: a socket skipped as
untrusted), 2 bad usage, 75 a server skipped as busy (another sweep is working on it:
try again) or stuck (it did not answer within --timeout), the others swept.`

const EX_TEMPFAIL = 75

void runMain('sweep', USAGE, async () => {
  const flags = parseFlags(scriptArgs(import.meta.url), {
    string: [...SERVER_FLAGS, 'max-age', 'grace', 'live-tabs', 'by'],
    boolean: ['dry-run', 'all-sockets', 'rescue', 'json', 'verbose'],
    alias: { n: 'dry-run', L: 'socket', S: 'socket-path', A: 'all-sockets', v: 'verbose' },
  })
  if (flags.help) return void console.log(USAGE)
  if (flags.version) return version(import.meta.url)
  if (flags._.length) throw new UsageError(`unexpected argument: ${flags._[0]}`)
  if (flags['all-sockets'] && (flags.socket !== undefined || flags['socket-path'] !== undefined))
    throw new UsageError('--all-sockets goes without --socket and --socket-path')
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
  const timeoutMs = parseDuration('timeout', settings.timeout)
  // Untrusted sockets are skipped unconnected; the runtime and state directories are checked
  // before any server is touched (a Failure, exit 1, if another user could write them).
  if (!dryRun) for (const dir of [runtimeDir(), logDir()]) checkIfThere(dir)
  const { servers, skipped } = flags['all-sockets'] ? await allServers() : { servers: [serverFrom(settings)] as Server[], skipped: [] as Skipped[] }
  for (const s of skipped) console.error(`sweep: skipped socket '${printable(s.socket)}': ${printable(s.reason)}`)

  const results: CleanupResult[] = []
  const tabs = []
  let faults = 0
  for (const server of servers) {
    const tmux = new Tmux(server, { timeoutMs })
    let unlock: (() => void) | null = () => {}
    if (!dryRun) {
      try {
        unlock = tryLock(lockPath(tmux.label))
      } catch (e) {
        if (e instanceof Failure) throw e
        // A full or read-only runtime directory: sweep anyway (the guard inside tmux keeps two
        // passes safe), say so, and end with status 1.
        console.error(`sweep: cannot take the lock for '${printable(tmux.label)}' (${(e as Error).message.split('\n')[0]}); swept without it`)
        faults++
      }
    }
    if (!unlock) {
      console.error(`sweep: another sweep is working on '${printable(tmux.label)}'; skipped`)
      skipped.push({ socket: tmux.label, reason: 'busy' })
      continue
    }
    try {
      const result = await cleanup(tmux, { policy, dryRun, rescue: Boolean(flags.rescue), layer })
      if (liveTabs) tabs.push(...liveTabRecords(result.verdicts.map((v) => v.view), liveTabs, tmux.label))
      results.push(result)
    } catch (e) {
      // One stopped or wedged server must not keep the others from being swept.
      if (!(e instanceof TmuxError && e.kind === 'stuck')) throw e
      console.error(`sweep: ${printable(e.message)}; skipped`)
      skipped.push({ socket: tmux.label, reason: 'stuck' })
    } finally {
      unlock()
    }
  }
  const swept = new Set(results.map((r) => r.socket))
  const warning = liveTabs && !dryRun ? await recordTabs(tabs, swept, liveTabs) : null
  if (warning) console.error(`sweep: ${printable(warning)}`)
  await print(results, skipped, { dryRun, json: Boolean(flags.json), verbose: Boolean(flags.verbose), all: Boolean(flags['all-sockets']) })
  if (faults || skipped.some((s) => s.reason.startsWith('untrusted'))) return 1
  // A skipped server was not swept: "Cleaned up 0" alone would hide the orphans it still has.
  return skipped.length ? EX_TEMPFAIL : 0
})

async function print(results: CleanupResult[], skipped: Skipped[], o: { dryRun: boolean; json: boolean; verbose: boolean; all: boolean }) {
  // With --all-sockets each listed view names its server: the same name may live on two.
  const where = (socket: string) => (o.all ? `, socket ${printable(socket)}` : '')
  const removed = results.flatMap((r) => r.removed.map((x) => ({ ...x, socket: r.socket })))
  const kept = results.flatMap((r) => r.kept.map((x) => ({ ...x, socket: r.socket })))
  const rescued = results.flatMap((r) => r.rescued.map((x) => ({ ...x, socket: r.socket })))
  const noServer = results.length > 0 && results.every((r) => r.noServer)
  if (o.json) {
    const json: Record<string, unknown> = { removed: removed.map((r) => r.name), kept: kept.map(({ name, reason }) => ({ name, reason })), dryRun: o.dryRun, skipped }
    if (rescued.length) json.rescued = rescued.map(({ name, as }) => ({ name, as }))
    if (noServer) json.noServer = true
    return say(JSON.stringify(json))
  }
  const c = await paint()
  // All of it in one write at the end (say): console.log's stream costs a start ~4 ms to set up.
  const out: string[] = []
  const line = (text: string) => void out.push(text)
  // Names come from tmux and may hold control characters: shown escaped (--json keeps them exact).
  const p = printable
  const why: Record<string, string> = { busy: 'another sweep is working on it; try again', stuck: 'it did not answer in time' }
  for (const k of skipped) line(c.yellow(`Skipped socket '${p(k.socket)}': ${why[k.reason] ?? p(k.reason)}`))
  if (noServer && !o.all) {
    line(`No tmux server on socket '${p(results[0].socket)}': nothing to clean.`)
    return say(out.join('\n'))
  }
  const n = removed.length
  line(o.dryRun ? `Would clean up ${n} orphaned view session(s)` : `Cleaned up ${n} orphaned view session(s)`)
  if (o.dryRun || o.verbose) for (const r of removed) line(`  ${c.red('-')} ${p(r.name)} ${c.dim(`(${r.reason}${where(r.socket)})`)}`)
  for (const r of rescued) line(`Rescued ${p(r.name)} as ${c.bold(p(r.as))}${o.all ? c.dim(` (socket ${p(r.socket)})`) : ''}`)
  const orphanedWork = kept.filter((k) => k.reason.startsWith('last-of-group'))
  if (orphanedWork.length)
    line(c.yellow(`Kept ${orphanedWork.length} view(s) whose parent is gone: they hold the windows. 'sweep --rescue' renames them back.`))
  if (o.verbose) for (const k of kept) line(`  ${c.green('=')} ${p(k.name)} ${c.dim(`(kept: ${k.reason}${where(k.socket)})`)}`)
  say(out.join('\n'))
}
