// Flags, exit codes, one-line errors and colour (lib/cli.ts), as plain functions: no tmux here.
// Part of the fast set `npm run mutate` runs (docs/mutation.md).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { Failure, SERVER_FLAGS, SERVER_HELP, UsageError, compiledEntry, paint, parseDuration, parseFlags, runMain, scriptArgs, useColour } from '../lib/cli.ts'
import { TmuxError } from '../lib/tmux.ts'

const SPEC = { string: ['socket', 'grace'], boolean: ['json', 'dry-run'], alias: { L: 'socket', n: 'dry-run' } }

test('scriptArgs: the arguments after the script, however it was started', () => {
  const self = path.resolve('scripts/sweep.mts')
  const url = pathToFileURL(self).href
  assert.deepEqual(scriptArgs(url, ['/usr/bin/node', self, '-n', 'x']), ['-n', 'x'])
  // npx zx scripts/sweep.mts: zx's own path first, the script later (relative to the cwd)
  assert.deepEqual(scriptArgs(url, ['/usr/bin/node', '/x/zx.mjs', 'scripts/sweep.mts', '--json']), ['--json'])
  // the script named as argv[0] (never the node binary) does not count
  assert.deepEqual(scriptArgs(url, [self, '/x/zx.mjs', 'a', 'b']), ['a', 'b'])
  // not found: everything after node and the script
  assert.deepEqual(scriptArgs(url, ['/usr/bin/node', '/other.mjs', 'a']), ['a'])
  assert.deepEqual(scriptArgs(url, ['/usr/bin/node', '/other.mjs']), [])
})

test('parseFlags: known flags, aliases, defaults, and everything after -- as arguments', () => {
  const f = parseFlags(['-L', 'srv', '-n', '--grace=5s', 'a', '--', '--json', '-x'], SPEC)
  assert.equal(f.socket, 'srv')
  assert.equal(f.grace, '5s')
  assert.equal(f['dry-run'], true)
  assert.equal(f.json, false)
  assert.equal(f.help, false)
  assert.deepEqual(f._, ['a', '--json', '-x'])
  assert.equal(parseFlags(['-h'], SPEC).help, true)
  assert.deepEqual(parseFlags(['7'], SPEC)._, ['7'], 'arguments stay strings')
  assert.deepEqual(parseFlags([], SPEC)._, [])
  assert.equal(parseFlags([], { ...SPEC, default: { grace: '30s' } }).grace, '30s')
  assert.throws(() => parseFlags(['--socket', 'a'], {}), /unknown flag: --socket/, 'no spec, no flag')
})

test('parseFlags: an unknown flag, a string flag given twice or without its value is a usage error', () => {
  const usage = (args: string[], message: string) =>
    assert.throws(() => parseFlags(args, SPEC), (e: Error) => e instanceof UsageError && e.message === message, args.join(' '))
  usage(['--bogus'], 'unknown flag: --bogus')
  usage(['--bogus=1'], 'unknown flag: --bogus')
  usage(['-x'], 'unknown flag: -x')
  usage(['-L', 'a', '--socket', 'b'], '--socket given twice')
  usage(['--grace'], '--grace needs a value')
  usage(['-n', '--grace'], '--grace needs a value')
  // a setting that must not be empty refuses --grace= too; a lone '-' is an argument
  usage(['--grace='], '--grace needs a value')
  assert.deepEqual(parseFlags(['-'], SPEC)._, ['-'])
  assert.doesNotThrow(() => parseFlags(['--socket', 'x', 'y'], SPEC))
})

test('parseDuration: ms syntax, a bare number as seconds; anything else names the flag and value', () => {
  assert.equal(parseDuration('grace', '90s'), 90_000)
  assert.equal(parseDuration('grace', '5m'), 300_000)
  assert.equal(parseDuration('grace', '2h'), 7_200_000)
  assert.equal(parseDuration('grace', '30'), 30_000)
  assert.equal(parseDuration('grace', ' 1.5 '), 1_500)
  assert.equal(parseDuration('grace', '1.25'), 1_250)
  assert.equal(parseDuration('grace', 0), 0)
  assert.equal(parseDuration('grace', '0s'), 0)
  // ('' is left out: ms() throws a plain Error for it, so `--grace=` is an "unexpected error", exit 1)
  for (const bad of ['soon', '-5s', '1.2.3', '5 parsecs', 'Infinity', '1e3', '-5', '9'.repeat(400)])
    assert.throws(
      () => parseDuration('max-age', bad),
      (e: Error) => e instanceof UsageError && e.message === `--max-age wants a duration such as 30s, 5m or 2h, not '${bad.trim()}'`,
      JSON.stringify(bad),
    )
})

