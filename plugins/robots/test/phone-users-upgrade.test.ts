// Phone users made before scope limits existed (they joined WorkBot's home tenant as plain members)
// get the phone-user limit once, when the install upgrades: auth's migration
// 20261123120000_phone_user_scope_limit, proved on a database from before, as billing's operator
// plan upgrade test does.
import assert from 'node:assert/strict';
import { MIGRATIONS_TABLE } from 'plinth/plugin';
import { createTestDatabase } from '../../../test/helpers/database.js';
import { addUser } from '../../../test/helpers/actors.js';
import { homeTenantId, phoneLogin, robotsApp, superadmin, type RobotsApp } from '../../../test/helpers/robots.js';

describe('robots: phone users from before scope limits are limited when the install upgrades', () => {
  it('auth’s migration gives phone-only members the phone-user limit, once; everyone else is left alone', async () => {
    const LIMIT = JSON.stringify(['account:read', 'account:manage', 'robots:use']);
    const limitOf = async (t: RobotsApp, id: string) => (await t.app.db('auth_users').where('id', id).first('scope_limit')).scope_limit;
    const database = await createTestDatabase();
    try {
      // An install from before scope limits: phone users in the home tenant with none, able to mint API keys.
      const first = await robotsApp({ database, extraPlugins: ['billing'] });
      const old = await phoneLogin(first);
      const custom = await phoneLogin(first); // an operator's own choice of limit
      const pioneer = await phoneLogin(first); // from before the home tenant: owner of a tenant of their own
      const staff = await addUser(first, await homeTenantId(first), 'member', { label: 'staff' }); // a member with an email and a password
      await first.app.db('auth_users').whereIn('id', [old.id, pioneer.id]).update({ scope_limit: null });
      await first.app.db('auth_users').where('id', pioneer.id).update({ role: 'owner' });
      await first.app
        .db('auth_users')
        .where('id', staff.id)
        .update({ phone: `+861390${String(Date.now()).slice(-7)}` });
      await first.app
        .db('auth_users')
        .where('id', custom.id)
        .update({ scope_limit: JSON.stringify(['account:read', 'account:manage', 'billing:read']) });
      const minted = await first.request('POST', '/api/v2/api-keys', { headers: old.headers, body: { name: 'old phone', scopes: ['billing:read'] } });
      assert.equal(minted.status, 201, minted.text);
      const oldKey = { 'X-API-Key': minted.body.raw_key as string };
      assert.equal((await first.request('GET', '/api/v2/billing/subscription', { headers: oldKey })).status, 200);
      await first.app.db(MIGRATIONS_TABLE).where('name', 'like', 'auth/20261123120000_phone_user_scope_limit%').delete();
      await first.close();

      const t = await robotsApp({ database, extraPlugins: ['billing'] });
      try {
        assert.equal(await limitOf(t, old.id), LIMIT);
        assert.equal(await limitOf(t, custom.id), JSON.stringify(['account:read', 'account:manage', 'billing:read']), 'a limit already set stays');
        assert.equal(await limitOf(t, pioneer.id), null, 'an owner is not a phone member');
        assert.equal(await limitOf(t, staff.id), null, 'a member with a phone, an email and a password is not a phone user');

        const again = await phoneLogin(t, old.phone);
        assert.equal(again.id, old.id);
        const me = await t.request('GET', '/api/v2/auth/me', { headers: again.headers });
        assert.deepEqual([...me.body.auth.scopes].sort(), ['account:manage', 'account:read', 'robots:use']);
        const refused = await t.request('POST', '/api/v2/api-keys', { headers: again.headers, body: { name: 'another', scopes: ['billing:read'] } });
        assert.equal(refused.status, 403, refused.text);
        assert.equal(Number((await t.app.db('auth_api_keys').where('user_id', old.id).count({ n: '*' }))[0].n), 1);
        const cut = await t.request('GET', '/api/v2/billing/subscription', { headers: oldKey });
        assert.equal(cut.status, 403, `the key minted before is cut to its creator's scopes: ${cut.text}`);
        assert.equal((await t.wb('GET', '/api/robots', { headers: again.headers })).status, 200, 'their robots still work');

        // The operator lifts it afterwards: that choice stands at the next start.
        const root = await superadmin(t);
        const lifted = await t.request('PATCH', `/api/v2/admin/users/${old.id}`, { headers: root.headers, body: { scope_limit: null } });
        assert.equal(lifted.status, 200, lifted.text);
      } finally {
        await t.close();
      }
      const later = await robotsApp({ database, extraPlugins: ['billing'] });
      try {
        assert.equal(await limitOf(later, old.id), null);
      } finally {
        await later.close();
      }
    } finally {
      await database.drop();
    }
  });
});
