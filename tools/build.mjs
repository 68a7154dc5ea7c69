// npm run build: bundle each script with its dependencies into dist/code/<name>.js, started by
// dist/scripts/<name>.cjs with a V8 code cache, so hooks, timers and terminals start plain `node`:
// no TypeScript loader, no node_modules.
import { build } from 'esbuild'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
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
// into dist/vendor/zx-core.cjs, and the entries' lazy import('zx/core') (in paint) becomes a
// require() of it: code compiled by node:vm with a code cache cannot import() on node 20 ("A
// dynamic import callback was not specified"), and a CommonJS chalk loads ~6 ms sooner anyway.
// The entries are CommonJS: node 20 starts the same bundle ~3.5-4 ms faster as .cjs than as .mjs
// (an ESM entry first sets up the ESM loader); spawn-view and on-detach runs took ~8 ms less
// (docs/speed.md). So no top-level await in scripts/ (runMain is started with `void`), and
// import.meta.url becomes the entry's own file URL (__tvUrl, set in the banner, which also keeps
// strict mode: esbuild's own "use strict" comes after it).
const cjsBanner = { js: "#!/usr/bin/env node\n\"use strict\";const __tvUrl=require('node:url').pathToFileURL(__filename).href;" }
const common = { absWorkingDir: root, bundle: true, platform: 'node', target: 'node20', minify: true, legalComments: 'none', logLevel: 'warning' }
/**
 * Run in a fresh node: compile each file eagerly (--no-lazy only while compiling, so the cache
 * carries the flags a plain node has), write its cache, and check that a plain compile takes it.
 */
const CACHE_MAKER = `
const { readFileSync, writeFileSync } = require('node:fs')
const { Script } = require('node:vm')
const { setFlagsFromString } = require('node:v8')
for (const file of process.argv.slice(1)) {
  const source = readFileSync(file, 'utf8')
  setFlagsFromString('--no-lazy')
  const script = new Script(source, { filename: file })
  setFlagsFromString('--lazy')
  const cachedData = script.createCachedData()
  if (new Script(source, { filename: file, cachedData }).cachedDataRejected) throw new Error(file + ': V8 rejects its own cache')
  writeFileSync(file + '.cache', cachedData)
}`

const zxCoreOutside = {
  name: 'zx-core-outside',
  setup: (b) => b.onResolve({ filter: /^zx\/core$/ }, () => ({ path: '../vendor/zx-core.cjs', external: true })),
}
await build({
  ...common,
  entryPoints: scripts.map((f) => `scripts/${f}`),
  outdir: path.relative(root, path.join(next, 'scripts')),
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  define: { 'import.meta.url': '__tvUrl' },
  plugins: [zxCoreOutside],
  supported: { 'dynamic-import': false }, // import() becomes require(): see zx/core above
  banner: cjsBanner,
})
await build({
  ...common,
  stdin: { contents: "export { chalk } from 'zx/core'", resolveDir: root, loader: 'js' },
  format: 'cjs',
  outfile: path.relative(root, path.join(next, 'vendor/zx-core.cjs')),
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
// Each entry's code goes to dist/code/NAME.js as one function expression, beside V8's code cache
// for it (NAME.js.cache); dist/scripts/NAME.cjs compiles it with that cache. V8 then reads the
// compiled functions instead of compiling them again on every start (node 20 has no compile
// cache of its own; 22's module.enableCompileCache writes one at run time, in a shared temp dir).
// The cache is made with eager compilation, so it holds every function, not only the top level.
// Measured: spawn-view and on-detach start ~3 ms sooner (docs/speed.md). A node with another V8
// (or other V8 flags) rejects the cache and compiles as before.
mkdirSync(path.join(next, 'code'))
for (const f of scripts) {
  const name = f.replace(/\.mts$/, '')
  const entry = path.join(next, 'scripts', `${name}.cjs`)
  const bundle = readFileSync(entry, 'utf8').replace(/^#!.*\n/, '')
  writeFileSync(path.join(next, 'code', `${name}.js`), `(function (exports, require, module, __filename, __dirname) {${bundle}\n})`)
  writeFileSync(entry, loader(name))
}
const made = spawnSync(process.execPath, ['-e', CACHE_MAKER, ...scripts.map((f) => path.join(next, 'code', f.replace(/\.mts$/, '.js')))], {
  env: withoutNodeOptions(process.env), // as the hook runs node: flags in NODE_OPTIONS would make V8 reject the cache
  encoding: 'utf8',
})
if (made.status !== 0) console.error(`build: no V8 code cache (${(made.stderr || made.error?.message || '').trim().split('\n').pop()}): the entries start ~3 ms slower`)

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

/** dist/scripts/NAME.cjs: run dist/code/NAME.js, compiled with its V8 code cache when there is one. */
function loader(name) {
  return `#!/usr/bin/env node
// ${name}: runs ../code/${name}.js (the bundle) with the V8 code cache made for it at build time.
"use strict";
const { readFileSync } = require('node:fs')
const { Script } = require('node:vm')
const code = require('node:path').join(__dirname, '../code/${name}.js')
let source, cachedData
try {
  source = readFileSync(code, 'utf8')
} catch (e) {
  process.stderr.write(\`${name}: cannot read \${code} (\${e.code || e.message}): run 'npm ci' in \${require('node:path').join(__dirname, '../..')}\\n\`)
  process.exit(1)
}
try {
  cachedData = readFileSync(code + '.cache')
} catch {}
new Script(source, { filename: code, cachedData }).runInThisContext()(exports, require, module, __filename, __dirname)
`
}

function withoutNodeOptions(env) {
  const { NODE_OPTIONS, ...rest } = env
  return rest
}
