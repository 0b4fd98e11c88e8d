import { requireRole } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import type { MailServices } from '../services/index.js';
import { deleted } from './schemas.js';
import { seedTimes } from './seed-time.js';
import { addDomainBody, domainListReply, domainParams, domainView } from './admin-schemas.js';
import type { MailErrorCode } from '../api.js';

/**
 * Mail domains, for superadmins only (a domain is the installation's, offered to every tenant or
 * to one): the list with config/env domains marked read-only, add, remove.
 */
export function domainRoutes(r: PluginRouter<MailErrorCode>, s: MailServices): void {
  const superadmin = [requireRole('superadmin')];

  r.get(
    '/api/admin/domains',
    {
      summary: 'Every mail domain: config (read-only) and added',
      guards: superadmin,
      schema: { responses: { 200: { description: 'Config domains first, then added ones, oldest first', schema: domainListReply } } },
    },
    async () => seedTimes(await s.domains.list()),
  );

  r.post(
    '/api/admin/domains',
    {
      errors: { 400: ['bad_domain', 'bad_tenant'], 409: ['domain_exists'] },
      summary: 'Add a mail domain (to every tenant, or to one with tenant_id)',
      guards: superadmin,
      schema: { body: addDomainBody, responses: { 201: { description: 'Added', schema: domainView } } },
    },
    async (ctx, { body }) => {
      const added = await s.domains.add(body);
      ctx.status = 201;
      return seedTimes(added);
    },
  );

  r.delete(
    '/api/admin/domains/:domain',
    {
      errors: { 404: ['domain_not_found'], 409: ['domain_from_config', 'domain_in_use'] },
      summary: 'Remove an added domain (refused while it has mailboxes)',
      guards: superadmin,
      schema: { params: domainParams, responses: { 200: { description: 'Removed', schema: deleted } } },
    },
    async (_ctx, { params }) => {
      await s.domains.remove(params.domain);
      return { success: true, deleted: true };
    },
  );
}
