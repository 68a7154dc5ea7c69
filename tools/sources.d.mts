export function sourceHash(root: string): string
export function gitCommit(root: string): string | null
