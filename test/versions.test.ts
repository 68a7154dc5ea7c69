// What differs between tmux releases (lib/version.ts): the pure rules, then the same rules checked
// against the tmux under test (TMUX_VIEWS_TMUX or tmux on PATH; .ci/run runs 3.3a, 3.5a and 3.8).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { atLeast, compareVersions, hazards, storedName, tmuxVersion, versionText } from '../lib/version.ts'
import { TMUX_V, noConfigTmux, runScript, withServer } from './helpers.ts'

const v = (text: string) => tmuxVersion(`tmux ${text}`)!
const UNDER_TEST = tmuxVersion(TMUX_V)

test('versions are read from tmux -V with their letter, and 3.10 is not 3.1', () => {
  assert.deepEqual(tmuxVersion('tmux 3.3a'), { major: 3, minor: 3, letter: 'a' })
  assert.deepEqual(tmuxVersion('tmux 3.10'), { major: 3, minor: 10, letter: '' })
  assert.deepEqual(tmuxVersion('tmux next-3.6'), { major: 3, minor: 6, letter: '' })
  assert.equal(tmuxVersion('tmux master'), null)
  assert.equal(versionText(v('3.7c')), '3.7c')
})

test('versions compare as numbers, then by letter: 3.10 > 3.9 > 3.5a > 3.5', () => {
  const sorted = ['3.10', '3.5', '3.9', '3.5a', '3.2', '4.0', '3.7c'].map(v).sort(compareVersions).map(versionText)
  assert.deepEqual(sorted, ['3.2', '3.5', '3.5a', '3.7c', '3.9', '3.10', '4.0'])
  assert.equal(atLeast(v('3.10'), '3.7'), true)
  assert.equal(atLeast(v('3.6b'), '3.7'), false)
  assert.equal(atLeast(null, '3.7'), true, 'a build from git counts as the newest')
})

test('how each release stores a session name, and which names it refuses', () => {
  for (const old of ['3.2', '3.3a', '3.5a', '3.6b'].map(v)) {
    assert.equal(storedName('a.b:c', old), 'a_b_c')
    assert.equal(storedName('a\tb\\c\nd\x7f', old), 'a\\tb\\\\c\\nd\\177')
    assert.equal(storedName('ünï #{x}', old), 'ünï #{x}')
  }
  // before 3.5 also C1 characters (as UTF-8 bytes) and a '$' before a letter, '_' or '{'
  assert.equal(storedName('c1\u0085 $HOME ${x} $_ $1', v('3.3a')), 'c1\\302\\205 \\$HOME \\${x} \\$_ $1')
  assert.equal(storedName('c1\u0085 $HOME', v('3.5a')), 'c1\u0085 $HOME')
  for (const now of ['3.7', '3.7c', '3.8', '3.10'].map(v)) {
    assert.equal(storedName('a.b:c', now), 'a.b:c')
    assert.equal(storedName('a\\c', now), 'a\\\\c')
    assert.equal(storedName('ünï #{x}', now), 'ünï #{x}')
    for (const bad of ['a\tb', 'a\nb', 'a\x1bb', 'a\x7fb']) assert.equal(storedName(bad, now), null, JSON.stringify(bad))
  }
})

test('the known hazards that apply to a version and setting', () => {
  assert.deepEqual(hazards(v('3.5a'), 'off'), [])
  assert.match(hazards(v('3.3a'), 'on')[0].detail, /crashed tmux 3\.3a here/)
  assert.match(hazards(v('3.4'), 'keep-group')[0].detail, /keep-group has crash reports/)
  assert.equal(hazards(v('3.10'), 'on')[0].detail.includes('crashed'), false, '3.10 is newer than 3.4')
  assert.equal(hazards(v('3.5'), 'on')[0].fix, 'tmux set-option -g destroy-unattached off')
  assert.match(hazards(v('3.1c'), 'off')[0].detail, /tmux 3\.1c .*needs 3\.2 or newer/)
  assert.deepEqual(hazards(v('3.10'), 'off'), [])
})

test(`the tmux under test (${TMUX_V}) stores and refuses names as version.ts says`, (t) => {
  assert.ok(UNDER_TEST, `cannot read a version from '${TMUX_V}'`)
  const srv = withServer(t)
  srv.newSession('keepalive')
  const names = ['a.b:c', 'back\\slash', 'ünï #{x}', 'p$HOME ${x} $1', 'c1\u0085', 'tab\there', 'new\nline', 'del\x7fete']
  for (const name of names) {
    const made = srv.tmux(['new-session', '-d', '-s', name.replaceAll('#', '##'), '-P', '-F', '#{session_id}', 'sleep 86400'], { ok: false })
    const expected = storedName(name, UNDER_TEST)
    if (expected === null) {
      assert.notEqual(made.code, 0, `${TMUX_V} made a session named ${JSON.stringify(name)}`)
      assert.match(made.stderr, /invalid session name/)
    } else {
      assert.equal(made.code, 0, made.stderr)
      const got = srv.sessions().find((s) => s.id === made.stdout.trim())!.name
      assert.equal(got, expected, `${TMUX_V} stored ${JSON.stringify(name)} as ${JSON.stringify(got)}`)
    }
  }
})

test(`spawn-view takes 'a.b' as the session this tmux (${TMUX_V}) means by it, never a look-alike`, async (t) => {
  const srv = withServer(t)
  srv.newSession('keepalive')
  // Before 3.7, 'a.b' IS 'a_b'; from 3.7 on, 'a_b' is another session and 'a.b' has to be made.
  srv.newSession('a_b')
  const r = await runScript('spawn-view', ['-L', srv.name, '--json', '--create', '--', 'a.b'], { env: noConfigTmux() })
  assert.equal(r.code, 0, r.stderr)
  const parent = atLeast(UNDER_TEST, '3.7') ? 'a.b' : 'a_b'
  assert.equal(JSON.parse(r.stdout).parent, parent)
  assert.deepEqual(srv.names().filter((n) => !n.includes('-view-')), [...new Set(['a.b', 'a_b', 'keepalive'].map((n) => storedName(n, UNDER_TEST)!))].sort())
})

test(`a name with a newline: a view of it where tmux (${TMUX_V}) allows it, a one-line error where it refuses it`, async (t) => {
  const srv = withServer(t)
  srv.newSession('keepalive')
  const r = await runScript('spawn-view', ['-L', srv.name, '--json', '--create', '--', 'new\nline'], { env: noConfigTmux() })
  if (atLeast(UNDER_TEST, '3.7')) {
    assert.equal(r.code, 1)
    assert.equal(r.stderr, `spawn-view: ${TMUX_V} refuses a session name with control characters: "new\\nline"\n`)
    assert.deepEqual(srv.names(), ['keepalive'])
  } else {
    assert.equal(r.code, 0, r.stderr)
    assert.equal(JSON.parse(r.stdout).parent, 'new\\nline')
  }
})
