import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import type { PlatformEvent } from 'plinth/plugin';
import { spanOf, traceHeadersOf } from 'plinth/plugin';
import { verifyWebhook } from 'plinth/plugin';
import type { WorkflowsSettings } from '../config.js';
import type { Runs } from './runs.js';
import { causeOf, type RunStarter, type StartOutcome } from './starter.js';
import { hashToken, toWorkflowRow, type Workflows } from './workflows.js';
import { WorkflowsErrors } from './errors.js';

export interface WebhookCall {
  token: string;
  headers: { id?: string; timestamp?: string; signature?: string };
  rawBody: string;
  body: unknown;
}

/** What a caller is told about a trigger it fired. */
export function outcomeView(o: StartOutcome) {
  switch (o.outcome) {
    case 'started':
      return { run_id: o.runId, status: 'pending' as const };
    case 'duplicate':
      return { run_id: o.runId, status: 'duplicate' as const };
    case 'blocked':
      return { run_id: o.runId, status: 'blocked' as const, reason: o.reason };
    case 'not_matched':
      return { run_id: null, status: 'not_matched' as const, errors: o.errors };
  }
}

/** What Triggers is built from, passed by name. */
export interface TriggersDeps {
  db: Knex;
  clock: Clock;
  starter: RunStarter;
  workflows: Workflows;
  runs: Runs;
  settings: Pick<WorkflowsSettings, 'webhook'>;
}

/**
 * The ways a run starts: an event of the workflow's tenant, a call to its webhook URL, a person
 * (run now, re-run). Cron has its own job (cron.ts). Each goes through the starter's guards.
 */
export class Triggers {
  constructor(private readonly deps: TriggersDeps) {}

  /**
   * A batch of events (the manifest's '*' batch handler): a workflow sees only events of its own
   * tenant and trigger name. The tenants' event-triggered workflows come from the cache (most
   * events match none), and a batch's runs are started in one commit, in event order.
   */
  async onEvents(events: PlatformEvent[]): Promise<void> {
    const ours = events.filter((e): e is PlatformEvent & { tenantId: string } => Boolean(e.tenantId));
    if (!ours.length) return;
    const tenants = [...new Set(ours.map((e) => e.tenantId))];
    const byTenant = new Map(await Promise.all(tenants.map(async (t) => [t, await this.deps.workflows.eventTriggered(t)] as const)));
    const requests = ours.flatMap((event) => {
      // The run continues the trace the event was emitted in (the request that caused it).
      const span = spanOf(event.meta);
      return (byTenant.get(event.tenantId) ?? [])
        .filter((workflow) => workflow.trigger_event === event.name)
        .map((workflow) => ({
          workflow,
          triggerType: 'event' as const,
          triggerKey: `event:${event.id}`,
          payload: event.payload,
          cause: causeOf(event.meta),
          automatic: true,
          trace: span ? traceHeadersOf(span) : null,
        }));
    });
    if (requests.length) await this.deps.starter.startMany(requests);
  }

  async manual(tenantId: string, id: string, payload: Record<string, unknown>): Promise<StartOutcome> {
    const workflow = await this.deps.workflows.row(tenantId, id);
    if (!workflow.enabled) throw WorkflowsErrors.disabled('enable it first (or try it with a dry run)');
    return this.refuseUnmatched(await this.deps.starter.start({ workflow, triggerType: 'manual', triggerKey: null, payload, automatic: false }));
  }

  /** The same trigger payload again, run by the workflow's current version. */
  async rerun(tenantId: string, runId: number): Promise<StartOutcome> {
    const previous = await this.deps.runs.row(tenantId, runId);
    const workflow = await this.deps.workflows.row(tenantId, previous.workflow_id);
    if (!workflow.enabled) throw WorkflowsErrors.disabled('enable it first');
    const payload = JSON.parse(previous.trigger_payload);
    return this.refuseUnmatched(await this.deps.starter.start({ workflow, triggerType: 'rerun', triggerKey: null, payload, automatic: false, rerunOf: runId }));
  }

  /**
   * A call to a workflow's secret URL. Signed workflows need a valid Standard Webhooks signature
   * with a fresh timestamp; a `webhook-id` makes redeliveries of one call start one run.
   */
  async webhook(call: WebhookCall): Promise<StartOutcome> {
    const row = await this.deps.db('workflows_workflows').where('webhook_token_hash', hashToken(call.token)).first();
    if (!row) throw WorkflowsErrors.webhookNotFound();
    const workflow = toWorkflowRow(row);
    if (workflow.webhook_secret) {
      const check = verifyWebhook(workflow.webhook_secret, call.headers, call.rawBody, this.deps.clock.now(), this.deps.settings.webhook.toleranceSeconds);
      if (!check.ok) throw WorkflowsErrors.signatureInvalid(check.reason);
    }
    if (!workflow.enabled) throw WorkflowsErrors.disabled();
    if (call.body === null || typeof call.body !== 'object' || Array.isArray(call.body)) {
      throw AppError.validation([{ path: 'body', message: 'must be a JSON object' }], 422);
    }
    const triggerKey = call.headers.id ? `webhook:${call.headers.id.slice(0, 180)}` : null;
    return this.deps.starter.start({ workflow, triggerType: 'webhook', triggerKey, payload: call.body, automatic: true });
  }

  private refuseUnmatched(outcome: StartOutcome): StartOutcome {
    if (outcome.outcome === 'not_matched') {
      const why = outcome.errors.map((e) => `${e.path} ${e.message}`).join('; ');
      throw WorkflowsErrors.conditionNotMet(why, outcome.errors);
    }
    return outcome;
  }
}
