import type { PlinthContainer } from 'plinth/plugin';
import { asValue } from 'awilix';
import { definePlugin } from 'plinth/plugin';
import { workflowsConfigSchema, type WorkflowsSettings } from './config.js';
import { createWorkflowsServices } from './services/index.js';
import { workflowRunner } from './services/runner.js';
import { httpRequestAction } from './actions/http-request.js';
import { delayAction, stopIfAction } from './actions/flow.js';
import { catalogueRoutes } from './routes/catalogue.js';
import { runRoutes } from './routes/runs.js';
import { webhookRoutes } from './routes/webhooks.js';
import { dryRunRoutes } from './routes/dry-run.js';
import { versionRoutes } from './routes/versions.js';
import { workflowRoutes } from './routes/workflows.js';
import { MANAGE, READ } from './routes/shared.js';
import { workflowsJobs } from './jobs.js';
import { workflowsOverview } from './services/overview.js';
import { workflowsTenantPart } from './tenant-part.js';
import { workflowsServices } from './services/own.js';

const services = (c: { container: PlinthContainer }) => workflowsServices.of(c);

export default definePlugin<WorkflowsSettings>({
  name: 'workflows',
  version: '0.1.0',
  description:
    'Automations: a trigger (event, schedule, webhook, person), a JSON Schema condition and steps that run actions, with versions, dry runs and run history',
  configSchema: workflowsConfigSchema,
  // Beside auth and billing on the MoltFlow face; principals come from whichever auth plugin is enabled.
  face: { base: '/api/v2', envelope: 'detail' },
  scopes: { [READ]: 'Read workflows, their runs and the catalogues', [MANAGE]: 'Create, edit, enable, run and delete workflows' },
  features: { workflows: { description: 'Workflows: automations triggered by events and schedules', scopes: ['workflows:*'] } },
  actions: { 'http.request': httpRequestAction, delay: delayAction, stop_if: stopIfAction },
  live: {
    'workflow.started': 'New runs of the tenant (started or blocked), a burst told once a second',
    'workflow.run': 'A run ended ({ runId, workflowId, status })',
  },
  migrations: 'migrations',
  // Members read workflows and runs (workflows:read); the editor is for owners and admins (workflows:manage).
  ui: {
    pages: [
      { path: '', title: 'Workflows', scopes: ['workflows:read'] },
      { path: 'runs', title: 'Workflow runs', scopes: ['workflows:read'] },
      { path: 'edit', title: 'Workflow editor', roles: ['admin'], scopes: ['workflows:manage'], parent: '' },
    ],
  },

  register(c) {
    const base = c.face!.base === '/' ? '' : c.face!.base;
    const publicUrl = c.config.server.publicUrl.replace(/\/+$/, '');
    const s = createWorkflowsServices(c.container.cradle, c.settings, (token) => `${publicUrl}${base}/workflows/hooks/${token}`);
    // workflowRunner: a manual run (and its dry run) for another plugin (the agents' workflow_run).
    workflowsServices.register(c.container, s);
    c.container.register({ workflowRunner: asValue(workflowRunner(s)) });
  },

  async start(c) {
    await services(c).eventTriggers.start();
    services(c).runner.start();
  },

  async stop(c) {
    await services(c).runner.stop();
  },

  routes(r, c) {
    const s = services(c);
    // Fixed paths first: /workflows/runs, /actions… must not be taken for a workflow id.
    catalogueRoutes(r, s);
    runRoutes(r, s);
    webhookRoutes(r, s, c.settings);
    dryRunRoutes(r, s);
    versionRoutes(r, s);
    workflowRoutes(r, s);
  },

  onBatch: {
    // Every event of the platform, a claimed batch at a time (its runs start in one commit); the
    // triggers keep those of a workflow's own tenant and event name.
    async '*'(events, c) {
      await services(c).triggers.onEvents(events);
    },
  },

  jobs: workflowsJobs,

  overview: workflowsOverview,
  tenant: workflowsTenantPart,
});
