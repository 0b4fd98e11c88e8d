/** The agents plugin's route schemas: what /openapi.json documents and checkReplies holds the routes to. */
import { paginationQuery } from 'plinth/plugin';
import { anyObject, arrayOf, body, bool, int, nullable, pageOf, reply, str } from 'plinth/plugin';

/** RFC 9728 protected-resource metadata: where the MCP endpoint is and how a client authenticates to it. */
export const protectedResourceReply = reply(
  {
    resource: str,
    authorization_servers: arrayOf(str),
    scopes_supported: arrayOf(str),
    bearer_methods_supported: arrayOf(str),
    resource_documentation: str,
  },
  ['scopes_supported'],
);

/** A JSON-RPC 2.0 response: a result or an error, for the request of the same id. */
const jsonRpcResponse = {
  ...reply({ jsonrpc: { const: '2.0' }, id: { type: ['string', 'integer', 'null'] }, result: anyObject, error: reply({ code: int, message: str }) }, [
    'result',
    'error',
  ]),
  anyOf: [{ required: ['result'] }, { required: ['error'] }],
};
/** The MCP endpoint's JSON answer (Streamable HTTP with JSON responses): one response, or one per request of a batch. */
export const mcpReply = { anyOf: [jsonRpcResponse, arrayOf(jsonRpcResponse)] };

/** A JSON-RPC 2.0 request or notification (an MCP message), or a batch of them. Read by the MCP SDK, which answers JSON-RPC errors itself. */
const jsonRpcMessage = reply({ jsonrpc: { const: '2.0' }, method: str, id: { type: ['string', 'integer'] }, params: anyObject }, ['id', 'params']);
export const mcpRequest = { anyOf: [jsonRpcMessage, arrayOf(jsonRpcMessage)] };

/** POST /mcp's query: the toolsets (plugin names, comma-separated) and read-only switch that narrow a key's tools. */
export const mcpQuery = {
  type: 'object',
  properties: {
    toolsets: { type: 'string', maxLength: 500, description: 'Only the tools of these plugins (e.g. licensing,mail); X-MCP-Toolsets does the same' },
    read_only: { type: 'string', enum: ['true', 'false', '1', '0'], description: 'Only read-only tools; X-MCP-Readonly does the same' },
  },
};

// The Agents admin page: /agents/calls, /agents/tools

/** GET /agents/calls: a page, of one tool's calls when `tool` is given. */
export const callsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { ...paginationQuery, tool: { type: 'string', minLength: 1, maxLength: 80 } },
};
/** One tool call, from its `agents.tool_call` audit row. */
const callView = reply({
  id: { type: 'integer' },
  at: str,
  tool: str,
  outcome: str,
  client: str,
  key_id: str,
  key_name: nullable(str),
  via: nullable(str),
});
export const callsReply = pageOf(callView);
const toolView = reply({ name: str, plugin: str, description: str, scope: str, listed: bool, readOnly: bool, destructive: bool, openWorld: bool });
export const toolsReply = reply({ tools: arrayOf(toolView) });

// Agent Skills discovery: /.well-known/agent-skills/

export const skillParams = { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 64 } } };
/** The v0.2.0 discovery index: each face's SKILL.md with the sha256 of its bytes. */
export const skillsIndexReply = {
  type: 'object',
  required: ['$schema', 'skills'],
  properties: {
    $schema: { type: 'string' },
    skills: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'type', 'description', 'url', 'digest'],
        properties: {
          name: { type: 'string' },
          type: { const: 'skill-md' },
          description: { type: 'string' },
          url: { type: 'string' },
          digest: { type: 'string' },
        },
      },
    },
  },
};

// OAuth for MCP clients: the consent page and the grant lists (/agents/oauth/…)

/** GET /agents/oauth/consent/{uid}: the application, the person's tenant, and what each preset allows. */
export const consentView = reply({
  client: reply({ id: str, name: nullable(str), redirect_uri: str, uri: nullable(str) }),
  tenant: reply({ id: str, name: str }),
  user: str,
  resource: str,
  requested: arrayOf(str),
  presets: arrayOf(reply({ id: { enum: ['read_only', 'everything'] }, label: str, description: str, scopes: arrayOf(str), tools: arrayOf(str) })),
});

/** POST /agents/oauth/consent/{uid}: allow with a preset, or deny. */
export const consentBody = body({ decision: { enum: ['allow', 'deny'] }, preset: { enum: ['read_only', 'everything'] } }, ['decision']);
export const consentReply = reply({ redirect_to: str });

const grantView = reply({ id: str, client_id: str, client_name: nullable(str), scopes: arrayOf(str), created_at: str, expires_at: nullable(str) });
export const grantsReply = reply({ items: arrayOf(grantView) });
export const revokedReply = reply({ revoked: bool, id: str });
