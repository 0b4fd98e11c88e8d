import type { Actions } from '../../../core/actions.js';
import type { Entitlements, FeatureInfo } from '../../../core/entitlements.js';
import { assertEntitled } from '../../../core/entitlements.js';
import { AppError } from '../../../core/errors.js';
import type { Principal } from '../../../core/http/auth.js';
import type { Logger } from '../../../core/logger.js';
import type { RateLimits } from '../../../core/rate-limit.js';
import type { UsageMeter } from '../../../core/usage.js';
import type { AuditSink } from '../../auth/api.js';
import type { AgentTool } from './catalogue.js';
import { argsDigest, type Confirmations } from './confirmations.js';

export interface CallDeps {
  actions: Actions;
  logger: Logger;
  rateLimits: RateLimits;
  usage: UsageMeter;
  audit: AuditSink | null;
  entitlements: Entitlements;
  features: Map<string, FeatureInfo>;
  confirmations: Confirmations;
  /** Task tools beside the action catalogue's. */
  taskTools: AgentTool[];
}

/** Who is calling: the key, and the agent client as it names itself (MCP clientInfo, else User-Agent). */
export interface Caller {
  principal: Principal;
  keyId: string;
  client: string;
  ip?: string;
}

export type ToolResult = { isError?: boolean; content: Array<{ type: 'text'; text: string }>; structuredContent?: Record<string, unknown> };

// Per key across tools, and per key per tool: a runaway loop on one tool cannot starve the others.
const PER_KEY = { bucket: 'agents.key', points: 120, durationSeconds: 60 };
const PER_TOOL = { bucket: 'agents.tool', points: 30, durationSeconds: 60 };

const text = (value: unknown, isError = false): ToolResult => ({
  ...(isError ? { isError: true } : {}),
  content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value) }],
  ...(!isError && value && typeof value === 'object' ? { structuredContent: value as Record<string, unknown> } : {}),
});

/** A refusal the agent can act on: the message, and for a rate limit when to retry. */
function refusal(err: AppError): ToolResult {
  const retry = (err.details as { retry_after?: number } | undefined)?.retry_after;
  return text({ error: err.code, message: err.message, ...(retry ? { retry_after: retry } : {}) }, true);
}

/**
 * Runs one tool call: plan feature, rate limits, then for a destructive tool the confirmation
 * (preview and token first, the call with the token second), dry run for any write, metering and
 * the audit row. The server enforces all of it, whatever the client makes of the hints.
 */
export async function callTool(deps: CallDeps, caller: Caller, tool: AgentTool, raw: Record<string, unknown>): Promise<ToolResult> {
  const { confirm, dryRun, ...args } = raw as { confirm?: string; dryRun?: boolean } & Record<string, unknown>;
  const tenantId = caller.principal.tenantId as string;
  const digest = argsDigest(args);
  const target = { tenantId, keyId: caller.keyId, tool: tool.name, digest };
  let outcome = 'ok';
  try {
    await assertEntitled(deps.entitlements, deps.features, caller.principal, [tool.scope, 'agents:call']);
    await deps.rateLimits.consume(PER_KEY, caller.keyId);
    await deps.rateLimits.consume(PER_TOOL, `${caller.keyId}:${tool.name}`);
    const problems = tool.run ? [] : deps.actions.check(tool.action, args);
    if (problems.length) throw AppError.validation(problems.map((p) => ({ field: p.path, message: p.message })) as never);
    if (dryRun && !tool.readOnly) {
      outcome = 'dry_run';
      return text({ dryRun: true, wouldRun: tool.action, arguments: args, destructive: tool.destructive });
    }
    if (tool.destructive && !(confirm && (await deps.confirmations.spend(confirm, target)))) {
      outcome = confirm ? 'confirmation_refused' : 'preview';
      if (confirm) return text({ error: 'confirmation_invalid', message: 'the confirmation token is unknown, spent, expired or for other arguments' }, true);
      const { token, expiresAt } = await deps.confirmations.issue(target);
      return text({
        confirmationRequired: true,
        preview: { tool: tool.name, arguments: args },
        confirm: token,
        expiresAt,
        message: 'This tool is destructive: call it again with the same arguments and "confirm" set to this token',
      });
    }
    await deps.usage.consume(tenantId, 'agent_calls_per_month');
    if (tool.run) return text((await tool.run(tenantId, args)) ?? {});
    const output = await deps.actions.run(tool.action, args, { tenantId, meta: { via: 'mcp' }, logger: deps.logger, actor: `api_key:${caller.keyId}` });
    return text(output ?? {});
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    outcome = err.code;
    return refusal(err);
  } finally {
    await deps.audit
      ?.record({
        action: 'agents.tool_call',
        tenantId,
        actor: caller.principal,
        target: { type: 'tool', id: tool.name },
        meta: { ip: caller.ip ?? '', userAgent: caller.client },
        details: { key_id: caller.keyId, client: caller.client, tool: tool.name, args_sha256: digest, outcome },
      })
      .catch((e: unknown) => deps.logger.warn({ err: e }, 'agents: audit row not written'));
  }
}
