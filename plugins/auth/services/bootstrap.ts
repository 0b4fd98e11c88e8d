import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { ConfigError } from 'plinth/plugin';
import type { CoreConfig } from 'plinth/plugin';
import { AppError, ValidationError } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import { announce } from 'plinth/plugin';
import type { Passwords } from './passwords.js';
import { randomToken } from 'plinth/plugin';
import type { AuthSettings } from '../config.js';
import { SETUP_LINK_MINUTES, SETUP_PATH, type SetupLinks } from './setup-links.js';
import type { Tenants } from './tenants.js';
import { normalizeEmail, type Users } from './users.js';

export interface AdminCreated {
  email: string;
  generatedPassword: string | null;
  /** The setup link's token, when the admin was made without a password to be given one through it. */
  setupToken: string | null;
  promoted: boolean;
}

/** Two instances booting within this long of each other share the link the first one printed. */
const SAME_BOOT_MS = 2 * 60_000;

/** pg_advisory_xact_lock key of the first-start admin creation (any fixed bigint). */
const FIRST_ADMIN_LOCK = 7_301_842_101;

/** What Bootstrap is built from, passed by name. */
export interface BootstrapDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  config: CoreConfig;
  users: Users;
  tenants: Tenants;
  passwords: Passwords;
  setupLinks: SetupLinks;
}

/** The first superadmin (at first start with no users) and `plinth create-admin`. */
export class Bootstrap {
  constructor(private readonly deps: BootstrapDeps) {}

  /**
   * At start: with no users, the first superadmin. Without a configured password, a setup link
   * when `setup` says so (`auto`: standard output is not a terminal, so what is printed is kept in
   * logs) and a generated password otherwise, printed in the startup banner only. While that
   * superadmin has not been set up, every start prints a new link (the last one may have expired).
   */
  async ensureFirstAdmin(admin: AuthSettings['admin'], terminal = Boolean(process.stdout.isTTY)): Promise<void> {
    const [{ n }] = await this.deps.db('auth_users').count({ n: '*' });
    if (Number(n) > 0) return this.resumeSetup();
    const viaLink = !admin.password && (admin.setup === 'link' || (admin.setup === 'auto' && !terminal));
    let created: AdminCreated | null;
    try {
      created = await this.createAdmin(admin.email ?? 'admin@localhost', admin.password, 'first-start', { setupLink: viaLink });
    } catch (err) {
      // Several instances starting at once on one database: another one created it first.
      if (err instanceof AppError && err.status === 409 && (await this.deps.db('auth_users').where('is_superadmin', true).first('id'))) return;
      throw err;
    }
    if (!created) return this.resumeSetup();
    if (created.setupToken) {
      this.announceLink(created.email, created.setupToken);
      this.deps.logger.warn(
        { email: created.email },
        `created the first superadmin without a password: open the setup link in the startup banner within ${SETUP_LINK_MINUTES} minutes`,
      );
    } else if (created.generatedPassword) {
      // Shown once, on purpose, in the startup banner (plain text, never inside a log record): the
      // operator needs it to sign in the first time; the admin UI then asks for a password of their own.
      announce(this.deps.logger, { Superadmin: created.email, Password: `${created.generatedPassword}  (generated, shown once: sign in and change it)` });
      this.deps.logger.warn(
        { email: created.email },
        'created the first superadmin with a generated password (shown in the startup banner); sign in and change it',
      );
    } else {
      announce(this.deps.logger, { Superadmin: created.email });
      this.deps.logger.info({ email: created.email }, 'created the first superadmin');
    }
  }

