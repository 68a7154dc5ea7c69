// report --leftovers: after an uninstall, is anything of tmux-views left? Hooks and key bindings
// on the server, @tmux-views-* options of its tmux.conf, the systemd units, a crontab line, the
// WezTerm plugin's clone, and the config, state and runtime directories. Each with the command
// that removes it. Sessions are never listed as leftovers: views are the user's sessions.
import { existsSync, readdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, isAbsolute, join } from 'node:path'
import { execFile } from 'node:child_process'
import { TmuxError, type Tmux } from './tmux.ts'
import { HOOK_MARK, shellQuote } from './commands.ts'
import { serverArgs } from './server.ts'
import { configPath } from './config.ts'
import { logDir } from './log.ts'
import { runtimeDir } from './lock.ts'

export interface Leftover {
  what: string
  /** where it is: a socket, a file or directory */
  where: string
  /** the shell command that removes it */
  fix: string
  /** what else to do by hand (a line in a config file) */
  note?: string
}

/** A hook command, binding or option value that is ours. */
const OURS = new RegExp(`${HOOK_MARK}|tmux-views|(on-detach|sweep)\\.(cjs|mjs|mts)`)

/** What is left on one tmux server. No server: nothing there. */
export async function serverLeftovers(tmux: Tmux): Promise<Leftover[]> {
  const tm = ['tmux', ...serverArgs(tmux.server)].map((a) => (/^[\w/.:=@%+-]+$/.test(a) ? a : shellQuote(a))).join(' ')
  const out: Leftover[] = []
  let hooks: string, keys: string, options: string
  try {
    ;[hooks, keys, options] = [await tmux.run([['show-hooks', '-g']]), await tmux.run([['list-keys']]), await tmux.run([['show-options', '-g']])]
  } catch (e) {
    if (e instanceof TmuxError && e.kind === 'no-server') return []
    throw e
  }
  for (const line of hooks.split('\n')) {
    const name = /^(\S+\[\d+\]) (.*)$/.exec(line)
    if (name && OURS.test(name[2])) out.push({ what: `hook ${name[1]}`, where: tmux.label, fix: `${tm} set-hook -gu ${shellQuote(name[1])}` })
  }
  for (const line of keys.split('\n')) {
    const m = /^bind-key\s+(?:-r\s+)?-T\s+(\S+)\s+(\S+)\s+(.*)$/.exec(line)
    if (m && OURS.test(m[3])) out.push({ what: `key ${m[1]} ${m[2]}`, where: tmux.label, fix: `${tm} unbind-key -T ${m[1]} ${shellQuote(m[2].replace(/^\\(.)$/, '$1'))}` })
  }
  for (const line of options.split('\n')) {
    const m = /^(@tmux-views-[\w-]+) /.exec(line)
    if (m) out.push({ what: `option ${m[1]}`, where: tmux.label, fix: `${tm} set-option -gu ${m[1]}`, note: 'and remove it from your tmux.conf' })
  }
  return out
}

/** What is left in files: units, crontab, the WezTerm plugin's clone, our directories. */
export async function fileLeftovers(env: NodeJS.ProcessEnv = process.env): Promise<Leftover[]> {
  const out: Leftover[] = []
  const home = env.HOME || homedir()
  const xdg = (key: string, fallback: string) => (env[key] && isAbsolute(env[key]!) ? env[key]! : join(home, fallback))
  const units = join(xdg('XDG_CONFIG_HOME', '.config'), 'systemd', 'user')
  for (const unit of ['tmux-views-sweep.timer', 'tmux-views-sweep.service']) {
    const file = join(units, unit)
    if (existsSync(file))
      out.push({ what: `systemd unit ${unit}`, where: file, fix: `systemctl --user disable --now tmux-views-sweep.timer; rm -f ${shellQuote(join(units, 'tmux-views-sweep'))}.timer ${shellQuote(join(units, 'tmux-views-sweep'))}.service; systemctl --user daemon-reload` })
  }
  const cron = await crontab()
  for (const line of cron?.split('\n') ?? [])
    if (OURS.test(line) && !line.trim().startsWith('#'))
      out.push({ what: 'crontab line', where: line.trim(), fix: `crontab -l | grep -v -F -x ${shellQuote(line)} | crontab -`, note: 'or crontab -e and delete the line' })
  const plugins = join(xdg('XDG_DATA_HOME', '.local/share'), 'wezterm', 'plugins')
  for (const name of safeReaddir(plugins).filter((n) => n.includes('tmux-views')))
    out.push({ what: 'WezTerm plugin clone', where: join(plugins, name), fix: `rm -rf ${shellQuote(join(plugins, name))}`, note: 'first remove the wezterm.plugin.require line from your wezterm.lua' })
  for (const [what, dir] of [['config directory', dirname(configPath(env))], ['state directory (lifecycle log, tab record)', logDir(env)], ['runtime directory (locks)', runtimeDir(env)]]) {
    if (existsSync(dir)) out.push({ what, where: dir, fix: `rm -rf ${shellQuote(dir)}` })
  }
  return out
}

function crontab(): Promise<string | null> {
  return new Promise((resolve) => execFile('crontab', ['-l'], { timeout: 5000, encoding: 'utf8' }, (err, stdout) => resolve(err ? null : stdout)))
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}
