// report --doctor: is each cleanup layer in place, and which known tmux hazards apply here.
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { execFile } from 'node:child_process'
import { TmuxError, type Tmux } from './tmux.ts'
import { HOOK_MARK, shellQuote } from './commands.ts'
import { hazards, type Check } from './version.ts'
import { logDir } from './log.ts'
import { configPath, readConfig } from './config.ts'
import { builtFrom, staleBuild } from './build.ts'

/**
 * The node binary and the script that a hook of ours runs, read back from its command as tmux
 * prints it (double-quoted: \\ \" \$ escaped; # doubled for run-shell). Empty when the command is
 * not of the current form: an older tmux-views hook, or a foreign one.
 */
export function hookPaths(command: string): string[] {
  const text = command.replace(/\\([\\"$])/g, '$1').replaceAll('##', '#')
  const word = "((?:'[^']*'|\\\\')+)"
  const m = new RegExp(`${HOOK_MARK} ${word} ${word}`).exec(text)
  if (!m) return []
  const unquote = (w: string) => w.replace(/'([^']*)'|\\'/g, (_, q: string | undefined) => q ?? "'")
  return [unquote(m[1]), unquote(m[2])]
}

export interface DoctorOptions {
  /** the command that installs the hook, absolute paths */
  installCommand: string
  /** the node binary and the compiled sweep a timer would run; the checkout (or package) root */
  node: string
  sweep: string
  root: string
  env?: NodeJS.ProcessEnv
}

export async function doctor(tmux: Tmux, opts: DoctorOptions): Promise<Check[]> {
  const checks: Check[] = []
  const versionText = await tmux.version()
  const version = await tmux.versionInfo()
  let destroy = ''
  try {
    destroy = (await tmux.run([['show-options', '-gv', 'destroy-unattached']])).trim()
  } catch (e) {
    if (e instanceof TmuxError && e.kind === 'no-server') {
      checks.push({ name: 'server', ok: false, detail: `no tmux server on socket '${tmux.label}'`, fix: 'start tmux, then run this again' })
      return [...checks, ...hazards(version, ''), timerCheck(await timer(), opts)]
    }
    throw e
  }
  checks.push({ name: 'tmux version', ok: true, detail: versionText.trim() }, ...hazards(version, destroy))
  if (!checks.some((c) => c.name === 'destroy-unattached')) checks.push({ name: 'destroy-unattached', ok: true, detail: 'off' })

  for (const [name, hook] of Object.entries(await tmux.hooks())) {
    const detach = name.startsWith('client-detached')
    const what = detach ? 'views of closed tabs' : 'views a client switched away from'
    const check = detach ? 'hook' : 'switch hook'
    if (hook === null) {
      checks.push({ name: check, ok: false, detail: `no ${name} hook on '${tmux.label}': ${what} stay until a sweep`, fix: opts.installCommand })
      continue
    }
    const paths = hookPaths(hook)
    const missing = paths.filter((p) => !existsSync(p))
    checks.push(!paths.length
      ? { name: check, ok: false, detail: `${name} holds a hook of an older tmux-views or of another tool: ${hook.slice(0, 60)}…`, fix: opts.installCommand }
      : missing.length
      ? { name: check, ok: false, detail: `the ${name} hook runs ${missing.join(' and ')}, which does not exist`, fix: opts.installCommand }
      : { name: check, ok: true, detail: `${name} runs ${paths.join(' ')}` })
  }
  checks.push(timerCheck(await timer(), opts))

  // A broken config silences the hook (it must never fail in the user's pane): say so here.
  const file = configPath(opts.env)
  try {
    readConfig(file)
    checks.push({ name: 'config', ok: true, detail: existsSync(file) ? file : `defaults (no file at ${file})` })
  } catch (e) {
    checks.push({ name: 'config', ok: false, detail: (e as Error).message, fix: `edit ${shellQuote(file)}` })
  }

  // After git pull, TPM's prefix U or a plugin update, dist/ runs old code until npm ci.
  const built = builtFrom(opts.root)
  const stale = staleBuild(opts.root)
  if (stale) checks.push({ name: 'build', ok: false, detail: stale, fix: `cd ${shellQuote(opts.root)} && npm ci` })
  else if (built) checks.push({ name: 'build', ok: true, detail: `dist/ built from ${built.slice(0, 12)}` })

  const dir = logDir(opts.env)
  checks.push(writable(dir)
    ? { name: 'lifecycle log', ok: true, detail: dir }
    : { name: 'lifecycle log', ok: false, detail: `${dir} is not writable: events are not recorded`, fix: `mkdir -p ${shellQuote(dir)} && chmod 700 ${shellQuote(dir)}` })
  return checks
}

interface Timer {
  /** what runs sweep, if anything */
  found: string | null
  systemd: boolean
  cron: boolean
}

function timerCheck(t: Timer, o: DoctorOptions): Check {
  if (t.found) return { name: 'sweep timer', ok: true, detail: t.found }
  const sweep = `${shellQuote(o.node)} ${shellQuote(o.sweep)}`
  // No timer can exist here: not a warning, but say what does the sweep's job instead.
  if (!t.systemd && !t.cron)
    return { name: 'sweep timer', ok: true, detail: `none possible (no systemd user manager, no crontab): sweep from your terminal (the WezTerm plugin), a key (@tmux-views-sweep-key) or by hand: ${sweep}` }
  const cronLine = `* * * * * ${sweep} --all-sockets >/dev/null 2>&1`
  return {
    name: 'sweep timer',
    ok: false,
    detail: 'no systemd timer or cron line runs sweep: views of crashed terminals stay',
    fix: t.systemd ? shellQuote(join(o.root, 'systemd', 'install.sh')) : `(crontab -l 2>/dev/null; echo ${shellQuote(cronLine)}) | crontab -`,
  }
}

/** A systemd user timer or a crontab line that runs sweep, if any, and which of the two exist here. */
async function timer(): Promise<Timer> {
  const enabled = await run('systemctl', ['--user', 'is-enabled', 'tmux-views-sweep.timer'])
  if (enabled?.stdout.trim() === 'enabled') return { found: 'systemd user timer tmux-views-sweep.timer', systemd: true, cron: false }
  const systemd = (await run('systemctl', ['--user', 'show-environment']))?.code === 0
  const cron = await run('crontab', ['-l'])
  const line = cron?.code === 0 ? cron.stdout.split('\n').find((l) => /sweep\.(cjs|mjs|mts)|tmux-views(-sweep\b| sweep\b)/.test(l) && !l.trim().startsWith('#')) : undefined
  return { found: line ? `crontab: ${line.trim()}` : null, systemd, cron: cron !== null }
}

/**
 * A command's exit code and stdout, or null when it cannot be started (missing) or hangs. Run
 * without a shell: a shell started from cron or a GUI may source the user's rc files.
 */
function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string } | null> {
  return new Promise((resolve) =>
    execFile(cmd, args, { timeout: 5000, encoding: 'utf8' }, (err, stdout) => {
      if (!err) return resolve({ code: 0, stdout })
      const code = (err as NodeJS.ErrnoException & { code?: unknown }).code
      resolve(typeof code === 'number' && !err.killed ? { code, stdout } : null)
    }),
  )
}

function writable(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    accessSync(dir, constants.W_OK)
    return true
  } catch {
    return false
  }
}
