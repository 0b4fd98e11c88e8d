import assert from 'node:assert/strict';
import { type Actor, addUser, registerOwner } from '../../../test/helpers/actors.js';
import { AUTO_DOMAIN, assertError, createMailbox, inbox, loginAdmin, send, startMailApp, unique, type MailApp } from './helpers.js';

describe('mail: roles and tenant isolation', () => {
  let t: MailApp;
  // Tenant A: owner, an admin and two members; tenant B: its owner. Plus the platform superadmin.
  let ownerA: Actor;
  let adminA: Actor;
  let member1: Actor;
  let member2: Actor;
  let ownerB: Actor;
  let superadmin: Actor;
  const boxes: Record<string, string> = {};
  const mailIds: Record<string, number> = {};

  before(async () => {
    t = await startMailApp();
    ownerA = await registerOwner(t, 'ownera');
    adminA = await addUser(t, ownerA.tenantId, 'admin', { label: 'admina' });
    member1 = await addUser(t, ownerA.tenantId, 'member', { label: 'memberone' });
    member2 = await addUser(t, ownerA.tenantId, 'member', { label: 'membertwo' });
    ownerB = await registerOwner(t, 'ownerb');
    superadmin = await loginAdmin(t);
    for (const [name, actor] of Object.entries({ ownerA, adminA, member1, member2, ownerB })) {
      boxes[name] = await createMailbox(t, actor, unique(name.toLowerCase()));
      await send(t, { to: boxes[name], subject: `for ${name}`, text: `Your verification code is 40${Object.keys(boxes).length}123.` });
      mailIds[name] = (await inbox(t, actor, boxes[name]))[0].id;
    }
    // A platform-level mailbox (created on first mail at a domain with no tenant).
    boxes.platform = `${unique('platform')}@${AUTO_DOMAIN}`;
    await send(t, { to: boxes.platform, subject: 'platform', text: 'x' });
  });
  after(async () => t?.close());

  const listed = async (actor: Actor) => {
    const res = await t.mail('GET', '/api/mailboxes?limit=500', { headers: actor.headers });
    assert.equal(res.status, 200, res.text);
    return new Set<string>(res.body.map((m: any) => m.address));
  };

  it('the owner and an admin (admin role) see every mailbox of their tenant, and only those', async () => {
    for (const actor of [ownerA, adminA]) {
      const seen = await listed(actor);
      assert.deepEqual([...seen].sort(), [boxes.ownerA, boxes.adminA, boxes.member1, boxes.member2].sort());
      assert.equal((await inbox(t, actor, boxes.member1)).length, 1, 'reads a member’s mail');
      const one = await t.mail('GET', `/api/email/${mailIds.member2}`, { headers: actor.headers });
      assert.equal(one.status, 200);
    }
  });

  it('a member (user role) sees only the mailboxes they created', async () => {
    assert.deepEqual([...(await listed(member1))], [boxes.member1]);
    assert.deepEqual([...(await listed(member2))], [boxes.member2]);
    assertError(await t.mail('GET', `/api/emails?mailbox=${boxes.member2}`, { headers: member1.headers }), 404);
    assertError(await t.mail('GET', `/api/emails?mailbox=${boxes.ownerA}`, { headers: member1.headers }), 404);
    assertError(await t.mail('GET', `/api/email/${mailIds.member2}`, { headers: member1.headers }), 404);
    assertError(await t.mail('GET', `/api/email/${mailIds.ownerA}/download`, { headers: member1.headers }), 404);
    assertError(await t.mail('DELETE', `/api/email/${mailIds.member2}`, { headers: member1.headers }), 404);
    assertError(await t.mail('DELETE', `/api/mailboxes?address=${boxes.member2}`, { headers: member1.headers }), 404);
    const batch = await t.mail('GET', `/api/emails/batch?ids=${mailIds.member1},${mailIds.member2},${mailIds.ownerA}`, { headers: member1.headers });
    assert.deepEqual(
      batch.body.map((e: any) => e.id),
      [mailIds.member1],
    );
  });

  it('the superadmin (strictAdmin) sees every mailbox, across tenants and platform-level', async () => {
    const seen = await listed(superadmin);
    for (const address of Object.values(boxes)) assert.ok(seen.has(address), address);
    for (const id of Object.values(mailIds)) assert.equal((await t.mail('GET', `/api/email/${id}`, { headers: superadmin.headers })).status, 200);
  });

  it('tenant B never sees or reads tenant A’s mailboxes or mail', async () => {
    const seen = await listed(ownerB);
    assert.deepEqual([...seen], [boxes.ownerB]);
    for (const name of ['ownerA', 'adminA', 'member1', 'member2']) {
      const id = mailIds[name];
      assertError(await t.mail('GET', `/api/email/${id}`, { headers: ownerB.headers }), 404, 'email_not_found');
      assertError(await t.mail('GET', `/api/email/${id}/download`, { headers: ownerB.headers }), 404);
      assertError(await t.mail('DELETE', `/api/email/${id}`, { headers: ownerB.headers }), 404);
      assertError(await t.mail('GET', `/api/emails?mailbox=${boxes[name]}`, { headers: ownerB.headers }), 404, 'mailbox_not_found');
      assertError(await t.mail('GET', `/api/emails/wait?mailbox=${boxes[name]}&timeout=1`, { headers: ownerB.headers }), 404);
      assertError(await t.mail('DELETE', `/api/emails?mailbox=${boxes[name]}`, { headers: ownerB.headers }), 404);
      assertError(await t.mail('DELETE', `/api/mailboxes?address=${boxes[name]}`, { headers: ownerB.headers }), 404);
    }
    const batch = await t.mail('GET', `/api/emails/batch?ids=${Object.values(mailIds).join(',')}`, { headers: ownerB.headers });
    assert.deepEqual(
      batch.body.map((e: any) => e.id),
      [mailIds.ownerB],
    );
    // A tenant never sees platform-level mailboxes.
    assertError(await t.mail('GET', `/api/emails?mailbox=${boxes.platform}`, { headers: ownerB.headers }), 404, 'mailbox_not_found');
    // Nothing of A was touched by B's attempts.
    assert.equal((await inbox(t, ownerA, boxes.member1)).length, 1);
    assert.equal((await listed(ownerA)).size, 4);
  });

  it('mailbox rows and mail rows carry the tenant', async () => {
    const rows = await t.db('mail_mailboxes').whereIn('address', [boxes.member1, boxes.ownerB]).orderBy('id');
    assert.deepEqual(
      rows.map((r: any) => r.tenant_id),
      [ownerA.tenantId, ownerB.tenantId],
    );
    assert.equal(rows[0].owner_user_id, member1.id);
    const mail = await t.db('mail_emails').whereIn('id', [mailIds.member1, mailIds.ownerB]).orderBy('id');
    assert.deepEqual(
      mail.map((r: any) => r.tenant_id),
      [ownerA.tenantId, ownerB.tenantId],
    );
  });

  it('an owner may delete a member’s mailbox in their tenant; a member may delete their own', async () => {
    const extra = await createMailbox(t, member2);
    const res = await t.mail('DELETE', `/api/mailboxes?address=${extra}`, { headers: ownerA.headers });
    assert.equal(res.status, 200, res.text);
    const own = await createMailbox(t, member1);
    assert.equal((await t.mail('DELETE', `/api/mailboxes?address=${own}`, { headers: member1.headers })).status, 200);
  });

  it('POST /receive is for the platform: owners, admins and members get 403', async () => {
    for (const actor of [ownerA, adminA, member1, ownerB]) {
      const res = await fetch(`${t.url}/mail/receive?to=${boxes.member1}`, {
        method: 'POST',
        headers: { 'content-type': 'message/rfc822', ...actor.headers },
        body: 'Subject: x\r\n\r\nx\r\n',
      });
      assert.equal(res.status, 403);
    }
    assert.equal((await inbox(t, ownerA, boxes.member1)).length, 1);
  });
});
