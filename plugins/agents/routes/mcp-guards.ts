import { AppError } from 'plinth/plugin';
import type { HttpContext } from 'plinth/plugin';
import type { Narrowing } from '../services/calls.js';
import { AgentsErrors } from '../services/errors.js';

// What the MCP endpoint checks before the SDK sees a request: the browser Origin, JSON-RPC batches
// on revisions without them, and the toolsets / read-only switch a client narrows its tools with.

/** `scheme://host[:port]` of a URL, or null for anything that is not an http(s) origin. */
export function originOf(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * The spec's DNS-rebinding defence: a request carrying `Origin` (a browser's) is served only from the
 * public URL's origin or one of `settings.agents.allowedOrigins`; `Origin: null` and anything else is
 * 403. A request without Origin (a desktop or server-side client) is not a browser's and passes.
 */
export function assertOrigin(ctx: HttpContext, allowed: ReadonlySet<string>): void {
  const origin = ctx.get('origin');
  if (!origin) return;
  const normal = originOf(origin);
  if (normal && allowed.has(normal)) return;
  throw AgentsErrors.originNotAllowed(origin);
}

/** Protocol revisions whose Streamable HTTP takes a JSON-RPC batch (2025-03-26 added them, 2025-06-18 removed them). */
const BATCH_REVISIONS = new Set(['2025-03-26', '2024-11-05']);
const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';

/**
 * The revision a batch claims: the `MCP-Protocol-Version` header, else an envelope's `_meta` claim;
 * none at all is a 2025-03-26 client (the spec's default for a request without the header).
 */
function batchRevision(ctx: HttpContext, batch: unknown[]): string | null {
  const header = ctx.get('mcp-protocol-version');
  if (header) return header;
  for (const m of batch) {
    const claim = (m as { params?: { _meta?: Record<string, unknown> } } | null)?.params?._meta?.[PROTOCOL_VERSION_META_KEY];
    if (typeof claim === 'string') return claim;
  }
  return null;
}

/** A JSON-RPC error answering a batch on a revision that has none (400), or null to serve it. */
export function batchRefusal(ctx: HttpContext, body: unknown): { status: number; body: unknown } | null {
  if (!Array.isArray(body)) return null;
  const revision = batchRevision(ctx, body);
  if (revision === null || BATCH_REVISIONS.has(revision)) return null;
  const message = `Invalid Request: protocol revision ${revision.slice(0, 40)} has no JSON-RPC batches; send one message per request`;
  return { status: 400, body: { jsonrpc: '2.0', id: null, error: { code: -32600, message } } };
}

const names = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const flag = (value: string, where: string): boolean => {
  if (value === '') return false;
  if (/^(true|1)$/i.test(value)) return true;
  if (/^(false|0)$/i.test(value)) return false;
  throw AppError.validation([{ path: where, message: 'must be true or false' }]);
};

/**
 * `?toolsets=licensing,mail&read_only=true` and/or `X-MCP-Toolsets` / `X-MCP-Readonly`. Both given:
 * the toolsets each names (their intersection), read-only when either says so. It only cuts the
 * tools the key's scopes and plan allow; a toolset no tool has is refused (a typo would hide all).
 */
export function narrowingOf(ctx: HttpContext, q: { toolsets?: string; read_only?: string }, known: ReadonlySet<string>): Narrowing {
  const sources: Array<[string, string]> = [];
  if (q.toolsets !== undefined) sources.push(['query.toolsets', q.toolsets]);
  if (ctx.get('x-mcp-toolsets')) sources.push(['header.x-mcp-toolsets', ctx.get('x-mcp-toolsets')]);
  let toolsets: Set<string> | null = null;
  for (const [where, value] of sources) {
    const listed = names(value);
    const unknown = listed.filter((n) => !known.has(n));
    if (unknown.length) throw AppError.validation([{ path: where, message: `unknown toolset ${unknown.join(', ')} (known: ${[...known].sort().join(', ')})` }]);
    const set = new Set<string>(listed);
    const before: Set<string> | null = toolsets;
    toolsets = before ? new Set([...before].filter((n: string) => set.has(n))) : set;
  }
  const readOnly = flag(String(q.read_only ?? ''), 'query.read_only') || flag(ctx.get('x-mcp-readonly'), 'header.x-mcp-readonly');
  return { toolsets, readOnly };
}
