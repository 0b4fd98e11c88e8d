import type { PluginRouter } from 'plinth/plugin';
import { secretsUsed } from '../services/definitions.js';
import type { WorkflowsServices } from '../services/index.js';
import type { VersionRecord } from '../services/versions.js';
import { EXPORT_FORMAT, exportQuery, exportReply, idParams, importBody, versionListReply, versionParams, versionReply, workflowReply } from './schemas.js';
import { manage, read, tenantOf } from './shared.js';
import { WorkflowsErrors } from '../services/errors.js';
import type { WorkflowsErrorCode } from '../api.js';

const versionView = (v: VersionRecord) => ({ version: v.version, ...v.definition, created_by: v.created_by, created_at: v.created_at });

/** Versions of a workflow, and export/import as JSON (definitions only: secrets never leave). */
export function versionRoutes(r: PluginRouter<WorkflowsErrorCode>, s: WorkflowsServices): void {
  r.post(
    '/workflows/import',
    {
      summary: 'Create a workflow from an exported document (disabled unless enabled is true; set its secrets afterwards)',
      guards: manage,
      schema: {
        body: importBody,
        responses: { 201: { description: 'The new workflow; missing_secrets names the secrets to set', schema: workflowReply } },
      },
    },
    async (ctx, { body: b }) => {
      const { tenantId, actor } = await tenantOf(ctx);
      const { plinth_workflow: _f, secrets: _s, ...input } = b;
      ctx.status = 201;
      return s.workflows.create(tenantId, actor, input);
    },
  );

  r.get(
    '/workflows/:id/versions',
    {
      errors: { 404: ['workflow_not_found'] },
      summary: 'Every version of a workflow, newest first',
      guards: read,
      schema: { params: idParams, responses: { 200: { description: 'The versions', schema: versionListReply } } },
    },
    async (ctx, { params }) => {
      await s.workflows.row((await tenantOf(ctx)).tenantId, params.id);
      return (await s.versions.list(params.id)).map(versionView);
    },
  );

  r.get(
    '/workflows/:id/versions/:version',
    {
      errors: { 404: ['version_not_found'] },
      summary: 'One version of a workflow',
      guards: read,
      schema: { params: versionParams, responses: { 200: { description: 'The version', schema: versionReply } } },
    },
    async (ctx, { params }) => {
      await s.workflows.row((await tenantOf(ctx)).tenantId, params.id);
      const version = await s.versions.byNumber(params.id, params.version);
      if (!version) throw WorkflowsErrors.versionNotFound(params.id, params.version);
      return versionView(version);
    },
  );

  r.get(
    '/workflows/:id/export',
    {
      errors: { 404: ['workflow_not_found'] },
      summary: 'A workflow as a JSON document to import elsewhere (the current version, or ?version=n)',
      guards: read,
      schema: {
        params: idParams,
        query: exportQuery,
        responses: { 200: { description: 'The document (an attachment), without secret values', schema: exportReply } },
      },
    },
    async (ctx, { params, query }) => {
      const row = await s.workflows.row((await tenantOf(ctx)).tenantId, params.id);
      const version = query.version ? await s.versions.byNumber(row.id, query.version) : await s.versions.byId(row.version_id);
      if (!version) throw WorkflowsErrors.versionNotFound(params.id, query.version);
      ctx.set('Content-Disposition', `attachment; filename="workflow-${row.id}-v${version.version}.json"`);
      return { plinth_workflow: EXPORT_FORMAT, name: row.name, description: row.description, ...version.definition, secrets: secretsUsed(version.definition) };
    },
  );
}
