// Building tmux command text (pure): argument escaping, quoting for tmux's own parser, the kill
// guard and the hook command. Nothing here runs tmux.
import { MARK, type Session } from './sessions.ts'
import { VIEW_NAME } from './views.ts'

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

/** A view's name in the older design, which marked nothing (for tmux's m/r and for JS alike). */
const LEGACY_VIEW = /-view-[0-9]+-[0-9]+$/

/**
 * The kill guard: a tmux format that is true only if `v` may still go: no client, the last-attach
 * time and claim as seen, another member left in its group, and still a view: the parent mark as
 * seen (a marked view), or no mark and a view's name (the older design; its group is the check
 * before). One string comparison (the values are digits, [\w-] tokens and $N ids, so '/' cannot
 * occur in them) costs tmux less than nested &&s, which counts when a sweep guards 1000 kills.
 */
export function removable(v: Session): string {
  const view = v.parentId !== null ? '' : `/#{m/r:${LEGACY_VIEW.source},#{session_name}}`
  const now = '#{session_attached}/#{session_last_attached}/#{' + MARK.claim + '}/#{e|>:#{session_group_size},1}/#{' + MARK.parentId + '}' + view
  return `#{==:${now},0/${v.lastAttached ?? ''}/${v.claim ?? ''}/1/${v.parentId ?? ''}${v.parentId !== null ? '' : '/1'}}`
}

/**
 * What the kill guard reads, for every session at once: one `#{S:...}` expansion instead of one
 * guarded if-shell per view. It costs tmux about what its listing does, where the per-view guards
 * cost it more than the kills themselves (1000 views: ~120 ms of a ~235 ms batch, tmux 3.3a).
 */
export const WORLD_FORMAT =
  `#{session_id}/#{session_attached}/#{session_last_attached}/#{${MARK.claim}}/#{${MARK.parentId}}` +
  `/#{?#{${MARK.parentId}},,#{m/r:${LEGACY_VIEW.source},#{session_name}}}|`

/**
 * The server as the listing `seen` showed it, in WORLD_FORMAT: if `#{S:WORLD_FORMAT}` expands to
 * this, no session came, went, was attached or claimed, or lost its mark or view name since, and
 * every removable(v) of the listing still holds, except that a group may have shrunk: only a plan
 * that leaves each group a member (keepsEveryGroup) may skip the per-view guards. Null when a value
 * cannot be written into a format as it is (then the per-view guards run).
 */
export function worldAsSeen(seen: Session[]): string | null {
  const rows = seen.map(worldRow)
  return rows.includes(null) ? null : rows.join('')
}

/** One session's part of worldAsSeen; null when a value cannot be written into a format. */
function worldRow(s: Session): string | null {
  const fields = [s.id, String(s.attached), s.lastAttached === null ? '' : String(s.lastAttached), s.claim ?? '', s.parentId ?? '']
  if (!fields.every((f) => /^[\w$-]*$/.test(f))) return null
  return `${fields.join('/')}/${s.parentId !== null ? '' : LEGACY_VIEW.test(s.name) ? '1' : '0'}|`
}

/**
 * A format that is 1 only while the server is as `seen` shows it (see worldAsSeen). tmux loops
 * over its sessions in name order up to 3.5 and in id order in 3.8, so both orders are tried, the
 * listing's own first; a tmux that loops in yet another order only ever takes the guarded path.
 * Null when the world cannot be written down.
 */
export function worldUnchanged(seen: Session[]): string | null {
  const rows = seen.map(worldRow)
  if (rows.includes(null)) return null
  const byName = rows.join('')
  const byId = rows.map((row, i) => ({ row, id: Number(seen[i].id.slice(1)) })).sort((a, b) => a.id - b.id).map((r) => r.row).join('')
  const now = `#{S:${WORLD_FORMAT}}`
  return byName === byId ? `#{==:${now},${byName}}` : `#{?#{==:${now},${byName}},1,#{==:${now},${byId}}}`
}

/** True when removing `views` leaves every group of `seen` at least one member. */
export function keepsEveryGroup(seen: Session[], views: Session[]): boolean {
  const going = new Set(views.map((v) => v.id))
  const left = new Map<string, number>()
  for (const s of seen) if (s.group !== null && !going.has(s.id)) left.set(s.group, (left.get(s.group) ?? 0) + 1)
  return views.every((v) => v.group !== null && (left.get(v.group) ?? 0) > 0)
}

// ---- a first view in one call ------------------------------------------------------------------

/**
 * A session name that goes into a format and a target as it is (nothing in it means anything to
 * tmux), short enough that the one-call chain, which holds it a dozen times, stays far below
 * MAX_COMMAND_BYTES beside three 1000-byte tab texts.
 */
const PLAIN_NAME = /^[\w.-]{1,100}$/

