import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import { type Actor, login, registerOwner } from '../../../test/helpers/actors.js';
import { AUTO_DOMAIN, HOUR, assertError, count, createMailbox, eventRows, inbox, loginAdmin, send, startMailApp, unique, type MailApp } from './helpers.js';
import { mailServices } from '../services/own.js';

describe('mail: the mail.received event', () => {
  let t: MailApp;
  let owner: Actor;
  before(async () => {
    t = await startMailApp();
    owner = await registerOwner(t);
  });
  after(async () => t?.close());

  it('one per stored message and mailbox, with mailbox, tenant, sender, subject, code and message id', async () => {
    const a = await createMailbox(t, owner);
    const b = await createMailbox(t, owner);
    const before = (await eventRows(t, 'mail.received')).length;
    const info = await send(t, {
      from: 'Shop <orders@shop.example>',
      to: [a, b],
      subject: 'Your login code',
      text: 'Your login code is 662081.',
      messageId: '<evt-1@shop.example>',
    });
    assert.deepEqual(info.accepted, [a, b]);
    const rows = (await eventRows(t, 'mail.received')).slice(before);
    assert.equal(rows.length, 2, 'right after the 250: written in the same transaction');
    const byMailbox = new Map(rows.map((r) => [r.payload.mailbox, r]));
    for (const address of [a, b]) {
      const row = byMailbox.get(address)!;
      assert.ok(row, address);
      assert.equal(row.tenant_id, owner.tenantId);
      assert.equal(row.payload.sender, 'orders@shop.example');
      assert.equal(row.payload.subject, 'Your login code');
      assert.equal(row.payload.verification_code, '662081');
      assert.equal(row.payload.message_id, '<evt-1@shop.example>');
      const email = await t.db('mail_emails').where('id', row.payload.email_id).first();
      assert.ok(email, 'the event names the stored email');
      assert.equal(Number(row.payload.mailbox_id), Number(email.mailbox_id));
    }
  });

  it('a mailbox that took mail and is then deleted takes no more; made again on first mail, the new one gets it', async () => {
    // The receiver keeps the mailboxes it delivered to: a delete must reach it at once.
    const named = await createMailbox(t, owner);
    await send(t, { to: named, subject: 'before', text: 'x' });
    const gone = await t.mail('DELETE', `/api/mailboxes?address=${named}`, { headers: owner.headers });
    assert.equal(gone.status, 200, gone.text);
    await assert.rejects(send(t, { to: named, subject: 'after', text: 'x' }), (err: any) => err.responseCode === 550);

    const address = `${unique('again')}@${AUTO_DOMAIN}`;
    await send(t, { to: address, subject: 'first', text: 'x' });
    const first = await t.db('mail_mailboxes').where('address', address).first('id');
    assert.ok(first, 'made on first mail');
    const admin = await loginAdmin(t);
    assert.equal((await t.mail('DELETE', `/api/mailboxes?address=${address}`, { headers: admin.headers })).status, 200);
    await send(t, { to: address, subject: 'second', text: 'x' });
    const second = await t.db('mail_mailboxes').where('address', address).first('id');
    assert.notEqual(Number(second.id), Number(first.id), 'a new mailbox');
    const stored = await t.db('mail_emails').where('mailbox_id', second.id).select('subject');
    assert.deepEqual(
      stored.map((m: any) => m.subject),
      ['second'],
    );
  });

  it('a refused message emits nothing', async () => {
    const before = (await eventRows(t, 'mail.received')).length;
    await assert.rejects(send(t, { to: `nobody@${'mail.test'}`, subject: 'x', text: 'x' }));
    assert.equal((await eventRows(t, 'mail.received')).length, before);
  });
});

