// The two errors every script maps to an exit status (runMain in cli.ts). Kept apart from cli.ts
// so modules below it (paths, locks, the log) can throw them without an import cycle.

/** Bad usage: exit 2. */
export class UsageError extends Error {}
/** An ordinary failure the user can act on: exit 1, one line. */
export class Failure extends Error {}
