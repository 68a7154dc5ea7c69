// lib/'s public surface, pinned: a change to what a module exports shows up in this diff.
import { test } from 'node:test'
import assert from 'node:assert/strict'

const SURFACE: Record<string, string> = {
  cleanup: 'cleanup',
  build: 'builtFrom checkoutCommit rootOf staleBuild versionText',
  cli: 'Failure SERVER_FLAGS SERVER_HELP UsageError VERSION_HELP compiledEntry paint parseDuration parseFlags runMain say scriptArgs silence useColour version',
  config: 'DEFAULTS configPath loadSettings readConfig',
  doctor: 'doctor hookPaths',
  leftovers: 'fileLeftovers serverLeftovers',
  lock: 'lockPath runtimeDir tryLock waitLock',
  log: 'MAX_LOG_BYTES appendEvents computeStats logDir logPath percentile readEvents',
  report: 'ago cellWidth countRows fitCells stateText table viewRows',
  spawn: 'MAX_NAME_BYTES checkLengths spawnView',
  tabs: 'liveTabRecords readTabs recordTabs tabsPath',
  tmux: 'DEFAULT_TIMEOUT_MS MAX_COMMAND_BYTES Tmux TmuxError classify',
  server: 'allServers serverArgs serverFrom serverLabel socketDir socketDirProblem socketPath socketProblem whereAmI',
  version: 'atLeast compareVersions hazards storedName tmuxVersion versionText',
  sessions: 'MARK SESSION_FIELDS parseSessions sessionFormat',
  commands: 'HOOK HOOKS HOOK_MARK WORLD_FORMAT chain cleanValue escapeArg escapeName firstViewGate hookArgv hookCommand hookConfLine idOfNamed isOurHook keepsEveryGroup quoteForTmux removable shellQuote worldAsSeen worldUnchanged',
  env: 'withoutNpm',
  errors: 'Failure UsageError',
  paths: 'checkIfThere checkOpened makeDirs myUid privateDir untrusted',
  text: 'printable',
  views: 'SAFE_TOKEN VIEW_NAME claimPending findSession groupConflict judge judgeAll parentOf rescueName reusableViews unattachedFor viewKind viewName viewsOf',
}

for (const [name, exports] of Object.entries(SURFACE)) {
  test(`lib/${name}.ts exports exactly its surface`, async () => {
    const mod = await import(`../lib/${name}.ts`)
    assert.equal(Object.keys(mod).sort().join(' '), exports)
  })
}
