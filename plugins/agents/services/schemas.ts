import type { fromJsonSchema } from '@modelcontextprotocol/server';
import { createAjv, toFieldErrors, type Validator } from '../../../core/validation.js';
import { type AgentTool, inputSchemaOf, resultSchema } from './catalogue.js';

type StandardSchema = ReturnType<typeof fromJsonSchema>;

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
   * The input and output schemas the SDK validates with (for registerTool), made by the SDK's own
   * converter, which the caller passes: the SDK is loaded on the first MCP request, not at boot.
   */
  forServer(tool: AgentTool, convert: typeof fromJsonSchema): { input: StandardSchema; output: StandardSchema } {
    let s = this.standard.get(tool.name);
    if (!s) this.standard.set(tool.name, (s = { input: convert(inputSchemaOf(tool) as never), output: convert(resultSchema(tool) as never) }));
    return s;
  }

  /** What is wrong with a call's arguments (`dryRun` and `confirm` included), as field errors. */
  problems(tool: AgentTool, args: Record<string, unknown>) {
    let validate = this.validators.get(tool.name);
    if (!validate) this.validators.set(tool.name, (validate = this.ajv.compile(inputSchemaOf(tool))));
    return validate(args) ? [] : toFieldErrors(validate.errors, 'arguments');
  }
}
