// Mail domains stored in the database beside config/env (issue 13, item 4): a superadmin adds
// and removes them, offered to every tenant or to one; SMTP and the mailbox endpoints take them at
// once, on every instance sharing the database.
import assert from 'node:assert/strict';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import { AUTO_DOMAIN, DOMAIN, assertError, count, inbox, loginAdmin, send, sendFails, startMailApp, unique, type MailApp } from './helpers.js';

const ADMIN_DOMAINS = '/api/admin/domains';

describe('mail: domains in the database', () => {
  let t: MailApp;
  let admin: Actor;
  let ownerA: Actor;
  let ownerB: Actor;
  const domainRows = () => count(t.db('mail_domains'));
  const offered = async (actor: Actor): Promise<string[]> => {
    const res = await t.mail('GET', '/api/domains', { headers: actor.headers });
    assert.equal(res.status, 200, res.text);
    return res.body;
  };
  const add = (body: unknown, actor: Actor = admin) => t.mail('POST', ADMIN_DOMAINS, { headers: actor.headers, body });

  before(async () => {
    t = await startMailApp();
    admin = await loginAdmin(t);
    ownerA = await registerOwner(t, 'ownerA');
    ownerB = await registerOwner(t, 'ownerB');
  });
  after(async () => t?.close());

  it('lists the config domains as read-only, with their mailbox counts', async () => {
    const res = await t.mail('GET', ADMIN_DOMAINS, { headers: admin.headers });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.body.map((d: any) => [d.domain, d.source, d.read_only, d.tenant_id]),
      [
        [DOMAIN, 'config', true, null],
        [AUTO_DOMAIN, 'config', true, null],
      ],
    );
  });

  it('bad input is a 400 naming the field, and nothing is stored', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /domain/],
      [{ domain: '' }, /domain/],
      [{ domain: 'not a domain!' }, /domain .*not a valid domain name/],
      [{ domain: 'mail.example.com.' }, /domain .*must not end with a dot/],
      [{ domain: '10.0.0.1' }, /domain .*not an IP address/],
      [{ domain: '[::1]' }, /domain .*not an IP address/],
      [{ domain: 'intranet' }, /domain .*not a valid domain name/],
      [{ domain: `${'a'.repeat(64)}.example` }, /domain .*not a valid domain name/],
      [{ domain: 'ok.example', tenant_id: 'tenant-1' }, /tenant_id/],
      [{ domain: 'ok.example', tenant_id: '00000000-0000-4000-8000-000000000000' }, /tenant_id .*is not a tenant/],
      [{ domain: 'ok.example', mailbox_hours: 0 }, /mailbox_hours/],
      [{ domain: 'ok.example', extra: 1 }, /extra/],
    ];
    for (const [body, message] of cases) {
      const res = await add(body);
      const error = assertError(res, 400);
      assert.match(res.text, message, JSON.stringify(body));
      assert.ok(error.code, res.text);
    }
    assert.equal(await domainRows(), 0);
  });

  it('an IDN is stored as lower-case punycode; a duplicate (any case) or a config domain is 409', async () => {
    const res = await add({ domain: 'Bücher.Example' });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.domain, 'xn--bcher-kva.example');
    assert.equal(res.body.source, 'database');
    assert.deepEqual(await t.db('mail_domains').pluck('name'), ['xn--bcher-kva.example']);

    const again = assertError(await add({ domain: 'XN--BCHER-KVA.example' }), 409, 'domain_exists');
    assert.match(again.error, /already exists/);
    const config = assertError(await add({ domain: DOMAIN.toUpperCase() }), 409, 'domain_exists');
    assert.match(config.error, /comes from config/);
    assert.equal(await domainRows(), 1);

    const removed = await t.mail('DELETE', `${ADMIN_DOMAINS}/${encodeURIComponent('bücher.example')}`, { headers: admin.headers });
    assert.equal(removed.status, 200, removed.text);
    assert.equal(await domainRows(), 0);
  });

  it('a customer owner gets 403 on list, add and remove; without a login 401; nothing changes', async () => {
    await add({ domain: `${unique('kept')}.example` });
    const before = await t.db('mail_domains').select('name', 'tenant_id');
    assertError(await t.mail('GET', ADMIN_DOMAINS, { headers: ownerA.headers }), 403);
    assertError(await add({ domain: `${unique('mine')}.example` }, ownerA), 403);
    assertError(await add({ domain: `${unique('mine')}.example`, tenant_id: ownerA.tenantId }, ownerA), 403);
    assertError(await t.mail('DELETE', `${ADMIN_DOMAINS}/${before[0].name}`, { headers: ownerA.headers }), 403);
    assertError(await t.mail('DELETE', `${ADMIN_DOMAINS}/${before[0].name}`), 401);
    assertError(await t.mail('POST', ADMIN_DOMAINS, { body: { domain: 'anon.example' } }), 401);
    assert.deepEqual(await t.db('mail_domains').select('name', 'tenant_id'), before);
    await t.db('mail_domains').delete();
  });

  it('a domain added to every tenant: offered, a mailbox on it, mail over SMTP listed by the API', async () => {
    const domain = `${unique('all')}.example`;
    assert.equal((await add({ domain })).status, 201);
    const list = await offered(ownerA);
    assert.deepEqual(list.slice(0, 2), [DOMAIN, AUTO_DOMAIN], 'config domains keep their indexes');
    const index = list.indexOf(domain);
    assert.ok(index >= 2, JSON.stringify(list));
    assert.ok((await offered(ownerB)).includes(domain));

    const made = await t.mail('POST', '/api/create', { headers: ownerA.headers, body: { local: 'hello', domainIndex: index } });
    assert.equal(made.status, 200, made.text);
    assert.equal(made.body.email, `hello@${domain}`);
    assert.equal(typeof made.body.expires, 'number');
    const generated = await t.mail('GET', `/api/generate?domainIndex=${index}`, { headers: ownerB.headers });
    assert.equal(generated.status, 200, generated.text);
    assert.ok(generated.body.email.endsWith(`@${domain}`));

    await send(t, { to: `hello@${domain}`, subject: 'to a database domain', text: 'code 771204' });
    const mail = await inbox(t, ownerA, `hello@${domain}`);
    assert.deepEqual(
      mail.map((m) => m.subject),
      ['to a database domain'],
    );
    const row = await t.db('mail_emails as e').join('mail_mailboxes as m', 'm.id', 'e.mailbox_id').where('m.address', `hello@${domain}`).first('m.tenant_id');
    assert.equal(row.tenant_id, ownerA.tenantId);

    const err = await sendFails(send(t, { to: `nobody@${domain}`, subject: 'x', text: 'x' }));
    assert.equal(err.responseCode, 550, 'no mailbox, no mail (the domain does not create on first mail)');
  });

  it('a domain offered to one tenant is invisible and unusable for another', async () => {
    const domain = `${unique('only-a')}.example`;
    const res = await add({ domain, tenant_id: ownerA.tenantId });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.tenant_id, ownerA.tenantId);

    const seenByA = await offered(ownerA);
    const seenByB = await offered(ownerB);
    assert.ok(seenByA.includes(domain));
    assert.ok(!seenByB.includes(domain), 'another tenant does not see it');
    assert.ok((await offered(admin)).includes(domain), 'a superadmin sees every domain');

    // B cannot reach it by index: past its own list is a 400, and nothing is made at the domain.
    const before = await count(t.db('mail_mailboxes').where('domain', domain));
    assertError(await t.mail('POST', '/api/create', { headers: ownerB.headers, body: { local: 'stolen', domainIndex: seenByB.length } }), 400, 'bad_domain');
    for (let i = 0; i < seenByB.length; i++) {
      const made = await t.mail('POST', '/api/create', { headers: ownerB.headers, body: { local: unique('b'), domainIndex: i } });
      assert.notEqual(made.body.email?.split('@')[1], domain);
    }
    assert.equal(await count(t.db('mail_mailboxes').where('domain', domain)), before);

    const mine = await t.mail('POST', '/api/create', { headers: ownerA.headers, body: { local: 'only', domainIndex: seenByA.indexOf(domain) } });
    assert.equal(mine.status, 200, mine.text);
    await send(t, { to: `only@${domain}`, subject: 'for tenant A', text: 'x' });
    assert.equal((await inbox(t, ownerA, `only@${domain}`)).length, 1);
    assertError(await t.mail('GET', `/api/emails?mailbox=only@${domain}`, { headers: ownerB.headers }), 404);
  });

  it('remove: refused while mailboxes exist (409 naming the count), refused for config (409), 404 unknown; then removed and mail refused', async () => {
    const domain = `${unique('gone')}.example`;
    await add({ domain });
    const index = (await offered(ownerA)).indexOf(domain);
    for (const local of ['one', 'two'])
      assert.equal((await t.mail('POST', '/api/create', { headers: ownerA.headers, body: { local, domainIndex: index } })).status, 200);

    const busy = assertError(await t.mail('DELETE', `${ADMIN_DOMAINS}/${domain}`, { headers: admin.headers }), 409, 'domain_in_use');
    assert.match(busy.error, /2 mailboxes/);
    assert.equal(await count(t.db('mail_domains').where('name', domain)), 1);
    const config = assertError(await t.mail('DELETE', `${ADMIN_DOMAINS}/${DOMAIN}`, { headers: admin.headers }), 409, 'domain_from_config');
    assert.match(config.error, /comes from config/);
    assertError(await t.mail('DELETE', `${ADMIN_DOMAINS}/nowhere.example`, { headers: admin.headers }), 404, 'domain_not_found');

    for (const local of ['one', 'two'])
      assert.equal((await t.mail('DELETE', `/api/mailboxes?address=${local}@${domain}`, { headers: ownerA.headers })).status, 200);
    const removed = await t.mail('DELETE', `${ADMIN_DOMAINS}/${domain}`, { headers: admin.headers });
    assert.deepEqual([removed.status, removed.body], [200, { success: true, deleted: true }]);
    assert.equal(await count(t.db('mail_domains').where('name', domain)), 0);
    assert.ok(!(await offered(ownerA)).includes(domain));
    const err = await sendFails(send(t, { to: `one@${domain}`, subject: 'x', text: 'x' }));
    assert.equal(err.responseCode, 550);
    assert.match(String(err.response ?? err.message), /not a local domain/);
  });

  it('a domain added on one instance is taken at once by another sharing the database', async () => {
    const other = await startMailApp({ database: t.database });
    try {
      const domain = `${unique('shared')}.example`;
      assert.equal((await add({ domain })).status, 201);
      const index = (await offered(ownerA)).indexOf(domain);
      assert.equal((await t.mail('POST', '/api/create', { headers: ownerA.headers, body: { local: 'both', domainIndex: index } })).status, 200);
      await send(other, { to: `both@${domain}`, subject: 'via the other instance', text: 'x' });
      assert.equal((await inbox(t, ownerA, `both@${domain}`)).length, 1);
    } finally {
      await other.close();
    }
  });
});
