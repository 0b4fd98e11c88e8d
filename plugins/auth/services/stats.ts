import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';

const count = async (q: Knex.QueryBuilder): Promise<number> => Number(((await q.count({ n: '*' })) as Array<{ n: number | string }>)[0].n);

export interface StatsDeps {
  db: Knex;
  clock: Clock;
}

/** Platform-wide figures for the superadmin console. */
export class Stats {
  constructor(private readonly deps: StatsDeps) {}

  async collect() {
    const now = this.deps.clock.now().toISOString();
    const dayAgo = new Date(this.deps.clock.now().getTime() - 86_400_000).toISOString();
    const [users, active, suspended, tenants, keys, sessions, logins, failed] = await Promise.all([
      count(this.deps.db('auth_users')),
      count(this.deps.db('auth_users').where('status', 'active')),
      count(this.deps.db('auth_users').where('status', 'suspended')),
      count(this.deps.db('auth_tenants')),
      count(
        this.deps
          .db('auth_api_keys')
          .where('is_active', true)
          .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', now)),
      ),
      count(this.deps.db('auth_sessions').whereNull('revoked_at').where('expires_at', '>', now)),
      count(this.deps.db('auth_audit_logs').where('action', 'auth.login').where('created_at', '>', dayAgo)),
      count(this.deps.db('auth_audit_logs').where('action', 'auth.login_failed').where('created_at', '>', dayAgo)),
    ]);
    return {
      users: { total: users, active, suspended },
      tenants: { total: tenants },
      api_keys: { active: keys },
      sessions: { active: sessions },
      logins_24h: { succeeded: logins, failed },
    };
  }
}
