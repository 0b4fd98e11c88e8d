// Auth's part of the operator's tenant page (core/overview/tenant.ts): the owner and members, the
// API keys and the tenant's recent audit entries; and what deleting the tenant takes of auth's (its
// users, with their sessions and passkeys, its API keys and settings: they go with the tenant's row,
// by the foreign keys' cascade). The audit entries stay: they record what was done, deletion
// included, and go after settings.auth.auditRetentionDays like every other entry.
import type { Knex } from 'knex';
import type { TenantContribution, TenantSection } from 'plinth/plugin';

const SHOWN = 20;
const AUDIT_SHOWN = 10;

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
      .orderBy('id', 'desc')
      .limit(AUDIT_SHOWN)
      .select('created_at', 'action', 'actor_label', 'actor_type');
    const auditCount = await total(db('auth_audit_logs').where('tenant_id', tenantId));
    const sections: TenantSection[] = [
      {
        id: 'auth.members',
        title: 'Owner and members',
        facts: [
          { label: owners.length === 1 ? 'Owner' : 'Owners', value: owners.join(', ') || '—' },
          { label: 'Members', value: memberCount },
        ],
        table: {
          columns: ['Name', 'Email', 'Role', 'Status', 'Last login'],
          rows: members.map((u) => [u.full_name || '—', u.email ?? u.phone ?? u.username ?? '—', u.role, u.status, u.last_login_at]),
          times: ['Last login'],
          total: memberCount,
        },
        href: '/admin/auth/users',
      },
      {
        id: 'auth.api-keys',
        title: 'API keys',
        facts: [
          { label: 'Active', value: activeKeys },
          { label: 'Revoked', value: keyCount - activeKeys },
        ],
        table: {
          columns: ['Name', 'Prefix', 'User', 'State', 'Last used', 'Created'],
          rows: keys.map((k) => [k.name, k.key_prefix, k.email ?? '—', k.is_active ? 'active' : 'revoked', k.last_used_at, k.created_at]),
          times: ['Last used', 'Created'],
          total: keyCount,
        },
      },
      {
        id: 'auth.audit',
        title: 'Recent audit',
        table: {
          columns: ['When', 'Action', 'By'],
          rows: audit.map((a) => [a.created_at, a.action, a.actor_label ?? a.actor_type]),
          times: ['When'],
          total: auditCount,
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
      { label: users === 1 ? 'user' : 'users', count: users },
      { label: keys === 1 ? 'API key' : 'API keys', count: keys },
      { label: sessions === 1 ? 'session' : 'sessions', count: sessions },
    ];
  },
  // No remove: auth deletes the tenant's row last, and its own rows go with it (ON DELETE CASCADE).
};
