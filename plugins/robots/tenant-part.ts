// Robots' part of the operator's tenant page and of deleting a tenant (core/overview/tenant.ts):
// the tenant's robots, and on deletion every robot row (deleted ones too) with what cascades from
// it (tokens, messages and their files, commands, callbacks) and the tenant's robot logs.
import type { Knex } from 'knex';
import type { CardMessage, TenantContribution } from 'plinth/plugin';
import { robotsServices } from './services/own.js';

const SHOWN = 20;

/** Robots's message ids of the tenant page: `robots.tenant.<section>.<what>`. */
const m = (section: string, what: string, values?: CardMessage['values']): CardMessage => ({
  id: `robots.tenant.${section}.${what}`,
  ...(values ? { values } : {}),
});
const cols = (section: string, whats: string[]): CardMessage[] => whats.map((what) => m(section, `col.${what}`));

const n = async (q: Knex.QueryBuilder): Promise<number> => Number(((await q.count({ n: '*' }).first()) as { n: number | string } | undefined)?.n ?? 0);

export const robotsTenantPart: TenantContribution = {
  async sections(c, tenantId) {
    const live = () => c.db('robots_robots').where({ tenant_id: tenantId, status: 'active' });
    const robots = await live().orderBy('created_at', 'desc').limit(SHOWN).select('name', 'robot_id', 'total_messages', 'last_active_at', 'created_at');
    const total = await n(live());
    return [
      {
        id: 'robots.robots',
        title: 'Robots',
        messages: { title: m('robots', 'title') },
        facts: [{ label: 'Robots', value: total, messages: { label: m('robots', 'robots') } }],
        table: {
          columns: ['Name', 'Robot id', 'Messages', 'Last active', 'Created'],
          rows: robots.map((r) => [r.name, r.robot_id, Number(r.total_messages), r.last_active_at, r.created_at]),
          times: ['Last active', 'Created'],
          total,
          messages: { columns: cols('robots', ['name', 'robotId', 'messages', 'lastActive', 'created']) },
        },
      },
    ];
  },

  async owned(_c, tenantId, db) {
    const robots = await n(db('robots_robots').where('tenant_id', tenantId));
    const messages = await n(db('robots_messages').where('tenant_id', tenantId));
    return [
      { label: robots === 1 ? 'robot' : 'robots', count: robots, message: m('goes', 'robots', { count: robots }) },
      { label: messages === 1 ? 'robot message' : 'robot messages', count: messages, message: m('goes', 'messages', { count: messages }) },
    ];
  },

  async remove(c, tenantId, trx) {
    await trx('robots_logs').where('tenant_id', tenantId).delete();
    await trx('robots_robots').where('tenant_id', tenantId).delete();
    // The cache is keyed by robot, not tenant: dropping every entry once is simplest for a rare deletion.
    robotsServices.of(c).activeRobots.invalidateAfter(trx);
  },
};
