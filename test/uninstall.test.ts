// Uninstall without a trace: report --leftovers finds every piece of tmux-views that each wiring
// leaves (TPM's hook, key and options; systemd units; a crontab line; the WezTerm plugin's clone;
// config, state and runtime directories), and its fixes, run as printed, leave nothing.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ROOT, runScript, sandbox, withServer } from './helpers.ts'
import { shellQuote } from '../lib/commands.ts'

test('report --leftovers lists what every wiring left, and its fixes remove all of it', async (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  const home = sandbox()
  const dir = mkdtempSync(path.join(tmpdir(), 'tv-uninstall-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const bin = path.join(dir, 'bin')
  mkdirSync(bin)
  const fake = (name: string, body: string) => {
    writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`)
    chmodSync(path.join(bin, name), 0o755)
  }
  const tab = path.join(dir, 'crontab.txt')
  // like cron's own crontab: a new table is written aside and renamed into place, so
  // 'crontab -l | … | crontab -' reads the old table whole
  fake('crontab', `if [ "$1" = -l ]; then cat '${tab}' 2>/dev/null || exit 1; else cat > '${tab}.new' && mv '${tab}.new' '${tab}'; fi`)
  fake('systemctl', 'exit 0')
  const tmuxBin = spawnSync('/bin/sh', ['-c', 'command -v "$1"', 'sh', process.env.TMUX_VIEWS_TMUX || 'tmux'], { encoding: 'utf8' }).stdout.trim()
  const env = { ...home, XDG_DATA_HOME: path.join(dir, 'data'), PATH: `${bin}:${path.dirname(tmuxBin)}:/usr/bin:/bin` }

  // every wiring, as its docs set it up
  srv.tmux(['set-option', '-g', '@tmux-views-sweep-key', 'V'])
  assert.equal(srv.tmux(['run-shell', shellQuote(path.join(ROOT, 'tmux-views.tmux'))]).code, 0) // TPM
  assert.equal((await runScript('spawn-view', ['-L', srv.name, '--print', 'work'], { env })).code, 0) // state dir (log)
  const units = path.join(home.XDG_CONFIG_HOME!, 'systemd', 'user')
  mkdirSync(units, { recursive: true })
  for (const u of ['tmux-views-sweep.service', 'tmux-views-sweep.timer']) writeFileSync(path.join(units, u), '[Unit]\n')
  writeFileSync(tab, `MAILTO=""\n* * * * * /usr/bin/node /opt/tmux-views/dist/scripts/sweep.cjs --all-sockets >/dev/null 2>&1\n`)
  const clone = path.join(env.XDG_DATA_HOME, 'wezterm', 'plugins', 'httpssCssZssZsgithubsDscomsZsmesZstmux-views')
  mkdirSync(clone, { recursive: true })
  mkdirSync(path.join(home.XDG_CONFIG_HOME!, 'tmux-views'), { recursive: true })

  const report = async () => {
    const r = await runScript('report', ['-L', srv.name, '--leftovers', '--json'], { env })
    return { code: r.code, left: JSON.parse(r.stdout).leftovers as Array<{ what: string; where: string; fix: string }> }
  }
  const before = await report()
  assert.equal(before.code, 1)
  // (a status-line message the entry left for the first client, e.g. that dist/ is stale after a
  // commit without a build, is a leftover too, but not one this test sets up)
  assert.deepEqual(before.left.map((l) => l.what).filter((w) => w !== 'hook client-attached[49]').sort(), [
    'config directory', 'crontab line', 'hook client-detached[48]', 'hook client-session-changed[48]', 'key prefix V', 'option @tmux-views-sweep-key',
    'state directory (lifecycle log, tab record)', 'systemd unit tmux-views-sweep.service', 'systemd unit tmux-views-sweep.timer', 'WezTerm plugin clone',
  ].sort())
  // the fixes, as printed (the two unit lines print the same command)
  for (const fix of new Set(before.left.map((l) => l.fix))) {
    const r = spawnSync('/bin/sh', ['-c', fix], { encoding: 'utf8', env: { ...process.env, ...env } })
    assert.equal(r.status, 0, `${fix}: ${r.stderr}`)
  }
  const after = await report()
  assert.deepEqual(after, { code: 0, left: [] })
  assert.equal(spawnSync('cat', [tab], { encoding: 'utf8' }).stdout, 'MAILTO=""\n', 'only our crontab line went')
  assert.deepEqual(srv.names().filter((n) => n === 'work'), ['work'], 'sessions are never leftovers: they are yours')
  const text = await runScript('report', ['-L', srv.name, '--leftovers'], { env })
  assert.equal(text.stdout, `Nothing of tmux-views is left on '${srv.name}' or in your files.\n`)
})
