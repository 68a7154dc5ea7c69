// The compiled entries are dist/scripts/NAME.cjs; NAME.mjs, their name before, stays as a shim
// that runs NAME.cjs. Wiring set up by an older version names the .mjs: hooks installed with
// --install or a --print-conf line, copied systemd units, cron lines. They keep working, are
// still recognised as ours, and --install moves the hooks to the .cjs.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ROOT, expireClaim, retryUntil, runScript, sandbox, withServer, type TestServer } from './helpers.ts'
import { hookCommand } from '../lib/commands.ts'
import { hookPaths } from '../lib/doctor.ts'

const entry = (name: string, ext: 'cjs' | 'mjs') => path.join(ROOT, 'dist', 'scripts', `${name}.${ext}`)

function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const e = { ...process.env, ...sandbox(), ...env }
  delete e.TMUX
  const r = spawnSync(process.execPath, [file, ...args], { encoding: 'utf8', env: e, timeout: 30_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

function hooks(srv: TestServer, event: string): string[] {
  return srv.tmux(['show-hooks', '-g', event]).stdout.split('\n').filter((l) => l.startsWith(`${event}[`))
}

async function spawnView(srv: TestServer): Promise<string> {
  const r = await runScript('spawn-view', ['-L', srv.name, '--print', '--grace', '10m', 'work'])
  assert.equal(r.code, 0, r.stderr)
  return r.stdout.trim()
}

test('dist/scripts/NAME.mjs, the old name, runs NAME.cjs: same output and exit status', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const orphan = await spawnView(srv)
  await spawnView(srv) // claimed: kept
  expireClaim(srv, orphan)
  const sweep = ['-L', srv.name, '--max-age', '0', '--grace', '10m']
  const cases: Array<[string, string[]]> = [
    ['sweep', [...sweep, '--dry-run', '--json']],
    ['sweep', [...sweep, '--dry-run']],
    ['sweep', ['-L', srv.name, '--bogus']],
    ['on-detach', ['-L', srv.name, '--grace', '10m', '--dry-run', '--json']],
    ['on-detach', ['--print-conf']],
    ['report', ['-L', `${srv.name}-none`, '--json']], // (a server's views carry times: another second, another text)
    ['report', ['--version']],
    ['tmux-views', ['sweep', ...sweep, '--dry-run', '--json']],
    ['tmux-views', ['nosuch']],
  ]
  for (const [name, args] of cases) {
    const now = run(entry(name, 'cjs'), args)
    const old = run(entry(name, 'mjs'), args)
    assert.deepEqual(old, now, `${name}.mjs ${args.join(' ')}`)
  }
  const dry = run(entry('sweep', 'mjs'), [...sweep, '--dry-run', '--json'])
  assert.equal(dry.code, 0, dry.stderr)
  assert.deepEqual(JSON.parse(dry.stdout).removed, [orphan])
  assert.equal(run(entry('sweep', 'mjs'), ['-L', srv.name, '--bogus']).code, 2)
  assert.equal(run(entry('tmux-views', 'mjs'), ['nosuch']).code, 2)
  // and it really sweeps
  const swept = run(entry('sweep', 'mjs'), sweep)
  assert.deepEqual([swept.code, swept.stderr], [0, ''])
  assert.equal(srv.names().includes(orphan), false)
})

test('hooks an older version installed (on-detach.mjs) still clean up, count as ours, and --install moves them to on-detach.cjs', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const env = sandbox()
  const old = hookCommand(process.execPath, entry('on-detach', 'mjs'))
  for (const event of ['client-detached', 'client-session-changed']) srv.tmux(['set-hook', '-g', `${event}[48]`, old])
  srv.tmux(['set-hook', '-g', 'client-detached[0]', 'display-message other-tool'])

  // the old hook runs the shim, which runs on-detach.cjs: the view of a closed tab goes
  const v = await spawnView(srv)
  const tab = await srv.attach(`=${v}`)
  await tab.detach()
  await retryUntil(() => !srv.names().includes(v), 'the old hook removed the view of the closed tab')

  // report --doctor: ours, and working
  const doctor = run(entry('report', 'cjs'), ['-L', srv.name, '--doctor', '--json'], env)
  const checks = Object.fromEntries(JSON.parse(doctor.stdout).checks.map((k: { name: string }) => [k.name, k]))
  for (const name of ['hook', 'switch hook']) assert.equal(checks[name].ok, true, JSON.stringify(checks[name]))
  assert.match(checks.hook.detail, /on-detach\.mjs$/)

  // --install through the old name (an older TPM entry or a habit): replaced in place, now .cjs
  const r = run(entry('on-detach', 'mjs'), ['-L', srv.name, '--install'], env)
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stderr, /on-detach\.cjs\n$/)
  for (const event of ['client-detached', 'client-session-changed']) {
    const ours = hooks(srv, event).filter((h) => !h.includes('other-tool'))
    assert.equal(ours.length, 1, ours.join('\n'))
    assert.match(ours[0], new RegExp(`^${event}\\[48\\] `))
    assert.deepEqual(hookPaths(ours[0]), [process.execPath, entry('on-detach', 'cjs')])
  }
  assert.deepEqual(hooks(srv, 'client-detached')[0], 'client-detached[0] display-message other-tool')
})

test('--uninstall and report --leftovers know an old on-detach.mjs hook, a hand-written on-detach.cjs hook and a sweep.cjs cron line', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  // paths without "tmux-views" in them: recognised by the entry's name alone
  srv.tmux(['set-hook', '-g', 'client-detached[48]', hookCommand(process.execPath, '/opt/tv/dist/scripts/on-detach.mjs')])
  srv.tmux(['set-hook', '-g', 'client-session-changed[48]', 'run-shell -b "node /opt/tv/dist/scripts/on-detach.cjs --hook"'])
  srv.tmux(['set-hook', '-g', 'client-detached[0]', 'display-message other-tool'])
  const bin = mkdtempSync(path.join(tmpdir(), 'tv-bin-'))
  t.after(() => spawnSync('rm', ['-rf', bin]))
  writeFileSync(path.join(bin, 'crontab'), "#!/bin/sh\necho '* * * * * /usr/bin/node /opt/tv/dist/scripts/sweep.cjs --all-sockets >/dev/null 2>&1'\n")
  chmodSync(path.join(bin, 'crontab'), 0o755)
  const env = { ...sandbox(), PATH: `${bin}:${process.env.PATH}` }

  const left = run(entry('report', 'cjs'), ['-L', srv.name, '--leftovers', '--json'], env)
  const what = (JSON.parse(left.stdout).leftovers as Array<{ what: string }>).map((l) => l.what).sort()
  assert.deepEqual(what, ['crontab line', 'hook client-detached[48]', 'hook client-session-changed[48]'])

  const r = run(entry('on-detach', 'cjs'), ['-L', srv.name, '--uninstall'], env)
  assert.deepEqual([r.code, r.stderr], [0, `Removed the client-detached[48] and client-session-changed[48] hooks from '${srv.name}'\n`])
  assert.deepEqual(hooks(srv, 'client-detached'), ['client-detached[0] display-message other-tool'])
  assert.deepEqual(hooks(srv, 'client-session-changed'), [])
})
