// spawn-view: give a terminal tab its own view of a tmux session, reusing an orphaned one.
import { Tmux } from '../lib/tmux.ts'
import { serverFrom } from '../lib/server.ts'
import { spawnView } from '../lib/spawn.ts'
import { appendEvents } from '../lib/log.ts'
import { SERVER_FLAGS, SERVER_HELP, UsageError, parseDuration, parseFlags, runMain, scriptArgs } from '../lib/cli.ts'

const USAGE = `Usage: spawn-view [options] [--] PARENT

Make or reuse a view of tmux session PARENT (a grouped session named
PARENT-view-<unix-seconds>-<random>) and attach it in this terminal; from inside
tmux, switch this client to it.

Options:
  --print                 prepare the view and print only its name, don't attach
                          (for a terminal that runs: tmux attach -t =VIEW)
  --json                  like --print, but print {"view","parent","reused","socket","id"}
  --create                make PARENT first if it does not exist
  --no-reuse              always make a new view
  --tab ID                the terminal tab this view serves (kept in tmux)
  --title TEXT            the tab's title, --icon TEXT its icon (kept in tmux)
  --grace DURATION        how long a claimed view waits for its client (default 30s)
  --client NAME           inside tmux: the client to switch (default: this one)
${SERVER_HELP}
  -v, --verbose           log what happens on stderr
  -h, --help              show this help

Exit status: 0 ok, 1 failure (no server, no such session), 2 bad usage.`

await runMain('spawn-view', USAGE, async () => {
  const flags = parseFlags(scriptArgs(import.meta.url), {
    string: [...SERVER_FLAGS, 'tab', 'title', 'icon', 'grace', 'client'],
    boolean: ['print', 'json', 'create', 'reuse', 'verbose'],
    alias: { L: 'socket', S: 'socket-path', v: 'verbose' },
    default: { reuse: true },
  })
  if (flags.help) return void console.log(USAGE)
  if (flags._.length !== 1) throw new UsageError(flags._.length ? 'give one PARENT session' : 'PARENT is missing')
  const parent = flags._[0]
  if (parent === '') throw new UsageError('PARENT is empty')
  const tmux = new Tmux(serverFrom({ socket: flags.socket as string, socketPath: flags['socket-path'] as string }))

  const view = await spawnView(tmux, parent, {
    create: Boolean(flags.create),
    reuse: Boolean(flags.reuse),
    graceSec: parseDuration('grace', flags.grace ?? '30s') / 1000,
    tab: flags.tab as string | undefined,
    title: flags.title as string | undefined,
    icon: flags.icon as string | undefined,
    log: flags.verbose ? (line) => console.error(line) : undefined,
  })

  appendEvents([{ time: new Date().toISOString(), event: view.reused ? 'reused' : 'created', layer: 'spawn', socket: tmux.label, parent: view.parent, view: view.view }])
  if (flags.json)
    return void console.log(JSON.stringify({ view: view.view, parent: view.parent, reused: view.reused, socket: tmux.label, id: view.id }))
  if (flags.print) return void console.log(view.view)
  // attach refuses to nest: inside tmux, switch this client instead.
  const inside = Boolean(process.env.TMUX) || flags.client !== undefined
  const client = flags.client ? ['-c', flags.client as string] : []
  await tmux.run([inside ? ['switch-client', ...client, '-t', view.id] : ['attach-session', '-t', view.id]], { inherit: true })
})
