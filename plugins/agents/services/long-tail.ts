import type { AgentTool } from './tool-catalogue.js';
import { describe, inputSchemaOf, resultSchema } from './tool-catalogue.js';
import { AGENTS_SCOPE } from './calls.js';
import { AgentsErrors } from './errors.js';

// The long tail: tools/list stays small (the task tools); every other tool the key may use is found
// with tools_search, read with tool_describe and run with tool_call — through the same checks.

const meta = { scope: AGENTS_SCOPE, plugin: 'agents', listed: true, destructive: false, openWorld: false };

export const annotationsOf = (t: AgentTool) => ({
  readOnlyHint: t.readOnly,
  destructiveHint: t.destructive,
  idempotentHint: t.idempotent,
  openWorldHint: t.openWorld,
});

/** Words of the query found in a tool's name and description, name hits counting double. */
function score(tool: AgentTool, words: string[]): number {
  const name = tool.name.toLowerCase();
  const text = tool.description.toLowerCase();
  return words.reduce((n, w) => n + (name.includes(w) ? 2 : 0) + (text.includes(w) ? 1 : 0), 0);
}

const summary = (t: AgentTool) => ({ name: t.name, description: describe(t), listed: t.listed, readOnly: t.readOnly, destructive: t.destructive });

/** `tools_search` and `tool_describe` over the tools this key may use (`visible`); `tool_call` is built by the server. */
export function searchTools(visible: AgentTool[]): AgentTool[] {
  const byName = new Map(visible.map((t) => [t.name, t]));
  return [
    {
      ...meta,
      name: 'tools_search',
      action: 'tools_search',
      description: 'Find the tools this key may use beyond the listed ones: a few words in, names and descriptions out (call them with tool_call)',
      readOnly: true,
      idempotent: true,
      inputSchema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          query: { type: 'string', maxLength: 200, description: 'Words to look for; empty lists every tool' },
          limit: { type: 'integer', minimum: 1, maximum: 50 },
        },
      },
      outputSchema: {
        type: 'object',
        required: ['tools'],
        properties: {
          tools: {
            type: 'array',
            items: { type: 'object', required: ['name', 'description'], properties: { name: { type: 'string' }, description: { type: 'string' } } },
          },
        },
      },
      async run(_tenantId, args) {
        const words = String(args.query ?? '')
          .toLowerCase()
          .split(/[^a-z0-9]+/)
          .filter(Boolean);
        const ranked = visible.map((t) => ({ t, n: words.length ? score(t, words) : 1 })).filter((x) => x.n > 0);
        ranked.sort((a, b) => b.n - a.n || Number(a.t.listed) - Number(b.t.listed) || a.t.name.localeCompare(b.t.name));
        return { tools: ranked.slice(0, Number(args.limit ?? 20)).map((x) => summary(x.t)) };
      },
    },
    {
      ...meta,
      name: 'tool_describe',
      action: 'tool_describe',
      description: 'A tool’s input and output JSON Schemas and its annotations (read-only, destructive, idempotent, open-world)',
      readOnly: true,
      idempotent: true,
      inputSchema: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 80 } } },
      outputSchema: {
        type: 'object',
        required: ['name', 'description', 'inputSchema', 'annotations'],
        properties: { name: { type: 'string' }, description: { type: 'string' }, inputSchema: { type: 'object' }, annotations: { type: 'object' } },
      },
      async run(_tenantId, args) {
        const tool = byName.get(String(args.name));
        if (!tool) throw AgentsErrors.unknownTool(String(args.name));
        return {
          ...summary(tool),
          inputSchema: inputSchemaOf(tool),
          outputSchema: resultSchema(tool),
          annotations: annotationsOf(tool),
        };
      },
    },
  ];
}

/** `tool_call`'s own definition: its handler runs the named tool through callTool (scope, plan, limits, confirmation, dry run, audit). */
export const TOOL_CALL: AgentTool = {
  ...meta,
  name: 'tool_call',
  action: 'tool_call',
  description:
    'Call a tool found with tools_search by name with its arguments. The same rules hold as for a listed tool: a destructive one answers ' +
    'a preview and a confirmation token first (put "confirm" in the arguments), any write takes "dryRun": true.',
  readOnly: false,
  destructive: true,
  idempotent: false,
  openWorld: true,
  inputSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: { name: { type: 'string', minLength: 1, maxLength: 80 }, arguments: { type: 'object', description: 'The tool’s arguments' } },
  },
  outputSchema: { type: 'object' },
};

/** The meta tools as documented (their search runs over the key's own tools when served). */
export const metaTools = (): AgentTool[] => [...searchTools([]), TOOL_CALL];
