import type { PluginRouter } from 'plinth/plugin';
import type { WorkflowsServices } from '../services/index.js';
import { idParams, secretsBody, workflowBody, workflowListQuery, workflowPageReply, workflowPatchBody, workflowReply } from './schemas.js';
import { manage, read, tenantOf } from './shared.js';
import type { WorkflowsErrorCode } from '../api.js';

const workflow = (description: string) => ({ 200: { description, schema: workflowReply } });

/** CRUD, enable/disable, secrets and the webhook URL of a tenant's workflows. */
export function workflowRoutes(r: PluginRouter<WorkflowsErrorCode>, s: WorkflowsServices): void {
  r.get(
    '/workflows',
    {
      errors: { 403: ['tenant_required'] },
      summary: 'List workflows',
      guards: read,
      schema: { query: workflowListQuery, responses: { 200: { description: 'A page of workflows, newest first', schema: workflowPageReply } } },
    },
    async (ctx, { query }) => {
      const { page, page_size, ...filter } = query;
      return s.workflows.list((await tenantOf(ctx)).tenantId, filter, { page, page_size });
    },
  );

  r.post(
    '/workflows',
    {
      summary: 'Create a workflow (version 1); a webhook trigger’s URL and secret are shown in this reply only',
      guards: manage,
      schema: { body: workflowBody, responses: { 201: { description: 'The workflow (with its webhook URL and secret, if any)', schema: workflowReply } } },
    },
    async (ctx, { body: b }) => {
      const { tenantId, actor } = await tenantOf(ctx);
      ctx.status = 201;
      return s.workflows.create(tenantId, actor, b);
    },
  );

  r.get(
    '/workflows/:id',
    {
      errors: { 404: ['workflow_not_found'] },
      summary: 'One workflow with its current definition',
      guards: read,
      schema: { params: idParams, responses: workflow('The workflow') },
    },
    async (ctx, { params }) => s.workflows.get((await tenantOf(ctx)).tenantId, params.id),
  );

  r.patch(
    '/workflows/:id',
    {
      errors: { 404: ['workflow_not_found'] },
      summary: 'Edit a workflow: a changed trigger, condition or steps makes a new version',
      guards: manage,
      schema: { params: idParams, body: workflowPatchBody, responses: workflow('The workflow as edited (a new webhook URL or secret shown once)') },
    },
    async (ctx, { params, body: b }) => {
      const { tenantId, actor } = await tenantOf(ctx);
      return s.workflows.update(tenantId, actor, params.id, b);
    },
  );

  r.delete(
    '/workflows/:id',
    {
      errors: { 404: ['workflow_not_found'] },
      summary: 'Delete a workflow with its versions and runs',
      guards: manage,
      schema: { params: idParams, responses: { 204: { description: 'Deleted' } } },
    },
    async (ctx, { params }) => {
      await s.workflows.remove((await tenantOf(ctx)).tenantId, params.id);
      ctx.status = 204;
    },
  );

  for (const [path, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    r.post(
      `/workflows/:id/${path}`,
      {
        summary: `${enabled ? 'Enable' : 'Disable'} a workflow`,
        guards: manage,
        errors: { 404: ['workflow_not_found'] },
        schema: { params: idParams, responses: workflow(`The workflow, ${enabled ? 'enabled' : 'disabled'}`) },
      },
      async (ctx, { params }) => s.workflows.setEnabled((await tenantOf(ctx)).tenantId, params.id, enabled),
    );
  }

  r.patch(
    '/workflows/:id/secrets',
    {
      errors: { 404: ['workflow_not_found'] },
      summary: 'Set (a string) or remove (null) secrets step templates use as {{secrets.name}}; values are never shown',
      guards: manage,
      schema: { params: idParams, body: secretsBody, responses: workflow('The workflow (secret names only)') },
    },
    async (ctx, { params, body: b }) => s.workflows.setSecrets((await tenantOf(ctx)).tenantId, params.id, b.secrets),
  );

  r.post(
    '/workflows/:id/webhook/rotate',
    {
      errors: { 404: ['workflow_not_found'] },
      summary: 'A new webhook URL (and signing secret); the old ones stop working',
      guards: manage,
      schema: { params: idParams, responses: workflow('The workflow with its new webhook URL (and secret), shown this once') },
    },
    async (ctx, { params }) => s.workflows.rotateWebhook((await tenantOf(ctx)).tenantId, params.id),
  );
}
