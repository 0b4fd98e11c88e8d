import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  fromJsonSchema,
  isJsonContentType,
  PROTOCOL_VERSION_META_KEY,
  SERVER_INFO_META_KEY,
} from '@modelcontextprotocol/server';
import type { AgentTool } from './tool-catalogue.js';
import { type CallDeps, type Caller, callTool, type ToolResult } from './calls.js';

/**
 * The one request an agent sends most, answered without the SDK's per-request pipeline: a single
 * `tools/call` on the current revision (2026-07-28), well formed in every part the SDK checks —
 * envelope, standard headers, `_meta` — naming a tool the key may use. The SDK validates such a
 * request with zod in several passes, builds a server, a transport and Web Request/Response objects
 * for it, and makes an error object when the exchange closes: about 250 µs of CPU around a call
 * whose own work (a license verify) costs about as much. Anything else, and anything this does not
 * recognise exactly, goes to the SDK, which stays the reference: plugins/agents/test/direct-tool-call.test.ts
 * sends the same requests both ways and compares the answers.
 */
const REVISION = '2026-07-28';
/** What the server calls itself in every answer (`serverInfo`), SDK-served or not. */
export const SERVER_INFO = { name: 'plinth', version: '0.1.0' };
const ENVELOPE_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);
const PARAMS_KEYS = new Set(['name', 'arguments', '_meta']);
const META_KEYS = new Set([PROTOCOL_VERSION_META_KEY, CLIENT_INFO_META_KEY, CLIENT_CAPABILITIES_META_KEY]);
const CLIENT_INFO_KEYS = new Set(['name', 'version']);

export interface PlainToolCall {
  id: string | number;
  name: string;
  args: Record<string, unknown>;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const onlyKeys = (o: Record<string, unknown>, allowed: ReadonlySet<string>) => Object.keys(o).every((k) => allowed.has(k));

/** `{ name, version }` strings and nothing else (the SDK checks the richer forms). */
const plainClientInfo = (v: unknown) => isPlainObject(v) && onlyKeys(v, CLIENT_INFO_KEYS) && typeof v.name === 'string' && typeof v.version === 'string';

/** Capabilities as clients send them: `{}` or `{ sampling: {}, roots: { listChanged: true }, … }`, one level of flags. */
const plainCapabilities = (v: unknown) =>
  isPlainObject(v) && Object.values(v).every((c) => isPlainObject(c) && Object.values(c).every((f) => typeof f === 'boolean' || isPlainObject(f)));

/**
 * The call, when the request is exactly a plain modern `tools/call` whose standard headers agree
 * with its body (the SDK's checks, in the accepting direction only); null sends it to the SDK.
 */
export function plainToolCall(body: unknown, header: (name: string) => string): PlainToolCall | null {
  if (!isPlainObject(body) || !onlyKeys(body, ENVELOPE_KEYS) || body.jsonrpc !== '2.0' || body.method !== 'tools/call') return null;
  const { id, params } = body;
  if (!(typeof id === 'string' || Number.isSafeInteger(id)) || !isPlainObject(params) || !onlyKeys(params, PARAMS_KEYS)) return null;
  const { name, arguments: args = {}, _meta: meta } = params;
  if (typeof name !== 'string' || !isPlainObject(args) || !isPlainObject(meta) || !onlyKeys(meta, META_KEYS)) return null;
  if (meta[PROTOCOL_VERSION_META_KEY] !== REVISION || !plainClientInfo(meta[CLIENT_INFO_META_KEY])) return null;
  if (!plainCapabilities(meta[CLIENT_CAPABILITIES_META_KEY] ?? {})) return null;
  if (!isJsonContentType(header('content-type')) || header('mcp-protocol-version') !== REVISION) return null;
  if (header('mcp-method') !== 'tools/call' || header('mcp-name') !== name) return null;
  return { id: id as string | number, name, args };
}

/** Whether a tool's input declares `Mcp-Param-*` headers (the SDK cross-checks those, so it serves them); per tool name, once. */
const paramHeaders = new Map<string, boolean>();
export function declaresParamHeaders(tool: AgentTool): boolean {
  let declares = paramHeaders.get(tool.name);
  if (declares === undefined) paramHeaders.set(tool.name, (declares = JSON.stringify(tool.inputSchema).includes('"x-mcp-header"')));
  return declares;
}

/** The SDK's check of a successful result against the advertised output schema, with its message and its tool error. */
async function checkedOutput(deps: CallDeps, tool: AgentTool, result: ToolResult): Promise<ToolResult> {
  if (result.isError) return result;
  const schema = deps.schemas.forServer(tool, fromJsonSchema).output['~standard'];
  const checked = await schema.validate(result.structuredContent);
  if (!('issues' in checked) || !checked.issues) return result;
  const why = checked.issues.map((i) => i.message).join('; ');
  const text = `Output validation error: Invalid structured content for tool ${tool.name}: ${why}`;
  return { content: [{ type: 'text', text }], isError: true };
}

/** Runs the call as the SDK's `tools/call` handler would and returns the JSON-RPC response body. */
export async function answerToolCall(deps: CallDeps, caller: Caller, tool: AgentTool, call: PlainToolCall): Promise<string> {
  return replyJson(call.id, await checkedOutput(deps, tool, await callTool(deps, caller, tool, call.args)));
}

const META = { [SERVER_INFO_META_KEY]: SERVER_INFO };
const META_JSON = JSON.stringify(META);

/** The JSON-RPC response: a structured result's JSON is already its text content (toolResult), so it is written, not made again. */
function replyJson(id: string | number, result: ToolResult): string {
  const { content, structuredContent } = result;
  if (structuredContent && !result.isError && content.length === 1) {
    const json = content[0].text;
    const text = `{"type":"text","text":${JSON.stringify(json)}}`;
    const body = `"content":[${text}],"structuredContent":${json},"resultType":"complete","_meta":${META_JSON}`;
    return `{"result":{${body}},"jsonrpc":"2.0","id":${JSON.stringify(id)}}`;
  }
  return JSON.stringify({ result: { ...result, resultType: 'complete', _meta: META }, jsonrpc: '2.0', id });
}