  /** The first superadmin has no password yet: a new setup link, unless an instance booting alongside just printed one. */
  private async resumeSetup(): Promise<void> {
    const waiting = await this.deps.setupLinks.pending();
    if (!waiting) return;
    const now = this.deps.clock.now().getTime();
    if (waiting.lastIssuedAt && now - new Date(waiting.lastIssuedAt).getTime() < SAME_BOOT_MS) {
      announce(this.deps.logger, { Superadmin: `${waiting.email ?? waiting.id}  (waiting for its setup: use the link another instance just printed)` });
      this.deps.logger.info({ email: waiting.email }, 'the first superadmin waits for its setup: another instance printed the link');
      return;
    }
    const token = await this.deps.setupLinks.issue(this.deps.db, waiting.id, waiting.email);
    this.announceLink(waiting.email ?? waiting.id, token);
    this.deps.logger.warn(
      { email: waiting.email },
      `the first superadmin has no password yet: open the setup link in the startup banner within ${SETUP_LINK_MINUTES} minutes`,
    );
  }

  /** The link in the banner, on the public URL as it is once the server listens (never in a log record). */
  private announceLink(email: string, token: string): void {
    announce(this.deps.logger, {
      Superadmin: email,
      'Setup link': () => {
        const link = `${this.deps.config.server.publicUrl}${SETUP_PATH}?token=${encodeURIComponent(token)}`;
        return `${link}  (works once, for ${SETUP_LINK_MINUTES} minutes: choose the password)`;
      },
    });
  }

  /**
   * Creates a superadmin in the platform tenant, or promotes an existing user (and sets the password
   * if given). At first start (`via` 'first-start') it only ever creates, and only while there are no
   * users at all: of several instances booting together exactly one creates the admin; the others
   * find a user and return null, without promoting it again or touching its password.
   */
  async createAdmin(email: string, password: string | null, via: 'first-start', options?: { setupLink?: boolean }): Promise<AdminCreated | null>;
  async createAdmin(email: string, password: string | null, via?: string): Promise<AdminCreated>;
  async createAdmin(email: string, password: string | null, via = 'cli', options: { setupLink?: boolean } = {}): Promise<AdminCreated | null> {
    // A generated password is marked for change (the admin UI asks for one of their own at sign-in);
    // with a setup link there is no password at all until the link's page sets one.
    const setupLink = Boolean(options.setupLink) && !password;
    const generated = password || setupLink ? null : randomToken(18);
    const secret = password ?? generated;
    if (password) {
      try {
        this.deps.passwords.check(password);
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
    const hash = secret === null ? null : await this.deps.passwords.hash(secret);
    const address = normalizeEmail(email);
    const firstStart = via === 'first-start';
    const result = await this.deps.db.transaction(async (trx) => {
      if (firstStart) {
        // Instances booting together take turns here (SQLite has one writer; PostgreSQL needs the
        // lock): without it, one could count no users, then find the admin another one had just
        // committed by its email, and promote it again with a new password.
        if (this.deps.db.client.config.client === 'pg') await trx.raw('SELECT pg_advisory_xact_lock(?)', [FIRST_ADMIN_LOCK]);
        if (Number((await trx('auth_users').count({ n: '*' }))[0].n) > 0) return null;
      }
      const existing = await trx('auth_users').where('email', address).first('id');
      if (existing) {
        // An existing user keeps their password unless a new one is given.
        await this.deps.users.promoteToSuperadmin(trx, existing.id, password ? hash : null, via);
        return { id: existing.id as string, email: address, generatedPassword: null, setupToken: null, promoted: true };
      }
      const platform = await trx('auth_tenants').where('is_platform', true).first('id');
      const tenantId = platform?.id ?? (await this.deps.tenants.create(trx, 'Platform', { platform: true }));
      const user = await this.deps.users.createSuperadmin(trx, { tenantId, email: address, passwordHash: hash }, via);
      if (!password) await trx('auth_users').where('id', user.id).update({ must_change_password: true });
      // In the creating transaction: an instance booting alongside sees the link with the admin.
      const setupToken = setupLink ? await this.deps.setupLinks.issue(trx, user.id, address) : null;
      return { id: user.id, email: address, generatedPassword: generated, setupToken, promoted: false };
    });
    if (!result) return null;
    // Running instances drop what they cached about this user (PostgreSQL/Redis pub-sub reach them from here).
    if (result.promoted) await this.deps.users.forget(result.id);
    const { id: _id, ...created } = result;
    return created;
  }
}
