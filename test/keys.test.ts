// The sweep key of the TPM entry: a free example key, a warning for a key tmux (or anyone) binds,
// and a message that stays long enough to read.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { ROOT, withServer, type TestServer } from './helpers.ts'
import { shellQuote } from '../lib/commands.ts'

const ENTRY = path.join(ROOT, 'tmux-views.tmux')

/** Run the entry as TPM does; what it would show the first client (no client is attached yet). */
function load(srv: TestServer, key: string): string {
  srv.tmux(['set-hook', '-gu', 'client-attached[49]'])
  srv.tmux(['set-option', '-g', '@tmux-views-sweep-key', key])
  const r = srv.tmux(['run-shell', shellQuote(ENTRY).replaceAll('#', '##')], { ok: false })
  assert.equal(r.code, 0, r.stderr)
  return srv.tmux(['show-hooks', '-g', 'client-attached']).stdout.trim()
}

test('the documented sweep key is free in tmux; a bound key is taken with a message naming what it did', (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  srv.tmux(['set-option', '-g', '@tmux-views-hook', 'off'])
  const free = srv.tmux(['list-keys', '-T', 'prefix']).stdout
  for (const doc of ['README.md', 'tmux-views.conf']) {
    const keys = [...readFileSync(path.join(ROOT, doc), 'utf8').matchAll(/@tmux-views-sweep-key '([^']+)'/g)].map((m) => m[1])
    assert.ok(keys.length, doc)
    for (const k of keys) assert.doesNotMatch(free, new RegExp(`-T prefix +\\\\?${k.replace(/\W/g, '\\$&')} `), `${doc} suggests '${k}', which tmux binds`)
  }
  assert.equal(load(srv, 'V'), 'client-attached', 'no message for a free key')
  assert.match(load(srv, 'C'), /tmux-views: prefix \+ C was bound to customize-mode\b.*choose a free key/)
  assert.match(srv.tmux(['list-keys', '-T', 'prefix', 'C']).stdout, /sweep\.cjs/)
  assert.equal(load(srv, 'C'), 'client-attached', 'our own binding from an earlier load is no news')
  assert.match(load(srv, '"'), /prefix \+ \\" was bound to split-window/)
  assert.match(load(srv, '#'), /prefix \+ ## was bound to list-buffers/)
})

test('the sweep key shows its count for 5 seconds, not tmux\'s 750 ms display-time', (t) => {
  const srv = withServer(t)
  srv.newSession('work')
  srv.tmux(['set-option', '-g', '@tmux-views-hook', 'off'])
  load(srv, 'V')
  assert.match(srv.tmux(['list-keys', '-T', 'prefix', 'V']).stdout, /display-message -d 5000 /)
})
