// /mail/api/login, /api/session, /api/logout and the mailbox's own password: platform users (by
// email and by username), mailboxes (can_login + password), guest, over real HTTP with cookies.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { PASSWORD, registerOwner } from '../../../test/helpers/actors.js';
import { ADMIN, DOMAIN, assertError, unique, type MailApp } from './helpers.js';
import { GUEST_PASSWORD, ROOT_TOKEN, mailLogin, mailLoginOk, startRelayApp } from './relay.js';

describe('mail: /api/login, /api/session, /api/logout', () => {
  let t: MailApp;
  let admin: Record<string, string>;
  const root = { authorization: `Bearer ${ROOT_TOKEN}` };

  before(async () => {
    t = await startRelayApp();
    admin = await mailLoginOk(t, ADMIN.email, ADMIN.password);
  });
  after(async () => t?.close());

  /** A mailbox made by the superadmin, with a password and login on. */
  async function loginMailbox(password = 'Mailbox-pass-2026', canLogin = true): Promise<string> {
    const local = unique('mbx');
    const made = await t.mail('POST', '/api/create', { headers: admin, body: { local } });
    assert.equal(made.status, 200, made.text);
    const address = made.body.email;
    assert.equal((await t.mail('POST', '/api/mailboxes/change-password', { headers: admin, body: { address, new_password: password } })).status, 200);
    if (canLogin) assert.equal((await t.mail('POST', '/api/mailboxes/toggle-login', { headers: admin, body: { address, can_login: true } })).status, 200);
    return address;
  }

  it('the superadmin by email: strictAdmin, can_send 1, no mailbox limit; HttpOnly cookie', async () => {
    const { res } = await mailLogin(t, ADMIN.email, ADMIN.password);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { success: true, role: 'admin', strictAdmin: true, can_send: 1, mailbox_limit: 9999 });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('plinth_session='));
    assert.ok(cookie, 'the platform session cookie');
    assert.match(cookie!, /httponly/i);
    const session = await t.mail('GET', '/api/session', { headers: admin });
    assert.equal(session.status, 200, session.text);
    assert.deepEqual({ ...session.body, username: undefined }, { authenticated: true, role: 'admin', strictAdmin: true, username: undefined });
  });

  it('a user made by POST /api/users signs in by username (any case) and by the same password only', async () => {
    const username = unique('Alice');
    const created = await t.mail('POST', '/api/users', { headers: admin, body: { username, password: PASSWORD, mailboxLimit: 3 } });
    assert.equal(created.status, 201, created.text);
    const { res } = await mailLogin(t, username, PASSWORD);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { success: true, role: 'user', strictAdmin: false, can_send: 0, mailbox_limit: 3 });
    assert.equal((await mailLogin(t, username.toLowerCase(), PASSWORD)).res.status, 200);
    const headers = { cookie: (await mailLogin(t, username, PASSWORD)).headers.cookie };
    const session = await t.mail('GET', '/api/session', { headers });
    assert.deepEqual(session.body, { authenticated: true, role: 'user', username: session.body.username, strictAdmin: false });
  });

  it('a tenant owner by email is admin (not strictAdmin)', async () => {
    const owner = await registerOwner(t);
    const { res, headers } = await mailLogin(t, owner.email, PASSWORD);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.role, 'admin');
    assert.equal(res.body.strictAdmin, false);
    const session = await t.mail('GET', '/api/session', { headers });
    assert.equal(session.body.role, 'admin');
    assert.equal(session.body.strictAdmin, false);
  });

  it('a wrong password is 401 with the same message as an unknown user or mailbox address', async () => {
    const address = await loginMailbox();
    const wrongUser = await t.mail('POST', '/api/login', { body: { username: ADMIN.email, password: 'not-the-password-1' } });
    const unknownUser = await t.mail('POST', '/api/login', { body: { username: 'nobody-here@people.test', password: 'not-the-password-1' } });
    const unknownName = await t.mail('POST', '/api/login', { body: { username: 'nobody_here', password: 'not-the-password-1' } });
    const wrongMailbox = await t.mail('POST', '/api/login', { body: { username: address, password: 'not-the-password-1' } });
    const unknownMailbox = await t.mail('POST', '/api/login', { body: { username: `nobody@${DOMAIN}`, password: 'not-the-password-1' } });
    for (const res of [wrongUser, unknownUser, unknownName, wrongMailbox, unknownMailbox]) {
      assertError(res, 401);
      assert.equal(res.body.error, wrongUser.body.error, 'one message for every failure');
      assert.equal(res.body.code, wrongUser.body.code);
      assert.equal(res.headers.getSetCookie().length, 0, 'no cookie');
    }
    assertError(await t.mail('POST', '/api/login', { body: { username: ADMIN.email } }), 400);
  });

  it('a mailbox signs in with its own password while can_login is on; sees only itself', async () => {
    const address = await loginMailbox('Mailbox-pass-2026');
    const { res, headers } = await mailLogin(t, address.toUpperCase(), 'Mailbox-pass-2026');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { success: true, role: 'mailbox', can_send: 0, mailbox_limit: 1, mailbox: address });
    assert.match(res.headers.getSetCookie().join('\n'), /plinth_mail_session=[^;]+;.*httponly/i);
    const session = await t.mail('GET', '/api/session', { headers });
    assert.deepEqual(session.body, { authenticated: true, role: 'mailbox', username: address, strictAdmin: false });
    const list = await t.mail('GET', '/api/mailboxes', { headers });
    assert.deepEqual(
      list.body.map((m: any) => m.address),
      [address],
    );
  });

  it('a mailbox login is refused while can_login is off, and when no password was ever set', async () => {
    const off = await loginMailbox('Mailbox-pass-2026', false);
    assertError((await mailLogin(t, off, 'Mailbox-pass-2026')).res, 401);
    const made = await t.mail('POST', '/api/create', { headers: admin, body: { local: unique('nopw') } });
    const noPassword = made.body.email;
    await t.mail('POST', '/api/mailboxes/toggle-login', { headers: admin, body: { address: noPassword, can_login: true } });
    for (const guess of ['', ' ', 'password', 'null']) {
      const res = await t.mail('POST', '/api/login', { body: { username: noPassword, password: guess } });
      assert.ok(res.status === 401 || res.status === 400, res.text);
    }
  });

  it('turning can_login off ends the mailbox sessions at once; reset-password ends them and the login', async () => {
    const address = await loginMailbox('Mailbox-pass-2026');
    const headers = await mailLoginOk(t, address, 'Mailbox-pass-2026');
    assert.equal((await t.mail('GET', '/api/session', { headers })).status, 200);
    await t.mail('POST', '/api/mailboxes/toggle-login', { headers: admin, body: { address, can_login: false } });
    assertError(await t.mail('GET', '/api/mailboxes', { headers }), 401);
    await t.mail('POST', '/api/mailboxes/toggle-login', { headers: admin, body: { address, can_login: true } });

    const again = await mailLoginOk(t, address, 'Mailbox-pass-2026');
    const reset = await t.mail('POST', '/api/mailboxes/reset-password', { headers: admin, body: { address } });
    assert.equal(reset.status, 200, reset.text);
    const session = await t.mail('GET', '/api/session', { headers: again });
    assert.equal(session.status, 401);
    assert.deepEqual(session.body, { authenticated: false });
    assert.equal(
      await t
        .db('mail_sessions')
        .count({ n: '*' })
        .where('mail_sessions.mailbox_id', t.db('mail_mailboxes').select('id').where('address', address))
        .then((r: any) => Number(r[0].n)),
      0,
      'its sessions are gone',
    );
    assertError((await mailLogin(t, address, 'Mailbox-pass-2026')).res, 401);
    // reset also turns login off: a new password alone does not bring it back.
    await t.mail('POST', '/api/mailboxes/change-password', { headers: admin, body: { address, new_password: 'Another-pass-2026' } });
    assertError((await mailLogin(t, address, 'Another-pass-2026')).res, 401);
    await t.mail('POST', '/api/mailboxes/toggle-login', { headers: admin, body: { address, can_login: true } });
    await mailLoginOk(t, address, 'Another-pass-2026');
  });

  it('change-password by the superadmin ends the sessions made with the old password', async () => {
    const address = await loginMailbox('Mailbox-pass-2026');
    const headers = await mailLoginOk(t, address, 'Mailbox-pass-2026');
    await t.mail('POST', '/api/mailboxes/change-password', { headers: admin, body: { address, new_password: 'Changed-pass-2026' } });
    assertError(await t.mail('GET', '/api/mailboxes', { headers }), 401);
    assertError((await mailLogin(t, address, 'Mailbox-pass-2026')).res, 401);
    await mailLoginOk(t, address, 'Changed-pass-2026');
  });

  it('PUT /api/mailbox/password: the mailbox changes its own (current one required, strength checked)', async () => {
    const address = await loginMailbox('Mailbox-pass-2026');
    const headers = await mailLoginOk(t, address, 'Mailbox-pass-2026');
    assertError(
      await t.mail('PUT', '/api/mailbox/password', { headers, body: { currentPassword: 'wrong-one-2026', newPassword: 'Mine-pass-2026!' } }),
      403,
      'wrong_password',
    );
    assertError(await t.mail('PUT', '/api/mailbox/password', { headers, body: { currentPassword: 'Mailbox-pass-2026', newPassword: 'short' } }), 400);
    const ok = await t.mail('PUT', '/api/mailbox/password', { headers, body: { currentPassword: 'Mailbox-pass-2026', newPassword: 'Mine-pass-2026!' } });
    assert.equal(ok.status, 200, ok.text);
    assertError((await mailLogin(t, address, 'Mailbox-pass-2026')).res, 401);
    await mailLoginOk(t, address, 'Mine-pass-2026!');
    assertError(
      await t.mail('PUT', '/api/mailbox/password', { headers: admin, body: { currentPassword: 'x', newPassword: 'Mine-pass-2026!' } }),
      403,
      'mailbox_only',
    );
    assertError(await t.mail('PUT', '/api/mailbox/password', { body: { currentPassword: 'x', newPassword: 'Mine-pass-2026!' } }), 401);
  });

  it('guest signs in with the guest password only; its session says guest', async () => {
    assertError((await mailLogin(t, 'guest', 'not-the-guest-pass')).res, 401);
    const { res, headers } = await mailLogin(t, 'Guest', GUEST_PASSWORD);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { success: true, role: 'guest', can_send: 0, mailbox_limit: 0 });
    const session = await t.mail('GET', '/api/session', { headers });
    assert.deepEqual(session.body, { authenticated: true, role: 'guest', username: 'guest', strictAdmin: false });
    // A signed-in guest can still sign out.
    assert.equal((await t.mail('POST', '/api/logout', { headers })).status, 200);
    assert.equal((await t.mail('GET', '/api/session', { headers })).status, 401);
  });

  it('without a guest password, guest cannot sign in with anything', async () => {
    const other = await startRelayApp({ guest: false });
    try {
      for (const password of [GUEST_PASSWORD, '', 'guest', 'null']) {
        const res = await other.mail('POST', '/api/login', { body: { username: 'guest', password } });
        assert.ok(res.status === 401 || res.status === 400, res.text);
      }
    } finally {
      await other.close();
    }
  });

  it('/api/session: 401 {authenticated:false} without credentials or with a bad cookie; the root token is strictAdmin', async () => {
    const none = await t.mail('GET', '/api/session');
    assert.equal(none.status, 401);
    assert.deepEqual(none.body, { authenticated: false });
    const junk = await t.mail('GET', '/api/session', { headers: { cookie: 'plinth_mail_session=junk; plinth_session=junk' } });
    assert.equal(junk.status, 401);
    assert.deepEqual(junk.body, { authenticated: false });
    for (const headers of [root, { 'x-admin-token': ROOT_TOKEN }]) {
      const res = await t.mail('GET', '/api/session', { headers });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.strictAdmin, true);
      assert.equal(res.body.role, 'admin');
    }
  });

  it('/api/logout ends the session on the server: the old cookie is 401 afterwards (platform and mailbox)', async () => {
    const platform = await mailLoginOk(t, ADMIN.email, ADMIN.password);
    assert.equal((await t.mail('GET', '/api/session', { headers: platform })).status, 200);
    const out = await t.mail('POST', '/api/logout', { headers: platform });
    assert.equal(out.status, 200, out.text);
    assert.deepEqual(out.body, { success: true });
    assert.ok(
      out.headers.getSetCookie().some((c) => /^plinth_session=;/.test(c)),
      'the cookie is cleared',
    );
    assert.equal((await t.mail('GET', '/api/session', { headers: platform })).status, 401, 'the old platform cookie no longer works');
    assertError(await t.mail('GET', '/api/mailboxes', { headers: platform }), 401);

    const address = await loginMailbox();
    const mailbox = await mailLoginOk(t, address, 'Mailbox-pass-2026');
    assert.equal((await t.mail('POST', '/api/logout', { headers: mailbox })).status, 200);
    assert.equal((await t.mail('GET', '/api/session', { headers: mailbox })).status, 401, 'the old mailbox cookie no longer works');
    // Logging out without a session is harmless.
    assert.equal((await t.mail('POST', '/api/logout')).status, 200);
  });
});
