// Process trees from /proc (Linux): what runs below a terminal tab, for the bench and the kitty test.
import { readFileSync, readdirSync } from 'node:fs'

/** Every process below `pid` (children, their children, ...), read from each process's stat. */
export function descendants(pid) {
  const kids = new Map()
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8')
      // the field after "(comm) STATE" is the parent's pid; comm may hold spaces and parentheses
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      kids.set(ppid, [...(kids.get(ppid) ?? []), p])
    } catch {} // gone meanwhile
  }
  const out = [...(kids.get(pid) ?? [])]
  for (let i = 0; i < out.length; i++) out.push(...(kids.get(out[i]) ?? []))
  return out
}
