import type { Knex } from 'knex';
import type { Logger } from '../../../core/logger.js';
import type { Passwords } from './passwords.js';
import { randomToken } from './secrets.js';
import type { Tenants } from './tenants.js';
import { normalizeEmail, type Users } from './users.js';

export interface AdminCreated {
  email: string;
  generatedPassword: string | null;
  promoted: boolean;
}

/** The first superadmin (at first start with no users) and `plinth create-admin`. */
export class Bootstrap {
  constructor(
    private readonly db: Knex,
    private readonly logger: Logger,
    private readonly users: Users,
    private readonly tenants: Tenants,
    private readonly passwords: Passwords,
  ) {}

  async ensureFirstAdmin(admin: { email: string | null; password: string | null }): Promise<void> {
    const [{ n }] = await this.db('auth_users').count({ n: '*' });
    if (Number(n) > 0) return;
    const created = await this.createAdmin(admin.email ?? 'admin@localhost', admin.password);
    if (created.generatedPassword) {
      // Printed once, on purpose: the operator needs it to sign in the first time.
      this.logger.warn({ email: created.email, password: created.generatedPassword }, 'created the first superadmin with a generated password; sign in and change it');
    } else {
      this.logger.info({ email: created.email }, 'created the first superadmin');
    }
  }

  /** Creates a superadmin in the platform tenant, or promotes an existing user (and sets the password if given). */
  async createAdmin(email: string, password: string | null): Promise<AdminCreated> {
    const generated = password ? null : randomToken(18);
    const secret = password ?? generated!;
    if (password) this.passwords.check(password);
    const hash = await this.passwords.hash(secret);
    const address = normalizeEmail(email);
    return this.db.transaction(async (trx) => {
      const existing = await trx('auth_users').where('email', address).first('id');
      if (existing) {
        await trx('auth_users').where('id', existing.id).update({ is_superadmin: true, status: 'active', ...(password ? { password_hash: hash } : {}) });
        return { email: address, generatedPassword: null, promoted: true };
      }
      let platform = await trx('auth_tenants').where('is_platform', true).first('id');
      const tenantId = platform?.id ?? (await this.tenants.create(trx, 'Platform', { platform: true }));
      await this.users.create(trx, { tenantId, email: address, passwordHash: hash, role: 'owner', superadmin: true, emailVerified: true, fullName: 'Administrator' });
      return { email: address, generatedPassword: generated, promoted: false };
    });
  }
}