/**
 * A format that is 1 only while a view of the session named `name` can be made without a look at
 * the listing, expanded with that session as its target: it exists, carries no view mark, and is
 * in no group or in the group of its own name; no group of that name exists without it
 * (groupConflict); and every other member of its group is attached, so there is no view to reuse.
 * Each session adds a letter to one #{S:} expansion: U (that session, in no group), G (it, in its
 * group), m (another member, attached), X (anything else that asks for a look at the listing).
 * That loop costs tmux ~10 ms over 1000 sessions, so a group with fewer clients than other members
 * (orphaned views: the listing's case anyway) fails before it. Null for a name that is not
 * PLAIN_NAME, or that is a view's name (then spawn-view means the view's parent).
 */
export function firstViewGate(name: string): string | null {
  if (!PLAIN_NAME.test(name) || VIEW_NAME.test(name)) return null
  const self = `#{?#{==:#{${MARK.parentId}},},#{?#{session_grouped},#{?#{==:#{session_group},${name}},G,X},U},X}`
  const member = `#{?#{==:#{session_group},${name}},#{?#{session_attached},m,X},}`
  const letters = `#{S:#{?#{==:#{session_name},${name}},${self},${member}}}`
  const clientsShort = '#{e|<:#{e|-:#{session_group_attached},#{session_attached}},#{e|-:#{session_group_size},1}}'
  return `#{?#{&&:#{session_grouped},${clientsShort}},0,#{m/r:^(U|m*Gm*)$,${letters}}}`
}

/** A format that expands to the id of the session named `name` (a name firstViewGate takes). */
export function idOfNamed(name: string): string {
  return `#{S:#{?#{==:#{session_name},${name}},#{session_id},}}`
}

// ---- the hooks: client-detached and client-session-changed ----------------------------------

/**
 * The index the hook takes in the client-detached array when it is free. Ours is recognised by
 * its command (isOurHook), so reinstalling never duplicates, and a user's own hook at this index
 * is never replaced or removed: ours then takes the next free index.
 */
export const HOOK = 'client-detached[48]'
/**
 * Every hook the cleanup runs on, each at the same fixed index: a client that detaches leaves its
 * view orphaned, and so does a client that switches to another session (client-detached does not
 * fire on a switch).
 */
export const HOOKS = [HOOK, 'client-session-changed[48]']

/**
 * The hook command is ours: it runs on-detach (the compiled entry on-detach.cjs, its old name
 * on-detach.mjs, or the script itself).
 */
export function isOurHook(command: string): boolean {
  return command.includes(HOOK_MARK) || /\/on-detach\.(cjs|mjs|mts)'?(?=[\s"]|$)/.test(command)
}

/** POSIX shell single quotes. */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`
}

/** The shell's name ($0) in our hook: how a hook is recognised as ours by its command. */
export const HOOK_MARK = 'tmux-views-hook'

/**
 * What the hook's /bin/sh runs: fixed text, no single quote or backslash, so it goes into any
 * default-shell as one single-quoted word (tmux 3.5 runs run-shell through default-shell: fish
 * and csh included). $1 node, $2 the compiled on-detach, $3 the hook's name (#{hook}). Nothing
 * reaches the user's pane (output or a failing exit would open a view-mode screen): all output
 * goes to /dev/null and it exits 0. When node is gone, or the checkout (or package) the entry
 * lives in is gone, the hook removes every hook of ours on that name from the server of $TMUX;
 * a checkout that is only unbuilt (npm ci, a build swapping dist/) keeps it. NODE_OPTIONS goes:
 * a server started under npm or npx carries --import=tsx, which fails node outside this checkout.
 */
const HOOK_SCRIPT = [
  'exec >/dev/null 2>&1',
  'if [ -x "$1" ] && [ -f "$2" ]; then unset NODE_OPTIONS; "$1" "$2" --hook; exit 0; fi',
  '[ -x "$1" ] && [ -d "${2%/dist/*}" ] && exit 0',
  's=${TMUX%,*,*}',
  `tmux -S "$s" show-hooks -g "$3" | while read -r k v; do case $v in *${HOOK_MARK}*) tmux -S "$s" set-hook -gu "$k";; esac; done`,
  'exit 0',
].join('; ')

/**
 * The hook's tmux command: run the compiled on-detach in the background through /bin/sh, node
 * and entry as positional arguments (plain single-quoted words in any default-shell). It holds no
 * session name. `--hook` makes on-detach silent and always exit 0, and take the server from $TMUX,
 * which tmux sets for run-shell. The same command serves any hook name: tmux fills in #{hook}.
 */
export function hookCommand(node: string, entry: string): string {
  const sh = hookArgv(node, entry).map((a, i) => (i === 0 || i === 3 ? a : shellQuote(a))).join(' ')
  return `run-shell -b ${quoteForTmux(sh.replaceAll('#', '##') + ' #{hook}')}`
}

/** The hook's program and arguments before the hook's name: /bin/sh -c SCRIPT MARK NODE ENTRY. */
export function hookArgv(node: string, entry: string): string[] {
  return ['/bin/sh', '-c', HOOK_SCRIPT, HOOK_MARK, node, entry]
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
