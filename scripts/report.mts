// report: which views exist and in what state, whether the cleanup layers are in place (--doctor),
// how the lifecycle went (--stats), and which tabs were open (--tabs).
import { dirname, resolve } from 'node:path'
import { Tmux, TmuxError } from '../lib/tmux.ts'
import { allServers, serverFrom, serverArgs, serverLabel, type Server, type Skipped } from '../lib/server.ts'
import { printable } from '../lib/text.ts'
import { shellQuote } from '../lib/commands.ts'
import { configPath, loadSettings, readConfig } from '../lib/config.ts'
import { computeStats, logPath, readEvents } from '../lib/log.ts'
import { readTabs } from '../lib/tabs.ts'
import { ago, countRows, stateText, table, viewRows, type ViewRow } from '../lib/report.ts'
import { doctor } from '../lib/doctor.ts'
import { fileLeftovers, serverLeftovers } from '../lib/leftovers.ts'
import { SERVER_FLAGS, SERVER_HELP, UsageError, compiledEntry, paint, parseDuration, parseFlags, runMain, scriptArgs, version, VERSION_HELP } from '../lib/cli.ts'

const USAGE = `Usage: report [options]

List the view sessions, grouped by parent: age, last use, the tab each serves,
and its state (with the number of clients when more than one): attached; orphan, with the layer that removes it (hook:
the next detach; sweep: the next sweep, or once unattached for --max-age);
grace (claimed, waiting for its client); last-of-group (its parent is gone: it
holds the windows; 'sweep --rescue' renames it back). Fits $COLUMNS, the
terminal, or 80 columns.

Options:
  --doctor                check the cleanup layers and known tmux hazards (exit 1 on a warning)
  --stats                 lifecycle statistics from the log; --since DURATION limits the window
  --tabs                  the tab record: tabs open at the last 'sweep --live-tabs'
                          (only the named server's with --socket or --socket-path)
  --leftovers             after an uninstall: anything of tmux-views left (hooks, keys,
                          options, units, crontab, plugin clone, files)? exit 1 if so
${SERVER_HELP}
  -A, --all-sockets       every tmux server of this user whose socket tmux would trust
  --grace DURATION        the claim grace used to judge views (default 30s)
  --max-age DURATION      the sweep's --max-age, to say when a sweep takes a view (default 5m)
  --json                  machine-readable output
  -h, --help              show this help
${VERSION_HELP}

Names, titles and icons are shown with control characters escaped; --json keeps them exact.
Exit status: 0 ok, 1 failure (or a doctor warning, or a socket skipped as untrusted),
2 bad usage, 75 a server skipped as stuck (the others were listed).`

