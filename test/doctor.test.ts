// The pure parts of report and doctor.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { hookPaths } from '../lib/doctor.ts'
import { hazards, tmuxVersion } from '../lib/version.ts'
import { ago, table } from '../lib/report.ts'
import { hookCommand } from '../lib/commands.ts'

test('tmux versions are read from tmux -V', () => {
  assert.equal(tmuxVersion('tmux 3.3a'), 3.3)
  assert.equal(tmuxVersion('tmux next-3.6'), 3.6)
  assert.equal(tmuxVersion('tmux master'), null)
})

test('the known hazards that apply to a version and setting', () => {
  assert.deepEqual(hazards(3.5, 'off'), [])
  assert.match(hazards(3.3, 'on')[0].detail, /crashed tmux 3\.3 here/)
  assert.match(hazards(3.4, 'keep-group')[0].detail, /keep-group has crash reports/)
  assert.equal(hazards(3.5, 'on')[0].fix, 'tmux set-option -g destroy-unattached off')
  assert.match(hazards(3.1, 'off')[0].detail, /needs 3\.2 or newer/)
})

test("the hook's node and script paths are read back from its command", () => {
  assert.deepEqual(hookPaths(hookCommand('/usr/bin/node', '/opt/tv #1/dist/scripts/on-detach.mjs')), ['/usr/bin/node', '/opt/tv #1/dist/scripts/on-detach.mjs'])
})

test('ages are short and coarse; tables align on character count, not bytes', () => {
  assert.deepEqual([ago(0, 59_000), ago(0, 61_000), ago(0, 7_200_000), ago(0, 3 * 86_400_000)], ['59s', '1m', '2h', '3d'])
  assert.deepEqual(table([['a', 'bb', 'c'], ['✎✎✎', 'b', 'c']]), ['a    bb  c', '✎✎✎  b   c'])
})
