import type { Actions } from 'plinth/plugin';
import type { Entitlements, FeatureInfo } from 'plinth/plugin';
import { assertEntitled } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import type { Principal } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import type { LimitSpec, RateLimits } from 'plinth/plugin';
import type { UsageMeter } from 'plinth/plugin';
import type { Counter, Histogram } from 'prom-client';
import type { AuditSink } from '../../auth/api.js';
import { type AgentTool, untrusted } from './tool-catalogue.js';
import { argsDigest, type Confirmations } from './confirmations.js';
import { AgentsErrors } from './errors.js';
import type { ToolSchemas } from './schemas.js';

export interface CallDeps {
  actions: Actions;
  logger: Logger;
  rateLimits: RateLimits;
  usage: UsageMeter;
  audit: AuditSink | null;
  entitlements: Entitlements;
  features: Map<string, FeatureInfo>;
  confirmations: Confirmations;
  /** Every tool there is (the mapped actions and the task tools), made once after boot. */
  catalogue: () => AgentTool[];
  schemas: ToolSchemas;
  /** Per key across tools, and per key per tool (settings.agents). */
  limits: { perKey: LimitSpec; perTool: LimitSpec };
  /** Tool calls by tool and outcome (`ok`, `preview`, `dry_run`, or the refusal's code), for the metrics. */
  metrics?: {
    calls: Counter<'tool' | 'outcome'>;
    duration: Histogram<'tool'>;
    /** /mcp requests by who answered: `direct` (a plain tools/call, direct-tool-call.ts) or `sdk`. */
    requests: Counter<'served_by'>;
  };
}

/** Who is calling: the key, and the agent client as it names itself (MCP clientInfo, else User-Agent). */
export interface Caller {
  principal: Principal;
  keyId: string;
  client: string;
  ip?: string;
  /** The toolsets and read-only switch the request narrowed its tools with (never wider than the key). */
  narrow?: Narrowing;
}

/** What a client narrowed its tools to for one request: toolsets (plugin names; null: all) and read-only. */
export interface Narrowing {
  toolsets: ReadonlySet<string> | null;
  readOnly: boolean;
}

export type ToolResult = { isError?: boolean; content: Array<{ type: 'text'; text: string }>; structuredContent?: Record<string, unknown> };

/** The scope the plan must cover for any agent call (the `agents` feature). */
export const AGENTS_SCOPE = 'agents:call';

/** A tool's result; when structured, its text content is exactly the JSON of `structuredContent` (the direct answer writes it as that). */
export const toolResult = (value: unknown, isError = false): ToolResult => ({
  ...(isError ? { isError: true } : {}),
  content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value) }],
  ...(!isError && value && typeof value === 'object' ? { structuredContent: value as Record<string, unknown> } : {}),
});

/** A refusal the agent can act on: the code, the message, and for a rate limit when to retry. */
export function refusal(err: AppError): ToolResult {
  const retry = (err.details as { retry_after?: number } | undefined)?.retry_after;
  return toolResult({ error: err.code, message: err.message, ...(retry ? { retry_after: retry } : {}) }, true);
}

/** One `agents.tool_call` audit row: key, client, tool, digest of the arguments, outcome (and `via` tool_call). */
export async function auditCall(deps: CallDeps, caller: Caller, tool: string, digest: string, outcome: string, via?: string): Promise<void> {
  await deps.audit
    ?.record({
      action: 'agents.tool_call',
      tenantId: caller.principal.tenantId,
      actor: caller.principal,
      target: { type: 'tool', id: tool },
      meta: { ip: caller.ip ?? '', userAgent: caller.client },
      details: { key_id: caller.keyId, client: caller.client, tool, args_sha256: digest, outcome, ...(via ? { via } : {}) },
    })
    .catch((e: unknown) => deps.logger.warn({ err: e }, 'agents: audit row not written'));
}

/**
 * Runs one tool call: plan feature, rate limits, input, then for a destructive tool the confirmation
 * (preview and token first, the call with the token second), dry run for any write, metering and
 * the audit row. The server enforces all of it, whatever the client makes of the hints.
 */
export async function callTool(deps: CallDeps, caller: Caller, tool: AgentTool, raw: Record<string, unknown>, via?: string): Promise<ToolResult> {
  const { confirm, dryRun, ...args } = raw as { confirm?: string; dryRun?: boolean } & Record<string, unknown>;
  const tenantId = caller.principal.tenantId as string;
  const digest = argsDigest(args);
  const target = { tenantId, keyId: caller.keyId, tool: tool.name, digest };
  let outcome = 'ok';
  const started = performance.now();
  try {
    await assertEntitled(deps.entitlements, deps.features, caller.principal, [tool.scope, AGENTS_SCOPE]);
    await deps.rateLimits.consume(deps.limits.perKey, caller.keyId);
    await deps.rateLimits.consume(deps.limits.perTool, `${caller.keyId}:${tool.name}`);
    // The tool's schema (with dryRun and confirm) first; an action's own check then fills its defaults.
    const problems = deps.schemas.problems(tool, raw);
    if (!problems.length && !tool.run) problems.push(...deps.actions.check(tool.action, args));
    if (problems.length) throw AppError.validation(problems.map((p) => ({ path: p.path, message: p.message })));
    if (dryRun && !tool.readOnly) {
      outcome = 'dry_run';
      const preview = tool.preview ? { preview: await tool.preview(tenantId, args) } : {};
      return toolResult({ dryRun: true, wouldRun: tool.name, arguments: args, destructive: tool.destructive, ...preview });
    }
    if (tool.destructive && !(confirm && (await deps.confirmations.spend(confirm, target)))) {
      outcome = confirm ? 'confirmation_refused' : 'preview';
      if (confirm) return refusal(AgentsErrors.confirmationInvalid());
      const shown = tool.preview ? await tool.preview(tenantId, args) : undefined;
      const { token, expiresAt } = await deps.confirmations.issue(target);
      return toolResult({
        confirmationRequired: true,
        preview: { tool: tool.name, arguments: args, ...(shown === undefined ? {} : { wouldDo: shown }) },
        confirm: token,
        expiresAt,
        message: 'This tool is destructive: call it again with the same arguments and "confirm" set to this token',
      });
    }
    await deps.usage.consume(tenantId, 'agent_calls_per_month', 1, undefined, caller.principal);
    if (tool.run) return toolResult((await tool.run(tenantId, args)) ?? {});
    const output = await deps.actions.run(tool.action, args, { tenantId, meta: { via: 'mcp' }, logger: deps.logger, actor: `api_key:${caller.keyId}` });
    const field = tool.untrustedField;
    if (field && output && typeof output === 'object') {
      const o = output as Record<string, unknown>;
      return toolResult({ ...o, [field]: untrusted(tool.untrusted as string, o[field]) });
    }
    return toolResult(output ?? {});
  } catch (err) {
    if (!(err instanceof AppError)) {
      // A fault, not a refusal: the log has it; the agent gets no internals (the SDK would echo the message, SQL and all).
      outcome = 'internal_error';
      deps.logger.error({ err, tool: tool.name }, 'agents: tool call failed');
      return toolResult({ error: 'internal_error', message: 'the tool failed on the server; the operator can find it in the log' }, true);
    }
    outcome = err.code;
    return refusal(err);
  } finally {
    deps.metrics?.calls.inc({ tool: tool.name, outcome });
    deps.metrics?.duration.observe({ tool: tool.name }, (performance.now() - started) / 1000);
    await auditCall(deps, caller, tool.name, digest, outcome, via);
  }
}
