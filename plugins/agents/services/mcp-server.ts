import { fromJsonSchema, McpServer, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import type { Actions } from '../../../core/actions.js';
import { AppError } from '../../../core/errors.js';
import { hasScope, type Principal } from '../../../core/http/auth.js';
import type { Logger } from '../../../core/logger.js';
import { actionTools, type AgentTool } from './catalogue.js';

export interface McpDeps {
  actions: Actions;
  logger: Logger;
}

/** The tools a key may see: its scopes decide, and an unmapped action is never among them. */
export function visibleTools(deps: McpDeps, principal: Principal): AgentTool[] {
  return actionTools(deps.actions.list()).filter((t) => hasScope(principal, t.scope));
}

function errorResult(message: string) {
  return { isError: true, content: [{ type: 'text' as const, text: message }] };
}

/**
 * A fresh server for one request (stateless: no session, so any instance answers any request).
 * Only the tools the key may use are registered, so `tools/list` and `tools/call` agree.
 */
export function buildServer(deps: McpDeps, principal: Principal): McpServer {
  const server = new McpServer({ name: 'plinth', version: '0.1.0' });
  for (const tool of visibleTools(deps, principal)) {
    server.registerTool(
      tool.name,
      {
        description: tool.description,
        inputSchema: fromJsonSchema(tool.inputSchema as never),
        annotations: { readOnlyHint: tool.readOnly, destructiveHint: tool.destructive, idempotentHint: tool.readOnly },
      },
      async (args: unknown) => {
        try {
          const output = await deps.actions.run(tool.action, (args ?? {}) as Record<string, unknown>, {
            tenantId: principal.tenantId as string,
            meta: { via: 'mcp' },
            logger: deps.logger,
            actor: `api_key:${principal.id}`,
          });
          return { content: [{ type: 'text' as const, text: JSON.stringify(output) }], structuredContent: output as Record<string, unknown> };
        } catch (err) {
          if (err instanceof AppError) return errorResult(err.message);
          throw err;
        }
      },
    );
  }
  return server;
}

/** Answers one Streamable HTTP request with JSON (no SSE stream to keep open on this instance). */
export async function answerMcp(deps: McpDeps, principal: Principal, request: Request, body: unknown): Promise<Response> {
  const server = buildServer(deps, principal);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request, { parsedBody: body });
  } finally {
    void server.close();
  }
}
