import type { fromJsonSchema } from '@modelcontextprotocol/server';
import { createAjv, toFieldErrors, type Validator } from 'plinth/plugin';
import { type AgentTool, inputSchemaOf, resultSchema } from './tool-catalogue.js';

type StandardSchema = ReturnType<typeof fromJsonSchema>;

/** A Standard Schema that lists `schema` and takes any value (see forServer). */
const listedOnly = (schema: Record<string, unknown>): StandardSchema =>
  ({
    '~standard': { version: 1, vendor: 'plinth', jsonSchema: { input: () => schema, output: () => schema }, validate: (value: unknown) => ({ value }) },
  }) as unknown as StandardSchema;

/**
 * Each tool's schemas compiled once (by tool name: a tool's schemas do not change after boot). The
 * server is built per request, and ajv caches by schema object, so compiling the fresh objects of
 * every request would cost milliseconds a call and grow ajv's cache without end.
 */
export class ToolSchemas {
  private readonly standard = new Map<string, { input: StandardSchema; output: StandardSchema }>();
  private readonly validators = new Map<string, Validator<unknown>>();
  private readonly ajv = createAjv({ coerceTypes: false });

  /**
   * The schemas registerTool takes. The input one is listed as it is but passes every value: the
   * arguments are checked by callTool (`problems`, the same schema) after the plan, the rate limits
   * and with an audit row, so a refused call is counted and audited like any other — the SDK's own
   * check would answer before any of that. The output one is the SDK's (made by its converter,
   * which the caller passes: the SDK is loaded on the first MCP request, not at boot).
   */
  forServer(tool: AgentTool, convert: typeof fromJsonSchema): { input: StandardSchema; output: StandardSchema } {
    let s = this.standard.get(tool.name);
    if (!s) this.standard.set(tool.name, (s = { input: listedOnly(inputSchemaOf(tool)), output: convert(resultSchema(tool) as never) }));
    return s;
  }

  /** What is wrong with a call's arguments (`dryRun` and `confirm` included), as field errors. */
  problems(tool: AgentTool, args: Record<string, unknown>) {
    let validate = this.validators.get(tool.name);
    if (!validate) this.validators.set(tool.name, (validate = this.ajv.compile(inputSchemaOf(tool))));
    return validate(args) ? [] : toFieldErrors(validate.errors, 'arguments');
  }
}
