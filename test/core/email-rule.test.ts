// One email rule everywhere (issue 38): core/email.ts, behind every schema's `format: 'email'`
// (createAjv) and the checks made outside schemas. A dotless domain is a mail domain: `admin@localhost`
// is the first start's superadmin and `localhost` its temp-mail domain, so the config, the auth face,
// licensing, outgoing mail and the MCP mail tools all take it; junk is still refused.
import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import nodemailer from 'nodemailer';
import { isEmailAddress } from '../../core/email.js';
import { createAjv } from '../../core/validation.js';
import { login, registerOwner } from '../helpers/actors.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/processes.js';

const GOOD = [
  'admin@localhost',
  'x@localhost',
  'first.last+tag@example.com',
  "o'brien@example.co.uk",
  'user@mail-server',
  'user@xn--bcher-kva.de',
  'user@bücher.de',
  '用户@例子.广告',
  'a@b.c1',
  `${'l'.repeat(64)}@example.com`,
];
const BAD = [
  '',
  'plain',
  '@localhost',
  'x@',
  'x@@localhost',
  'x@localhost.',
  'x@.localhost',
  'x@-host',
  'x@host-',
  'x@ho_st',
  'x..y@localhost',
  '.x@localhost',
  'x.@localhost',
  'x y@localhost',
  'x@local host',
  '"x"@localhost',
  'x@[127.0.0.1]',
  'x@127.0.0.1',
  'x@123',
  'x@localhost\r\nBcc: victim@example.com',
  'x,y@localhost',
  '<x@localhost>',
  `${'l'.repeat(65)}@example.com`,
  `x@${'a'.repeat(64)}.com`,
  `x@${Array(64).fill('abc').join('.')}`,
];

describe('one email rule', () => {
  it('isEmailAddress takes dotless and IDN domains and refuses junk', () => {
    for (const good of GOOD) assert.equal(isEmailAddress(good), true, good);
    for (const bad of BAD) assert.equal(isEmailAddress(bad), false, JSON.stringify(bad));
    assert.equal(isEmailAddress(42), false);
  });

  it("createAjv's format 'email' (and 'idn-email') is that rule, where ajv-formats' alone refuses a dotless domain", () => {
    const ours = createAjv().compile({ type: 'string', format: 'email' });
    const idn = createAjv().compile({ type: 'string', format: 'idn-email' });
    for (const good of GOOD) assert.equal(ours(good) && idn(good), true, good);
    for (const bad of BAD) assert.equal(ours(bad) || idn(bad), false, JSON.stringify(bad));
    type AddFormats = (ajv: Ajv) => Ajv;
    const addFormats = (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);
    const stock = addFormats(new Ajv()).compile({ type: 'string', format: 'email' });
    assert.equal(stock('admin@localhost'), false, 'the stock rule this replaces');
  });
});

describe('one email rule: admin@localhost across the platform', function () {
  this.timeout(60_000);
  let t: TestApp;
  const admin = { email: 'admin@localhost', password: 'Localhost-admin-pass-7' };

  before(async () => {
    t = await createTestApp({
      plugins: ['auth', 'licensing', 'mail', 'agents'],
      env: { PLINTH_ADMIN_EMAIL: admin.email, PLINTH_ADMIN_PASSWORD: admin.password },
      settings: { mail: { domains: [{ name: 'localhost' }] } },
    });
  });
  after(async () => t?.close());

  it('PLINTH_ADMIN_EMAIL=admin@localhost starts the server and makes that superadmin, who signs in', async () => {
    const row = await t.app.db('auth_users').where('email', admin.email).first('is_superadmin');
    assert.equal(Boolean(row?.is_superadmin), true);
    const me = await t.request('GET', '/api/v2/users/me', { headers: (await login(t, admin.email, admin.password)).headers });
    assert.equal(me.body.email, admin.email);
  });

  it('the auth face takes x@localhost wherever it takes an email, and refuses junk with the field named', async () => {
    const owner = await registerOwner(t, 'localhost', { email: 'owner@localhost' });
    const patched = await t.request('PATCH', '/api/v2/users/me', { headers: owner.headers, body: { email: 'renamed@localhost' } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal((await t.app.db('auth_users').where('id', owner.id).first('email')).email, 'renamed@localhost');
    const root = await login(t, admin.email, admin.password);
    const tenant = await t.request('POST', '/api/v2/admin/tenants', { headers: root.headers, body: { name: 'Dotless', owner_email: 'boss@intranet' } });
    assert.equal(tenant.status, 201, tenant.text);
    for (const bad of ['x@localhost.', 'x@@localhost', 'x y@localhost']) {
      const res = await t.request('PATCH', '/api/v2/users/me', { headers: owner.headers, body: { email: bad } });
      assert.equal(res.status, 422, `${bad}: ${res.text}`);
      assert.deepEqual(
        res.body.detail.map((e: { loc: string[] }) => e.loc.join('.')),
        ['body.email'],
      );
    }
  });

  it('licensing generates for buyer@localhost and still refuses a malformed address', async () => {
    const root = await login(t, admin.email, admin.password);
    const made = await t.request('POST', '/license/api/admin/generate', { headers: root.headers, body: { plan: 'monthly', email: 'buyer@localhost' } });
    assert.equal(made.status, 200, made.text);
    assert.equal(made.body.success, true);
    const bad = await t.request('POST', '/license/api/admin/generate', { headers: root.headers, body: { plan: 'monthly', email: 'buyer@localhost.' } });
    assert.equal(bad.status, 400, bad.text);
  });

  it('mail_wait_for_code over MCP waits on x@localhost and returns its code; a junk mailbox is refused naming the argument', async () => {
    const owner = await registerOwner(t, 'mcp-localhost');
    const box = await t.request('POST', '/mail/api/create', { headers: owner.headers, body: { local: 'x' } });
    assert.equal(box.status, 200, box.text);
    assert.equal(box.body.email, 'x@localhost');
    const key = await t.request('POST', '/api/v2/api-keys', { headers: owner.headers, body: { name: 'agent', scopes: ['mail:use'] } });
    assert.equal(key.status, 201, key.text);
    const client = new Client({ name: 'email-rule', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { 'X-API-Key': key.body.raw_key } } }));
    try {
      const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: t.app.container.resolve('smtpPort'), secure: false, ignoreTLS: true });
      try {
        await smtp.sendMail({ from: 'shop@outside.test', to: 'x@localhost', subject: 'Your code', text: 'Your verification code is 482915.' });
      } finally {
        smtp.close();
      }
      type Result = { isError?: boolean; structuredContent?: { code: string | null }; content: Array<{ text?: string }> };
      const got = await waitFor('the code on x@localhost', async () => {
        const r = (await client.callTool({ name: 'mail_wait_for_code', arguments: { mailbox: 'x@localhost', timeoutSeconds: 5 } })) as Result;
        assert.notEqual(r.isError, true, JSON.stringify(r));
        return r.structuredContent?.code ? r : null;
      });
      assert.equal(got.structuredContent?.code, '482915');
      const junk = (await client.callTool({ name: 'mail_wait_for_code', arguments: { mailbox: 'x@localhost.', timeoutSeconds: 0 } })) as Result;
      assert.equal(junk.isError, true, JSON.stringify(junk));
      assert.match(junk.content[0].text ?? '', /arguments\.mailbox must match format \\"email\\"/);
    } finally {
      await client.close();
    }
  });
});
