// spawn-view: give a terminal tab its own view of a tmux session, reusing an orphaned one.
import { Tmux } from '../lib/tmux.ts'
import { serverFrom, whereAmI } from '../lib/server.ts'
import { spawnView } from '../lib/spawn.ts'
import { appendEvents } from '../lib/log.ts'
import { loadSettings } from '../lib/config.ts'
import { shellQuote } from '../lib/commands.ts'
import { Failure, SERVER_FLAGS, SERVER_HELP, UsageError, VERSION_HELP, parseDuration, parseFlags, runMain, say, scriptArgs, version } from '../lib/cli.ts'

const USAGE = `Usage: spawn-view [options] [--] PARENT

Make or reuse a view of tmux session PARENT (a grouped session named
PARENT-view-<unix-seconds>-<random>) and attach it in this terminal: on node
22.15 or newer this process becomes 'tmux attach' (bin/tmux-view does the same
on any node). From a pane of the same tmux server it switches this client
instead; from a pane of another server it refuses (nothing is made).

Options:
  --print                 prepare the view and print only its name, don't attach
                          (for a terminal that runs: tmux attach -t =VIEW)
  --json                  like --print, but print {"view","parent","reused","socket","id"}
  --print-attach          print the attach command as sh words (what bin/tmux-view
                          execs); inside tmux, switch as usual and print nothing
  --create                make PARENT first if it does not exist
  --no-reuse              always make a new view
  --tab ID                the terminal tab this view serves (kept in tmux)
  --title TEXT            the tab's title, --icon TEXT its icon (kept in tmux)
  --grace DURATION        how long a claimed view waits for its client (default 30s)
  --client NAME           inside tmux: the client to switch (default: this one)
${SERVER_HELP}
  -v, --verbose           log what happens on stderr
  -h, --help              show this help
${VERSION_HELP}

PARENT, --tab, --title and --icon take at most 1000 bytes each. Settings also
come from $XDG_CONFIG_HOME/tmux-views/config.json and TMUX_VIEWS_GRACE,
TMUX_VIEWS_SOCKET, TMUX_VIEWS_SOCKET_PATH, as for the other scripts; flags win.
Exit status: 0 ok, 1 failure (no server, no such session), 2 bad usage.`

void runMain('spawn-view', USAGE, async () => {
  const flags = parseFlags(scriptArgs(import.meta.url), {
    string: [...SERVER_FLAGS, 'tab', 'title', 'icon', 'grace', 'client'],
    boolean: ['print', 'json', 'print-attach', 'create', 'reuse', 'verbose'],
    alias: { L: 'socket', S: 'socket-path', v: 'verbose' },
    default: { reuse: true },
  })
  // With --print-attach, stdout carries the attach command and nothing else (bin/tmux-view runs it).
  if (flags.help) return void (flags['print-attach'] ? console.error : console.log)(USAGE)
  if (flags.version) return version(import.meta.url)
  if (flags._.length !== 1) throw new UsageError(flags._.length ? 'give one PARENT session' : 'PARENT is missing')
  if (flags['print-attach'] && (flags.print || flags.json)) throw new UsageError('--print-attach goes without --print and --json')
  const parent = flags._[0]
  if (parent === '') throw new UsageError('PARENT is empty')
  const settings = loadSettings(flags)
  const tmux = new Tmux(serverFrom(settings), { timeoutMs: parseDuration('timeout', settings.timeout) })

  const attach = !flags.print && !flags.json
  // Switch a client only on its own server: from a pane of another server, a switch would move
  // some other terminal's client. Decided before anything is made.
  const where = whereAmI(tmux.server)
  if (attach && flags.client === undefined && where === 'another')
    throw new Failure(
      `this pane belongs to another tmux server than '${tmux.label}': run spawn-view from a terminal outside tmux, ` +
        `from a pane of '${tmux.label}', or with 'env -u TMUX' to attach a client of '${tmux.label}' inside this pane`,
    )
  if (attach) tmux.resolveBin() // tmux missing: say so before a view is claimed for nobody

  const view = await spawnView(tmux, parent, {
    create: Boolean(flags.create),
    reuse: Boolean(flags.reuse),
    graceSec: parseDuration('grace', settings.grace) / 1000,
    tab: flags.tab as string | undefined,
    title: flags.title as string | undefined,
    icon: flags.icon as string | undefined,
    log: flags.verbose ? (line) => console.error(line) : undefined,
  })

  appendEvents([{ time: new Date().toISOString(), event: view.reused ? 'reused' : 'created', layer: 'spawn', socket: tmux.label, parent: view.parent, view: view.view }])
  if (flags.json)
    return say(JSON.stringify({ view: view.view, parent: view.parent, reused: view.reused, socket: tmux.label, id: view.id }))
  if (flags.print) return say(view.view)
  if (flags.client !== undefined || where === 'inside') {
    // attach refuses to nest: inside tmux, switch this client (or the one named) instead.
    const client = flags.client !== undefined ? ['-c', flags.client as string] : []
    return void (await tmux.run([['switch-client', ...client, '-t', view.id]], { inherit: true }))
  }
  if (flags['print-attach']) return say(tmux.attachArgv(view.id).map(shellQuote).join(' '))
  await tmux.attach(view.id)
})
