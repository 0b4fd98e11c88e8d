import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isEmailAddress } from './email.js';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats: AddFormats = (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

/** A JSON Schema as routes, events, actions and settings declare it (checked by ajv, documented in /openapi.json). */
export type JsonSchema = Record<string, unknown>;

export interface FieldError {
  /** Dotted path of the offending field, e.g. `body.user.email` or `server.port`. */
  path: string;
  message: string;
}

/**
 * The JSON Schema keyword an action's input (or a workflow template's param) puts on a property
 * that names a thing the tenant owns: `{ type: 'string', 'x-plinth-ref': 'robot' }`. Editors offer
 * the tenant's things of that kind by name, from the lookup the owning plugin registers (`refs` in
 * its manifest, core/actions.ts). An annotation: it validates nothing, and the agents' MCP tools
 * leave it out.
 */
export const REF_KEYWORD = 'x-plinth-ref';

/** How an editor should edit a value beyond its type: `"condition"` (a JSON Schema, with the condition's rule builder). An annotation too. */
export const EDITOR_KEYWORD = 'x-plinth-editor';

/**
 * One ajv instance per purpose; schemas are compiled once and cached by ajv. An instance does not
 * check each schema against the meta-schema as it compiles: that compiles the meta-schema once per
 * instance (a dozen at boot, ~15 ms each). Schemas from outside the code (tenants' conditions) and
 * those whose problems must stop the boot are checked with `schemaProblems`, which shares one.
 */
export function createAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, validateSchema: false, ...options });
  addFormats(ajv);
  // The platform's one email rule (core/email.ts) in place of ajv-formats' (which wants a dot in the domain).
  const email = { type: 'string' as const, validate: isEmailAddress };
  ajv.addFormat('email', email).addFormat('idn-email', email);
  // Declared, so an instance made strict still compiles schemas that carry them (and checks they are names).
  ajv.addKeyword({ keyword: REF_KEYWORD, schemaType: 'string' });
  ajv.addKeyword({ keyword: EDITOR_KEYWORD, schemaType: 'string' });
  return ajv;
}

/**
 * Options for an instance whose validators run once (config and plugin settings at boot): ajv's
 * optimisation pass over the generated code is ~40 % of a compile and pays off only on hot paths.
 */
export const runOnce: Options = { code: { optimize: false } };

const shared = new Map<string, Ajv>();

/**
 * The one instance for these options, made at first use: a server holds one per set of options
 * rather than one per module (~4 ms each at boot). Options with functions in them, and schemas
 * with an `$id` (two modules' would clash in one instance), need an instance of their own.
 */
export function sharedAjv(options: Options = {}): Ajv {
  const key = JSON.stringify(options);
  let ajv = shared.get(key);
  if (!ajv) shared.set(key, (ajv = createAjv(options)));
  return ajv;
}

/**
 * A validator compiled at its first call, on the shared instance for `options`: a module's schemas
 * cost nothing at boot, and most of them (a relay test, a passkey login) are rarely used. Like a
 * compiled one it leaves its errors on `.errors`.
 */
export function validatorOnFirstUse<T>(schema: JsonSchema, options: Options = {}): Validator<T> {
  let compiled: Validator<T> | undefined;
  const validate = ((data: unknown) => {
    compiled ??= sharedAjv(options).compile<T>(schema);
    const valid = compiled(data);
    validate.errors = compiled.errors;
    return valid;
  }) as Validator<T>;
  return validate;
}

let metaChecker: Ajv | undefined;

/** Why a schema is not a valid JSON Schema (ajv's words), or null when it is. */
export function schemaProblems(schema: object): string | null {
  metaChecker ??= createAjv();
  return metaChecker.validateSchema(schema) ? null : metaChecker.errorsText(metaChecker.errors);
}

function dottedPath(prefix: string, error: ErrorObject): string {
  const parts = error.instancePath
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') parts.push(String(error.params.missingProperty));
  if (error.keyword === 'additionalProperties') parts.push(String(error.params.additionalProperty));
  return [prefix, ...parts].filter(Boolean).join('.');
}

function describe(error: ErrorObject): string {
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not allowed';
    case 'enum':
      return `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return error.message ?? 'is invalid';
  }
}

export function toFieldErrors(errors: ErrorObject[] | null | undefined, prefix = ''): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const error of errors ?? []) {
    const field: FieldError = { path: dottedPath(prefix, error), message: describe(error) };
    const key = `${field.path}\u0000${field.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(field);
    }
  }
  return out;
}

export type Validator<T> = ValidateFunction<T>;

/** Integers a request may carry when its schema says no more: the range of a 32-bit column. */
export const INT32 = { minimum: -2_147_483_648, maximum: 2_147_483_647 } as const;

/**
 * A route schema with every `integer` bounded to INT32 unless it states its own bound, so an id or
 * a count past what a database column holds is a 400 naming the field, never a driver error.
 * Declare `maximum` for a wider integer (an epoch in milliseconds).
 */
export function boundIntegers<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map(boundIntegers) as T;
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema))
    out[key] = key === 'enum' || key === 'const' || key === 'default' || key === 'examples' ? value : boundIntegers(value);
  const types = ([] as unknown[]).concat(out.type ?? []);
  if (types.includes('integer')) {
    if (out.maximum === undefined && out.exclusiveMaximum === undefined) out.maximum = INT32.maximum;
    if (out.minimum === undefined && out.exclusiveMinimum === undefined) out.minimum = INT32.minimum;
  }
  return out as T;
}

/**
 * The rule every face shares for what no schema states: no string may hold a NUL character (no
 * database stores one in text) and no number may be infinite (JSON's 1e400). Returns the first
 * offending field, e.g. `body.name`, or null.
 */
export function unstorableField(value: unknown, path: string): FieldError | null {
  const found = unstorableBelow(value, 0);
  return found && { path: `${path}${found.below}`, message: found.message };
}

/**
 * The first offending value in `value` and its path below it (`.a.b`, empty for `value` itself).
 * The path is built only for a refusal: every request's input passes here, almost always clean.
 */
function unstorableBelow(value: unknown, depth: number): { below: string; message: string } | null {
  if (typeof value === 'string') return value.includes('\u0000') ? { below: '', message: 'must not contain a NUL character' } : null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : { below: '', message: 'must be a finite number' };
  if (!value || typeof value !== 'object' || depth > 64) return null;
  for (const key of Object.keys(value)) {
    if (key.includes('\u0000')) return { below: `.${key.replace(/\u0000/g, '\\0')}`, message: 'must not contain a NUL character in its name' };
    const bad = unstorableBelow((value as Record<string, unknown>)[key], depth + 1);
    if (bad) return { below: `.${key}${bad.below}`, message: bad.message };
  }
  return null;
}
