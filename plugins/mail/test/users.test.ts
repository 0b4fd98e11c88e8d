// The seed's user management (strictAdmin) and quotas: /api/users*, assign/unassign, /api/user/quota.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { PASSWORD, registerOwner } from '../../../test/helpers/actors.js';
import { ADMIN, AUTO_DOMAIN, assertError, eventRows, send, unique, type MailApp } from './helpers.js';
import { mailLogin, mailLoginOk, startRelayApp } from './relay.js';

describe('mail: users and quotas', () => {
  let t: MailApp;
  let admin: Record<string, string>;

  before(async () => {
    t = await startRelayApp();
    admin = await mailLoginOk(t, ADMIN.email, ADMIN.password);
  });
  after(async () => t?.close());

  async function newUser(extra: Record<string, unknown> = {}) {
    const username = unique('u');
    const res = await t.mail('POST', '/api/users', { headers: admin, body: { username, password: PASSWORD, ...extra } });
    assert.equal(res.status, 201, res.text);
    return { username, id: res.body.id as number, body: res.body };
  }
  const create = (headers: Record<string, string>) => t.mail('POST', '/api/create', { headers, body: { local: unique('q') } });

  it('POST /api/users: 201 with the seed fields; duplicate username 409; short password 400 (the seed has no 422); bad name 400', async () => {
    const { username, body } = await newUser({ mailboxLimit: 4 });
    assert.deepEqual(Object.keys(body).sort(), ['can_send', 'created_at', 'id', 'mailbox_count', 'mailbox_limit', 'role', 'username']);
    assert.equal(body.username, username);
    assert.equal(body.role, 'user');
    assert.equal(body.mailbox_limit, 4);
    assert.equal(body.can_send, 0);
    assert.equal(body.mailbox_count, 0);
    assertError(await t.mail('POST', '/api/users', { headers: admin, body: { username, password: PASSWORD } }), 409);
    assertError(await t.mail('POST', '/api/users', { headers: admin, body: { username: username.toUpperCase(), password: PASSWORD } }), 409);
    assertError(await t.mail('POST', '/api/users', { headers: admin, body: { username: unique('weak'), password: '123' } }), 400);
    assertError(await t.mail('POST', '/api/users', { headers: admin, body: { username: 'no spaces allowed', password: PASSWORD } }), 400);
    assertError(await t.mail('POST', '/api/users', { headers: admin, body: { username: unique('r'), password: PASSWORD, role: 'strictAdmin' } }), 400);
    const adminUser = await newUser({ role: 'admin' });
    assert.equal(adminUser.body.role, 'admin');
    assert.equal((await mailLogin(t, adminUser.username, PASSWORD)).res.body.role, 'admin');
  });

  it('GET /api/users: limit, offset and sort over all users by creation', async () => {
    for (let i = 0; i < 3; i++) await newUser();
    const all = await t.mail('GET', '/api/users?limit=100&sort=asc', { headers: admin });
    assert.equal(all.status, 200, all.text);
    assert.ok(all.body.length >= 4);
    assert.equal(all.body[0].username, ADMIN.email, 'the first user (the superadmin) comes first in asc order');
    const created = all.body.map((u: any) => u.created_at);
    assert.deepEqual(created, [...created].sort());
    const desc = await t.mail('GET', '/api/users?limit=100&sort=desc', { headers: admin });
    assert.deepEqual(
      desc.body.map((u: any) => u.id),
      all.body.map((u: any) => u.id).reverse(),
    );
    const dflt = await t.mail('GET', '/api/users?limit=100', { headers: admin });
    assert.deepEqual(
      dflt.body.map((u: any) => u.id),
      desc.body.map((u: any) => u.id),
      'desc by default',
    );
    const page = await t.mail('GET', '/api/users?limit=2&offset=1&sort=asc', { headers: admin });
    assert.deepEqual(
      page.body.map((u: any) => u.id),
      all.body.slice(1, 3).map((u: any) => u.id),
      'any offset, not only whole pages',
    );
    const page2 = await t.mail('GET', '/api/users?limit=3&offset=2&sort=desc', { headers: admin });
    assert.deepEqual(
      page2.body.map((u: any) => u.id),
      desc.body.slice(2, 5).map((u: any) => u.id),
    );
    assertError(await t.mail('GET', '/api/users?limit=0', { headers: admin }), 400);
    assertError(await t.mail('GET', '/api/users?sort=sideways', { headers: admin }), 400);
  });

  it('PATCH /api/users/:id: username, password (the new one signs in), mailboxLimit, can_send, role', async () => {
    const u = await newUser();
    const newName = unique('renamed');
    assert.equal((await t.mail('PATCH', `/api/users/${u.id}`, { headers: admin, body: { username: newName } })).status, 200);
    assertError((await mailLogin(t, u.username, PASSWORD)).res, 401);
    await mailLoginOk(t, newName, PASSWORD);

    const res = await t.mail('PATCH', `/api/users/${u.id}`, { headers: admin, body: { password: 'A-new-password-2026' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { success: true });
    assertError((await mailLogin(t, newName, PASSWORD)).res, 401);
    await mailLoginOk(t, newName, 'A-new-password-2026');
    assertError(await t.mail('PATCH', `/api/users/${u.id}`, { headers: admin, body: { password: 'weak' } }), 400);

    await t.mail('PATCH', `/api/users/${u.id}`, { headers: admin, body: { mailboxLimit: 7, can_send: 1 } });
    const login = await mailLogin(t, newName, 'A-new-password-2026');
    assert.equal(login.res.body.mailbox_limit, 7);
    assert.equal(login.res.body.can_send, 1);
    const listed = (await t.mail('GET', '/api/users?limit=100', { headers: admin })).body.find((x: any) => x.id === u.id);
    assert.equal(listed.username, newName);
    assert.equal(listed.mailbox_limit, 7);
    assert.equal(listed.can_send, 1);

    await t.mail('PATCH', `/api/users/${u.id}`, { headers: admin, body: { role: 'admin' } });
    const asAdmin = await mailLogin(t, newName, 'A-new-password-2026');
    assert.equal(asAdmin.res.body.role, 'admin');
    assert.equal(asAdmin.res.body.mailbox_limit, 9999, 'no limit, as the seed shows it');
    await t.mail('PATCH', `/api/users/${u.id}`, { headers: admin, body: { role: 'user' } });
    assert.equal((await mailLogin(t, newName, 'A-new-password-2026')).res.body.role, 'user');

    const taken = await newUser();
    assertError(await t.mail('PATCH', `/api/users/${u.id}`, { headers: admin, body: { username: taken.username } }), 409);
    assertError(await t.mail('PATCH', `/api/users/${u.id}`, { headers: admin, body: {} }), 400);
    assertError(await t.mail('PATCH', `/api/users/${u.id}`, { headers: admin, body: { role: 'strictAdmin' } }), 400);
  });

  it('DELETE /api/users/:id: the user can no longer sign in; unknown ids are 404', async () => {
    const u = await newUser();
    const headers = await mailLoginOk(t, u.username, PASSWORD);
    const box = (await create(headers)).body.email;
    const del = await t.mail('DELETE', `/api/users/${u.id}`, { headers: admin });
    assert.equal(del.status, 200, del.text);
    assertError((await mailLogin(t, u.username, PASSWORD)).res, 401);
    assert.equal(
      (await t.mail('GET', '/api/users?limit=100', { headers: admin })).body.some((x: any) => x.id === u.id),
      false,
    );
    assert.ok(await t.db('mail_mailboxes').where('address', box).first(), 'the mailbox stays for the admins');
    const missing = '00000000-0000-4000-8000-000000000000';
    assertError(await t.mail('DELETE', `/api/users/${missing}`, { headers: admin }), 404);
    assertError(await t.mail('PATCH', `/api/users/${missing}`, { headers: admin, body: { mailboxLimit: 3 } }), 404);
    assertError(await t.mail('PATCH', `/api/users/${missing}`, { headers: admin, body: { can_send: 1 } }), 404);
    assertError(await t.mail('GET', `/api/users/${missing}/mailboxes`, { headers: admin }), 404);
    assertError(await t.mail('DELETE', '/api/users/not-a-uuid', { headers: admin }), 400);
  });

  it('GET /api/users/:id/mailboxes and assign / unassign: the user then sees (or no longer sees) the mailbox', async () => {
    const u = await newUser();
    const headers = await mailLoginOk(t, u.username, PASSWORD);
    const own = (await create(headers)).body.email;
    const adminBox = (await create(admin)).body.email;
    const listOf = async () => (await t.mail('GET', '/api/mailboxes', { headers })).body.map((m: any) => m.address).sort();
    assert.deepEqual(await listOf(), [own]);

    const assign = await t.mail('POST', '/api/users/assign', { headers: admin, body: { username: u.username, address: adminBox } });
    assert.equal(assign.status, 200, assign.text);
    assert.deepEqual(assign.body, { success: true });
    assert.deepEqual(await listOf(), [own, adminBox].sort());
    const boxes = await t.mail('GET', `/api/users/${u.id}/mailboxes`, { headers: admin });
    assert.equal(boxes.status, 200, boxes.text);
    assert.deepEqual(boxes.body.map((m: any) => m.address).sort(), [own, adminBox].sort());
    assert.deepEqual(Object.keys(boxes.body[0]).sort(), ['address', 'created_at', 'is_pinned']);
    assert.equal((await t.mail('GET', `/api/emails?mailbox=${adminBox}`, { headers })).status, 200, 'the user may read it now');

    const unassign = await t.mail('POST', '/api/users/unassign', { headers: admin, body: { username: u.username, address: adminBox } });
    assert.equal(unassign.status, 200, unassign.text);
    assert.deepEqual(await listOf(), [own]);
    assertError(await t.mail('GET', `/api/emails?mailbox=${adminBox}`, { headers }), 404);
    assertError(await t.mail('POST', '/api/users/unassign', { headers: admin, body: { username: u.username, address: adminBox } }), 404);

    assertError(await t.mail('POST', '/api/users/assign', { headers: admin, body: { username: 'nobody_at_all', address: adminBox } }), 404, 'user_not_found');
    assertError(
      await t.mail('POST', '/api/users/assign', { headers: admin, body: { username: u.username, address: 'nobody@mail.test' } }),
      404,
      'mailbox_not_found',
    );
    assertError(
      await t.mail('POST', '/api/users/unassign', { headers: admin, body: { username: u.username, address: 'nobody@mail.test' } }),
      404,
      'mailbox_not_found',
    );

    // A mailbox of another tenant cannot be given to this tenant's user.
    const owner = await registerOwner(t);
    const foreign = (await t.mail('POST', '/api/create', { headers: owner.headers, body: { local: unique('foreign') } })).body.email;
    assertError(await t.mail('POST', '/api/users/assign', { headers: admin, body: { username: u.username, address: foreign } }), 409);
    assert.deepEqual(await listOf(), [own]);
  });

  it('a platform mailbox that took mail, given to a tenant’s user, receives its next mail as the tenant’s', async () => {
    // Made on first mail at a domain of no tenant: a platform mailbox, now known to the receiver.
    const adminBox = `${unique('platform')}@${AUTO_DOMAIN}`;
    await send(t, { to: adminBox, subject: 'before', text: 'x' });
    assert.equal((await t.db('mail_mailboxes').where('address', adminBox).first('tenant_id')).tenant_id, null, 'platform-level');
    const { username, id } = await newUser();
    const { tenant_id: tenantId } = await t
      .db('auth_users as u')
      .join('auth_user_numbers as n', 'n.user_id', 'u.id')
      .where('n.number', id)
      .first('u.tenant_id');
    assert.ok(tenantId);
    const assign = await t.mail('POST', '/api/users/assign', { headers: admin, body: { username, address: adminBox } });
    assert.equal(assign.status, 200, assign.text);
    await send(t, { to: adminBox, subject: 'after', text: 'x' });
    const received = (await eventRows(t, 'mail.received')).filter((e) => e.payload.mailbox === adminBox);
    assert.deepEqual(
      received.map((e) => [e.payload.subject, e.tenant_id]),
      [
        ['before', null],
        ['after', tenantId],
      ],
    );
    // Only the operator gives mailboxes away: a tenant owner may not.
    const owner = await registerOwner(t);
    assertError(await t.mail('POST', '/api/users/assign', { headers: owner.headers, body: { username, address: adminBox } }), 403);
  });

  it('/api/user/quota: a user sees limit/used/remaining; past mailboxLimit 403 mailbox_quota_reached; PATCH raises it; admins -1', async () => {
    const u = await newUser({ mailboxLimit: 2 });
    const headers = await mailLoginOk(t, u.username, PASSWORD);
    assert.deepEqual((await t.mail('GET', '/api/user/quota', { headers })).body, { limit: 2, used: 0, remaining: 2 });
    assert.equal((await create(headers)).status, 200);
    assert.equal((await t.mail('GET', '/api/generate', { headers })).status, 200, 'generated ones count too');
    assert.deepEqual((await t.mail('GET', '/api/user/quota', { headers })).body, { limit: 2, used: 2, remaining: 0 });
    assertError(await create(headers), 403, 'mailbox_quota_reached');
    assertError(await t.mail('GET', '/api/generate', { headers }), 403, 'mailbox_quota_reached');
    assert.equal((await t.mail('PATCH', `/api/users/${u.id}`, { headers: admin, body: { mailboxLimit: 3 } })).status, 200);
    assert.deepEqual((await t.mail('GET', '/api/user/quota', { headers })).body, { limit: 3, used: 2, remaining: 1 });
    assert.equal((await create(headers)).status, 200);
    assertError(await create(headers), 403, 'mailbox_quota_reached');

    const quota = await t.mail('GET', '/api/user/quota', { headers: admin });
    assert.equal(quota.status, 200, quota.text);
    assert.equal(quota.body.limit, -1);
    assert.equal(quota.body.remaining, -1);
    assert.equal(typeof quota.body.used, 'number');
    const owner = await registerOwner(t);
    const ownerQuota = await t.mail('GET', '/api/user/quota', { headers: owner.headers });
    assert.equal(ownerQuota.body.limit, -1);
    assert.equal(ownerQuota.body.used, 0);
  });
});
