// npm run build: bundle each script with its dependencies into dist/scripts/<name>.cjs, so hooks,
// timers and terminals start plain `node` on one file: no TypeScript loader, no node_modules.
import { build } from 'esbuild'
import { chmodSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
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
// self-contained file: every extra module costs the loader a resolve, a read and a compile.
// The exception is zx/core (chalk: ~48 KB that only colours on a terminal need): it is built once
// into dist/vendor/zx-core.mjs (ESM), and the entries' lazy import('zx/core') (in paint) points there.
// The entries are CommonJS: node 20 starts the same bundle ~3.5-4 ms faster as .cjs than as .mjs
// (an ESM entry first sets up the ESM loader); spawn-view and on-detach runs took ~8 ms less
// (docs/speed.md). So no top-level await in scripts/ (runMain is started with `void`), and
// import.meta.url becomes the entry's own file URL (__tvUrl, set in the banner, which also keeps
// strict mode: esbuild's own "use strict" comes after it).
const cjsBanner = { js: "#!/usr/bin/env node\n\"use strict\";const __tvUrl=require('node:url').pathToFileURL(__filename).href;" }
const esmBanner = { js: "#!/usr/bin/env node\nimport { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" }
const common = { absWorkingDir: root, bundle: true, platform: 'node', target: 'node20', minify: true, legalComments: 'none', logLevel: 'warning' }
const zxCoreOutside = {
  name: 'zx-core-outside',
  setup: (b) => b.onResolve({ filter: /^zx\/core$/ }, () => ({ path: '../vendor/zx-core.mjs', external: true })),
}
await build({
  ...common,
  entryPoints: scripts.map((f) => `scripts/${f}`),
  outdir: path.relative(root, path.join(next, 'scripts')),
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  define: { 'import.meta.url': '__tvUrl' },
  plugins: [zxCoreOutside],
  banner: cjsBanner,
})
await build({
  ...common,
  stdin: { contents: "export { chalk } from 'zx/core'", resolveDir: root, loader: 'js' },
  format: 'esm',
  outfile: path.relative(root, path.join(next, 'vendor/zx-core.mjs')),
  // zx's bundled CommonJS parts call require() for node builtins
  banner: esmBanner,
})
// A default or namespace import of a node builtin (`import fs from 'node:fs'`) becomes esbuild's
// __toESM copy of the whole module, once per importing file: ~2.3 ms of spawn-view's and
// on-detach's start (8 copies of fs). Named imports are plain require()s.
for (const f of scripts) {
  const file = path.join(next, 'scripts', f.replace(/\.mts$/, '.cjs'))
  const copied = [...readFileSync(file, 'utf8').matchAll(/\(require\("((?:node:)?[\w/]+)"\),1\)/g)].map((m) => m[1])
  if (copied.length) {
    rmSync(next, { recursive: true, force: true })
    console.error(`build: ${f} imports ${[...new Set(copied)].join(', ')} as a default or namespace: import by name (import { x } from '...')`)
    process.exit(1)
  }
}
for (const f of scripts) {
  const name = f.replace(/\.mts$/, '')
  // The old names stay: hooks installed by `on-detach --install`, copied systemd units and cron
  // lines of older versions run dist/scripts/NAME.mjs. It require()s the entry: an `import` of a
  // CommonJS file first scans it for exports (~13 ms on node 20, slower than the old ESM entry);
  // require costs ~4.5 ms over running NAME.cjs directly, still less than the old entry.
  const shim = `#!/usr/bin/env node\n// The old name of ${name}.cjs, for hooks, timers and cron lines set up before the entries were CommonJS.\nimport { createRequire } from 'node:module'\ncreateRequire(import.meta.url)('./${name}.cjs')\n`
  writeFileSync(path.join(next, 'scripts', `${name}.mjs`), shim)
  // The entries are the package's commands (package.json "bin"): executable, like their #! line says.
  for (const ext of ['cjs', 'mjs']) chmodSync(path.join(next, 'scripts', `${name}.${ext}`), 0o755)
}
// What this build was made from: the tests check `sources`, upgrades check `commit`.
writeFileSync(path.join(next, 'build.json'), JSON.stringify({ sources: sourceHash(root), commit: gitCommit(root) }) + '\n')
try {
  renameSync(dist, old)
} catch {}
renameSync(next, dist)
rmSync(old, { recursive: true, force: true })
