// Text from tmux (names, titles, icons, tab ids, socket paths) on its way to a terminal.

/**
 * C0 and C1 control characters (and DEL) as visible escapes: a title holding ESC or CSI (U+009B)
 * must not move the cursor, recolour or retitle the user's terminal. Human output only; --json
 * keeps every value exact.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}
