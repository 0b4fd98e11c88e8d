import assert from 'node:assert/strict';
import { simpleParser } from 'mailparser';
import type { TestApp } from '../../../test/helpers/app.js';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import { startRelay } from '../../../test/helpers/smtp-relay.js';
import { api, authApp, BASE, eventually, loginAdmin } from './helpers.js';

// Issue 40: a user's `language` (My profile, PATCH /users/me) is what the admin UI speaks to them
// and what their mails are written in; a user who chose none gets the server's default
// (`settings.auth.mailLanguage`, English unless set). The mails go through a real SMTP relay here.

describe('auth: the language a user reads, and mails in it', () => {
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let t: TestApp;
  let chinese: Actor;
  let english: Actor;

  /** The mail the relay got for this address with this subject, parsed. */
  const received = (to: string, subject: string) =>
    eventually(async () => {
      for (const got of relay.received.filter((r) => r.to.includes(to))) {
        const parsed = await simpleParser(got.raw);
        if (parsed.subject === subject) return parsed;
      }
      throw new Error(`no mail "${subject}" to ${to} yet`);
    });

  before(async () => {
    relay = await startRelay();
    t = await authApp({ overrides: { mailer: { smtpUrl: relay.url } } });
    chinese = await registerOwner(t, 'zh');
    english = await registerOwner(t, 'en');
  });
  after(async () => {
    await t?.close();
    await relay?.close();
  });

  it('a user sets and clears their language; the profile, GET /auth/me and the row say it', async () => {
    let res = await api(t, 'PATCH', '/users/me', { headers: chinese.headers, body: { language: 'zh-CN' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.language, 'zh-CN');
    assert.equal((await t.app.db('auth_users').where('id', chinese.id).first('language')).language, 'zh-CN');
    assert.equal((await api(t, 'GET', '/auth/me', { headers: chinese.headers })).body.language, 'zh-CN');
    // Not chosen: null, everywhere.
    assert.equal((await api(t, 'GET', '/users/me', { headers: english.headers })).body.language, null);

    res = await api(t, 'PATCH', '/users/me', { headers: english.headers, body: { language: 'en' } });
    assert.equal(res.body.language, 'en');
    res = await api(t, 'PATCH', '/users/me', { headers: english.headers, body: { language: null } });
    assert.equal(res.status, 200);
    assert.equal(res.body.language, null);
    assert.equal((await t.app.db('auth_users').where('id', english.id).first('language')).language, null);
  });

  it('refuses a language Plinth does not ship, and one that is not a string, with 422 in the face envelope', async () => {
    for (const language of ['fr', 'zh-cn ', '', 42, ['zh-CN'], 'x'.repeat(5000)]) {
      const res = await api(t, 'PATCH', '/users/me', { headers: chinese.headers, body: { language } });
      assert.equal(res.status, 422, `${JSON.stringify(language).slice(0, 40)}: ${res.text}`);
    }
    assert.equal((await t.app.db('auth_users').where('id', chinese.id).first('language')).language, 'zh-CN');
  });

  it('the operator sets a user’s language too (PATCH /admin/users/:id), and it is in /openapi.json', async () => {
    const admin = await loginAdmin(t);
    const headers = { authorization: `Bearer ${admin.access_token}` };
    const res = await api(t, 'PATCH', `/admin/users/${english.id}`, { headers, body: { language: 'en' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.language, 'en');
    await api(t, 'PATCH', `/admin/users/${english.id}`, { headers, body: { language: null } });
    const spec = (await t.request('GET', '/openapi.json')).body;
    const patch = spec.paths[`${BASE}/users/me`].patch;
    const schema = JSON.stringify(patch.requestBody.content['application/json'].schema);
    assert.match(schema, /"language"/);
    assert.match(schema, /zh-CN/);
  });

  it('a user who chose Simplified Chinese gets the password reset mail in Chinese', async () => {
    const res = await api(t, 'POST', '/auth/forgot-password', { body: { email: chinese.email } });
    assert.equal(res.status, 200, res.text);
    const mail = await received(chinese.email, '重置您的密码');
    assert.match(mail.text ?? '', /请使用以下链接设置新密码（\d+ 分钟内有效，仅可使用一次）/);
    assert.match(mail.text ?? '', /http:\/\/plinth\.test\/admin\/auth\/reset-password\?token=/);
    assert.doesNotMatch(mail.text ?? '', /Choose a new password/);
  });

  it('a user who chose nothing gets it in the server’s default, English', async () => {
    await api(t, 'POST', '/auth/forgot-password', { body: { email: english.email } });
    const mail = await received(english.email, 'Reset your password');
    assert.match(mail.text ?? '', /Choose a new password with this link \(valid \d+ minutes, once\)/);
  });

  it('a sign-in link and an email verification follow the language too', async () => {
    await api(t, 'POST', '/auth/magic-link/request', { body: { email: chinese.email } });
    const link = await received(chinese.email, '您的登录链接');
    assert.match(link.text ?? '', /请使用以下链接登录 Plinth/);
    const res = await api(t, 'POST', '/auth/verify-email/request', { headers: chinese.headers });
    assert.equal(res.status, 200, res.text);
    const verify = await received(chinese.email, '验证您的邮箱地址');
    assert.match(verify.text ?? '', /请使用以下链接确认此邮箱地址（\d+ 小时内有效）/);
  });
});

describe('auth: settings.auth.mailLanguage, the server’s default for mails', () => {
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let t: TestApp;

  before(async () => {
    relay = await startRelay();
    t = await authApp({ auth: { mailLanguage: 'zh-CN' }, overrides: { mailer: { smtpUrl: relay.url } } });
  });
  after(async () => {
    await t?.close();
    await relay?.close();
  });

  it('writes to a user who chose nothing in the default; one who chose English still gets English', async () => {
    const none = await registerOwner(t, 'none');
    const en = await registerOwner(t, 'english');
    await api(t, 'PATCH', '/users/me', { headers: en.headers, body: { language: 'en' } });
    await api(t, 'POST', '/auth/forgot-password', { body: { email: none.email } });
    await api(t, 'POST', '/auth/forgot-password', { body: { email: en.email } });
    const subjects = await eventually(async () => {
      const got = await Promise.all(relay.received.map(async (r) => ({ to: r.to[0], subject: (await simpleParser(r.raw)).subject })));
      const mine = got.filter((g) => g.to === none.email || g.to === en.email);
      assert.ok(mine.filter((g) => /password|密码/i.test(g.subject ?? '')).length >= 2, JSON.stringify(mine));
      return mine;
    });
    assert.ok(
      subjects.some((s) => s.to === none.email && s.subject === '重置您的密码'),
      JSON.stringify(subjects),
    );
    assert.ok(
      subjects.some((s) => s.to === en.email && s.subject === 'Reset your password'),
      JSON.stringify(subjects),
    );
  });

  it('refuses a default Plinth does not ship at boot', async () => {
    await assert.rejects(authApp({ auth: { mailLanguage: 'fr' as never } }), /mailLanguage/);
  });
});
