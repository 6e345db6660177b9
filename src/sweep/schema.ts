/**
 * The JSON Schemas of sweep files, shipped as .json files in `schemas/` (for editors and other
 * tools too), compiled by Ajv on first use. A violation is reported as the JSON path inside the
 * document, the value found there and what is allowed, taken from the schema's own `description`
 * of the failing part, so the schema file is the single statement of what a plan may hold.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { packageRoot } from '../bench/paths.js';

// Ajv takes about 50 ms to load; every `gossip-sim run` (each run of a sweep is one) loads this
// module through the CLI, so Ajv is required on first use instead (it is CommonJS: synchronously).
const require = createRequire(import.meta.url);

/** The schema files of this package. */
export type SchemaName = 'sweep-plan' | 'sweep-result' | 'scenario';

/** Where `name`'s schema lies: `schemas/NAME.schema.json` under the package root. */
export function schemaPath(name: SchemaName): string {
  return join(packageRoot(), 'schemas', `${name}.schema.json`);
}

/** The first thing wrong with a document. */
export interface Violation {
  /** JSON path inside the document, e.g. `entries[0].hosts[1]`; `(top level)` for the document itself. */
  readonly path: string;
  /** The value found there, as JSON text (`nothing` when a required field is missing). */
  readonly value: string;
  /** What the schema allows there. */
  readonly allowed: string;
}

const compiled = new Map<SchemaName, ValidateFunction>();

function validatorOf(name: SchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (validate === undefined) {
    const schema = JSON.parse(readFileSync(schemaPath(name), 'utf8')) as object;
    // verbose: errors carry the failing sub-schema (its description) and the data found there.
    const { Ajv } = require('ajv') as typeof import('ajv');
    const ajv = new Ajv({ allErrors: false, verbose: true, strict: true, allowUnionTypes: true });
    validate = ajv.compile(schema);
    compiled.set(name, validate);
  }
  return validate;
}

/** Checks `document` against the schema `name`; null when it conforms. */
export function violationOf(name: SchemaName, document: unknown): Violation | null {
  const validate = validatorOf(name);
  if (validate(document)) return null;
  return describe(pick(validate.errors ?? []));
}

/**
 * The error to report. Ajv lists the failures of every branch of an `anyOf` before the `anyOf`
 * itself: the deepest path is the most precise (an item of the list branch), and at equal depth
 * the `anyOf`, whose description covers every branch, says best what was expected.
 */
function pick(errors: readonly ErrorObject[]): ErrorObject {
  let best = errors[0]!;
  const depth = (e: ErrorObject): number => (e.instancePath === '' ? 0 : e.instancePath.split('/').length);
  for (const e of errors.slice(1)) {
    if (depth(e) > depth(best) || (depth(e) === depth(best) && e.keyword === 'anyOf')) best = e;
  }
  return best;
}

function describe(error: ErrorObject): Violation {
  const parent = (error.parentSchema ?? {}) as { title?: string; description?: string; properties?: Record<string, { description?: string }> };
  const path = pathOf(error.instancePath);
  if (path === '' && error.keyword === 'type') return { path: '(top level)', value: show(error.data), allowed: `a JSON object, the ${parent.title ?? 'document'}` };
  if (error.keyword === 'additionalProperties') {
    const field = String((error.params as { additionalProperty: string }).additionalProperty);
    const known = Object.keys(parent.properties ?? {}).join(', ');
    return { path: join2(path, field), value: show((error.data as Record<string, unknown>)[field]), allowed: `no field "${field}"; the known fields are ${known}` };
  }
  if (error.keyword === 'required') {
    const field = String((error.params as { missingProperty: string }).missingProperty);
    const described = parent.properties?.[field]?.description;
    return { path: join2(path, field), value: 'nothing', allowed: described ?? `a field "${field}"` };
  }
  const why = error.keyword === 'uniqueItems' ? ' (no value twice)' : '';
  return { path: path === '' ? '(top level)' : path, value: show(error.data), allowed: `${parent.description ?? error.message ?? 'something else'}${why}` };
}

/** `/entries/0/hosts/1` -> `entries[0].hosts[1]`. */
export function pathOf(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path = /^\d+$/.test(part) ? `${path}[${part}]` : join2(path, part);
  }
  return path;
}

function join2(path: string, field: string): string {
  const name = /^[A-Za-z_$][\w$]*$/.test(field) ? field : JSON.stringify(field);
  return path === '' ? name : `${path}.${name}`;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
