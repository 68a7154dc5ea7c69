// Which server a script works on when the layers disagree: -S on the command line wins over a
// socket name from the config file or the environment.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { expireClaim, runScript, sandbox, withServer } from './helpers.ts'
import { socketDir } from '../lib/server.ts'

test('-S sweeps the server it names, not the socket named in the config file or the environment', async (t) => {
  const srv = withServer(t)
  const other = withServer(t)
  const env = sandbox()
  srv.newSession('work')
  other.newSession('work')
  const views = []
  for (const s of [srv, other]) {
    const v = (await runScript('spawn-view', ['-L', s.name, '--print', 'work'], { env })).stdout.trim()
    expireClaim(s, v)
    views.push(v)
  }
  mkdirSync(path.join(env.XDG_CONFIG_HOME!, 'tmux-views'), { recursive: true })
  writeFileSync(path.join(env.XDG_CONFIG_HOME!, 'tmux-views', 'config.json'), JSON.stringify({ socket: other.name }))
  const sock = path.join(socketDir(), srv.name)
  for (const layer of [{}, { TMUX_VIEWS_SOCKET: other.name }]) {
    const r = await runScript('sweep', ['-S', sock, '--json', '--dry-run'], { env: { ...env, ...layer } })
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(JSON.parse(r.stdout).removed, [views[0]], JSON.stringify(layer))
  }
  const r = await runScript('sweep', ['-S', sock, '--json'], { env: { ...env, TMUX_VIEWS_SOCKET: other.name } })
  assert.deepEqual(JSON.parse(r.stdout).removed, [views[0]])
  assert.deepEqual(srv.names(), ['work'])
  assert.deepEqual(other.names(), [views[1], 'work'].sort(), 'the server of the lower layer was left alone')
})
