// Building tmux command text (pure): argument escaping, quoting for tmux's own parser, the kill
// guard and the hook command. Nothing here runs tmux.
import { MARK, type Session } from './sessions.ts'

/**
 * tmux ends a command at any argument that ends in ';' (and drops the ';'). Escape it so a value
 * like "x;" stays "x;" and never starts a second command.
 */
export function escapeArg(arg: string): string {
  return arg.endsWith(';') ? arg.slice(0, -1) + '\\;' : arg
}

/** Names given to -s and rename-session are format-expanded: `#(cmd)` would run cmd. */
export function escapeName(name: string): string {
  return name.replaceAll('#', '##')
}

/** Join commands into one invocation's arguments: tmux runs such a chain atomically. */
export function chain(commands: string[][]): string[] {
  return commands.flatMap((cmd, i) => [...(i ? [';'] : []), ...cmd.map(escapeArg)])
}

/** Session options hold tab text; a tab or newline in a value would break the listing's rows. */
export function cleanValue(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ')
}

/**
 * The kill guard: a tmux format that is true only if `v` may still go: no client, the last-attach
 * time and claim as seen, and another member left in its group. One string comparison (the values
 * are digits and [\w-] tokens, so '/' cannot occur in them) costs tmux less than nested &&s, which
 * counts when a sweep guards 1000 kills.
 */
export function removable(v: Session): string {
  const now = '#{session_attached}/#{session_last_attached}/#{' + MARK.claim + '}/#{e|>:#{session_group_size},1}'
  return `#{==:${now},0/${v.lastAttached ?? ''}/${v.claim ?? ''}/1}`
}

// ---- the hooks: client-detached and client-session-changed ----------------------------------

/** One fixed index in the hook array, so reinstalling never duplicates and other hooks stay. */
export const HOOK = 'client-detached[48]'
/**
 * Every hook the cleanup runs on, each at the same fixed index: a client that detaches leaves its
 * view orphaned, and so does a client that switches to another session (client-detached does not
 * fire on a switch).
 */
export const HOOKS = [HOOK, 'client-session-changed[48]']

/** POSIX shell single quotes. */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`
}

/**
 * The hook's tmux command: run the compiled on-detach in the background. It holds no session
 * name, and only two single-quoted words and a flag, so any default-shell runs it (tmux 3.5 runs
 * run-shell through default-shell: fish and csh included). `--hook` makes on-detach silent and
 * always exit 0 (a hook's output or failure opens a view-mode screen in the user's pane) and take
 * the server from $TMUX, which tmux sets for run-shell.
 */
export function hookCommand(node: string, entry: string): string {
  // NODE_OPTIONS goes: a server started under npm or npx carries --import=tsx, which fails node
  // at start-up (silently, in a hook) in any session outside this checkout.
  const sh = `'/usr/bin/env' -u NODE_OPTIONS ${shellQuote(node)} ${shellQuote(entry)} --hook`
  return `run-shell -b ${quoteForTmux(sh.replaceAll('#', '##'))}`
}

/** The same hooks as lines for a tmux.conf. */
export function hookConfLine(node: string, entry: string): string {
  return HOOKS.map((hook) => `set-hook -g '${hook}' ${quoteForTmux(hookCommand(node, entry))}`).join('\n')
}

/** Quote a value for tmux's own command parser (inside if-shell's command string). */
export function quoteForTmux(value: string): string {
  if (!value.includes("'")) return `'${value}'`
  return `"${value.replace(/[\\"$]/g, '\\$&')}"`
}
