// The tmux-views command hands its sub-command the rest of the arguments, however it is started:
// `npx zx scripts/tmux-views.mts` puts zx's own path before the script's in argv.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { ROOT } from './helpers.ts'

test('npx zx scripts/tmux-views.mts COMMAND runs that command with the arguments after it', () => {
  const run = (...args: string[]) => spawnSync('npx', ['zx', 'scripts/tmux-views.mts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
  const sweep = run('sweep', '--help')
  assert.equal(sweep.status, 0, sweep.stderr)
  assert.match(sweep.stdout, /^Usage: sweep \[options\]/)
  const bad = run('bogus')
  assert.equal(bad.status, 2)
  assert.match(bad.stderr, /^tmux-views: unknown command: bogus$/m)
})
