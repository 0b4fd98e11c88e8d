import { type AuthInfo, createMcpHandler, fromJsonSchema, type McpHttpHandler, McpServer } from '@modelcontextprotocol/server';
import { beyondPlans, type Grant, missingFeature } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import { hasScope } from 'plinth/plugin';
import { argsDigest } from './confirmations.js';
import { AgentsErrors } from './errors.js';
import { type AgentTool, describe } from './tool-catalogue.js';
import { AGENTS_SCOPE, auditCall, type CallDeps, type Caller, callTool, refusal } from './calls.js';
import { answerToolCall, declaresParamHeaders, plainToolCall, SERVER_INFO } from './direct-tool-call.js';
import { annotationsOf, searchTools, TOOL_CALL } from './long-tail.js';

export { CLIENT_INFO_META_KEY } from '@modelcontextprotocol/server';

/**
 * The tools a key may use: its scopes and its tenant's plan decide, and an unmapped action is
 * never among them (so `tools/list`, tools_search and `tools/call` agree); the request's toolsets
 * and read-only switch only cut that list.
 */
export async function visibleTools(deps: CallDeps, caller: Caller): Promise<AgentTool[]> {
  const grant = await grantOf(deps, caller);
  return deps.catalogue().filter((t) => mayUse(deps, caller, grant, t));
}

/** The plan features the key's tenant has (null: beyond plans, the operator's own keys). */
const grantOf = async (deps: CallDeps, caller: Caller): Promise<Grant | null> =>
  beyondPlans(caller.principal) ? null : deps.entitlements.grant(caller.principal.tenantId as string);

/** One tool's part of `visibleTools`. */
function mayUse(deps: CallDeps, caller: Caller, grant: Grant | null, t: AgentTool): boolean {
  const narrow = caller.narrow;
  if ((narrow?.toolsets && !narrow.toolsets.has(t.plugin)) || (narrow?.readOnly && !t.readOnly)) return false;
  return hasScope(caller.principal, t.scope) && (!grant || !deps.features.size || !missingFeature(deps.features, grant, [t.scope, AGENTS_SCOPE]));
}

/** The catalogue by name (it is made once, so once per catalogue). */
const byNameOf = new WeakMap<AgentTool[], Map<string, AgentTool>>();
function catalogued(deps: CallDeps, name: string): AgentTool | undefined {
  const tools = deps.catalogue();
  let byName = byNameOf.get(tools);
  if (!byName) byNameOf.set(tools, (byName = new Map(tools.map((t) => [t.name, t]))));
  return byName.get(name);
}

/**
 * The tool of that name the server built for this request would serve (`servedTools`), worked out
 * for that tool alone when it is in the catalogue: a listed tool the key may use.
 */
async function servedTool(deps: CallDeps, caller: Caller, name: string): Promise<AgentTool | null> {
  const tool = catalogued(deps, name);
  if (!tool) return servedTools(await visibleTools(deps, caller)).listed.find((t) => t.name === name) ?? null; // a meta tool: built for the key's tools
  return tool.listed && mayUse(deps, caller, await grantOf(deps, caller), tool) ? tool : null;
}

/**
 * A fresh server for one request (stateless: no session, so any instance answers any request).
 * `tools/list` shows the task tools the key may use, plus tools_search / tool_describe / tool_call
 * when it may use more (the long tail). The list is fixed for the request, so `tools.listChanged` is
 * not advertised: there is no stream to announce a change on; a new key or plan shows on the next list.
 */
/** What the server built for a key lists (and the SDK will call): its task tools, and the meta tools when it has a long tail. */
function servedTools(visible: AgentTool[]): { listed: AgentTool[]; tail: boolean } {
  const tail = visible.some((t) => !t.listed);
  return { listed: [...visible.filter((t) => t.listed), ...(tail ? [...searchTools(visible), TOOL_CALL] : [])], tail };
}

export async function buildServer(deps: CallDeps, caller: Caller, visible: AgentTool[], only: ReadonlySet<string> | null = null): Promise<McpServer> {
  const server = new McpServer(SERVER_INFO, { capabilities: { tools: { listChanged: false } } });
  const { listed, tail: hasTail } = servedTools(visible);
  const tail = hasTail && (!only || only.has(TOOL_CALL.name));
  for (const tool of listed.filter((t) => t !== TOOL_CALL && (!only || only.has(t.name)))) {
    const schemas = deps.schemas.forServer(tool, fromJsonSchema);
    server.registerTool(
      tool.name,
      { description: describe(tool), inputSchema: schemas.input, outputSchema: schemas.output, annotations: annotationsOf(tool) },
      async (args: unknown) => callTool(deps, caller, tool, (args ?? {}) as Record<string, unknown>),
    );
  }
  if (tail) {
    const byName = new Map(visible.map((t) => [t.name, t]));
    server.registerTool(
      TOOL_CALL.name,
      { description: TOOL_CALL.description, inputSchema: deps.schemas.forServer(TOOL_CALL, fromJsonSchema).input, annotations: annotationsOf(TOOL_CALL) },
      async (raw: unknown) => {
        const problems = deps.schemas.problems(TOOL_CALL, (raw ?? {}) as Record<string, unknown>);
        if (problems.length) {
          const err = AppError.validation(problems.map((p) => ({ path: p.path, message: p.message })));
          await auditCall(deps, caller, TOOL_CALL.name, argsDigest((raw ?? {}) as Record<string, unknown>), err.code);
          return refusal(err);
        }
        const { name, arguments: args = {} } = raw as { name: string; arguments?: Record<string, unknown> };
        const tool = byName.get(name);
        if (tool) return callTool(deps, caller, tool, args, TOOL_CALL.name);
        await auditCall(deps, caller, name.slice(0, 80), argsDigest(args), 'unknown_tool', TOOL_CALL.name);
        return refusal(AgentsErrors.unknownTool(name));
      },
    );
  }
  return server;
}

