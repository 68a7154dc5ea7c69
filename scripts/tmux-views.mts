// tmux-views: one command for the four scripts, as installed from the package
// (`tmux-views sweep --dry-run`). Each sub-command is the script of that name, with the same
// flags and output; the scripts themselves stay the copy-paste path.
import { dirname, extname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { UsageError, runMain, scriptArgs, version, VERSION_HELP } from '../lib/cli.ts'

const COMMANDS: Record<string, string> = { spawn: 'spawn-view', 'spawn-view': 'spawn-view', 'on-detach': 'on-detach', sweep: 'sweep', report: 'report' }

const USAGE = `Usage: tmux-views COMMAND [options]

One tmux session, many terminal tabs: make, reuse and clean up grouped 'view'
sessions. Each command is one of the scripts, with its flags (COMMAND --help).

Commands:
  spawn PARENT            make or reuse a view of PARENT for this terminal (spawn-view)
  on-detach               the client-detached hook: --install, --uninstall, --print-conf
  sweep                   remove orphaned views (timers, keys, by hand): --dry-run first
  report                  list views and their state; --doctor, --stats, --tabs

Options:
  -h, --help              show this help
${VERSION_HELP}

Exit status: that of the command; 2 for an unknown command.`

const self = fileURLToPath(import.meta.url)
// after this script's own path, whether run by node, tsx or `npx zx`
const [first, ...rest] = scriptArgs(import.meta.url)
const script = first === undefined ? undefined : COMMANDS[first]

if (script) {
  // The script reads its arguments after its own path in argv, as if started directly.
  const file = join(dirname(self), `${script}${extname(self)}`)
  process.argv = [process.argv[0], file, ...rest]
  // The compiled entries are CommonJS (tools/build.mjs): require runs one without the ESM loader,
  // which would first scan the file for exports (~15 ms). From source the script is ESM: import.
  if (extname(self) === '.cjs') require(file)
  else void import(pathToFileURL(file).href)
} else {
  void runMain('tmux-views', USAGE, async () => {
    if (first === '-h' || first === '--help') return void console.log(USAGE)
    if (first === '--version') return version(import.meta.url)
    throw new UsageError(first === undefined ? 'COMMAND is missing' : `unknown command: ${first}`)
  })
}
