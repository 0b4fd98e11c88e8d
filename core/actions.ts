import type { Ajv } from 'ajv';
import { AppError } from './errors.js';
import type { EventBus } from './events/outbox.js';
import type { Logger } from './logger.js';
import { boundIntegers, createAjv, type JsonSchema, REF_KEYWORD, schemaProblems, toFieldErrors, type Validator } from './validation.js';
import { CoreErrors } from './core-errors.js';

/** What an action is told about the call: the tenant it acts in, and where the call came from. */
export interface ActionCall {
  tenantId: string;
  /** Carried onto every event the action emits (a workflow run puts its chain here). */
  meta: Record<string, unknown>;
  logger: Logger;
  /**
   * Who the action acts for, where a plugin records an author (a command's `created_by`, a sent
   * message's user): e.g. `workflow:<id>`. Actions run with the tenant's admin rights.
   */
  actor?: string;
  /** The step was parked by this action's own `park` and is now resumed (a workflow's `delay`). */
  resumed?: boolean;
}

/**
 * What an action may ask of whatever runs it besides giving its output: a workflow run parks here
 * until a time (then runs the action again with `resumed`), or ends as stopped with a reason.
 * Callers that are not a run (a dry run, an API) just take the output.
 */
export type ActionControl = { kind: 'park'; until: Date } | { kind: 'stop'; reason: string };

const CONTROL = Symbol('action control');

interface Controlled<O> {
  readonly [CONTROL]: ActionControl;
  readonly output: O;
}

/** Return these from an action's `run` to steer the run it is a step of. */
export const control = {
  park: <O>(until: Date, output: O): Controlled<O> => ({ [CONTROL]: { kind: 'park', until }, output }),
  stop: <O>(reason: string, output: O): Controlled<O> => ({ [CONTROL]: { kind: 'stop', reason }, output }),
};

/** An action's result split into its output and the control it asked for (null: go on). */
export function splitControl(result: unknown): { output: unknown; control: ActionControl | null } {
  if (result !== null && typeof result === 'object' && CONTROL in result) {
    const c = result as Controlled<unknown>;
    return { output: c.output, control: c[CONTROL] };
  }
  return { output: result, control: null };
}

/** A step a workflow (or anything else) can run: declared by a plugin with its input and output schemas. */
export interface ActionSpec<I = any, O = any> {
  description: string;
  input: JsonSchema;
  output: JsonSchema;
  /**
   * Offers the action to agents as an MCP tool (the agents plugin): the scope an API key needs to call
   * it, what it does (`read`; `write` takes a dry run; `destructive` also needs the preview's
   * confirmation), whether it reaches outside the platform, and whether `tools/list` shows it (else it
   * is found through tools_search). Without it the action is no tool.
   */
  agent?: { scope: string; kind: 'read' | 'write' | 'destructive'; openWorld?: boolean; listed?: boolean };
  run(input: I, call: ActionCall): Promise<O>;
}

export interface RegisteredAction extends ActionSpec {
  name: string;
  plugin: string;
}

export { REF_KEYWORD };

/** One thing of a tenant a reference may name: its id (what is saved) and what a person knows it by. */
export interface RefItem {
  id: string;
  name: string;
  /** A second line of identification: a status, an email, the id itself. */
  detail?: string;
}

/** A kind of thing a reference names, and the lookup of one tenant's things of that kind. */
export interface RefSpec {
  /** How a list of them is named in words: "robots". */
  plural: string;
  /** The tenant's own things of the kind, at most a few hundred, in the order to offer them. */
  list(tenantId: string): Promise<RefItem[]>;
}

export interface RegisteredRef extends RefSpec {
  kind: string;
  plugin: string;
}

/**
 * `schema` (an object schema another face shares, e.g. a route's body) with references on some of
 * its properties, for an action's input: the shared schema itself stays as its face publishes it.
 */
export function withRefs(schema: JsonSchema, refs: Record<string, string>): JsonSchema {
  const properties = { ...(schema.properties as Record<string, JsonSchema>) };
  for (const [name, kind] of Object.entries(refs)) {
    if (!properties[name]) throw new Error(`withRefs: the schema has no property "${name}"`);
    properties[name] = { ...properties[name], [REF_KEYWORD]: kind };
  }
  return { ...schema, properties };
}

const REF_KIND = /^[a-z][a-z0-9-]{0,39}$/;