describe('mail: the expiry job', () => {
  let t: MailApp;
  let owner: Actor;
  const clock = new ManualClock(new Date());
  before(async () => {
    t = await startMailApp({ clock });
    owner = await registerOwner(t);
  });
  after(async () => t?.close());

  it('removes mailboxes past their expiry (24 h by default, generated or named), with their mail; keeps the rest', async () => {
    const gen = await t.mail('GET', '/api/generate', { headers: owner.headers });
    assert.equal(gen.status, 200, gen.text);
    const generated = gen.body.email as string;
    assert.equal(gen.body.expires, clock.now().getTime() + 24 * HOUR);
    clock.advance(12 * HOUR);
    const noon = await login(t, owner.email); // access tokens are short-lived; the clock moved on
    const named = await t.mail('POST', '/api/create', { headers: noon.headers, body: { local: unique('named') } });
    assert.equal(named.body.expires, clock.now().getTime() + 24 * HOUR, 'a named mailbox has the same lifetime');
    const chosen = named.body.email as string;
    await send(t, { to: [generated, chosen], subject: 'before expiry', text: 'x' });
    await send(t, { to: generated, subject: 'again', text: 'x' });
    const box = await t.db('mail_mailboxes').where('address', generated).first();
    const ids = (await t.db('mail_emails').where('mailbox_id', box.id).select('id')).map((r: any) => Number(r.id));
    assert.equal(ids.length, 2);

    clock.advance(11 * HOUR);
    await t.app.scheduler.runNow('mail.expire-mailboxes');
    assert.equal(await count(t.db('mail_mailboxes').where('address', generated)), 1, 'not yet');

    clock.advance(1 * HOUR + 1000);
    await t.app.scheduler.runNow('mail.expire-mailboxes');
    assert.equal(await count(t.db('mail_mailboxes').where('address', generated)), 0);
    assert.equal(await count(t.db('mail_emails').whereIn('id', ids)), 0);
    assert.equal(await count(t.db('mail_raw').whereIn('email_id', ids)), 0);
    const later = await login(t, owner.email); // a day later: the access token from before has expired
    assertError(await t.mail('GET', `/api/emails?mailbox=${generated}`, { headers: later.headers }), 404);
    assert.equal((await inbox(t, later, chosen)).length, 1, 'the named mailbox, made 12 h later, is kept');
    // And it no longer takes mail.
    await assert.rejects(send(t, { to: generated, subject: 'late', text: 'x' }), (err: any) => err.responseCode === 550);
    const runs = await t.db('core_job_runs').where('job', 'mail.expire-mailboxes');
    assert.ok(runs.length >= 2);

    clock.advance(12 * HOUR);
    await t.app.scheduler.runNow('mail.expire-mailboxes');
    assert.equal(await count(t.db('mail_mailboxes').where('address', chosen)), 0, 'then the named one goes too');
  });

  it('a domain’s own lifetime overrides the default; the job deletes in bounded batches', async () => {
    const admin = await loginAdmin(t);
    const me = await login(t, owner.email); // the clock has moved on a day and a half
    const domain = `${unique('short')}.test`;
    const add = await t.mail('POST', '/api/admin/domains', { headers: admin.headers, body: { domain, mailbox_hours: 2 } });
    assert.equal(add.status, 201, add.text);
    const index = (await t.mail('GET', '/api/domains', { headers: me.headers })).body.indexOf(domain);
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await t.mail('POST', '/api/create', { headers: me.headers, body: { local: unique('b'), domainIndex: index } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.expires, clock.now().getTime() + 2 * HOUR);
      made.push(res.body.email);
    }
    const keeper = await createMailbox(t, me); // the default domain: 24 h
    clock.advance(2 * HOUR);
    const mailboxes = mailServices.of(t.app).mailboxes;
    // Batches of 2, at most 2 per run: 4 now, the last one on the next run.
    assert.equal(await mailboxes.expireDue(clock.now(), 2, 2), 4);
    assert.equal(await count(t.db('mail_mailboxes').whereIn('address', made)), 1);
    assert.equal(await mailboxes.expireDue(clock.now(), 2, 2), 1);
    assert.equal(await count(t.db('mail_mailboxes').whereIn('address', made)), 0);
    assert.equal(await count(t.db('mail_mailboxes').where('address', keeper)), 1, 'a mailbox not yet due is kept');
  });
});