type Message = { method?: unknown; params?: { name?: unknown; arguments?: unknown } };

const messagesOf = (body: unknown): Message[] => (Array.isArray(body) ? body : [body]) as Message[];

/**
 * The tools a request calls, when it only calls served tools (the usual `tools/call`): the server
 * for it then registers just those, not every tool the key may use — registering is most of a
 * call's cost past the action itself. Null (register all) for anything else: a list, a search, a
 * probe for a tool it will not serve (the SDK answers that one "not found" either way).
 */
function calledTools(served: ReadonlySet<string>, body: unknown): Set<string> | null {
  const names = new Set<string>();
  for (const message of messagesOf(body)) {
    const name = message?.method === 'tools/call' ? message.params?.name : undefined;
    if (typeof name !== 'string' || !served.has(name)) return null;
    names.add(name);
  }
  return names;
}

/**
 * The SDK answers a `tools/call` naming a tool it was not given ("not found") before any of our
 * code runs, so such a call (a tool the key may not use, or none at all) is counted against the
 * key's limit and audited here, from the request, as `unknown_tool`: every call is in the audit log,
 * a probe for hidden tools included.
 */
async function auditUnservedCalls(deps: CallDeps, caller: Caller, served: ReadonlySet<string>, body: unknown): Promise<void> {
  for (const message of messagesOf(body)) {
    if (message?.method !== 'tools/call') continue;
    const name = typeof message.params?.name === 'string' ? message.params.name : '';
    if (served.has(name)) continue;
    const args = message.params?.arguments && typeof message.params.arguments === 'object' ? (message.params.arguments as Record<string, unknown>) : {};
    // A probe spends the key's budget like any call; past it, one row says so and the rest of a batch writes none.
    const limited = await deps.rateLimits.consume(deps.limits.perKey, caller.keyId).then(
      () => false,
      () => true,
    );
    await auditCall(deps, caller, name.slice(0, 80) || '(none)', argsDigest(args), limited ? 'rate_limited' : 'unknown_tool');
    if (limited) return;
  }
}

/**
 * Before the SDK serves a request: calls to tools the key is not served are audited, and its tools
 * (worked out once, `visibleTools`) ride to the per-request factory in the SDK's pass-through
 * `authInfo` (the key was checked by the auth chain).
 */
export async function prepareRequest(deps: CallDeps, caller: Caller, visible: AgentTool[], body: unknown): Promise<AuthInfo> {
  const names = new Set(servedTools(visible).listed.map((t) => t.name));
  await auditUnservedCalls(deps, caller, names, body);
  const scopes = caller.principal.scopes === '*' ? ['*'] : [...caller.principal.scopes];
  return { token: '', clientId: caller.keyId, scopes, extra: { caller, visible, only: calledTools(names, body) } };
}

/**
 * The JSON-RPC answer to a plain modern `tools/call` of a tool the SDK would serve this request
 * (not tool_call, its own router), made without the SDK's pipeline (direct-tool-call.ts says when
 * and why); null when the SDK must serve the request.
 */
export async function answerDirectly(deps: CallDeps, caller: Caller, header: (name: string) => string, body: unknown): Promise<string | null> {
  const call = plainToolCall(body, header);
  if (!call || call.name === TOOL_CALL.name) return null;
  const tool = await servedTool(deps, caller, call.name);
  return tool && !declaresParamHeaders(tool) ? answerToolCall(deps, caller, tool, call) : null;
}

/**
 * The SDK's serving entry: the current revision (2026-07-28: `server/discover`, a `_meta` envelope on
 * every request) answered per request, and 2025-era traffic (`initialize`, then plain requests) by
 * its stateless fallback — both from the one factory, so the two eras list and run the same tools.
 * GET and DELETE (2025 session operations) are answered by the route, not here.
 */
export function mcpHandler(deps: CallDeps): McpHttpHandler {
  return createMcpHandler(
    async ({ authInfo }) => {
      const { caller, visible, only } = (authInfo?.extra ?? {}) as { caller?: Caller; visible?: AgentTool[]; only?: Set<string> | null };
      if (!caller || !visible) throw new Error('agents: an MCP request reached the SDK without its caller');
      return buildServer(deps, caller, visible, only ?? null);
    },
    { legacy: 'stateless', onerror: (err) => deps.logger.debug({ err }, 'agents: MCP request refused or failed') },
  );
}
