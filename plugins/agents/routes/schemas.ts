/** The agents plugin's reply schemas: what /openapi.json documents and checkReplies holds the routes to. */
import { anyObject, arrayOf, int, reply, str } from '../../../core/http/schemas.js';

/** RFC 9728 protected-resource metadata: where the MCP endpoint is and how a client authenticates to it. */
export const protectedResourceReply = reply({
  resource: str,
  authorization_servers: arrayOf(str),
  bearer_methods_supported: arrayOf(str),
  resource_documentation: str,
});

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
