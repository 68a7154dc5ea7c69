// The environment tmux is started with.

/**
 * `env` as it was before npm or npx ran us: no npm_* variables, INIT_CWD, NODE, the NODE_OPTIONS
 * of the project's .npmrc (--import=tsx fails every node started outside this checkout), or the
 * node_modules/.bin directories npm put in front of PATH. Unchanged when npm did not run us.
 */
export function withoutNpm(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.npm_lifecycle_event === undefined && env.npm_execpath === undefined) return env
  const out: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(env)) if (!/^npm_/i.test(k) && k !== 'INIT_CWD') out[k] = v
  if (env.NODE !== undefined && env.NODE === env.npm_node_execpath) delete out.NODE
  if (env.NODE_OPTIONS !== undefined && env.NODE_OPTIONS === env.npm_config_node_options) delete out.NODE_OPTIONS
  if (env.PATH !== undefined) {
    const dirs = env.PATH.split(':')
    let first = 0
    while (first < dirs.length - 1 && /[/\\]node_modules[/\\]\.bin$|[/\\]node-gyp-bin$/.test(dirs[first])) first++
    out.PATH = dirs.slice(first).join(':')
  }
  return out
}
