import type { Knex } from 'knex';
import { ConfigError } from '../../../core/config/load.js';
import { AppError, ValidationError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import { announce } from '../../../core/banner.js';
import type { Passwords } from './passwords.js';
import { randomToken } from '../../../core/secrets.js';
import type { Tenants } from './tenants.js';
import { normalizeEmail, type Users } from './users.js';

export interface AdminCreated {
  email: string;
  generatedPassword: string | null;
  promoted: boolean;
}

/** pg_advisory_xact_lock key of the first-start admin creation (any fixed bigint). */
const FIRST_ADMIN_LOCK = 7_301_842_101;

/** What Bootstrap is built from, passed by name. */
export interface BootstrapDeps {
  db: Knex;
  logger: Logger;
  users: Users;
  tenants: Tenants;
  passwords: Passwords;
}

/** The first superadmin (at first start with no users) and `plinth create-admin`. */
export class Bootstrap {
  private readonly db: Knex;
  private readonly logger: Logger;
  private readonly users: Users;
  private readonly tenants: Tenants;
  private readonly passwords: Passwords;

  constructor({ db, logger, users, tenants, passwords }: BootstrapDeps) {
    this.db = db;
    this.logger = logger;
    this.users = users;
    this.tenants = tenants;
    this.passwords = passwords;
  }

  async ensureFirstAdmin(admin: { email: string | null; password: string | null }): Promise<void> {
    const [{ n }] = await this.db('auth_users').count({ n: '*' });
    if (Number(n) > 0) return;
    let created: AdminCreated | null;
    try {
      created = await this.createAdmin(admin.email ?? 'admin@localhost', admin.password, 'first-start');
    } catch (err) {
      // Several instances starting at once on one database: another one created it first.
      if (err instanceof AppError && err.status === 409 && (await this.db('auth_users').where('is_superadmin', true).first('id'))) return;
      throw err;
    }
    if (!created) return;
    if (created.generatedPassword) {
      // Shown once, on purpose, in the startup banner (plain text, never inside a log record): the
      // operator needs it to sign in the first time.
      announce(this.logger, { Superadmin: created.email, Password: `${created.generatedPassword}  (generated, shown once: sign in and change it)` });
      this.logger.warn({ email: created.email }, 'created the first superadmin with a generated password (shown in the startup banner); sign in and change it');
    } else {
      announce(this.logger, { Superadmin: created.email });
      this.logger.info({ email: created.email }, 'created the first superadmin');
    }
  }

  /**
   * Creates a superadmin in the platform tenant, or promotes an existing user (and sets the password
   * if given). At first start (`via` 'first-start') it only ever creates, and only while there are no
   * users at all: of several instances booting together exactly one creates the admin; the others
   * find a user and return null, without promoting it again or touching its password.
   */
  async createAdmin(email: string, password: string | null, via: 'first-start'): Promise<AdminCreated | null>;
  async createAdmin(email: string, password: string | null, via?: string): Promise<AdminCreated>;
  async createAdmin(email: string, password: string | null, via = 'cli'): Promise<AdminCreated | null> {
    const generated = password ? null : randomToken(18);
    const secret = password ?? generated!;
    if (password) {
      try {
        this.passwords.check(password);
      } catch (err) {
        // A startup or CLI problem, not a request: one line naming where the password came from.
        if (err instanceof ValidationError)
          throw new ConfigError(
            `the admin password (${via === 'cli' ? '--password or PLINTH_ADMIN_PASSWORD' : 'settings.auth.admin.password or PLINTH_ADMIN_PASSWORD'}) ` +
              `${err.fields.map((f) => f.message).join('; ')}`,
          );
        throw err;
      }
    }
    const hash = await this.passwords.hash(secret);
    const address = normalizeEmail(email);
    const firstStart = via === 'first-start';
    const result = await this.db.transaction(async (trx) => {
      if (firstStart) {
        // Instances booting together take turns here (SQLite has one writer; PostgreSQL needs the
        // lock): without it, one could count no users, then find the admin another one had just
        // committed by its email, and promote it again with a new password.
        if (this.db.client.config.client === 'pg') await trx.raw('SELECT pg_advisory_xact_lock(?)', [FIRST_ADMIN_LOCK]);
        if (Number((await trx('auth_users').count({ n: '*' }))[0].n) > 0) return null;
      }
      const existing = await trx('auth_users').where('email', address).first('id');
      if (existing) {
        // An existing user keeps their password unless a new one is given.
        await this.users.promoteToSuperadmin(trx, existing.id, password ? hash : null, via);
        return { id: existing.id as string, email: address, generatedPassword: null, promoted: true };
      }
      const platform = await trx('auth_tenants').where('is_platform', true).first('id');
      const tenantId = platform?.id ?? (await this.tenants.create(trx, 'Platform', { platform: true }));
      const user = await this.users.createSuperadmin(trx, { tenantId, email: address, passwordHash: hash }, via);
      return { id: user.id, email: address, generatedPassword: generated, promoted: false };
    });
    if (!result) return null;
    // Running instances drop what they cached about this user (PostgreSQL/Redis pub-sub reach them from here).
    if (result.promoted) await this.users.forget(result.id);
    const { id: _id, ...created } = result;
    return created;
  }
}