void runMain('report', USAGE, async () => {
  const flags = parseFlags(scriptArgs(import.meta.url), {
    string: [...SERVER_FLAGS, 'since', 'grace', 'max-age'],
    boolean: ['doctor', 'stats', 'tabs', 'leftovers', 'all-sockets', 'json'],
    alias: { L: 'socket', S: 'socket-path', A: 'all-sockets' },
  })
  if (flags.help) return void console.log(USAGE)
  if (flags.version) return version(import.meta.url)
  if (flags._.length) throw new UsageError(`unexpected argument: ${flags._[0]}`)
  if ([flags.doctor, flags.stats, flags.tabs, flags.leftovers].filter(Boolean).length > 1) throw new UsageError('give one of --doctor, --stats, --tabs, --leftovers')
  if (flags.since !== undefined && !flags.stats) throw new UsageError('--since goes with --stats')
  if (flags['all-sockets'] && (flags.socket !== undefined || flags['socket-path'] !== undefined))
    throw new UsageError('--all-sockets goes without --socket and --socket-path')
  // The doctor reports a broken config file itself, so it carries on without it.
  const settings = loadSettings(flags, process.env, !((flags.doctor || flags.leftovers) && !configOk()))
  const json = Boolean(flags.json)
  const c = await paint()

  if (flags.stats) {
    const sinceMs = flags.since === undefined ? undefined : parseDuration('since', flags.since)
    const { events, corrupt } = readEvents({ sinceMs })
    const stats = computeStats(events, { sinceMs })
    if (json) return void console.log(JSON.stringify({ stats, corrupt, log: logPath() }))
    const pct = stats.reuseRate === null ? '-' : `${Math.round(stats.reuseRate * 100)}%`
    const dur = (s: number | null) => (s === null ? '-' : ago(0, s * 1000))
    const by = Object.entries(stats.removedBy).map(([k, v]) => `${k} ${v}`).join(', ') || '-'
    console.log(`Lifecycle ${stats.since ? `since ${stats.since}` : 'over all recorded events'} (${logPath()})`)
    for (const line of table([
      ['created', String(stats.created), 'reused', `${stats.reused} (reuse rate ${pct})`],
      ['removed', String(stats.removed), 'by layer', by],
      ['rescued', String(stats.rescued), 'kept as last of group', String(stats.keptLastOfGroup)],
      ['lifetime', `median ${dur(stats.lifetimeSec.median)}`, 'p95', dur(stats.lifetimeSec.p95)],
      ['orphans cleaned per day', stats.orphansCleanedPerDay === null ? '-' : stats.orphansCleanedPerDay.toFixed(1)],
    ])) console.log(`  ${line}`)
    if (corrupt) console.error(c.yellow(`report: skipped ${corrupt} unreadable line(s) in the log`))
    return
  }

  if (flags.tabs) {
    // A server named by flag, environment or config shows its own tabs; otherwise all are listed.
    const only = !flags['all-sockets'] && (settings.socket || settings.socketPath) ? serverLabel(serverFrom(settings)) : null
    const tabs = readTabs().filter((t) => only === null || t.socket === only)
    if (json) return void console.log(JSON.stringify({ tabs }))
    if (!tabs.length) return void console.log('No tabs recorded (sweep --live-tabs records them).')
    const fit = columns()
    for (const line of table([['TAB', 'TITLE', 'ICON', 'PARENT', 'VIEW', 'SOCKET'], ...tabs.map((t) => [t.tab, t.title ?? '', t.icon ?? '', t.parent ?? '', t.view, t.socket])], [], { fit, shrink: [1, 5, 4, 3], middle: [4, 5] }))
      console.log(line)
    return
  }

  const timeoutMs = parseDuration('timeout', settings.timeout)
  // Untrusted sockets are skipped unconnected (and make the exit status 1).
  const { servers, skipped } = flags['all-sockets'] ? await allServers() : { servers: [serverFrom(settings)] as Server[], skipped: [] as Skipped[] }
  const skip = (s: Skipped) => {
    skipped.push(s)
    console.error(`report: skipped socket '${printable(s.socket)}': ${printable(s.reason)}`)
  }
  for (const s of skipped.splice(0)) skip(s)
  const status = (ok: number) => (skipped.some((s) => s.reason.startsWith('untrusted')) ? 1 : skipped.length ? 75 : ok)
  if (flags.leftovers) {
    const left = [...(await Promise.all(servers.map((s) => serverLeftovers(new Tmux(s))))).flat(), ...(await fileLeftovers())]
    if (json) console.log(JSON.stringify({ leftovers: left }))
    else {
      for (const l of left) console.log(`${c.yellow('LEFT')}  ${l.what}: ${l.where}\n      remove: ${l.fix}${l.note ? `\n      ${l.note}` : ''}`)
      const where = servers.length === 1 ? `on '${printable(serverLabel(servers[0]))}'` : `on ${servers.length} servers`
      console.log(left.length ? `${left.length} thing(s) of tmux-views left ${where} or in your files` : `Nothing of tmux-views is left ${where} or in your files.`)
    }
    return left.length ? 1 : 0
  }
  if (flags.doctor) {
    let warnings = 0
    const all = []
    for (const server of servers) {
      const tmux = new Tmux(server, { timeoutMs })
      const install = [process.execPath, compiledEntry(import.meta.url, 'on-detach'), '--install', ...serverArgs(server)]
        .map((a) => (/^[\w/.:=@%+-]+$/.test(a) ? a : shellQuote(a))).join(' ')
      const sweep = compiledEntry(import.meta.url, 'sweep')
      const checks = await doctor(tmux, { installCommand: install, node: process.execPath, sweep, root: resolve(dirname(sweep), '../..') })
      warnings += checks.filter((k) => !k.ok).length
      all.push({ socket: tmux.label, checks })
      if (json) continue
      if (servers.length > 1) console.log(c.bold(`socket ${printable(tmux.label)}`))
      for (const k of checks) console.log(`${k.ok ? c.green('OK  ') : c.yellow('WARN')}  ${k.name}: ${printable(k.detail)}${k.fix ? `\n      fix: ${printable(k.fix)}` : ''}`)
    }
    if (json) console.log(JSON.stringify(servers.length > 1 || skipped.length ? { sockets: all, skipped } : all[0] ?? { checks: [] }))
    return warnings || skipped.length ? 1 : 0
  }

  const nowMs = Date.now()
  const rows: ViewRow[] = []
  let noServer = 0
  for (const server of servers) {
    const tmux = new Tmux(server, { timeoutMs })
    let sessions
    try {
      sessions = await tmux.listSessions()
    } catch (e) {
      // one stopped or wedged server must not keep the others from being listed
      if (!(e instanceof TmuxError && e.kind === 'stuck')) throw e
      skip({ socket: tmux.label, reason: 'stuck' })
      continue
    }
    if (!sessions.length) noServer++
    rows.push(...viewRows(sessions, tmux.label, { nowSec: Math.floor(nowMs / 1000), graceSec: parseDuration('grace', settings.grace) / 1000, maxAgeSec: parseDuration('max-age', settings.maxAge) / 1000 }))
  }
  const counts = countRows(rows)
  if (json) {
    console.log(JSON.stringify({ views: rows, orphans: counts.orphans, counts, skipped }))
    return status(0)
  }
  if (!rows.length) {
    console.log(noServer === servers.length && servers.length === 1 ? `No tmux server (or no sessions) on socket '${printable(serverLabel(servers[0]))}'.` : 'No view sessions.')
    return status(0)
  }

  const colour: Record<string, (s: string) => string> = { attached: c.green, orphan: c.red, grace: c.cyan, 'last-of-group': c.yellow }
  // The terminal's width ($COLUMNS, else the terminal's, else 80): TAB, then VIEW (keeping its
  // unique end) give way.
  const fit = columns() - 2
  for (const [key, views] of group(rows)) {
    const [socket, parent] = key.split('\u0000')
    console.log(c.bold(printable(parent)) + c.dim(servers.length > 1 ? `  (socket ${printable(socket)})` : ''))
    const cells = views.map((r) => [
      r.name, ago(Date.parse(r.createdAt), nowMs),
      r.lastAttachedAt ? `${ago(Date.parse(r.lastAttachedAt), nowMs)} ago` : 'never',
      [r.tab, r.title, r.icon].filter(Boolean).join(' ') || '-',
      stateText(r) + (r.attached > 1 ? ` (${r.attached} clients)` : ''),
    ])
    const lines = table([['VIEW', 'AGE', 'LAST USE', 'TAB', 'STATE'], ...cells], [], { fit, shrink: [3, 0], middle: [0] })
    console.log(`  ${c.dim(lines[0])}`)
    // STATE is the last column: colour it without disturbing the padding before it
    lines.slice(1).forEach((line, i) => {
      const state = cells[i][cells[i].length - 1]
      console.log(`  ${line.slice(0, line.length - state.length)}${colour[views[i].state](state)}`)
    })
  }
  console.log(`${counts.views} view(s): ${counts.attached} attached, ${counts.orphans} orphaned (${counts.removable} removable, ${counts.grace} in grace, ${counts.lastOfGroup} last of group)`)
  if (counts.removable) {
    console.log(c.dim('orphan: hook = the next detach removes it; sweep = the next sweep does;'))
    console.log(c.dim(`        sweep 4m = a sweep does once it is unattached for --max-age ${settings.maxAge}`))
  }
  if (counts.lastOfGroup) {
    console.log(c.dim('last-of-group: its parent is gone and it holds the windows;'))
    console.log(c.dim("               'sweep --rescue' renames it back"))
  }
  return status(0)
})

/** How wide the output may be: $COLUMNS, else the terminal's width, else 80. */
function columns(): number {
  const env = Number(process.env.COLUMNS)
  if (Number.isInteger(env) && env >= 40) return env
  return process.stdout.isTTY && process.stdout.columns ? process.stdout.columns : 80
}

function configOk(): boolean {
  try {
    readConfig(configPath())
    return true
  } catch {
    return false
  }
}

function group(rows: ViewRow[]): Map<string, ViewRow[]> {
  const m = new Map<string, ViewRow[]>()
  for (const r of rows) {
    const k = `${r.socket}\u0000${r.parent ?? '(parent gone)'}`
    m.set(k, [...(m.get(k) ?? []), r])
  }
  return m
}