describe('mail: billing (max_mailboxes)', () => {
  let t: MailApp;
  let owner: Actor;
  before(async () => {
    t = await startMailApp({ billing: true });
    owner = await registerOwner(t);
  });
  after(async () => t?.close());

  it('past the free plan’s 5 mailboxes: 402 naming max_mailboxes; deleting one frees a slot', async () => {
    const made: string[] = [];
    for (let i = 0; i < 4; i++) made.push(await createMailbox(t, owner));
    const gen = await t.mail('GET', '/api/generate', { headers: owner.headers });
    assert.equal(gen.status, 200, 'generated mailboxes count too');
    made.push(gen.body.email);

    const sixth = await t.mail('POST', '/api/create', { headers: owner.headers, body: { local: unique('sixth') } });
    assertError(sixth, 402);
    // A gauge: what is in use now and to remove some (there is no next period to wait for).
    assert.equal(sixth.body.error, 'plan limit reached for max_mailboxes on plan "free": 5 of 5 mailboxes in use; upgrade the plan or remove some');
    assertError(await t.mail('GET', '/api/generate', { headers: owner.headers }), 402);
    assert.equal(await count(t.db('mail_mailboxes').where('tenant_id', owner.tenantId)), 5, 'nothing made past the limit');

    // Another tenant has its own allowance.
    const other = await registerOwner(t);
    await createMailbox(t, other);

    const del = await t.mail('DELETE', `/api/mailboxes?address=${made[0]}`, { headers: owner.headers });
    assert.equal(del.status, 200, del.text);
    const again = await t.mail('POST', '/api/create', { headers: owner.headers, body: { local: unique('again') } });
    assert.equal(again.status, 200, again.text);
    assertError(await t.mail('POST', '/api/create', { headers: owner.headers, body: { local: unique('over') } }), 402);

    // A failed create (duplicate) does not use up a slot.
    await t.mail('DELETE', `/api/mailboxes?address=${made[1]}`, { headers: owner.headers });
    assertError(await t.mail('POST', '/api/create', { headers: owner.headers, body: { local: made[2].split('@')[0] } }), 409);
    assert.equal((await t.mail('POST', '/api/create', { headers: owner.headers, body: { local: unique('last') } })).status, 200);
  });

  it('a superadmin is never refused by the plan: on free, the operator makes a sixth mailbox, counted', async () => {
    const admin = await loginAdmin(t);
    const onFree = await t.api('PUT', `/admin/tenants/${admin.tenantId}/subscription`, { headers: admin.headers, body: { plan_id: 'free' } });
    assert.equal(onFree.status, 200, onFree.text);
    for (let i = 0; i < 6; i++) await createMailbox(t, admin);
    assert.equal(await count(t.db('mail_mailboxes').where('tenant_id', admin.tenantId)), 6);
    const usage = await t.db('billing_usage').where({ tenant_id: admin.tenantId, metric: 'max_mailboxes' }).first();
    assert.equal(Number(usage.used), 6, 'counted, so the gauge stays true');
    assert.equal((await t.api('PUT', `/admin/tenants/${admin.tenantId}/subscription`, { headers: admin.headers, body: { plan_id: 'operator' } })).status, 200);
  });

  it('expired generated mailboxes give their slots back', async () => {
    const clock = new ManualClock(new Date());
    const b = await startMailApp({ billing: true, clock });
    try {
      const me = await registerOwner(b);
      for (let i = 0; i < 5; i++) assert.equal((await b.mail('GET', '/api/generate', { headers: me.headers })).status, 200);
      assertError(await b.mail('POST', '/api/create', { headers: me.headers, body: { local: unique('full') } }), 402);
      clock.advance(25 * HOUR);
      await b.app.scheduler.runNow('mail.expire-mailboxes');
      const later = await login(b, me.email);
      assert.equal(await count(b.db('mail_mailboxes').where('tenant_id', me.tenantId)), 0);
      for (let i = 0; i < 5; i++) assert.equal((await b.mail('POST', '/api/create', { headers: later.headers, body: { local: unique('again') } })).status, 200);
      assertError(await b.mail('POST', '/api/create', { headers: later.headers, body: { local: unique('over') } }), 402);
    } finally {
      await b.close();
    }
  });

  it('mail still arrives at a tenant that is at its limit (receiving is not metered)', async () => {
    const me = await registerOwner(t);
    const boxes: string[] = [];
    for (let i = 0; i < 5; i++) boxes.push(await createMailbox(t, me));
    await send(t, { to: boxes, subject: 'to all five', text: 'x' });
    for (const b of boxes) assert.equal((await inbox(t, me, b)).length, 1);
    // A platform-level auto mailbox is not charged to anyone.
    await send(t, { to: `${unique('auto')}@${AUTO_DOMAIN}`, subject: 'x', text: 'x' });
  });
});

describe('mail: the lifetime settings', () => {
  let t: MailApp;
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  before(async () => {
    t = await startMailApp({ clock, mail: { mailboxLifetimeHours: 3, domains: [{ name: 'short.test' }, { name: 'long.test', mailboxHours: 48 }] } });
  });
  after(async () => t?.close());

  it('settings.mail.mailboxLifetimeHours is the default; a config domain’s mailboxHours overrides it', async () => {
    const admin = await loginAdmin(t);
    const short = await t.mail('POST', '/api/create', { headers: admin.headers, body: { local: 'a', domainIndex: 0 } });
    const long = await t.mail('GET', '/api/generate?domainIndex=1', { headers: admin.headers });
    assert.deepEqual([short.status, short.body], [200, { email: 'a@short.test', expires: Date.parse('2026-03-01T03:00:00.000Z') }]);
    assert.equal(long.body.expires, Date.parse('2026-03-03T00:00:00.000Z'));
    const listed = (await t.mail('GET', '/api/mailboxes', { headers: admin.headers })).body;
    assert.deepEqual(
      listed.map((m: any) => [m.address, m.expires]).sort(),
      [
        [long.body.email, long.body.expires],
        ['a@short.test', short.body.expires],
      ].sort(),
    );

    clock.advance(3 * HOUR);
    await t.app.scheduler.runNow('mail.expire-mailboxes');
    assert.deepEqual(await t.db('mail_mailboxes').pluck('address'), [long.body.email], 'the short one went, the long one stays');
  });
});

describe('mail: a config written before mailboxLifetimeHours', () => {
  let t: MailApp;
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  before(async () => {
    t = await startMailApp({ clock, mail: { generatedMailboxHours: 5, domains: [{ name: 'old.test' }] } });
  });
  after(async () => t?.close());

  it('still boots, and its generatedMailboxHours is the lifetime', async () => {
    const admin = await loginAdmin(t);
    const made = await t.mail('POST', '/api/create', { headers: admin.headers, body: { local: 'b', domainIndex: 0 } });
    assert.deepEqual([made.status, made.body], [200, { email: 'b@old.test', expires: Date.parse('2026-03-01T05:00:00.000Z') }]);
  });
});
