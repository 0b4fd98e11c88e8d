import type { PluginRouter } from 'plinth/plugin';
import type { WorkflowsServices } from '../services/index.js';
import { actionListReply, eventListReply, instantiateBody, instantiatedReply, refListReply, refParams, templateListReply, templateParams } from './schemas.js';
import { manage, read, tenantOf } from './shared.js';
import { WorkflowsErrors } from '../services/errors.js';
import type { WorkflowsErrorCode } from '../api.js';

/** What an editor builds from: the actions (with input/output schemas), the events (with versioned schemas), the templates. */
export function catalogueRoutes(r: PluginRouter<WorkflowsErrorCode>, s: WorkflowsServices): void {
  r.get(
    '/workflows/actions',
    {
      summary: 'The action catalogue: name, plugin, description, input and output JSON Schemas',
      guards: read,
      schema: { responses: { 200: { description: 'Every action a step can run', schema: actionListReply } } },
    },
    () => s.actions.list().map((a) => ({ name: a.name, plugin: a.plugin, description: a.description, input: a.input, output: a.output })),
  );

  // Managers only: a workflow's steps act with the tenant admin's rights over these things anyway.
  r.get(
    '/workflows/refs/:kind',
    {
      errors: { 404: ['unknown_ref_kind'] },
      summary: 'The tenant’s things of one kind an action’s input may name (x-plinth-ref): id and name, for the editor’s pickers',
      guards: manage,
      schema: {
        params: refParams,
        responses: { 200: { description: 'The tenant’s own things of that kind, as its plugin lists them', schema: refListReply } },
      },
    },
    async (ctx, { params }) => {
      const { tenantId } = await tenantOf(ctx);
      const ref = s.actions.ref(params.kind);
      if (!ref) throw WorkflowsErrors.refKindUnknown(params.kind);
      const items = await ref.list(tenantId);
      return {
        kind: ref.kind,
        plugin: ref.plugin,
        plural: ref.plural,
        items: items.map(({ id, name, detail }) => ({ id, name, ...(detail ? { detail } : {}) })),
      };
    },
  );

  r.get(
    '/workflows/events',
    {
      summary: 'The event catalogue: name, plugin, version, description, payload JSON Schema',
      guards: read,
      schema: { responses: { 200: { description: 'Every event a workflow can be triggered by, by name', schema: eventListReply } } },
    },
    () =>
      [...s.eventCatalog]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, spec]) => ({ name, plugin: spec.plugin, version: spec.version, description: spec.description ?? null, schema: spec.schema })),
  );

  r.get(
    '/workflows/templates',
    {
      summary: 'Ready-made workflows (settings.workflows.templates) with the params each needs',
      guards: read,
      schema: { responses: { 200: { description: 'The templates, with their definitions', schema: templateListReply } } },
    },
    () => s.examples.list(),
  );

  r.post(
    '/workflows/templates/:templateId/instantiate',
    {
      errors: { 404: ['template_not_found'] },
      summary: 'Create a workflow from a template with values for its params',
      guards: manage,
      schema: {
        params: templateParams,
        body: instantiateBody,
        responses: { 201: { description: 'The new workflow, with the param values Plinth generated (shown once)', schema: instantiatedReply } },
      },
    },
    async (ctx, { params, body: b }) => {
      const { tenantId, actor } = await tenantOf(ctx);
      const created = await s.examples.instantiate(tenantId, actor, params.templateId, b);
      ctx.status = 201;
      return created;
    },
  );
}
