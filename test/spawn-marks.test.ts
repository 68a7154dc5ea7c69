// spawn-view: the client it switches, and the marks a reused view of the older design gets.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runScript, sandbox, withServer, type TestServer } from './helpers.ts'

/** Each client's name and the session it shows. */
function clients(srv: TestServer): Map<string, string> {
  const out = srv.tmux(['list-clients', '-F', '#{client_name}\t#{session_name}']).stdout.trim().split('\n')
  return new Map(out.map((l) => l.split('\t') as [string, string]))
}

test('--client switches the named client to the view, not the one used last', async (t) => {
  const srv = withServer(t)
  const env = sandbox()
  srv.newSession('work')
  srv.newSession('home')
  srv.newSession('other')
  const a = await srv.attach('=home')
  t.after(() => a.kill())
  const b = await srv.attach('=other') // attached last: tmux's choice when no client is named
  t.after(() => b.kill())
  const [nameA] = [...clients(srv)].find(([, s]) => s === 'home')!
  const [nameB] = [...clients(srv)].find(([, s]) => s === 'other')!
  const r = await runScript('spawn-view', ['-L', srv.name, '--grace', '1h', '--client', nameA, 'work'], { env })
  assert.equal(r.code, 0, r.stderr)
  const view = srv.names().find((n) => /^work-view-\d+-\d+$/.test(n))
  assert.ok(view, 'a view was made')
  assert.equal(clients(srv).get(nameA), view, 'the named client shows the view')
  assert.equal(clients(srv).get(nameB), 'other', 'the other client was left alone')
})

test('a view of the older design, reused, gets the marks of a new one and is tracked from then on', async (t) => {
  const srv = withServer(t)
  const env = sandbox()
  const parentId = srv.newSession('work')
  const legacy = 'work-view-1735324800-5432'
  srv.tmux(['new-session', '-d', '-t', '=work', '-s', legacy])
  const created = srv.tmux(['display-message', '-p', '-t', srv.idOf(legacy), '#{session_created}']).stdout.trim()
  const r = await runScript('spawn-view', ['-L', srv.name, '--json', '--grace', '1h', '--tab', '4', 'work'], { env })
  assert.equal(r.code, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  assert.deepEqual([out.view, out.reused], [legacy, true])
  const opt = (name: string) => srv.tmux(['show-options', '-v', '-q', '-t', out.id, `@tmux-views-${name}`]).stdout.trim()
  assert.deepEqual(
    { parentId: opt('parent-id'), parent: opt('parent'), created: opt('created'), tab: opt('tab') },
    { parentId, parent: 'work', created, tab: '4' },
  )
  assert.match(opt('claim'), /^\d+-[0-9a-z]+$/)
  // tracked now: report calls it a view of the current design
  const report = JSON.parse((await runScript('report', ['-L', srv.name, '--json', '--grace', '1h'], { env })).stdout)
  assert.deepEqual(report.views.map((v: { name: string; design: string; state: string }) => [v.name, v.design, v.state]), [[legacy, 'marked', 'grace']])
})
