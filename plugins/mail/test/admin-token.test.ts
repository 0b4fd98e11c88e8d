// Seed 003 lists three ways to carry the root token: Authorization: Bearer, X-Admin-Token, and
// ?admin_token=. The mail face takes the query form with the header's power (links such as a
// download cannot carry headers); it never reaches a log line, and other faces still ignore it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createLogger } from 'plinth/plugin';
import { assertError, count, createMailbox, loginAdmin, send, startMailApp, unique, type MailApp } from './helpers.js';

const ROOT = `root-${randomBytes(24).toString('base64url')}`;

describe('mail: the root token as ?admin_token=', () => {
  let t: MailApp;
  const logged: string[] = [];
  const rootUses = async () => count(t.db('auth_audit_logs').where('action', 'auth.root_token.used'));

  before(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        logged.push(String(chunk));
        done();
      },
    });
    // trace: every line any part of the app writes, not only the access log.
    t = await startMailApp({ auth: { rootToken: ROOT }, logger: createLogger('trace', sink) });
  });
  after(async () => t?.close());

  it('works like the X-Admin-Token header on the mail face', async () => {
    const before = await rootUses();
    const viaQuery = await t.mail('GET', `/api/domains?admin_token=${encodeURIComponent(ROOT)}`);
    const viaHeader = await t.mail('GET', '/api/domains', { headers: { 'x-admin-token': ROOT } });
    assert.equal(viaQuery.status, 200, viaQuery.text);
    assert.deepEqual(viaQuery.body, viaHeader.body);
    assert.equal(await rootUses(), before + 2, 'each use is audited');

    // Root power: a mailbox made with the query token is a platform-level row.
    const res = await t.mail('POST', `/api/create?admin_token=${encodeURIComponent(ROOT)}`, { body: { local: unique('root') } });
    assert.equal(res.status, 200, res.text);
    const row = await t.db('mail_mailboxes').where('address', res.body.email).first();
    assert.equal(row.tenant_id, null);
  });

  it('a download link fetched with ?admin_token= returns the message', async () => {
    const admin = await loginAdmin(t);
    const address = await createMailbox(t, admin);
    await send(t, { to: address, subject: 'token link', text: 'body' });
    const [item] = (await t.mail('GET', `/api/emails?mailbox=${encodeURIComponent(address)}&admin_token=${encodeURIComponent(ROOT)}`)).body;
    const one = await t.mail('GET', `/api/email/${item.id}?admin_token=${encodeURIComponent(ROOT)}`);
    assert.equal(one.status, 200, one.text);
    const download = await fetch(`${t.url}${one.body.download}?admin_token=${encodeURIComponent(ROOT)}`);
    assert.equal(download.status, 200);
    assert.match(await download.text(), /Subject: token link/);
  });

  it('a wrong token is a 401 and nothing is made', async () => {
    const before = await count(t.db('mail_mailboxes'));
    assertError(await t.mail('POST', '/api/create?admin_token=wrong-wrong-wrong-wrong-wrong', { body: { local: unique('no') } }), 401);
    assert.equal(await count(t.db('mail_mailboxes')), before);
  });

  it('other faces still ignore the query form (rootTokenInQuery is off)', async () => {
    const res = await t.request('GET', `/api/v2/auth/me?admin_token=${encodeURIComponent(ROOT)}`);
    assert.equal(res.status, 401, res.text);
  });

  it('the token is in no log line', async () => {
    const text = logged.join('');
    assert.match(text, /"msg":"request"/, 'the access log was captured');
    assert.match(text, /"path":"\/mail\/api\/domains"/);
    assert.ok(!text.includes(ROOT), 'the root token was logged');
    assert.ok(!text.includes(encodeURIComponent(ROOT)), 'the encoded root token was logged');
  });
});
