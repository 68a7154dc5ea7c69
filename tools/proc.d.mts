export function descendants(pid: number): number[]
export function ended(pid: number): boolean
