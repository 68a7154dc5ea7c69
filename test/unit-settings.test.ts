// Settings (lib/config.ts): defaults < config file < environment < flags, and every error naming
// where the bad value came from. Plain functions over temp files: no tmux here. Part of the fast
// set `npm run mutate` runs (docs/mutation.md).
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DEFAULTS, configPath, loadSettings, readConfig } from '../lib/config.ts'
import { UsageError } from '../lib/cli.ts'
import { serverFrom } from '../lib/server.ts'

/** A config home holding `config` as tmux-views/config.json (text as is, anything else as JSON). */
function home(t: TestContext, config?: unknown): { env: NodeJS.ProcessEnv; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tv-config-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'tmux-views', 'config.json')
  if (config !== undefined) {
    mkdirSync(path.dirname(file))
    writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config))
  }
  return { env: { XDG_CONFIG_HOME: dir }, file }
}

const usage = (fn: () => unknown, message: string | RegExp) =>
  assert.throws(fn, (e: Error) => e instanceof UsageError && (typeof message === 'string' ? e.message === message : message.test(e.message)), String(message))

test('the config file lives under an absolute XDG_CONFIG_HOME, else HOME/.config', () => {
  assert.equal(configPath({ XDG_CONFIG_HOME: '/x/conf', HOME: '/h' }), '/x/conf/tmux-views/config.json')
  assert.equal(configPath({ XDG_CONFIG_HOME: 'relative', HOME: '/h' }), '/h/.config/tmux-views/config.json')
  assert.equal(configPath({ HOME: '/h' }), '/h/.config/tmux-views/config.json')
  assert.equal(configPath({ XDG_CONFIG_HOME: '', HOME: '/h' }), '/h/.config/tmux-views/config.json')
  assert.match(configPath({}), /\/\.config\/tmux-views\/config\.json$/)
})

test('defaults when nothing is set', (t) => {
  assert.deepEqual(DEFAULTS, { maxAge: '5m', grace: '30s', timeout: '5s' })
  assert.deepEqual(loadSettings({}, home(t).env), { maxAge: '5m', grace: '30s', timeout: '5s' })
  assert.deepEqual(loadSettings({}, {}, false), { maxAge: '5m', grace: '30s', timeout: '5s' })
})

test('config file < environment < flags, key by key', (t) => {
  const { env } = home(t, { $schema: 'https://example/schema.json', maxAge: '10m', grace: '1m', socket: 'from-file' })
  assert.deepEqual(loadSettings({}, env), { maxAge: '10m', grace: '1m', timeout: '5s', socket: 'from-file' })
  assert.deepEqual(loadSettings({}, { ...env, TMUX_VIEWS_GRACE: '2m', TMUX_VIEWS_SOCKET: 'from-env' }), { maxAge: '10m', grace: '2m', timeout: '5s', socket: 'from-env' })
  assert.deepEqual(loadSettings({ grace: '3m', 'max-age': '1h', socket: 'flag' }, { ...env, TMUX_VIEWS_GRACE: '2m', TMUX_VIEWS_MAX_AGE: '20m' }), {
    maxAge: '1h', grace: '3m', timeout: '5s', socket: 'flag', socketPath: undefined,
  })
  // an empty variable is unset
  assert.deepEqual(loadSettings({}, { ...env, TMUX_VIEWS_GRACE: '' }), { maxAge: '10m', grace: '1m', timeout: '5s', socket: 'from-file' })
  // useFile false: the file is not read at all (the doctor reports a broken one itself)
  assert.deepEqual(loadSettings({}, { ...home(t, '{broken').env, TMUX_VIEWS_MAX_AGE: '7m' }, false), { maxAge: '7m', grace: '30s', timeout: '5s' })
})

