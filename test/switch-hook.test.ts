// The cleanup on client-session-changed: a view a client switched away from goes like one it
// detached from, installed by on-detach --install, the TPM entry and tmux-views.conf alike.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { ROOT, retryUntil, runScript, withServer, type TestServer } from './helpers.ts'

const TMUX = process.env.TMUX_VIEWS_TMUX || 'tmux'

function hooks(srv: TestServer, name: string): string[] {
  return srv.tmux(['show-hooks', '-g', name]).stdout.split('\n').filter((l) => l.startsWith(`${name}[`))
}

async function view(srv: TestServer, parent: string): Promise<string> {
  const r = await runScript('spawn-view', ['-L', srv.name, '--print', '--', parent])
  assert.equal(r.code, 0, r.stderr)
  return r.stdout.trim()
}

test('a client that switches away from its view leaves it orphaned, and the hook removes it', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  srv.newSession('notes')
  srv.tmux(['set-hook', '-g', 'client-session-changed[0]', 'set-option -g @other-tool seen'])
  const install = await runScript('on-detach', ['-L', srv.name, '--install'])
  assert.equal(install.code, 0, install.stderr)
  assert.equal(hooks(srv, 'client-session-changed').length, 2, 'the other tool\'s hook stays')
  const a = await view(srv, 'work')
  const b = await view(srv, 'work')
  const client = await srv.attach(`=${a}`)
  t.after(() => client.kill())
  const name = srv.tmux(['list-clients', '-F', '#{client_name}']).stdout.trim()
  // the client moves on to another view: a is left with no client, and no detach happens
  srv.tmux(['switch-client', '-c', name, '-t', `=${b}`])
  await retryUntil(() => !srv.names().includes(a), 'the view switched away from was removed', 15_000)
  assert.deepEqual(srv.names(), ['notes', 'work', b].sort())
  assert.equal(srv.tmux(['list-clients', '-F', '#{client_session}']).stdout.trim(), b)
  // switching to a plain session: the view goes, the sessions stay
  srv.tmux(['switch-client', '-c', name, '-t', '=notes'])
  await retryUntil(() => !srv.names().includes(b), 'the second view was removed', 15_000)
  assert.deepEqual(srv.names(), ['notes', 'work'])
  assert.equal(srv.tmux(['show-options', '-gv', '@other-tool']).stdout.trim(), 'seen')
  // uninstall removes ours only
  await runScript('on-detach', ['-L', srv.name, '--uninstall'])
  assert.deepEqual(hooks(srv, 'client-session-changed'), ['client-session-changed[0] set-option -g @other-tool seen'])
})

test('the TPM entry, tmux-views.conf and --print-conf install the hook on client-session-changed[48] too', async (t) => {
  const tpm = withServer(t)
  tpm.newSession('work')
  tpm.tmux(['run-shell', `'${path.join(ROOT, 'tmux-views.tmux')}'`])
  const conf = withServer(t)
  const r = spawnSync(TMUX, ['-L', conf.name, '-f', path.join(ROOT, 'tmux-views.conf'), 'new-session', '-d', '-s', 'work', 'sleep 86400'], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  for (const srv of [tpm, conf]) {
    const detached = hooks(srv, 'client-detached')
    const changed = hooks(srv, 'client-session-changed')
    assert.equal(changed.length, 1, changed.join('\n'))
    assert.equal(changed[0].replace('client-session-changed[48] ', ''), detached[0].replace('client-detached[48] ', ''))
  }
  const print = await runScript('on-detach', ['--print-conf'])
  const lines = print.stdout.split('\n').filter((l) => l.startsWith('set-hook'))
  assert.deepEqual(lines.map((l) => l.split(' ')[2]), [`'client-detached[48]'`, `'client-session-changed[48]'`])
  // the printed lines, sourced, install the same
  const fresh = withServer(t)
  fresh.newSession('work')
  fresh.tmux(['source-file', '-'], { input: print.stdout })
  assert.equal(hooks(fresh, 'client-session-changed').length, 1)
})

test('two hook passes at once (an attach and a detach, a switch) remove and log each view once', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  for (let round = 0; round < 6; round++) {
    const v = await view(srv, 'work')
    srv.tmux(['set-option', '-t', `=${v}:`, '@tmux-views-claim-at', '1'])
    const passes = await Promise.all([0, 1].map(() => runScript('on-detach', ['-L', srv.name, '--json'])))
    const removed = passes.flatMap((p) => JSON.parse(p.stdout).removed)
    assert.deepEqual(removed, [v], `round ${round}`)
  }
})
