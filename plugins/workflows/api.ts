// The workflows plugin's public surface, types only (see plugins/auth/api.ts for the rules). Other
// plugins take part in workflows by declaring events and actions in their manifests.

/** A manual run as POST /workflows/{id}/run answers it (`pending`, or `duplicate`/`blocked` with the run it refers to). */
export interface WorkflowRunStarted {
  workflow: { id: string; name: string };
  run_id: number | null;
  status: string;
  reason?: string;
}

/**
 * `workflowRunner`: a manual run of one of the tenant's workflows (by id, or by its name when no other
 * workflow of the tenant has it), and the dry run of one (the agents' workflow_run). Another tenant's
 * workflow is not found; a disabled one is a 409, a payload its condition refuses a 409 naming why.
 */
export interface WorkflowRunner {
  run(tenantId: string, workflow: string, payload: Record<string, unknown>): Promise<WorkflowRunStarted>;
  dryRun(
    tenantId: string,
    workflow: string,
    payload: Record<string, unknown>,
  ): Promise<{ workflow: { id: string; name: string; version: number; enabled: boolean }; would_run: boolean } & Record<string, unknown>>;
}

/**
 * The codes workflows's errors carry beside the core's (core/errors.ts CoreErrorCode): what a client of
 * its face can switch on. test/architecture/error-codes.test.ts keeps this list equal to the codes thrown.
 */
export type WorkflowsErrorCode =
  | 'condition_not_met'
  | 'edit_conflict'
  | 'invalid_condition'
  | 'invalid_signature'
  | 'not_webhook'
  | 'run_not_found'
  | 'template_not_found'
  | 'unknown_ref_kind'
  | 'upstream_failed'
  | 'upstream_refused'
  | 'version_not_found'
  | 'workflow_ambiguous'
  | 'webhook_not_found'
  | 'workflow_disabled'
  | 'workflow_not_found';

declare module 'plinth/plugin' {
  interface Cradle {
    workflowRunner: WorkflowRunner;
  }
}
