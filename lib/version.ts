// What differs between the tmux releases users run, in one place. Pure: the version comes from
// `tmux -V`, read once per run by Tmux.versionInfo().
// 3.2: -N (don't start a server), hooks fire on every client loss, #{current_file}, source-file -.
// 3.3: destroy-unattached crashed the server here in 4 of 12 detach runs.
// 3.4: destroy-unattached gained keep-group (crash reports). 3.5: run-shell uses default-shell,
// which is why hookCommand() holds only quoted words. None of our commands read #{hook_client}.
// 3.7: names keep '.' and ':' and names with control characters are refused (storedName below).
// 3.7c: `list-keys -T TABLE KEY` shows a single match as a message instead of printing it (3.8
// prints it again); nothing in lib/ lists keys, the tests list the whole table.

export interface Check {
  name: string
  ok: boolean
  detail: string
  /** the command that fixes it */
  fix?: string
}

/** A tmux release: 3.5a is { major: 3, minor: 5, letter: 'a' }. */
export interface TmuxVersion {
  major: number
  minor: number
  letter: string
}

/** "tmux 3.3a" → 3.3a; "tmux 3.10" → 3.10; "tmux next-3.6" → 3.6; "tmux master" → null. */
export function tmuxVersion(text: string): TmuxVersion | null {
  const m = /(?:^|[\s-])(\d+)\.(\d+)([a-z]?)\b/.exec(text)
  return m ? { major: Number(m[1]), minor: Number(m[2]), letter: m[3] } : null
}

/** "3.5a" */
export function versionText(v: TmuxVersion): string {
  return `${v.major}.${v.minor}${v.letter}`
}

/** Numbers compare as numbers, then the letter: 3.10 > 3.9 > 3.5a > 3.5. Negative when a < b. */
export function compareVersions(a: TmuxVersion, b: TmuxVersion): number {
  return a.major - b.major || a.minor - b.minor || (a.letter < b.letter ? -1 : a.letter > b.letter ? 1 : 0)
}

/** Is `v` the release `text` ("3.7") or newer? An unknown version (a build from git) counts as newest. */
export function atLeast(v: TmuxVersion | null, text: string): boolean {
  return v === null || compareVersions(v, tmuxVersion(text)!) >= 0
}

const CSTYLE: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\b': '\\b', '\f': '\\f', '\v': '\\v', '\x07': '\\a', '\0': '\\000' }
const CONTROL = /[\u0000-\u001f\u007f]/

/**
 * How tmux `v` stores a name given to -s or rename-session, or null when it refuses the name.
 * Up to 3.6 (session.c session_check_name): ':' and '.' become '_', then utf8_stravis writes
 * backslashes and control characters as C escapes; before 3.5 it also escaped C1 characters (as
 * their UTF-8 bytes) and a '$' before a letter, '_' or '{' (vis.c, "Do not escape $ unless DQ";
 * measured: 3.3a does, 3.5a does not). From 3.7 (tmux.c check_name, clean_name): a name with a
 * control character is refused ("invalid session name"), '.' and ':' stay, backslashes are doubled.
 */
export function storedName(name: string, v: TmuxVersion | null): string | null {
  if (atLeast(v, '3.7')) return CONTROL.test(name) ? null : name.replaceAll('\\', '\\\\')
  const octal = (c: string) => [...Buffer.from(c)].map((b) => '\\' + b.toString(8).padStart(3, '0')).join('')
  const out = name.replace(/[:.]/g, '_')
  if (atLeast(v, '3.5')) return out.replace(/[\\\u0000-\u001f\u007f]/g, (c) => CSTYLE[c] ?? octal(c))
  return out.replace(/[\\\u0000-\u001f\u007f-\u009f]/g, (c) => CSTYLE[c] ?? octal(c)).replace(/\$(?=[A-Za-z_{])/g, '\\$')
}

/** The known hazards of a tmux version and its destroy-unattached setting (pure). */
export function hazards(version: TmuxVersion | null, destroyUnattached: string): Check[] {
  const out: Check[] = []
  if (version !== null && !atLeast(version, '3.2'))
    out.push({ name: 'tmux version', ok: false, detail: `tmux ${versionText(version)} may not fire client-detached when a client dies; tmux-views needs 3.2 or newer`, fix: 'upgrade tmux, and run sweep from a timer meanwhile' })
  if (destroyUnattached !== 'off' && destroyUnattached !== '') {
    const why = version !== null && !atLeast(version, '3.4')
      ? `crashed tmux ${versionText(version)} here in 4 of 12 detach runs, and `
      : destroyUnattached === 'keep-group' ? 'keep-group has crash reports, and ' : ''
    out.push({ name: 'destroy-unattached', ok: false, detail: `destroy-unattached is '${destroyUnattached}': it ${why}kills programs when a view outlives its parent; tmux-views does this job safely`, fix: 'tmux set-option -g destroy-unattached off' })
  }
  return out
}
