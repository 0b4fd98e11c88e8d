import type { PluginRouter } from 'plinth/plugin';
import { timeZoneOf } from 'plinth/plugin';
import type { WorkflowsServices } from '../services/index.js';
import { outcomeView } from '../services/triggers.js';
import { dailyQuery, dailyReply, idParams, runBody, runListQuery, runPageReply, runParams, runReply, startedReply } from './schemas.js';
import { manage, read, tenantOf } from './shared.js';
import type { WorkflowsErrorCode } from '../api.js';

const started = { 202: { description: 'The new run (pending), or blocked by a guard with the reason', schema: startedReply } };

/** Run history (list, one run with its steps), a manual run and a re-run. */
export function runRoutes(r: PluginRouter<WorkflowsErrorCode>, s: WorkflowsServices): void {
  r.get(
    '/workflows/runs',
    {
      summary: 'Runs of the tenant’s workflows, newest first',
      guards: read,
      schema: { query: runListQuery, responses: { 200: { description: 'A page of runs', schema: runPageReply } } },
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
      schema: { query: dailyQuery, responses: { 200: { description: 'Every day, oldest first, with zeros where nothing ran', schema: dailyReply } } },
    },
    async (ctx, { query }) => s.runs.daily((await tenantOf(ctx)).tenantId, query.days, timeZoneOf(query.tz)),
  );

  r.get(
    '/workflows/runs/:runId',
    {
      errors: { 404: ['run_not_found'] },
      summary: 'One run with its trigger payload and each step (input, output, status, error, attempts, timings)',
      guards: read,
      schema: { params: runParams, responses: { 200: { description: 'The run and its steps', schema: runReply } } },
    },
    async (ctx, { params }) => s.runs.get((await tenantOf(ctx)).tenantId, params.runId),
  );

  r.post(
    '/workflows/runs/:runId/rerun',
    {
      errors: { 404: ['run_not_found'] },
      summary: 'Run the same trigger payload again with the workflow’s current version',
      guards: manage,
      schema: { params: runParams, responses: started },
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
      errors: { 404: ['workflow_not_found'], 409: ['condition_not_met', 'workflow_disabled'] },
      summary: 'Run a workflow now with a payload (its condition must match)',
      guards: manage,
      schema: { params: idParams, body: runBody, responses: started },
    },
    async (ctx, { params, body: b }) => {
      const outcome = await s.triggers.manual((await tenantOf(ctx)).tenantId, params.id, b.payload);
      ctx.status = 202;
      return outcomeView(outcome);
    },
  );
}
