// Issue 39: seed 004's own examples, sent as written. Its userIds are integers (1.2, 1.3, 6.2's
// boundUser, 7.1; 6.1's body "boundUserId": 1, 7.2's path): each user's number, the platform's
// UUID staying inside; another tenant's user by number is 404 as by UUID. 6.1's codes carry the
// price the document shows (50.00 for its 30 days), and one user has one nickname everywhere.
import assert from 'node:assert/strict';
import { registerOwner } from '../../../test/helpers/actors.js';
import { ADMIN, homeAdmin, robotsApp, smsCode, superadmin, userNumber, type Owner, type RobotsApp } from '../../../test/helpers/robots.js';

/** The seed's example phone (1.1, 1.2). */
const PHONE = '13800000000';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describe('robots: seed 004’s integer ids, prices and nicknames', () => {
  let t: RobotsApp;
  let root: Owner;
  before(async () => {
    t = await robotsApp();
    root = await superadmin(t);
  });
  after(async () => t?.close());

  const licenses = async () => Number((await t.app.db('licensing_licenses').count({ n: '*' }))[0].n);

  it('1.2 and 1.3: the example phone signs in; userId is an integer, the same in both; the nickname is the phone in 1.3 and 7.1 alike', async () => {
    const login = await t.wb('POST', '/api/user/login', { body: { phone: PHONE, code: await smsCode(t, PHONE) } });
    assert.equal(login.status, 200, login.text);
    assert.equal(login.body.code, 0);
    assert.equal(login.body.message, '登录成功');
    const { userId } = login.body.data;
    assert.ok(Number.isInteger(userId) && userId > 0, login.text);
    // The number is the platform user's, found through auth's numbers; the UUID never shows.
    const numbered = await t.app.db('auth_user_numbers').where('number', userId).first('user_id');
    const user = await t.app.db('auth_users').where('id', numbered.user_id).first('phone', 'full_name');
    assert.deepEqual([user.phone, user.full_name], [PHONE, '']);
    assert.doesNotMatch(login.text, UUID);
    assert.equal(login.body.data.nickname, PHONE);

    const info = await t.wb('GET', '/api/user/info', { headers: { authorization: `Bearer ${login.body.data.token}` } });
    assert.equal(info.status, 200, info.text);
    assert.deepEqual({ ...info.body.data, createdAt: undefined }, { userId, nickname: PHONE, avatar: null, phone: PHONE, role: 'user', createdAt: undefined });
    assert.doesNotMatch(info.text, UUID);

    // 7.1 as the document asks for it: the same userId and nickname as 1.3 (it was "" here).
    const listed = await t.wb('GET', '/api/admin/users?page=1&pageSize=20&role=user', { headers: root.headers });
    assert.equal(listed.status, 200, listed.text);
    const row = listed.body.data.list.find((u: { userId: number }) => u.userId === userId);
    assert.ok(row, listed.text);
    assert.deepEqual([row.nickname, row.phone, row.role], [PHONE, PHONE, 'user']);
    assert.ok(listed.body.data.list.every((u: { userId: unknown }) => Number.isInteger(u.userId)));
    assert.doesNotMatch(listed.text, UUID);
  });

  it('6.1 with the example body ("boundUserId": 1): ten codes at 50.00 for user 1; 6.2 shows boundUser.userId 1 and the price', async () => {
    const res = await t.wb('POST', '/api/admin/activation-codes', { headers: root.headers, body: { count: 10, validityPeriod: 30, boundUserId: 1 } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.code, 0);
    assert.equal(res.body.message, '生成成功');
    const codes = res.body.data.codes;
    assert.equal(codes.length, 10);
    for (const c of codes) {
      assert.deepEqual([c.status, c.validityPeriod, c.price, c.boundUserId], ['unused', 30, 50, 1], res.text);
    }
    // User 1 is the first user: the superadmin, who is in WorkBot's home tenant here.
    const first = (await t.app.db('auth_users').where('email', ADMIN.email).first('id')).id;
    assert.equal(await userNumber(t, first), 1);
    const rows = await t.app.db('licensing_licenses').whereIn(
      'activation_code',
      codes.map((c: { code: string }) => c.code),
    );
    assert.equal(rows.length, 10);
    assert.ok(
      rows.every((r: Record<string, unknown>) => r.bound_user_id === first && Number(r.price) === 5000),
      JSON.stringify(rows[0]),
    );

    const list = await t.wb('GET', '/api/admin/activation-codes?page=1&pageSize=20&status=unused', { headers: root.headers });
    assert.equal(list.status, 200, list.text);
    const shown = list.body.data.list.find((r: { code: string }) => r.code === codes[0].code);
    assert.deepEqual([shown.price, shown.boundUser], [50, { userId: 1, nickname: 'Administrator', phone: null }]);
    assert.doesNotMatch(list.text, UUID);

    // The batch's own price wins; a period with no price set has none (settings.robots.codePrices).
    const priced = await t.wb('POST', '/api/admin/activation-codes', { headers: root.headers, body: { validityPeriod: 30, price: 45.5 } });
    assert.equal(priced.body.data.codes[0].price, 45.5);
    const unpriced = await t.wb('POST', '/api/admin/activation-codes', { headers: root.headers, body: { validityPeriod: 365 } });
    assert.equal(unpriced.body.data.codes[0].price, null);
  });

  it('7.2 by the integer userId: 禁用成功 and the user is suspended; a number of nobody is 404', async () => {
    const phone = '13800000001';
    const login = await t.wb('POST', '/api/user/login', { body: { phone, code: await smsCode(t, phone) } });
    const { userId } = login.body.data;
    const res = await t.wb('POST', `/api/admin/users/${userId}/disable`, { headers: root.headers });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { code: 0, message: '禁用成功', data: null });
    assert.equal((await t.app.db('auth_users').where('phone', phone).first('status')).status, 'suspended');
    const nobody = await t.wb('POST', '/api/admin/users/999999/disable', { headers: root.headers });
    assert.equal(nobody.status, 404, nobody.text);
    // Past the numbers' 32-bit range: nobody too, not a database error (PostgreSQL refused the compare: a 500).
    const beyond = await t.wb('POST', '/api/admin/users/99999999999/disable', { headers: root.headers });
    assert.equal(beyond.status, 404, beyond.text);
  });

  it('another tenant’s user by number: 404 for 6.1’s boundUserId and 7.2, as by UUID; nothing generated or disabled', async () => {
    const admin = await homeAdmin(t, 'numbers');
    const stranger = await registerOwner(t, 'stranger');
    const number = await userNumber(t, stranger.id);
    const before = await licenses();
    for (const boundUserId of [number, String(number), stranger.id]) {
      const res = await t.wb('POST', '/api/admin/activation-codes', { headers: admin.headers, body: { count: 2, boundUserId } });
      assert.equal(res.status, 404, res.text);
      assert.deepEqual([res.body.code, res.body.data], [404, null]);
    }
    assert.equal(await licenses(), before);
    const refused = await t.wb('POST', `/api/admin/users/${number}/disable`, { headers: admin.headers });
    assert.equal(refused.status, 404, refused.text);
    assert.equal((await t.app.db('auth_users').where('id', stranger.id).first('status')).status, 'active');
  });

  it('numbers are given in order and never reused: a deleted user’s number names no one else', async () => {
    const a = await registerOwner(t, 'first-of-two');
    const b = await registerOwner(t, 'second-of-two');
    const [na, nb] = [await userNumber(t, a.id), await userNumber(t, b.id)];
    assert.ok(nb > na);
    const removed = await t.request('DELETE', `/api/v2/admin/users/${b.id}`, { headers: root.headers });
    assert.ok(removed.status < 300, removed.text);
    assert.equal(await t.app.db('auth_users').where('id', b.id).first(), undefined, 'deleted');
    const c = await registerOwner(t, 'after-the-delete');
    assert.ok((await userNumber(t, c.id)) > nb);
    assert.equal((await t.wb('POST', `/api/admin/users/${nb}/disable`, { headers: root.headers })).status, 404);
  });
});
