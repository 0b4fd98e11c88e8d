// Temp mail out of the box (issue 13, item 4): with no domain configured, the mail plugin takes
// mail for the host of server.publicUrl (the test apps' publicUrl is http://plinth.test), so a
// first start can make mailboxes and receive mail over SMTP without any setting.
import assert from 'node:assert/strict';
import { count, createMailbox, inbox, loginAdmin, send, sendFails, startMailApp, unique, type MailApp } from './helpers.js';

describe('mail: the default domain is the host of server.publicUrl', () => {
  let t: MailApp;
  before(async () => {
    t = await startMailApp({ mail: { domains: [], domainNames: [] } });
  });
  after(async () => t?.close());

  it('GET /api/domains lists the host alone', async () => {
    const admin = await loginAdmin(t);
    const res = await t.mail('GET', '/api/domains', { headers: admin.headers });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, ['plinth.test']);
  });

  it('a mailbox on it receives mail sent over SMTP, and the API lists it', async () => {
    const admin = await loginAdmin(t);
    const address = await createMailbox(t, admin, unique('first'));
    assert.match(address, /@plinth\.test$/);
    await send(t, { to: address, subject: 'Hello from the first start', text: 'Your code is 482913' });
    const mail = await inbox(t, admin, address);
    assert.equal(mail.length, 1);
    assert.equal(mail[0].subject, 'Hello from the first start');
    assert.equal(await count(t.db('mail_emails')), 1);
  });

  it('mail for another domain is still refused, and nothing is stored', async () => {
    const err = await sendFails(send(t, { to: 'someone@elsewhere.test', subject: 'x', text: 'x' }));
    assert.equal(err.responseCode, 550, String(err));
    assert.equal(await count(t.db('mail_emails')), 1);
  });
});
