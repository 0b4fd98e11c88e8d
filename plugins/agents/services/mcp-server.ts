import { fromJsonSchema, McpServer, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import { beyondPlans, missingFeature } from '../../../core/entitlements.js';
import { hasScope } from '../../../core/http/auth.js';
import { actionTools, type AgentTool } from './catalogue.js';
import { callTool, type CallDeps, type Caller } from './calls.js';

/**
 * The tools a key may see: its scopes and its tenant's plan decide, and an unmapped action is
 * never among them (so `tools/list` and `tools/call` agree: an unlisted tool is not registered).
 */
export async function visibleTools(deps: CallDeps, caller: Caller): Promise<AgentTool[]> {
  const p = caller.principal;
  const grant = beyondPlans(p) ? null : await deps.entitlements.grant(p.tenantId as string);
  return [...actionTools(deps.actions.list()), ...deps.taskTools].filter(
    (t) => hasScope(p, t.scope) && (!grant || !deps.features.size || !missingFeature(deps.features, grant, [t.scope, 'agents:call'])),
  );
}

/** Write tools take `dryRun`; destructive ones take `confirm` (the token their preview returned). */
function inputSchemaOf(tool: AgentTool): Record<string, unknown> {
  if (tool.readOnly) return tool.inputSchema;
  const props = (tool.inputSchema.properties ?? {}) as Record<string, unknown>;
  const extra: Record<string, unknown> = { dryRun: { type: 'boolean', description: 'Say what would happen; change nothing' } };
  if (tool.destructive) extra.confirm = { type: 'string', description: 'The confirmation token a preview (the call without it) returned' };
  return { ...tool.inputSchema, properties: { ...props, ...extra } };
}

/** A fresh server for one request (stateless: no session, so any instance answers any request). */
export async function buildServer(deps: CallDeps, caller: Caller): Promise<McpServer> {
  const server = new McpServer({ name: 'plinth', version: '0.1.0' });
  for (const tool of await visibleTools(deps, caller)) {
    server.registerTool(
      tool.name,
      {
        description: tool.destructive ? `${tool.description}. Destructive: needs a confirmation token (call once to preview).` : tool.description,
        inputSchema: fromJsonSchema(inputSchemaOf(tool) as never),
        annotations: { readOnlyHint: tool.readOnly, destructiveHint: tool.destructive, idempotentHint: tool.readOnly, openWorldHint: false },
      },
      async (args: unknown) => callTool(deps, caller, tool, (args ?? {}) as Record<string, unknown>),
    );
  }
  return server;
}

/** Answers one Streamable HTTP request with JSON (no SSE stream held open on this instance). */
export async function answerMcp(deps: CallDeps, caller: Caller, request: Request, body: unknown): Promise<Response> {
  const server = await buildServer(deps, caller);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request, { parsedBody: body });
  } finally {
    void server.close();
  }
}
