import { AppError, type CoreErrorCode } from 'plinth/plugin';
import type { WorkflowsErrorCode } from '../api.js';

/** A workflows error: its code one of workflows' (api.ts) or the core's, so no other code compiles. */
export type WorkflowsError = AppError<WorkflowsErrorCode | CoreErrorCode>;

/**
 * Every coded error the workflows plugin throws, by what happened: a throw site reads
 * `throw WorkflowsErrors.workflowNotFound(id)`, and what a client can meet is read here.
 * The core's generic helpers without a code (`AppError.notFound('…')`, `AppError.validation`) stay at their sites.
 */
export const WorkflowsErrors = {
  // Workflows, their versions and runs.
  workflowNotFound: (ref: string | number) => new AppError(404, 'workflow_not_found', `workflow ${ref} not found`),
  workflowAmbiguous: (name: string) => new AppError(409, 'workflow_ambiguous', `more than one workflow is named "${name}"; give its id`),
  versionNotFound: (workflowId: string | number, version: string | number) =>
    new AppError(404, 'version_not_found', `workflow ${workflowId} has no version ${version}`),
  noCurrentVersion: (workflowId: string | number) => new AppError(404, 'version_not_found', `workflow ${workflowId} has no current version`),
  runNotFound: (runId: string | number) => new AppError(404, 'run_not_found', `run ${runId} not found`),
  templateNotFound: (templateId: string) => new AppError(404, 'template_not_found', `no template named ${templateId} (GET /workflows/templates lists them)`),
  refKindUnknown: (kind: string) => new AppError(404, 'unknown_ref_kind', `no plugin lists things of kind "${kind}" (is its plugin enabled?)`),
  editConflict: () => new AppError(409, 'edit_conflict', 'the workflow was changed at the same time; reload it and edit again'),
  notWebhook: () => new AppError(409, 'not_webhook', 'this workflow is not triggered by a webhook'),

  // Starting a run.
  disabled: (advice?: 'enable it first' | 'enable it first (or try it with a dry run)') =>
    new AppError(409, 'workflow_disabled', `the workflow is disabled${advice ? `; ${advice}` : ''}`),
  webhookNotFound: () => new AppError(404, 'webhook_not_found', 'no workflow listens at this URL'),
  signatureInvalid: (reason: string) => new AppError(401, 'invalid_signature', reason),
  conditionNotMet: (why: string, errors: unknown) =>
    new AppError(409, 'condition_not_met', `the payload does not match the workflow's condition: ${why}`, { details: errors }),

  // Actions.
  conditionInvalid: (why: string) => new AppError(400, 'invalid_condition', `condition is not a valid JSON Schema: ${why}`),
  targetRefused: (message: string) => new AppError(400, 'target_refused', message),
  upstreamFailed: (method: string, host: string, status: number) => new AppError(502, 'upstream_failed', `${method} ${host} answered ${status}`),
  upstreamRefused: (method: string, host: string, status: number) =>
    new AppError(422, 'upstream_refused', `${method} ${host} answered ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}`),
} satisfies Record<string, (...args: never[]) => WorkflowsError>;
