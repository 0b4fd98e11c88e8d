// Licensing's part of the operator's tenant page and of deleting a tenant (core/overview/tenant.ts):
// the tenant's licenses; on deletion they go with their devices (cascade).
import type { Knex } from 'knex';
import type { CardMessage, TenantContribution } from 'plinth/plugin';

const SHOWN = 20;

/** Licensing's message ids of the tenant page: `licensing.tenant.<section>.<what>`. */
const m = (section: string, what: string, values?: CardMessage['values']): CardMessage => ({
  id: `licensing.tenant.${section}.${what}`,
  ...(values ? { values } : {}),
});
const cols = (section: string, whats: string[]): CardMessage[] => whats.map((what) => m(section, `col.${what}`));

const n = async (q: Knex.QueryBuilder): Promise<number> => Number(((await q.count({ n: '*' }).first()) as { n: number | string } | undefined)?.n ?? 0);

export const licensingTenantPart: TenantContribution = {
  async sections(c, tenantId) {
    const rows = await c
      .db('licensing_licenses')
      .where('tenant_id', tenantId)
      .orderBy('id', 'desc')
      .limit(SHOWN)
      .select('license_id', 'product', 'plan', 'status', 'active_devices', 'device_cap', 'valid_until');
    const total = await n(c.db('licensing_licenses').where('tenant_id', tenantId));
    const active = await n(c.db('licensing_licenses').where({ tenant_id: tenantId, status: 'active' }));
    return [
      {
        id: 'licensing.licenses',
        title: 'Licenses',
        messages: { title: m('licenses', 'title') },
        facts: [
          { label: 'Licenses', value: total, messages: { label: m('licenses', 'licenses') } },
          { label: 'Active', value: active, messages: { label: m('licenses', 'active') } },
        ],
        table: {
          columns: ['License', 'Product', 'Plan', 'Status', 'Devices', 'Valid until'],
          rows: rows.map((l) => [l.license_id, l.product, l.plan, l.status, `${l.active_devices} of ${l.device_cap}`, l.valid_until]),
          times: ['Valid until'],
          total,
          messages: {
            columns: cols('licenses', ['license', 'product', 'plan', 'status', 'devices', 'validUntil']),
            cells: rows.map(
              (l): Array<CardMessage | null> => [
                null,
                null,
                { id: 'licensing.plan', values: { plan: l.plan } },
                { id: 'licensing.status', values: { status: l.status } },
                m('licenses', 'devices', { active: l.active_devices, cap: l.device_cap }),
                null,
              ],
            ),
          },
        },
      },
    ];
  },

  async owned(_c, tenantId, db) {
    const licenses = await n(db('licensing_licenses').where('tenant_id', tenantId));
    const devices = await n(db('licensing_devices as d').join('licensing_licenses as l', 'l.id', 'd.license_pk').where('l.tenant_id', tenantId));
    return [
      { label: licenses === 1 ? 'license' : 'licenses', count: licenses, message: m('goes', 'licenses', { count: licenses }) },
      { label: devices === 1 ? 'activated device' : 'activated devices', count: devices, message: m('goes', 'devices', { count: devices }) },
    ];
  },

  async remove(_c, tenantId, trx) {
    await trx('licensing_licenses').where('tenant_id', tenantId).delete();
  },
};
