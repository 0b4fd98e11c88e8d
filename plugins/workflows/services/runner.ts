import type { WorkflowRunner } from '../api.js';
import type { WorkflowsServices } from './index.js';
import { outcomeView } from './triggers.js';
import { WorkflowsErrors } from './errors.js';

/**
 * A manual run of one of a tenant's workflows for another plugin (the agents' workflow_run), as
 * POST /workflows/{id}/run and POST /workflows/{id}/dry-run answer; the workflow by id or unique name.
 */
export function workflowRunner(s: Pick<WorkflowsServices, 'workflows' | 'versions' | 'triggers' | 'dryRun'>): WorkflowRunner {
  return {
    async run(tenantId, ref, payload) {
      const row = await s.workflows.byIdOrName(tenantId, ref);
      return { workflow: { id: row.id, name: row.name }, ...outcomeView(await s.triggers.manual(tenantId, row.id, payload)) };
    },
    async dryRun(tenantId, ref, payload) {
      const row = await s.workflows.byIdOrName(tenantId, ref);
      const version = await s.versions.byId(row.version_id);
      if (!version) throw WorkflowsErrors.noCurrentVersion(row.id);
      const source = { definition: version.definition, versionId: version.id, workflow: { id: row.id, name: row.name, version: version.version } };
      const result = s.dryRun.run({ ...source, secretNames: Object.keys(row.secrets) }, payload);
      return { workflow: { id: row.id, name: row.name, version: version.version, enabled: row.enabled }, ...result };
    },
  };
}
