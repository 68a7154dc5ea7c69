// npm run build: bundle each script with its dependencies into dist/scripts/<name>.mjs, so hooks,
// timers and terminals start plain `node` on one file: no TypeScript loader, no node_modules.
import { build } from 'esbuild'
import { chmodSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gitCommit, sourceHash } from './sources.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const scripts = readdirSync(path.join(root, 'scripts')).filter((f) => f.endsWith('.mts'))
// Build beside dist/ and swap it in, so a hook running the old entry never finds it half-written.
const dist = path.join(root, 'dist')
const next = `${dist}.next-${process.pid}`
const old = `${dist}.old-${process.pid}`
// Hooks and terminals start an entry on every detach and every new tab, so each entry is one
// self-contained file: every extra module costs the ESM loader a resolve, a read and a compile.
// The exception is zx/core (chalk: ~48 KB that only colours on a terminal need): it is built once
// into dist/vendor/zx-core.mjs, and the entries' lazy import('zx/core') (in paint) points there.
const banner = { js: "#!/usr/bin/env node\nimport { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" }
const common = { absWorkingDir: root, bundle: true, format: 'esm', platform: 'node', target: 'node20', minify: true, legalComments: 'none', logLevel: 'warning' }
const zxCoreOutside = {
  name: 'zx-core-outside',
  setup: (b) => b.onResolve({ filter: /^zx\/core$/ }, () => ({ path: '../vendor/zx-core.mjs', external: true })),
}
await build({
  ...common,
  entryPoints: scripts.map((f) => `scripts/${f}`),
  outdir: path.relative(root, path.join(next, 'scripts')),
  outExtension: { '.js': '.mjs' },
  plugins: [zxCoreOutside],
  banner,
})
await build({
  ...common,
  stdin: { contents: "export { chalk } from 'zx/core'", resolveDir: root, loader: 'js' },
  outfile: path.relative(root, path.join(next, 'vendor/zx-core.mjs')),
  // zx's bundled CommonJS parts call require() for node builtins
  banner,
})
// The entries are the package's commands (package.json "bin"): executable, like their #! line says.
for (const f of scripts) chmodSync(path.join(next, 'scripts', f.replace(/\.mts$/, '.mjs')), 0o755)
// What this build was made from: the tests check `sources`, upgrades check `commit`.
writeFileSync(path.join(next, 'build.json'), JSON.stringify({ sources: sourceHash(root), commit: gitCommit(root) }) + '\n')
try {
  renameSync(dist, old)
} catch {}
renameSync(next, dist)
rmSync(old, { recursive: true, force: true })
