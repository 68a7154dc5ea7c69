// runMain and silence() as a process sees them: exit codes are set as the process ends, so each
// case runs in a node of its own. (Outside npm run mutate's fast set: four node starts per mutant
// cost more than the rest of the set; docs/mutation.md lists the mutants only this file kills.)
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** A script made of runMain in a process of its own (the exit code is set as the process ends). */
function script(body: string): { status: number | null; stdout: string; stderr: string } {
  const cli = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../lib/cli.ts')).href
  const code = `import { runMain, silence, Failure } from ${JSON.stringify(cli)}\nawait runMain('tool', 'Usage: tool', async () => { ${body} })`
  // the loader flags this process runs with (tsx; under npm run mutate also Stryker's hook), no --test ones
  const flags = process.execArgv.filter((a) => !a.startsWith('--test'))
  const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, TMUX_VIEWS_DEBUG: '' } })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

test('silence (the hook): no output and exit 0 whatever happens; without it a failure still exits 1', () => {
  assert.deepEqual(script(`silence(); console.log('out'); console.error('err'); throw new Failure('boom')`), { status: 0, stdout: '', stderr: '' })
  assert.deepEqual(script(`silence(); return 3`), { status: 0, stdout: '', stderr: '' })
  assert.deepEqual(script(`console.log('out'); throw new Failure('boom')`), { status: 1, stdout: 'out\n', stderr: 'tool: boom\n' })
  assert.deepEqual(script(`return 75`), { status: 75, stdout: '', stderr: '' })
})