test('-S (or -L) replaces the socket from the config file or the environment, and the other way round', (t) => {
  const file = home(t, { socket: 'from-file' }).env
  const bySocketPath = loadSettings({ 'socket-path': '/run/mine.sock' }, file)
  assert.deepEqual([bySocketPath.socket, bySocketPath.socketPath], [undefined, '/run/mine.sock'])
  assert.deepEqual(serverFrom(bySocketPath), { kind: 'path', value: '/run/mine.sock' })
  const envSocket = loadSettings({ 'socket-path': '/run/mine.sock' }, { TMUX_VIEWS_SOCKET: 'from-env' }, false)
  assert.deepEqual(serverFrom(envSocket), { kind: 'path', value: '/run/mine.sock' })
  const envPath = loadSettings({ socket: 'mine' }, { TMUX_VIEWS_SOCKET_PATH: '/run/env.sock' }, false)
  assert.deepEqual([envPath.socket, envPath.socketPath], ['mine', undefined])
  assert.deepEqual(serverFrom(envPath), { kind: 'name', value: 'mine' })
  // without a flag, both layers below stay as they are (serverFrom then prefers the name)
  const both = loadSettings({}, { TMUX_VIEWS_SOCKET: 'a', TMUX_VIEWS_SOCKET_PATH: '/b' }, false)
  assert.deepEqual([both.socket, both.socketPath], ['a', '/b'])
})

test('a bad duration in the environment names the variable, exit 2', () => {
  usage(() => loadSettings({}, { TMUX_VIEWS_GRACE: 'soon' }, false), "$TMUX_VIEWS_GRACE: wants a duration such as 30s, 5m or 2h, not 'soon'")
  usage(() => loadSettings({}, { TMUX_VIEWS_MAX_AGE: '-1m' }, false), "$TMUX_VIEWS_MAX_AGE: wants a duration such as 30s, 5m or 2h, not '-1m'")
  // a flag given too wins: the variable is not looked at, and the flag's own error names the flag
  assert.equal(loadSettings({ grace: '5s' }, { TMUX_VIEWS_GRACE: 'soon' }, false).grace, '5s')
  usage(() => loadSettings({ grace: 'later' }, {}, false), "--grace wants a duration such as 30s, 5m or 2h, not 'later'")
  usage(() => loadSettings({ grace: 'later' }, { TMUX_VIEWS_GRACE: '5m' }, false), "--grace wants a duration such as 30s, 5m or 2h, not 'later'")
  // sockets are not durations
  assert.equal(loadSettings({}, { TMUX_VIEWS_SOCKET: 'soon' }, false).socket, 'soon')
})

test('the config file: JSON object of known keys with non-empty string values; errors name file and key', (t) => {
  assert.deepEqual(readConfig(home(t).file), {}, 'a missing file is no settings')
  assert.deepEqual(readConfig(home(t, { grace: '1m', socketPath: '/s' }).file), { grace: '1m', socketPath: '/s' })
  for (const value of [30, true, null, ['1m'], { s: 1 }, '']) {
    const { file } = home(t, { grace: value })
    usage(() => readConfig(file), `${file}: key "grace" must be a non-empty string`)
    usage(() => loadSettings({}, home(t, { socket: value }).env), /: key "socket" must be a non-empty string$/)
  }
  const unknown = home(t, { grace: '1m', colour: 'red' }).file
  usage(() => readConfig(unknown), `${unknown}: unknown key "colour" (known: maxAge, grace, timeout, socket, socketPath)`)
  const badDuration = home(t, { maxAge: 'forever' }).file
  usage(() => readConfig(badDuration), `${badDuration}: key "maxAge": wants a duration such as 30s, 5m or 2h, not 'forever'`)
  const notJson = home(t, '{"grace": ').file
  usage(() => readConfig(notJson), new RegExp(`^${notJson.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON \\(.+\\)$`))
  for (const notObject of ['[]', '"5m"', 'null', '3']) {
    const f = home(t, notObject).file
    usage(() => readConfig(f), `${f}: expected a JSON object`)
  }
})

test('a config path that is no regular file is refused, naming it', (t) => {
  const { file } = home(t, { grace: '1m' })
  rmSync(file)
  mkdirSync(file)
  assert.throws(() => readConfig(file), (e: Error) => e.message === `refusing to use ${file}: not a regular file`)
})
