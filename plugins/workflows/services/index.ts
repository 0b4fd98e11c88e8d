import type { Cradle } from 'plinth/plugin';
import { SharedCache } from 'plinth/plugin';
import type { WorkflowsSettings } from '../config.js';
import { Conditions } from './conditions.js';
import { CronTrigger } from './cron.js';
import { DefinitionCheck } from './definitions.js';
import { DryRun } from './dry-run.js';
import { Examples } from './examples.js';
import { TemplateRenderer } from './render.js';
import { RunClaimLoop } from './claim-loop.js';
import { StepRunner } from './step-runner.js';
import { Runs } from './runs.js';
import { RunStarter } from './starter.js';
import { RunsPerMinute } from './circuit-breaker.js';
import { StepKeys } from './step-keys.js';
import { Triggers } from './triggers.js';
import { Versions } from './versions.js';
import { Workflows, type WorkflowRow } from './workflows.js';

export type WorkflowsDeps = Pick<Cradle, 'db' | 'clock' | 'logger' | 'events' | 'actions' | 'eventCatalog' | 'live' | 'pubsub' | 'metricsRegistry'>;

export type WorkflowsServices = ReturnType<typeof createWorkflowsServices>;

/** `hookUrl` makes a webhook trigger's public URL from its token (the face's base and server.publicUrl). */
export function createWorkflowsServices(d: WorkflowsDeps, settings: WorkflowsSettings, hookUrl: (token: string) => string) {
  const logger = d.logger.child({ plugin: 'workflows' });
  const renderer = new TemplateRenderer();
  const conditions = new Conditions();
  const versions = new Versions(d.db);
  const check = new DefinitionCheck({ actions: d.actions, eventCatalog: d.eventCatalog, conditions, renderer });
  const eventTriggers = new SharedCache<WorkflowRow[]>({ name: 'workflows.event-triggers', pubsub: d.pubsub, logger, max: 10_000, ttlMs: 60_000 });
  const workflows = new Workflows({ db: d.db, clock: d.clock, versions, check, hookUrl, eventTriggers });
  const runs = new Runs({ db: d.db, clock: d.clock });
  const finished = d.metricsRegistry.counter({
    name: 'plinth_workflow_runs_finished_total',
    help: 'Workflow runs that ended on this instance, by status (succeeded, failed, stopped)',
    labels: ['status'],
  });
  const ended = (run: { id: number; tenant_id: string; workflow_id: string }, status: string) => {
    finished.inc({ status });
    return d.live.publish(run.tenant_id, 'workflow.run', { runId: run.id, workflowId: run.workflow_id, status });
  };
  const steps = new StepRunner({ db: d.db, clock: d.clock, logger, versions, actions: d.actions, renderer, ended });
  const runner = new RunClaimLoop({ db: d.db, clock: d.clock, logger, events: d.events, settings, steps });
  // New runs (blocked ones too) show on the runs page and its chart at once; a burst is one nudge a second.
  const started = (tenantId: string) => d.live.nudge(tenantId, 'workflow.started');
  const runsPerMinute = new RunsPerMinute({ db: d.db, settings });
  const starter = new RunStarter({ db: d.db, clock: d.clock, logger, versions, conditions, settings, runsPerMinute, runner, steps, started });
  return {
    /** Listen for other instances' changes (started with the plugin). */
    eventTriggers,
    workflows,
    versions,
    runs,
    runner,
    starter,
    conditions,
    triggers: new Triggers({ db: d.db, clock: d.clock, starter, workflows, runs, settings }),
    cron: new CronTrigger({ db: d.db, clock: d.clock, logger, versions, starter }),
    dryRun: new DryRun({ clock: d.clock, actions: d.actions, conditions, check, renderer }),
    examples: new Examples({ templates: settings.templates, workflows }),
    actions: d.actions,
    eventCatalog: d.eventCatalog,
    /** The Idempotency-Key of each step's outgoing call (http.request). */
    stepKeys: new StepKeys(d.db),
  };
}
