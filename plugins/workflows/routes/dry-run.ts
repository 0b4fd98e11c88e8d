import type { PluginRouter } from 'plinth/plugin';
import type { WorkflowsServices } from '../services/index.js';
import { draftDryRunBody, dryRunBody, dryRunReply, idParams } from './schemas.js';
import { read, tenantOf } from './shared.js';
import { WorkflowsErrors } from '../services/errors.js';
import type { WorkflowsErrorCode } from '../api.js';

const dryRun = { 200: { description: 'Whether the condition matches, and each step’s input as rendered with its problems', schema: dryRunReply } };

/** What a run would do with a sample payload, executing nothing: a saved workflow, or an editor's draft. */
export function dryRunRoutes(r: PluginRouter<WorkflowsErrorCode>, s: WorkflowsServices): void {
  r.post(
    '/workflows/dry-run',
    { summary: 'Dry-run an unsaved definition', guards: read, schema: { body: draftDryRunBody, responses: dryRun } },
    async (ctx, { body: b }) => {
      await tenantOf(ctx);
      const { payload, sample_outputs, ...definition } = b;
      return s.dryRun.run(
        { definition: { condition: null, ...definition }, workflow: { id: 'draft', name: 'draft', version: 0 }, secretNames: [] },
        payload,
        sample_outputs,
      );
    },
  );

  r.post(
    '/workflows/:id/dry-run',
    {
      errors: { 404: ['workflow_not_found'] },
      summary: 'Dry-run a saved workflow (its current version, or version n)',
      guards: read,
      schema: { params: idParams, body: dryRunBody, responses: dryRun },
    },
    async (ctx, { params, body: b }) => {
      const row = await s.workflows.row((await tenantOf(ctx)).tenantId, params.id);
      const version = b.version ? await s.versions.byNumber(row.id, b.version) : await s.versions.byId(row.version_id);
      if (!version) throw WorkflowsErrors.versionNotFound(row.id, b.version);
      return s.dryRun.run(
        {
          definition: version.definition,
          versionId: version.id,
          workflow: { id: row.id, name: row.name, version: version.version },
          secretNames: Object.keys(row.secrets),
        },
        b.payload,
        b.sample_outputs,
      );
    },
  );
}