test('colour only on a terminal, never with NO_COLOR (unless empty) or TERM=dumb', async () => {
  const tty = { isTTY: true } as NodeJS.WriteStream
  const pipe = { isTTY: false } as NodeJS.WriteStream
  assert.equal(useColour(tty, {}), true)
  assert.equal(useColour(tty, { TERM: 'xterm' }), true)
  assert.equal(useColour(pipe, {}), false)
  assert.equal(useColour({} as NodeJS.WriteStream, {}), false)
  assert.equal(useColour(tty, { NO_COLOR: '1' }), false)
  assert.equal(useColour(tty, { NO_COLOR: '' }), true)
  assert.equal(useColour(tty, { TERM: 'dumb' }), false)
  assert.equal(useColour(pipe, { TERM: 'xterm', NO_COLOR: '' }), false)
  const saved = process.env.NO_COLOR
  try {
    delete process.env.NO_COLOR
    assert.equal((await paint(pipe)).red('x'), 'x')
    const term = process.env.TERM
    try {
      process.env.TERM = 'xterm'
      assert.equal((await paint(tty)).red('x'), '\x1b[31mx\x1b[39m')
      process.env.NO_COLOR = '1'
      assert.equal((await paint(tty)).red('x'), 'x')
    } finally {
      if (term === undefined) delete process.env.TERM
      else process.env.TERM = term
      delete process.env.NO_COLOR
    }
  } finally {
    if (saved !== undefined) process.env.NO_COLOR = saved
    await paint(pipe)
  }
})

/** Run runMain with stderr captured; the exit code it set, and what it wrote. */
async function main(fn: () => Promise<number | void>, env: Record<string, string> = {}): Promise<{ code: number | undefined; stderr: string }> {
  const write = process.stderr.write
  const saved = { ...process.env }
  let stderr = ''
  process.stderr.write = ((s: string) => ((stderr += s), true)) as typeof process.stderr.write
  Object.assign(process.env, env)
  try {
    await runMain('tool', 'Usage: tool [options]\n\nmore help', fn)
    return { code: process.exitCode as number | undefined, stderr }
  } finally {
    process.stderr.write = write
    for (const k of Object.keys(env)) if (!(k in saved)) delete process.env[k]
    process.exitCode = 0
  }
}

test('runMain: exit 0, or the code main returns; errors as one line with exit 1 or 2, never a stack', async () => {
  assert.deepEqual(await main(async () => {}), { code: 0, stderr: '' })
  assert.deepEqual(await main(async () => 75), { code: 75, stderr: '' })
  assert.deepEqual(await main(async () => 0), { code: 0, stderr: '' })
  assert.deepEqual(await main(async () => { throw new UsageError('bad flag') }), {
    code: 2,
    stderr: "tool: bad flag\nUsage: tool [options]\nTry 'tool --help'.\n",
  })
  assert.deepEqual(await main(async () => { throw new Failure('no such session\nsecond line') }), { code: 1, stderr: 'tool: no such session\\x0asecond line\n' }) // one line: control characters shown, not sent
  assert.deepEqual(await main(async () => { throw new TmuxError('no-server', "no tmux server on socket 'x'") }), { code: 1, stderr: "tool: no tmux server on socket 'x'\n" })
  const bug = await main(async () => { throw new TypeError('x is undefined') })
  assert.deepEqual(bug, { code: 1, stderr: 'tool: unexpected error: x is undefined\n' })
  assert.deepEqual(await main(async () => { throw 'a string' }), { code: 1, stderr: 'tool: unexpected error: a string\n' })
  assert.deepEqual(await main(async () => { throw null }), { code: 1, stderr: 'tool: unexpected error: null\n' })
  const debugNull = await main(async () => { throw null }, { TMUX_VIEWS_DEBUG: '1' })
  assert.deepEqual([debugNull.code, debugNull.stderr.split('\n')[0]], [1, 'tool: unexpected error: null'])
  // the stack only on request, and only for an unexpected error
  const debug = await main(async () => { throw new TypeError('boom') }, { TMUX_VIEWS_DEBUG: '1' })
  assert.equal(debug.code, 1)
  assert.match(debug.stderr, /^tool: unexpected error: boom\nTypeError: boom\n {4}at /)
  assert.deepEqual(await main(async () => { throw new Failure('known') }, { TMUX_VIEWS_DEBUG: '1' }), { code: 1, stderr: 'tool: known\n' })
})

test('the server flags and their help', () => {
  assert.deepEqual(SERVER_FLAGS, ['socket', 'socket-path', 'timeout'])
  assert.match(SERVER_HELP, /^ {2}--timeout DURATION /m)
  assert.match(SERVER_HELP, /^ {2}-L, --socket NAME .*tmux -L/m)
  assert.match(SERVER_HELP, /^ {2}-S, --socket-path PATH .*tmux -S/m)
  assert.match(SERVER_HELP, /default: the server of \$TMUX, else tmux's default server/)
})

test('compiledEntry: beside a compiled script, or in dist/scripts of the checkout for a source one', () => {
  assert.equal(compiledEntry(pathToFileURL('/co/dist/scripts/sweep.cjs').href, 'on-detach'), '/co/dist/scripts/on-detach.cjs')
  assert.equal(compiledEntry(pathToFileURL('/co/scripts/sweep.mts').href, 'on-detach'), '/co/dist/scripts/on-detach.cjs')
})

