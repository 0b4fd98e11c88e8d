// Auth's part of the operator's tenant page (core/overview/tenant.ts): the owner and members, the
// API keys and the tenant's recent audit entries; and what deleting the tenant takes of auth's (its
// users, with their sessions and passkeys, its API keys and settings: they go with the tenant's row,
// by the foreign keys' cascade). The audit entries stay: they record what was done, deletion
// included, and go after settings.auth.auditRetentionDays like every other entry.
import type { Knex } from 'knex';
import type { CardMessage, TenantContribution, TenantSection } from 'plinth/plugin';
import { NEWEST_FIRST } from './audit.js';

const SHOWN = 20;
const AUDIT_SHOWN = 10;

/** Auth's message ids of the tenant page: `auth.tenant.<section>.<what>`. */
const m = (section: string, what: string, values?: CardMessage['values']): CardMessage => ({
  id: `auth.tenant.${section}.${what}`,
  ...(values ? { values } : {}),
});
const cols = (section: string, whats: string[]): CardMessage[] => whats.map((what) => m(section, `col.${what}`));

const total = async (q: Knex.QueryBuilder): Promise<number> => Number(((await q.count({ n: '*' }).first()) as { n: number | string } | undefined)?.n ?? 0);

export const authTenantPart: TenantContribution = {
  async sections(c, tenantId) {
    const db = c.db;
    const members = await db('auth_users')
      .where('tenant_id', tenantId)
      .orderByRaw("case role when 'owner' then 0 when 'admin' then 1 else 2 end")
      .orderBy('created_at')
      .limit(SHOWN)
      .select('full_name', 'email', 'phone', 'username', 'role', 'status', 'last_login_at');
    const memberCount = await total(db('auth_users').where('tenant_id', tenantId));
    const who = (u: { full_name: string; email: string | null; phone: string | null; username: string | null }) =>
      u.email ?? u.phone ?? u.username ?? u.full_name;
    const owners = members.filter((u) => u.role === 'owner').map(who);
    const keys = await db('auth_api_keys as k')
      .leftJoin('auth_users as u', 'u.id', 'k.user_id')
      .where('k.tenant_id', tenantId)
      .orderBy('k.created_at', 'desc')
      .limit(SHOWN)
      .select('k.name', 'k.key_prefix', 'u.email', 'k.is_active', 'k.last_used_at', 'k.created_at');
    const activeKeys = await total(db('auth_api_keys').where({ tenant_id: tenantId, is_active: true }));
    const keyCount = await total(db('auth_api_keys').where('tenant_id', tenantId));
    const audit = await db('auth_audit_logs')
      .where('tenant_id', tenantId)
      .orderBy(NEWEST_FIRST)
      .limit(AUDIT_SHOWN)
      .select('created_at', 'action', 'actor_label', 'actor_type');
    const auditCount = await total(db('auth_audit_logs').where('tenant_id', tenantId));
    const sections: TenantSection[] = [
      {
        id: 'auth.members',
        title: 'Owner and members',
        messages: { title: m('members', 'title') },
        facts: [
          {
            label: owners.length === 1 ? 'Owner' : 'Owners',
            value: owners.join(', ') || '—',
            messages: { label: m('members', 'owners', { count: owners.length }) },
          },
          { label: 'Members', value: memberCount, messages: { label: m('members', 'members') } },
        ],
        table: {
          columns: ['Name', 'Email', 'Role', 'Status', 'Last login'],
          rows: members.map((u) => [u.full_name || '—', u.email ?? u.phone ?? u.username ?? '—', u.role, u.status, u.last_login_at]),
          times: ['Last login'],
          total: memberCount,
          messages: {
            columns: cols('members', ['name', 'email', 'role', 'status', 'lastLogin']),
            cells: members.map(
              (u): Array<CardMessage | null> => [
                null,
                null,
                { id: 'auth.role', values: { role: u.role } },
                { id: 'auth.status', values: { status: u.status } },
                null,
              ],
            ),
          },
        },
        href: '/admin/auth/users',
      },
      {
        id: 'auth.api-keys',
        title: 'API keys',
        messages: { title: m('apiKeys', 'title') },
        facts: [
          { label: 'Active', value: activeKeys, messages: { label: m('apiKeys', 'active') } },
          { label: 'Revoked', value: keyCount - activeKeys, messages: { label: m('apiKeys', 'revoked') } },
        ],
        table: {
          columns: ['Name', 'Prefix', 'User', 'State', 'Last used', 'Created'],
          rows: keys.map((k) => [k.name, k.key_prefix, k.email ?? '—', k.is_active ? 'active' : 'revoked', k.last_used_at, k.created_at]),
          times: ['Last used', 'Created'],
          total: keyCount,
          messages: {
            columns: cols('apiKeys', ['name', 'prefix', 'user', 'state', 'lastUsed', 'created']),
            cells: keys.map(
              (k): Array<CardMessage | null> => [null, null, null, { id: 'auth.status', values: { status: k.is_active ? 'active' : 'revoked' } }, null, null],
            ),
          },
        },
      },
      {
        id: 'auth.audit',
        title: 'Recent audit',
        messages: { title: m('audit', 'title') },
        table: {
          columns: ['When', 'Action', 'By'],
          rows: audit.map((a) => [a.created_at, a.action, a.actor_label ?? a.actor_type]),
          times: ['When'],
          total: auditCount,
          messages: { columns: cols('audit', ['when', 'action', 'by']) },
        },
        href: '/admin/auth/audit',
      },
    ];
    return sections;
  },

  async owned(_c, tenantId, db) {
    const users = await total(db('auth_users').where('tenant_id', tenantId));
    const keys = await total(db('auth_api_keys').where('tenant_id', tenantId));
    const sessions = await total(db('auth_sessions as s').join('auth_users as u', 'u.id', 's.user_id').where('u.tenant_id', tenantId));
    return [
      { label: users === 1 ? 'user' : 'users', count: users, message: m('goes', 'users', { count: users }) },
      { label: keys === 1 ? 'API key' : 'API keys', count: keys, message: m('goes', 'apiKeys', { count: keys }) },
      { label: sessions === 1 ? 'session' : 'sessions', count: sessions, message: m('goes', 'sessions', { count: sessions }) },
    ];
  },
  // No remove: auth deletes the tenant's row last, and its own rows go with it (ON DELETE CASCADE).
};