/** Why a schema's references are malformed (a keyword that is not a kind's name), or null. */
function refProblems(schema: unknown, path = ''): string | null {
  if (Array.isArray(schema)) {
    for (const [i, s] of schema.entries()) {
      const p = refProblems(s, `${path}/${i}`);
      if (p) return p;
    }
  } else if (schema && typeof schema === 'object') {
    for (const [k, v] of Object.entries(schema)) {
      if (k === REF_KEYWORD && (typeof v !== 'string' || !REF_KIND.test(v))) return `${path}/${k} must be a ref kind's name (${REF_KIND})`;
      if (k === 'const' || k === 'enum' || k === 'default' || k === 'examples') continue;
      const p = refProblems(v, `${path}/${k}`);
      if (p) return p;
    }
  }
  return null;
}

/**
 * The actions plugins declare in their manifests (`actions: { 'mail.send': … }`). `run` validates
 * the input against the action's schema (compiled once, defaults filled in) before calling it,
 * so an action never sees input its schema refuses.
 */
export class Actions {
  private readonly actions = new Map<string, RegisteredAction>();
  private readonly validators = new Map<string, Validator<unknown>>();
  private readonly refKinds = new Map<string, RegisteredRef>();
  private readonly ajv: Ajv = createAjv({ coerceTypes: false });

  constructor(private readonly events: EventBus) {}

  add(plugin: string, name: string, spec: ActionSpec): void {
    const existing = this.actions.get(name);
    if (existing) throw new Error(`plugin "${plugin}" declares action "${name}", already declared by "${existing.plugin}"`);
    // As for routes: an integer states its bound or gets INT32's, so no input reaches a column it overflows.
    // The bounded schema is the one listed (the workflows catalogue, MCP tools), so clients see the bound.
    const input = boundIntegers(spec.input);
    const problems = schemaProblems(input) ?? refProblems(input); // a bad schema fails the boot; its validator is made on first use
    if (problems) throw new Error(`plugin "${plugin}" action "${name}": invalid input schema: ${problems}`);
    this.actions.set(name, { ...spec, input, name, plugin });
  }

  list(): RegisteredAction[] {
    return [...this.actions.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): RegisteredAction | undefined {
    return this.actions.get(name);
  }

  /**
   * A kind of thing `x-plinth-ref` may name, owned by `plugin`. A kind nobody registers (its plugin
   * is off) is not an error: editors let the id be typed instead.
   */
  addRef(plugin: string, kind: string, spec: RefSpec): void {
    if (!REF_KIND.test(kind)) throw new Error(`plugin "${plugin}" declares ref kind "${kind}": a kind is lowercase letters, digits and dashes`);
    const existing = this.refKinds.get(kind);
    if (existing) throw new Error(`plugin "${plugin}" declares ref kind "${kind}", already declared by "${existing.plugin}"`);
    this.refKinds.set(kind, { ...spec, kind, plugin });
  }

  ref(kind: string): RegisteredRef | undefined {
    return this.refKinds.get(kind);
  }

  refs(): RegisteredRef[] {
    return [...this.refKinds.values()].sort((a, b) => a.kind.localeCompare(b.kind));
  }

  /** The input's problems, or [] when the action would accept it (defaults are filled in place). */
  check(name: string, input: unknown): Array<{ path: string; message: string }> {
    const action = this.actions.get(name);
    if (!action) return [{ path: 'action', message: `unknown action "${name}"` }];
    let validate = this.validators.get(name);
    if (!validate) this.validators.set(name, (validate = this.ajv.compile(action.input)));
    return validate(input) ? [] : toFieldErrors(validate.errors, 'input');
  }

  /** Runs an action and gives its output (a control it asked for is for workflow runs: see `step`). */
  async run<O = unknown>(name: string, input: Record<string, unknown>, call: ActionCall): Promise<O> {
    return (await this.step(name, input, call)).output as O;
  }

  /** Runs an action as a step of something that can park or stop (a workflow run). */
  async step(name: string, input: Record<string, unknown>, call: ActionCall): Promise<{ output: unknown; control: ActionControl | null }> {
    const action = this.actions.get(name);
    if (!action) throw CoreErrors.unknownAction(name);
    const problems = this.check(name, input);
    if (problems.length) throw AppError.validation(problems, 400);
    return splitControl(await this.events.withMeta(call.meta, () => action.run(input, call)));
  }
}
