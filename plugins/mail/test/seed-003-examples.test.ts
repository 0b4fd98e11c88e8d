// Issue 39: seed 003's own examples, sent as written, get the documented replies: its users' ids are
// integers (PATCH /mail/api/users/1 works), `address` is taken from the query or the body where the
// document's tables leave it open, timestamps are "2024-01-01 00:00:00" (UTC), its example passwords
// are taken (with advice, never its missing 422), the admin login's limit is 9999, the batch carries
// the R2 fields, and the replies word what the document words (Chinese unless English is asked for).
import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import { ADMIN, DOMAIN, assertError, createMailbox, send, unique, type MailApp } from './helpers.js';
import { mailLogin, mailLoginOk, startRelayApp } from './relay.js';

const NOW = '2026-03-01T10:20:30.456Z';
const SEED_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
const EN = { 'accept-language': 'en' };
const COMMON = /^299 - ".*one of the most common passwords/;

describe('mail: seed 003’s own examples', () => {
  const clock = new ManualClock(NOW);
  let t: MailApp;
  let admin: Record<string, string>;

  before(async () => {
    t = await startRelayApp({ clock });
    admin = await mailLoginOk(t, ADMIN.email, ADMIN.password);
  });
  after(async () => t?.close());

  const userOf = async (number: number) => {
    const row = await t.db('auth_user_numbers').where('number', number).first('user_id');
    return row ? t.db('auth_users').where('id', row.user_id).first() : undefined;
  };

  it('POST /api/users and PATCH /api/users/:id with the document’s bodies: integer ids, its passwords taken with advice', async () => {
    const created = await t.mail('POST', '/api/users', {
      headers: admin,
      body: { username: 'newuser', password: 'password123', role: 'user', mailboxLimit: 10 },
    });
    assert.equal(created.status, 201, created.text);
    const { id } = created.body;
    assert.ok(Number.isInteger(id), created.text);
    assert.deepEqual(created.body, {
      id,
      username: 'newuser',
      role: 'user',
      mailbox_limit: 10,
      can_send: 0,
      mailbox_count: 0,
      created_at: '2026-03-01 10:20:30',
    });
    assert.match(created.headers.get('warning') ?? '', COMMON);
    assert.equal((await userOf(id)).username, 'newuser');

    const patched = await t.mail('PATCH', `/api/users/${id}`, {
      headers: admin,
      body: { username: 'updatedname', password: 'newpassword', mailboxLimit: 20, can_send: 1, role: 'admin' },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual(patched.body, { success: true });
    assert.match(patched.headers.get('warning') ?? '', COMMON);
    const user = await userOf(id);
    assert.deepEqual([user.username, user.role], ['updatedname', 'admin']);
    const rights = await t.db('mail_user_settings').where('user_id', user.id).first();
    assert.deepEqual([rights.mailbox_limit, Boolean(rights.can_send)], [20, true]);
    await mailLoginOk(t, 'updatedname', 'newpassword');

    // The list and a user's mailboxes by number; the UUID never shows.
    const list = await t.mail('GET', '/api/users?limit=50&offset=0&sort=desc', { headers: admin });
    assert.equal(list.status, 200, list.text);
    assert.ok(
      list.body.every((u: { id: unknown; created_at: string }) => Number.isInteger(u.id) && SEED_TIME.test(u.created_at)),
      list.text,
    );
    assert.equal(list.body.find((u: { id: number }) => u.id === id).username, 'updatedname');
    assert.doesNotMatch(list.text, UUID);
    assert.deepEqual((await t.mail('GET', `/api/users/${id}/mailboxes`, { headers: admin })).body, []);

    // Still refused, with the document's 400: a password too short to be one. A number of nobody: 404.
    assertError(await t.mail('PATCH', `/api/users/${id}`, { headers: admin, body: { password: 'short' } }), 400, 'validation_error');
    assertError(await t.mail('PATCH', '/api/users/999999', { headers: admin, body: { mailboxLimit: 1 } }), 404);
    const removed = await t.mail('DELETE', `/api/users/${id}`, { headers: admin });
    assert.deepEqual(removed.body, { success: true });
    assert.equal(await userOf(id), undefined);
    // A number is never given again.
    const next = await t.mail('POST', '/api/users', { headers: admin, body: { username: unique('after'), password: 'A-good-pass-2026' } });
    assert.ok(next.body.id > id, next.text);
    assert.equal(next.headers.get('warning'), null, 'no advice for a good password');
  });

  it('PATCH /mail/api/users/1 (the document’s path): user 1, the first user, by number', async () => {
    const res = await t.mail('PATCH', '/api/users/1', { headers: admin, body: { mailboxLimit: 20 } });
    assert.equal(res.status, 200, res.text);
    const first = await t.db('auth_users').where('email', ADMIN.email).first('id');
    assert.equal((await t.db('mail_user_settings').where('user_id', first.id).first()).mailbox_limit, 20);
  });

  it('POST /api/mailboxes/pin and /reset-password take ?address= (as DELETE /api/mailboxes does) or the body', async () => {
    const address = await createMailbox(t, { headers: admin });
    const row = () => t.db('mail_mailboxes').where('address', address).first();
    const byQuery = await t.mail('POST', `/api/mailboxes/pin?address=${encodeURIComponent(address)}`, { headers: admin });
    assert.deepEqual([byQuery.status, byQuery.body], [200, { success: true, pinned: true }], byQuery.text);
    assert.equal(Boolean((await row()).is_pinned), true);
    const byBody = await t.mail('POST', '/api/mailboxes/pin', { headers: admin, body: { address } });
    assert.deepEqual(byBody.body, { success: true, pinned: false });
    assert.equal(Boolean((await row()).is_pinned), false);
    assert.deepEqual(assertError(await t.mail('POST', '/api/mailboxes/pin', { headers: admin }), 400).fields, [
      { path: 'body.address', message: 'is required (in the JSON body, or as ?address=)' },
    ]);

    // The document's change-password example sets one; reset clears it, by query or by body.
    const set = await t.mail('POST', '/api/mailboxes/change-password', { headers: admin, body: { address, new_password: 'newpassword123' } });
    assert.deepEqual([set.status, set.body], [200, { success: true }], set.text);
    assert.ok((await row()).password_hash);
    // A common one is taken too, with advice (the document's status list has no 422).
    const common = await t.mail('POST', '/api/mailboxes/change-password', { headers: admin, body: { address, new_password: 'password123' } });
    assert.deepEqual([common.status, common.body], [200, { success: true }], common.text);
    assert.match(common.headers.get('warning') ?? '', COMMON);
    const reset = await t.mail('POST', `/api/mailboxes/reset-password?address=${encodeURIComponent(address)}`, { headers: admin });
    assert.deepEqual([reset.status, reset.body], [200, { success: true }], reset.text);
    assert.equal((await row()).password_hash, null);
    await t.mail('POST', '/api/mailboxes/change-password', { headers: admin, body: { address, new_password: 'newpassword123' } });
    assert.deepEqual((await t.mail('POST', '/api/mailboxes/reset-password', { headers: admin, body: { address } })).body, { success: true });
    assert.equal((await row()).password_hash, null);
    assertError(await t.mail('POST', '/api/mailboxes/reset-password?address=nobody%40mail.test', { headers: admin }), 404, 'mailbox_not_found');
  });

  it("a mailbox's last mail is the second of the latest message, its row written once a second at most", async () => {
    const address = await createMailbox(t, { headers: admin }, unique('last'));
    const was = clock.now();
    const stored = async () => (await t.db('mail_mailboxes').where('address', address).first()).last_received_at;
    const listed = async () =>
      (await t.mail('GET', `/api/mailboxes?limit=500&domain=${DOMAIN}`, { headers: admin })).body.find((m: { address: string }) => m.address === address)
        .last_received_at;
    clock.set('2026-03-01T12:00:05.100Z');
    await send(t, { to: address, subject: 'one', text: 'x' });
    assert.equal(await stored(), '2026-03-01T12:00:05.000Z');
    clock.set('2026-03-01T12:00:05.900Z');
    await send(t, { to: address, subject: 'two', text: 'y' });
    assert.equal(await listed(), '2026-03-01 12:00:05', 'a second message in the same second: the same second');
    clock.set('2026-03-01T12:00:07.200Z');
    await send(t, { to: address, subject: 'three', text: 'z' });
    assert.equal(await stored(), '2026-03-01T12:00:07.000Z');
    assert.equal(await listed(), '2026-03-01 12:00:07');
    clock.set(was);
  });

  it('timestamps are the document’s "2024-01-01 00:00:00" (UTC) in lists and records; stored as ISO-8601', async () => {
    const address = await createMailbox(t, { headers: admin }, unique('times'));
    clock.set('2026-03-01T11:00:05.999Z');
    await send(t, { to: address, subject: 'Your code', text: 'Your verification code is 482913.' });
    const mailboxes = await t.mail('GET', `/api/mailboxes?limit=500&domain=${DOMAIN}`, { headers: admin });
    const box = mailboxes.body.find((m: { address: string }) => m.address === address);
    assert.deepEqual([box.created_at, box.expires_at, box.last_received_at], ['2026-03-01 10:20:30', '2026-03-02 10:20:30', '2026-03-01 11:00:05']);
    assert.equal((await t.db('mail_mailboxes').where('address', address).first()).created_at, NOW);

    const [email] = (await t.mail('GET', `/api/emails?mailbox=${encodeURIComponent(address)}&limit=20`, { headers: admin })).body;
    assert.equal(email.received_at, '2026-03-01 11:00:05');
    const one = await t.mail('GET', `/api/email/${email.id}`, { headers: admin });
    assert.equal(one.body.received_at, '2026-03-01 11:00:05');

    // GET /api/emails/batch: the document's fields, the R2 ones null (the raw mail is kept in the database).
    const batch = await t.mail('GET', `/api/emails/batch?ids=${email.id}`, { headers: admin });
    assert.equal(batch.status, 200, batch.text);
    assert.deepEqual(Object.keys(batch.body[0]).sort(), [
      'id',
      'is_read',
      'preview',
      'r2_bucket',
      'r2_object_key',
      'received_at',
      'sender',
      'subject',
      'to_addrs',
      'verification_code',
    ]);
    assert.deepEqual([batch.body[0].r2_bucket, batch.body[0].r2_object_key, batch.body[0].received_at], [null, null, '2026-03-01 11:00:05']);
    assert.equal(batch.body[0].verification_code, '482913');
  });

  it('the admin login shows mailbox_limit 9999 (no limit), as the document does; the quota keeps its -1 and its note', async () => {
    const { res } = await mailLogin(t, ADMIN.email, ADMIN.password);
    assert.deepEqual(res.body, { success: true, role: 'admin', strictAdmin: true, can_send: 1, mailbox_limit: 9999 });
    const quota = await t.mail('GET', '/api/user/quota', { headers: admin });
    assert.deepEqual({ ...quota.body, used: 0 }, { limit: -1, used: 0, remaining: -1, note: '管理员无邮箱数量限制' });
    assert.equal((await t.mail('GET', '/api/user/quota', { headers: { ...admin, ...EN } })).body.note, 'administrators have no mailbox limit');
  });

  it('the document’s messages: 密码修改成功 and 邮件已删除; English when Accept-Language asks for it', async () => {
    const address = await createMailbox(t, { headers: admin }, unique('own'));
    await t.mail('POST', '/api/mailboxes/change-password', { headers: admin, body: { address, new_password: 'oldpassword' } });
    await t.mail('POST', '/api/mailboxes/toggle-login', { headers: admin, body: { address, can_login: true } });
    const mailbox = await mailLoginOk(t, address, 'oldpassword');
    const changed = await t.mail('PUT', '/api/mailbox/password', { headers: mailbox, body: { currentPassword: 'oldpassword', newPassword: 'newpassword123' } });
    assert.equal(changed.status, 200, changed.text);
    assert.deepEqual(changed.body, { success: true, message: '密码修改成功' });
    assert.equal(changed.headers.get('content-language'), 'zh');
    const again = await mailLoginOk(t, address, 'newpassword123');
    const english = await t.mail('PUT', '/api/mailbox/password', {
      headers: { ...again, ...EN },
      body: { currentPassword: 'newpassword123', newPassword: 'A-better-pass-2026' },
    });
    assert.deepEqual(english.body, { success: true, message: 'password changed' });

    await send(t, { to: address, subject: 'one', text: 'x' });
    await send(t, { to: address, subject: 'two', text: 'y' });
    const [second, first] = (await t.mail('GET', `/api/emails?mailbox=${encodeURIComponent(address)}`, { headers: admin })).body;
    const removed = await t.mail('DELETE', `/api/email/${first.id}`, { headers: admin });
    assert.deepEqual(removed.body, { success: true, deleted: true, message: '邮件已删除' });
    assert.equal(await t.db('mail_emails').where('id', first.id).first(), undefined);
    assert.deepEqual((await t.mail('DELETE', `/api/email/${second.id}`, { headers: { ...admin, ...EN } })).body, {
      success: true,
      deleted: true,
      message: 'email deleted',
    });
  });
});
