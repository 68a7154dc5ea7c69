// A schema-like check for --json output: every field named with its type, nothing missing and
// nothing extra, so a renamed, dropped or retyped field fails the test that pins the output.
import assert from 'node:assert/strict'

/**
 * A shape:
 * - 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'iso-date' (an ISO 8601 UTC time string);
 *   several joined by '|' ('string|null') accept any of them;
 * - `['oneOf', ...values]`: exactly one of these literal values;
 * - `[shape]`: an array whose every element has that shape;
 * - `{ key: shape, 'key?': shape }`: an object with exactly these keys ('?': may be absent);
 * - `{ '*': shape }`: an object used as a map, every value of that shape.
 */
export type Shape = string | readonly ['oneOf', ...unknown[]] | readonly [Shape] | { readonly [key: string]: Shape }

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

function typeOk(value: unknown, type: string): boolean {
  switch (type) {
    case 'string': return typeof value === 'string'
    case 'number': return typeof value === 'number' && Number.isFinite(value)
    case 'integer': return Number.isInteger(value)
    case 'boolean': return typeof value === 'boolean'
    case 'null': return value === null
    case 'true': return value === true
    case 'iso-date': return typeof value === 'string' && ISO.test(value) && new Date(value).toISOString() === value
    default: throw new Error(`shape: unknown type '${type}'`)
  }
}

/** Fail with the path of the first field that does not have its shape. */
export function assertShape(value: unknown, shape: Shape, where = '$'): void {
  if (typeof shape === 'string') {
    assert.ok(shape.split('|').some((t) => typeOk(value, t)), `${where}: expected ${shape}, got ${JSON.stringify(value)}`)
    return
  }
  if (Array.isArray(shape)) {
    if (shape[0] === 'oneOf') {
      assert.ok(shape.slice(1).includes(value), `${where}: expected one of ${JSON.stringify(shape.slice(1))}, got ${JSON.stringify(value)}`)
      return
    }
    assert.ok(Array.isArray(value), `${where}: expected an array, got ${JSON.stringify(value)}`)
    ;(value as unknown[]).forEach((v, i) => assertShape(v, shape[0] as Shape, `${where}[${i}]`))
    return
  }
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `${where}: expected an object, got ${JSON.stringify(value)}`)
  const obj = value as Record<string, unknown>
  if ('*' in shape) {
    for (const [k, v] of Object.entries(obj)) assertShape(v, (shape as Record<string, Shape>)['*'], `${where}.${k}`)
    return
  }
  const keys = Object.keys(shape as object)
  const known = new Set(keys.map((k) => k.replace(/\?$/, '')))
  for (const k of Object.keys(obj)) assert.ok(known.has(k), `${where}: unexpected field "${k}"`)
  for (const k of keys) {
    const optional = k.endsWith('?')
    const name = k.replace(/\?$/, '')
    if (!(name in obj)) {
      assert.ok(optional, `${where}: missing field "${name}"`)
      continue
    }
    assertShape(obj[name], (shape as Record<string, Shape>)[k], `${where}.${name}`)
  }
}

// ---- the --json outputs of the scripts (pinned in json-shapes.test.ts) -------------------------

const NAMES = ['string'] as const
const KEPT = [{ name: 'string', reason: 'string' }] as const

export const SPAWN: Shape = { view: 'string', parent: 'string', reused: 'boolean', socket: 'string', id: 'string' }
export const ON_DETACH: Shape = { removed: NAMES, kept: KEPT, dryRun: 'boolean' }
export const SWEEP: Shape = {
  removed: NAMES,
  kept: KEPT,
  dryRun: 'boolean',
  skipped: [{ socket: 'string', reason: 'string' }],
  'rescued?': [{ name: 'string', as: 'string' }],
  'noServer?': 'true',
}
export const VIEW_ROW: Shape = {
  name: 'string',
  id: 'string',
  parent: 'string|null',
  socket: 'string',
  attached: 'integer',
  state: ['oneOf', 'attached', 'orphan', 'grace', 'last-of-group'],
  design: ['oneOf', 'marked', 'older'],
  createdAt: 'iso-date',
  lastAttachedAt: 'iso-date|null',
  tab: 'string|null',
  title: 'string|null',
  icon: 'string|null',
  next: { hook: 'boolean', sweepInSec: 'number|null', graceLeftSec: 'number|null' },
}
export const COUNTS: Shape = { views: 'integer', attached: 'integer', orphans: 'integer', removable: 'integer', grace: 'integer', lastOfGroup: 'integer' }
export const REPORT: Shape = { views: [VIEW_ROW], orphans: 'integer', counts: COUNTS, skipped: [{ socket: 'string', reason: 'string' }] }
export const TABS: Shape = { tabs: [{ tab: 'string', title: 'string|null', icon: 'string|null', parent: 'string|null', view: 'string', socket: 'string' }] }
