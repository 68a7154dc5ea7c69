// on-detach: the tmux client-detached and client-session-changed hook (layer 1). tmux does not say
// reliably which session a client left, so it looks at every view (one list call) and removes
// those no client shows.
import { existsSync } from 'node:fs'
import { Tmux } from '../lib/tmux.ts'
import { serverFrom } from '../lib/server.ts'
import { HOOKS, hookCommand, hookConfLine } from '../lib/commands.ts'
import { cleanup } from '../lib/cleanup.ts'
import { lockPath, waitLock } from '../lib/lock.ts'
import { loadSettings } from '../lib/config.ts'
import { Failure, SERVER_FLAGS, SERVER_HELP, UsageError, compiledEntry, parseDuration, parseFlags, runMain, scriptArgs, version, VERSION_HELP, silence } from '../lib/cli.ts'

const USAGE = `Usage: on-detach [options]

Remove every view session that no client shows, is past its claim grace and is
not the last session of its group. tmux runs this when a client detaches or
switches to another session, once installed; it prints nothing unless asked.

Options:
  --install               install the hooks on the server (${HOOKS.join(', ')};
                          idempotent; the next free index where a hook of your own holds one),
                          and say so on stderr
  --uninstall             remove them (only hooks that run on-detach; others stay)
  --print-conf            print the tmux.conf lines that install them
                          (one of these three at a time, without the flags below)
  --hook                  how the hook runs it: silent, exit 0, the server of $TMUX
  -n, --dry-run           list what would be removed; change nothing
  --grace DURATION        protection of a claimed, not yet attached view (default 30s)
${SERVER_HELP}
  --json                  print {"removed","kept","dryRun"}
  -v, --verbose           say what was removed
  -h, --help              show this help
${VERSION_HELP}

Exit status: 0 ok (also when no server runs), 1 failure, 2 bad usage.`

void runMain('on-detach', USAGE, async () => {
  const flags = parseFlags(scriptArgs(import.meta.url), {
    string: [...SERVER_FLAGS, 'grace'],
    boolean: ['install', 'uninstall', 'print-conf', 'dry-run', 'json', 'verbose', 'hook'],
    alias: { n: 'dry-run', L: 'socket', S: 'socket-path', v: 'verbose' },
  })
  if (flags.help) return void console.log(USAGE)
  if (flags.version) return version(import.meta.url)
  if (flags._.length) throw new UsageError(`unexpected argument: ${flags._[0]}`)
  // One job per run: the hook's set-up, or a cleanup; the cleanup's flags mean nothing to set-up.
  const jobs = ['install', 'uninstall', 'print-conf'].filter((f) => flags[f])
  if (jobs.length > 1) throw new UsageError(`--${jobs[0]} and --${jobs[1]} cannot go together`)
  const cleanupOnly = ['dry-run', 'hook', 'json', 'grace'].find((f) => flags[f] !== undefined && flags[f] !== false)
  if (jobs.length && cleanupOnly) throw new UsageError(`--${jobs[0]} and --${cleanupOnly} cannot go together`)
  if (flags.hook) silence()
  const settings = loadSettings(flags)
  // As the hook, clean the server that ran it, whatever socket the settings name.
  const tmux = new Tmux(serverFrom(flags.hook ? {} : settings), { timeoutMs: parseDuration('timeout', settings.timeout) })

  if (flags['print-conf']) return void console.log(`# tmux-views: remove orphaned views when a client detaches or switches away\n${hookConfLine(process.execPath, entry())}`)
  if (flags.install || flags.uninstall) {
    const done = await tmux.setHook(flags.install ? hookCommand(process.execPath, entry()) : null)
    // A hook of the user's own at our index is never replaced or removed: say where ours went.
    for (const d of done.filter((x) => x.foreign !== null))
      console.error(`on-detach: ${d.event}[${d.foreign}] on '${tmux.label}' runs another command; left it alone${flags.install ? `, installed ours at ${d.event}[${d.index}]` : ''}`)
    const where = done.filter((d) => d.index !== null).map((d) => `${d.event}[${d.index}]`)
    if (flags.install) console.error(`Installed the ${where.join(' and ')} hooks on '${tmux.label}': they run ${process.execPath} ${entry()}`)
    else console.error(where.length ? `Removed the ${where.join(' and ')} hooks from '${tmux.label}'` : `No tmux-views hook on '${tmux.label}'`)
    return
  }

  // Hook passes on one server take turns (on a lock of their own: a sweep is never made to skip):
  // tmux lets two guarded kills of one view both look successful, and each pass would log it.
  const unlock = flags['dry-run'] ? () => {} : await waitLock(lockPath(`${tmux.label}\0hook`), 10_000)
  let result
  try {
    result = await cleanup(tmux, {
      policy: { nowSec: Math.floor(Date.now() / 1000), graceSec: parseDuration('grace', settings.grace) / 1000, maxAgeSec: null, liveTabs: null },
      dryRun: Boolean(flags['dry-run']),
      layer: 'hook',
    })
  } finally {
    unlock()
  }
  if (flags.json) console.log(JSON.stringify({ removed: result.removed.map((r) => r.name), kept: result.kept, dryRun: Boolean(flags['dry-run']) }))
  else if (flags.verbose || flags['dry-run'])
    for (const r of result.removed) console.log(`${flags['dry-run'] ? 'Would remove' : 'Removed'} view session: ${r.name}`)
})

/** The compiled entry the hook runs. */
function entry(): string {
  const built = compiledEntry(import.meta.url, 'on-detach')
  if (!existsSync(built)) throw new Failure(`${built} is missing: run 'npm run build' first`)
  return built
}
