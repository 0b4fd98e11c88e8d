import { AppError } from '../../../core/errors.js';
import type { PluginRouter } from '../../../core/http/router.js';
import { definitionProperties } from '../definition.js';
import { secretsUsed } from '../services/definitions.js';
import type { WorkflowsServices } from '../services/index.js';
import type { VersionRecord } from '../services/versions.js';
import { body, descriptionField, idParams, manage, nameField, read, tenantOf } from './shared.js';

/** The export format's marker and version: an import refuses documents it does not know. */
export const EXPORT_FORMAT = 1;

const versionView = (v: VersionRecord) => ({ version: v.version, ...v.definition, created_by: v.created_by, created_at: v.created_at });

/** Versions of a workflow, and export/import as JSON (definitions only: secrets never leave). */
export function versionRoutes(r: PluginRouter, s: WorkflowsServices): void {
  r.post(
    '/workflows/import',
    {
      summary: 'Create a workflow from an exported document (disabled unless enabled is true; set its secrets afterwards)',
      guards: manage,
      schema: {
        body: body(
          {
            plinth_workflow: { const: EXPORT_FORMAT },
            name: nameField,
            description: descriptionField,
            enabled: { type: 'boolean', default: false },
            ...definitionProperties,
            secrets: { type: 'array', maxItems: 20, items: { type: 'string' } },
          },
          ['plinth_workflow', 'name', 'trigger', 'steps'],
        ),
        responses: { 201: { description: 'The new workflow; missing_secrets names the secrets to set' } },
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
    { summary: 'Every version of a workflow, newest first', guards: read, schema: { params: idParams } },
    async (ctx, { params }) => {
      await s.workflows.row((await tenantOf(ctx)).tenantId, params.id);
      return (await s.versions.list(params.id)).map(versionView);
    },
  );

  r.get(
    '/workflows/:id/versions/:version',
    {
      summary: 'One version of a workflow',
      guards: read,
      schema: { params: { type: 'object', required: ['id', 'version'], properties: { ...idParams.properties, version: { type: 'integer', minimum: 1 } } } },
    },
    async (ctx, { params }) => {
      await s.workflows.row((await tenantOf(ctx)).tenantId, params.id);
      const version = await s.versions.byNumber(params.id, params.version);
      if (!version) throw AppError.notFound(`workflow ${params.id} has no version ${params.version}`, 'version_not_found');
      return versionView(version);
    },
  );

  r.get(
    '/workflows/:id/export',
    {
      summary: 'A workflow as a JSON document to import elsewhere (the current version, or ?version=n)',
      guards: read,
      schema: { params: idParams, query: { type: 'object', additionalProperties: false, properties: { version: { type: 'integer', minimum: 1 } } } },
    },
    async (ctx, { params, query }) => {
      const row = await s.workflows.row((await tenantOf(ctx)).tenantId, params.id);
      const version = query.version ? await s.versions.byNumber(row.id, query.version) : await s.versions.byId(row.version_id);
      if (!version) throw AppError.notFound(`workflow ${params.id} has no version ${query.version}`, 'version_not_found');
      ctx.set('Content-Disposition', `attachment; filename="workflow-${row.id}-v${version.version}.json"`);
      return { plinth_workflow: EXPORT_FORMAT, name: row.name, description: row.description, ...version.definition, secrets: secretsUsed(version.definition) };
    },
  );
}
