import type { HttpContext } from '../../../core/http/context.js';
import { actingTenant, requireScope } from '../../../core/http/guards.js';
import { definitionProperties } from '../definition.js';

export const READ = 'workflows:read';
export const MANAGE = 'workflows:manage';
export const read = [requireScope(READ)];
export const manage = [requireScope(MANAGE)];

/** Who acts, in which tenant: workflows live in a tenant, so a credential without one is refused. */
export async function tenantOf(ctx: HttpContext): Promise<{ tenantId: string; actor: string }> {
  const principal = await actingTenant(ctx);
  return { tenantId: principal.tenantId, actor: principal.id };
}

export const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;
export const runParams = { type: 'object', required: ['runId'], properties: { runId: { type: 'integer', minimum: 1, maximum: 2_147_483_647 } } } as const;

export const body = (properties: Record<string, unknown>, required: string[] = [], extra: Record<string, unknown> = {}) => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
  ...extra,
});

export const nameField = { type: 'string', minLength: 1, maxLength: 200 };
export const descriptionField = { type: 'string', maxLength: 2000 };
export const payloadField = { type: 'object', default: {} };
export const secretsField = {
  type: 'object',
  maxProperties: 20,
  propertyNames: { pattern: '^[a-z][a-z0-9_]{0,39}$' },
  additionalProperties: { type: 'string', minLength: 1, maxLength: 4096 },
};

/** A workflow as created: its name and the definition (trigger, condition, steps). */
export const workflowBody = body(
  { name: nameField, description: descriptionField, enabled: { type: 'boolean' }, ...definitionProperties, secrets: secretsField },
  ['name', 'trigger', 'steps'],
);
