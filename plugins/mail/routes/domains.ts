import { requireRole } from '../../../core/http/guards.js';
import type { PluginRouter } from '../../../core/http/router.js';
import { MAX_MAILBOX_HOURS } from '../config.js';
import type { MailServices } from '../services/index.js';

const domainParams = { type: 'object', required: ['domain'], properties: { domain: { type: 'string', minLength: 1, maxLength: 300 } } } as const;
const addBody = {
  type: 'object',
  required: ['domain'],
  additionalProperties: false,
  properties: {
    domain: { type: 'string', minLength: 1, maxLength: 300 },
    tenant_id: { type: ['string', 'null'], format: 'uuid' },
    mailbox_hours: { type: ['integer', 'null'], minimum: 1, maximum: MAX_MAILBOX_HOURS },
  },
} as const;

/**
 * Mail domains, for superadmins only (a domain is the installation's, offered to every tenant or
 * to one): the list with config/env domains marked read-only, add, remove.
 */
export function domainRoutes(r: PluginRouter, s: MailServices): void {
  const superadmin = [requireRole('superadmin')];

  r.get('/api/admin/domains', { summary: 'Every mail domain: config (read-only) and added', guards: superadmin }, () => s.domains.list());

  r.post(
    '/api/admin/domains',
    { summary: 'Add a mail domain (to every tenant, or to one with tenant_id)', guards: superadmin, schema: { body: addBody } },
    async (ctx, { body }) => {
      const added = await s.domains.add(body);
      ctx.status = 201;
      return added;
    },
  );

  r.delete(
    '/api/admin/domains/:domain',
    { summary: 'Remove an added domain (refused while it has mailboxes)', guards: superadmin, schema: { params: domainParams } },
    async (_ctx, { params }) => {
      await s.domains.remove(params.domain);
      return { success: true, deleted: true };
    },
  );
}
