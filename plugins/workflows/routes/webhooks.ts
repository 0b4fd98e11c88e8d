import type { PluginRouter } from 'plinth/plugin';
import type { WorkflowsSettings } from '../config.js';
import type { WorkflowsServices } from '../services/index.js';
import { outcomeView } from '../services/triggers.js';
import { hookBody, hookHeaders, notStartedReply, startedReply } from './schemas.js';
import type { WorkflowsErrorCode } from '../api.js';

/**
 * The inbound webhook trigger: no credentials but the secret URL (and, when the workflow is
 * signed, a Standard Webhooks signature). Rate-limited per client IP; each workflow's circuit
 * breaker limits runs whoever calls.
 */
export function webhookRoutes(r: PluginRouter<WorkflowsErrorCode>, s: WorkflowsServices, settings: WorkflowsSettings): void {
  r.post(
    '/workflows/hooks/:token',
    {
      errors: { 401: ['invalid_signature'], 404: ['webhook_not_found'], 409: ['workflow_disabled'] },
      summary: 'Start a webhook-triggered workflow with the JSON body as its payload',
      rawBody: true,
      rateLimit: { bucket: 'workflows.webhook', points: settings.webhook.perIpPerMinute, durationSeconds: 60, by: 'ip' },
      // The body is read raw (a signature covers it as sent) and checked by the trigger, after the token and signature.
      schema: {
        rawBody: hookBody,
        headers: hookHeaders,
        responses: {
          202: { description: 'A run was started (or blocked, with the reason)', schema: startedReply },
          200: { description: 'Nothing started: a repeated webhook-id, or the condition did not match', schema: notStartedReply },
        },
      },
    },
    async (ctx) => {
      const header = (name: string) => ctx.get(name) || undefined;
      const outcome = await s.triggers.webhook({
        token: (ctx as unknown as { params: { token: string } }).params.token,
        headers: { id: header('webhook-id'), timestamp: header('webhook-timestamp'), signature: header('webhook-signature') },
        rawBody: ctx.request.rawBody ?? '',
        body: ctx.request.body ?? {},
      });
      ctx.status = outcome.outcome === 'started' || outcome.outcome === 'blocked' ? 202 : 200;
      return outcomeView(outcome);
    },
  );
}
