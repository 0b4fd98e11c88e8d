import type { Knex } from 'knex';

/**
 * Phone users made before scope limits (20261122210000_user_scope_limit) joined WorkBot's home
 * tenant as plain members: they could read its billing, make mailboxes on the operator plan and
 * mint API keys. They get, once, the limit a phone login gives today: their robots and their own
 * account (frozen here: robots' PHONE_USER_SCOPES plus auth's own-account scopes, as stored).
 *
 * Here, in auth, because the rows and `scope_limit` are auth's (robots makes phone users only
 * through auth's `findOrCreateByPhone`, and a migration has no services to call). Phone users are
 * recognised by auth's own columns: a phone, no email and no password (they sign in only by SMS
 * code; nothing else makes a user without an email), role member, not a superadmin, no limit yet.
 * That holds whichever tenant `robots.homeTenant` names, since that login is their only maker;
 * phone users from before WorkBot had a home tenant own their own tenant and are left alone.
 */
const PHONE_USER_LIMIT = JSON.stringify(['account:read', 'account:manage', 'robots:use']);

export async function up(knex: Knex): Promise<void> {
  await knex('auth_users')
    .whereNotNull('phone')
    .whereNull('email')
    .whereNull('password_hash')
    .where({ role: 'member', is_superadmin: false })
    .whereNull('scope_limit')
    .update({ scope_limit: PHONE_USER_LIMIT, updated_at: new Date().toISOString() });
}
