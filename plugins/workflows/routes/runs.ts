import { paginationQuery } from '../../../core/http/pagination.js';
import type { PluginRouter } from '../../../core/http/router.js';
import type { WorkflowsServices } from '../services/index.js';
import { RUN_STATUSES } from '../services/runs.js';
import { outcomeView } from '../services/triggers.js';
import { body, idParams, manage, payloadField, read, runParams, tenantOf } from './shared.js';

/** Run history (list, one run with its steps), a manual run and a re-run. */
export function runRoutes(r: PluginRouter, s: WorkflowsServices): void {
  r.get(
    '/workflows/runs',
    {
      summary: 'Runs of the tenant’s workflows, newest first',
      guards: read,
      schema: {
        query: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...paginationQuery,
            workflow_id: { type: 'string', format: 'uuid' },
            status: { enum: RUN_STATUSES },
            trigger_type: { enum: ['event', 'cron', 'webhook', 'manual', 'rerun'] },
            since: { type: 'string', format: 'date-time' },
            until: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
    async (ctx, { query }) => {
      const { page, page_size, ...filter } = query;
      return s.runs.list((await tenantOf(ctx)).tenantId, filter, { page, page_size });
    },
  );

  r.get(
    '/workflows/runs/daily',
    {
      summary: 'Runs started per day over the last days, by status (the runs chart)',
      guards: read,
      schema: { query: { type: 'object', additionalProperties: false, properties: { days: { type: 'integer', minimum: 1, maximum: 366, default: 30 } } } },
    },
    async (ctx, { query }) => s.runs.daily((await tenantOf(ctx)).tenantId, query.days),
  );

  r.get(
    '/workflows/runs/:runId',
    {
      summary: 'One run with its trigger payload and each step (input, output, status, error, attempts, timings)',
      guards: read,
      schema: { params: runParams },
    },
    async (ctx, { params }) => s.runs.get((await tenantOf(ctx)).tenantId, params.runId),
  );

  r.post(
    '/workflows/runs/:runId/rerun',
    {
      summary: 'Run the same trigger payload again with the workflow’s current version',
      guards: manage,
      schema: { params: runParams, responses: { 202: { description: 'The new run (pending)' } } },
    },
    async (ctx, { params }) => {
      const outcome = await s.triggers.rerun((await tenantOf(ctx)).tenantId, params.runId);
      ctx.status = 202;
      return outcomeView(outcome);
    },
  );

  r.post(
    '/workflows/:id/run',
    {
      summary: 'Run a workflow now with a payload (its condition must match)',
      guards: manage,
      schema: { params: idParams, body: body({ payload: payloadField }), responses: { 202: { description: 'The new run (pending)' } } },
    },
    async (ctx, { params, body: b }) => {
      const outcome = await s.triggers.manual((await tenantOf(ctx)).tenantId, params.id, b.payload);
      ctx.status = 202;
      return outcomeView(outcome);
    },
  );
}
