// The tmux runner (lib/tmux.ts) runs tmux with spawnSync since issue 15: the contract that must
// survive that (a bounded wait, tmux's own outcome when it leaves its input unread).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Tmux, TmuxError } from '../lib/tmux.ts'
import { withServer } from './helpers.ts'

test('a server that stops answering fails the call as stuck after the time limit, not never', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const pid = srv.pid!
  const tmux = new Tmux({ kind: 'name', value: srv.name }, { timeoutMs: 300 })
  const started = Date.now()
  process.kill(pid, 'SIGSTOP')
  try {
    await assert.rejects(tmux.listSessions(), (e: unknown) => {
      assert.ok(e instanceof TmuxError)
      assert.equal(e.kind, 'stuck')
      assert.match(e.message, /did not answer within 0\.3s \(list-sessions\)/)
      return true
    })
  } finally {
    process.kill(pid, 'SIGCONT') // the server's clean-up needs it answering
  }
  assert.ok(Date.now() - started < 5000, `gave up after ${Date.now() - started} ms`)
})

test('a tmux command that leaves a large input unread still succeeds with its output', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const tmux = new Tmux({ kind: 'name', value: srv.name })
  // list-sessions never reads stdin: tmux exits with 1 MiB still unwritten (EPIPE for the writer)
  const out = await tmux.run([['list-sessions', '-F', '#{session_name}']], { input: 'x'.repeat(1 << 20) })
  assert.equal(out, 'work\n')
})
