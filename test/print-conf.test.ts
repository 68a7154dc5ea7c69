// on-detach --print-conf: the line alone, sourced into a server, installs the hook that --install
// would, and that hook removes the view of a tab that closed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { retryUntil, runScript, sandbox, withServer } from './helpers.ts'

test('--print-conf alone installs the same hook as --install, and it works', async (t) => {
  const env = sandbox()
  const conf = await runScript('on-detach', ['--print-conf'], { env })
  assert.equal(conf.code, 0, conf.stderr)
  const lines = conf.stdout.trimEnd().split('\n')
  assert.match(lines[0], /^# tmux-views: /)
  assert.ok(lines.some((l) => l.startsWith("set-hook -g 'client-detached[48]' ")), conf.stdout)

  const installed = withServer(t)
  installed.newSession('work')
  assert.equal((await runScript('on-detach', ['-L', installed.name, '--install'], { env })).code, 0)
  const expected = installed.tmux(['show-hooks', '-g']).stdout

  const srv = withServer(t)
  srv.newSession('work')
  srv.tmux(['source-file', '-'], { input: conf.stdout })
  assert.equal(srv.tmux(['show-hooks', '-g']).stdout, expected)
  const v = (await runScript('spawn-view', ['-L', srv.name, '--print', 'work'], { env })).stdout.trim()
  const tab = await srv.attach(srv.idOf(v))
  await tab.detach()
  await retryUntil(() => !srv.names().includes(v), 'the hook from the printed line removed the view')
})
