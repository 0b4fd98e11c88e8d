// Workflows' rows of a tenant, deleted with it (core/overview/tenant.ts): its workflows, and with
// them (cascade) their versions, runs and steps.
import { tenantTables } from 'plinth/plugin';

export const workflowsTenantPart = tenantTables([
  { table: 'workflows_runs', label: ['workflow run', 'workflow runs'], message: 'workflows.tenant.goes.runs' },
  { table: 'workflows_workflows', label: ['workflow', 'workflows'], message: 'workflows.tenant.goes.workflows' },
]);
