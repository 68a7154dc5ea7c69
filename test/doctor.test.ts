// The pure parts of report and doctor.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { hookPaths } from '../lib/doctor.ts'
import { ago, table } from '../lib/report.ts'
import { hookCommand } from '../lib/commands.ts'

test("the hook's node and script paths are read back from its command", () => {
  assert.deepEqual(hookPaths(hookCommand('/usr/bin/node', '/opt/tv #1/dist/scripts/on-detach.cjs')), ['/usr/bin/node', '/opt/tv #1/dist/scripts/on-detach.cjs'])
})

test('ages are short and coarse; tables align on character count, not bytes', () => {
  assert.deepEqual([ago(0, 59_000), ago(0, 61_000), ago(0, 7_200_000), ago(0, 3 * 86_400_000)], ['59s', '1m', '2h', '3d'])
  assert.deepEqual(table([['a', 'bb', 'c'], ['✎✎✎', 'b', 'c']]), ['a    bb  c', '✎✎✎  b   c'])
})
