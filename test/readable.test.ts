// report and sweep, read by a person: 80 columns, widths in terminal cells, each state saying
// which layer removes the view and when (and agreeing with what sweep does), sockets named.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runScript, sandbox, withServer, type TestServer } from './helpers.ts'
import { cellWidth, fitCells, table } from '../lib/report.ts'

async function spawnView(srv: TestServer, env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  const r = await runScript('spawn-view', ['-L', srv.name, '--print', ...args], { env })
  assert.equal(r.code, 0, r.stderr)
  return r.stdout.trim()
}

test('widths are terminal cells: CJK and emoji take two, combining marks and joiners none', () => {
  assert.equal(cellWidth('abc'), 3)
  assert.equal(cellWidth('編集'), 4)
  assert.equal(cellWidth('🎉'), 2)
  assert.equal(cellWidth('👩‍💻'), 2) // one grapheme joined with U+200D
  assert.equal(cellWidth('e\u0301'), 1) // e + combining acute
  assert.equal(cellWidth('✎'), 1)
  assert.equal(cellWidth('🇯🇵'), 2)
  assert.equal(fitCells('日本語のタイトル', 7), '日本語…')
  assert.equal(cellWidth(fitCells('日本語のタイトル', 7)), 7)
  assert.equal(fitCells('work-view-1796051285-606063', 16, true), 'work-vi…5-606063')
  // columns line up in cells, not in code points
  assert.deepEqual(table([['a', 'b'], ['編集', 'x'], ['🎉', 'y']]), ['a     b', '編集  x', '🎉    y'])
})

test('report fits 80 columns with long parent names and wide titles; the states say who removes a view, and sweep agrees', async (t) => {
  const srv = withServer(t)
  const env = sandbox()
  const parent = 'a-rather-long-project-session-name'
  srv.newSession(parent)
  const tracked = await spawnView(srv, env, '--grace', '0', '--tab', '7', '--title', '日本語のタイトルがとても長い場合 🎉🎉', '--icon', '✎', '--', parent)
  const untracked = await spawnView(srv, env, '--grace', '0', '--no-reuse', '--', parent)
  const report = async (...args: string[]) => {
    const r = await runScript('report', ['-L', srv.name, '--grace', '0', ...args], { env })
    assert.equal(r.code, 0, r.stderr)
    return r.stdout
  }
  const text = await runScript('report', ['-L', srv.name, '--grace', '0'], { env: { ...env, COLUMNS: '' } }).then((r) => r.stdout)
  for (const line of text.split('\n')) assert.ok(cellWidth(line) <= 80, `${cellWidth(line)} cells: ${line}`)
  assert.match(text, / +orphan: hook; sweep [45]m$/m) // the tracked one: the next detach, or a sweep after --max-age
  // a long name keeps its unique end
  assert.match(text, new RegExp(`^  a-rather-long-\\S*…\\S*${untracked.slice(-13)} .* orphan: hook, sweep$`, 'm'))
  const json = JSON.parse(await report('--json')).views
  const byName = Object.fromEntries(json.map((v: { name: string }) => [v.name, v]))
  assert.deepEqual(byName[untracked].next, { hook: true, sweepInSec: 0, graceLeftSec: null })
  assert.equal(byName[tracked].next.hook, true)
  assert.ok(byName[tracked].next.sweepInSec > 200 && byName[tracked].next.sweepInSec <= 300, String(byName[tracked].next.sweepInSec))
  // sweep does what report said: the untracked one now, the tracked one not before --max-age
  const dry = async (...args: string[]) => JSON.parse((await runScript('sweep', ['-L', srv.name, '-n', '--json', '--grace', '0', ...args], { env })).stdout)
  assert.deepEqual((await dry()).removed, [untracked])
  assert.deepEqual((await dry()).kept, [{ name: tracked, reason: 'tracked' }])
  // with --max-age 0 both say "now" for both
  assert.deepEqual(JSON.parse(await report('--json', '--max-age', '0')).views.map((v: { next: { sweepInSec: number } }) => v.next.sweepInSec), [0, 0])
  assert.deepEqual((await dry('--max-age', '0')).removed.sort(), [tracked, untracked].sort())
})

test('sweep --all-sockets names the socket of each view it lists', async (t) => {
  const env = sandbox()
  const [a, b] = [withServer(t), withServer(t)]
  for (const srv of [a, b]) srv.newSession('work')
  const va = await spawnView(a, env, '--grace', '0', 'work')
  const vb = await spawnView(b, env, '--grace', '0', 'work')
  const r = await runScript('sweep', ['-A', '-n', '--grace', '0'], { env })
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, new RegExp(`^  - ${va} \\(untracked, socket ${a.name}\\)$`, 'm'))
  assert.match(r.stdout, new RegExp(`^  - ${vb} \\(untracked, socket ${b.name}\\)$`, 'm'))
})
