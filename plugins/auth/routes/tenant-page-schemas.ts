// Replies of the operator's tenant page (GET /admin/tenants/{id}/sections and /deletion): the
// sections every plugin contributes (core/overview/tenant.ts) and what deleting the tenant takes.
import { arrayOf, int, nullable, pageOf, reply, str } from 'plinth/plugin';
import { tenantDetailReply, userReply } from './schemas.js';

const cell = { type: ['string', 'number', 'null'] };

const sectionReply = reply(
  {
    id: str,
    title: str,
    facts: arrayOf(reply({ label: str, value: { type: ['string', 'number'] }, currency: str, href: str }, ['currency', 'href'])),
    table: reply({ columns: arrayOf(str), rows: arrayOf(arrayOf(cell)), times: arrayOf(str), total: int }, ['times', 'total']),
    href: str,
    error: str,
  },
  ['facts', 'table', 'href', 'error'],
);

/** The tenant (as GET /admin/tenants/{id} shows it) and every enabled plugin's sections, in plugin order. */
export const tenantSectionsReply = reply({ tenant: tenantDetailReply, sections: arrayOf(sectionReply) });

const rowsReply = reply({ label: str, count: int });
/** What a DELETE would take, by plugin; `blocked` says why it would be refused (null: it would not). */
export const tenantDeletionReply = reply({
  tenant: reply({ id: str, name: str }),
  blocked: nullable(str),
  goes: arrayOf(reply({ plugin: str, rows: arrayOf(rowsReply) })),
});

/** GET /admin/users: each user with their tenant's name (the page names tenants, not ids). */
export const adminUserPageReply = pageOf({ ...userReply, properties: { ...(userReply.properties as object), tenant_name: nullable(str) } });
