// Process trees from /proc (Linux): what runs below a terminal tab, for the bench and the kitty test.
import { readFileSync, readdirSync } from 'node:fs'

/**
 * The fields of /proc/PID/stat after "(comm)": [state, parent pid, ...]. comm may hold spaces and
 * parentheses, so they start after the last ')'. Throws when the process is gone.
 */
function statFields(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
}

/** Every process below `pid` (children, their children, ...), read from each process's stat. */
export function descendants(pid) {
  const kids = new Map()
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number)) {
    try {
      const ppid = Number(statFields(p)[1])
      kids.set(ppid, [...(kids.get(ppid) ?? []), p])
    } catch {} // gone meanwhile
  }
  const out = [...(kids.get(pid) ?? [])]
  for (let i = 0; i < out.length; i++) out.push(...(kids.get(out[i]) ?? []))
  return out
}

/** Process `pid` has ended: gone, or a zombie nobody reaped yet. */
export function ended(pid) {
  try {
    return statFields(pid)[0] === 'Z'
  } catch {
    return true
  }
}
