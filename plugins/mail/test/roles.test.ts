// The role matrix: every mail endpoint, called once by each role (strictAdmin by cookie, by the
// root token as Bearer and as X-Admin-Token; a tenant owner = admin; a user made by POST
// /api/users; a signed-in mailbox; guest; anonymous), allowed or refused as the seed says.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { createAjv } from 'plinth/plugin';
import { emailReply, emailsReply } from '../routes/email-schemas.js';
import { domainsReply, mailboxesReply, quotaReply, sessionReply } from '../routes/schemas.js';
import { PASSWORD, registerOwner } from '../../../test/helpers/actors.js';
import { ADMIN, send, unique, type MailApp } from './helpers.js';
import { GUEST_PASSWORD, ROOT_TOKEN, mailLoginOk, startRelayApp } from './relay.js';

type Role = 'strictAdmin' | 'rootBearer' | 'rootHeader' | 'admin' | 'user' | 'mailbox' | 'guest' | 'anonymous';
const ROLES: Role[] = ['strictAdmin', 'rootBearer', 'rootHeader', 'admin', 'user', 'mailbox', 'guest', 'anonymous'];
const STRICT: Role[] = ['strictAdmin', 'rootBearer', 'rootHeader'];
const STAFF: Role[] = [...STRICT, 'admin'];
const SIGNED_IN: Role[] = [...STAFF, 'user', 'mailbox'];
const NOT_MAILBOX: Role[] = [...STAFF, 'user'];
const MAILBOX_PASSWORD = 'Mailbox-pass-2026';

/** What one role's calls refer to: things that role can see. */
interface Ctx {
  headers: Record<string, string>;
  box: string;
  boxId: number;
  spare: string;
  emailId: number;
  deletableId: number;
  sentId: string;
  target: { id: string; username: string };
  victimId: string;
}

interface Call {
  name: string;
  allow: Role[];
  /** The guest gets sample data here (200) instead of 403 guest_read_only. */
  guestSample?: boolean;
  req(c: Ctx): { method: string; path: string; body?: unknown; raw?: string; headers?: Record<string, string> };
}

const future = '2030-01-01T00:00:00.000Z';
const CALLS: Call[] = [
  { name: 'GET /api/session', allow: SIGNED_IN, guestSample: true, req: () => ({ method: 'GET', path: '/api/session' }) },
  { name: 'GET /api/domains', allow: SIGNED_IN, guestSample: true, req: () => ({ method: 'GET', path: '/api/domains' }) },
  { name: 'GET /api/generate', allow: NOT_MAILBOX, req: () => ({ method: 'GET', path: '/api/generate' }) },
  { name: 'POST /api/create', allow: NOT_MAILBOX, req: () => ({ method: 'POST', path: '/api/create', body: { local: unique('mx') } }) },
  { name: 'GET /api/mailboxes', allow: SIGNED_IN, guestSample: true, req: () => ({ method: 'GET', path: '/api/mailboxes' }) },
  { name: 'GET /api/user/quota', allow: SIGNED_IN, guestSample: true, req: () => ({ method: 'GET', path: '/api/user/quota' }) },
  { name: 'POST /api/mailboxes/pin', allow: SIGNED_IN, req: (c) => ({ method: 'POST', path: '/api/mailboxes/pin', body: { address: c.box } }) },
  {
    name: 'POST /api/mailbox/favorite',
    allow: SIGNED_IN,
    req: (c) => ({ method: 'POST', path: '/api/mailbox/favorite', body: { mailbox_id: c.boxId, is_favorite: true } }),
  },
  {
    name: 'POST /api/mailbox/forward',
    allow: SIGNED_IN,
    req: (c) => ({ method: 'POST', path: '/api/mailbox/forward', body: { mailbox_id: c.boxId, forward_to: null } }),
  },
  {
    name: 'POST /api/mailboxes/batch-favorite',
    allow: STRICT,
    req: (c) => ({ method: 'POST', path: '/api/mailboxes/batch-favorite', body: { mailbox_ids: [c.boxId], is_favorite: false } }),
  },
  {
    name: 'POST /api/mailboxes/batch-forward',
    allow: STRICT,
    req: (c) => ({ method: 'POST', path: '/api/mailboxes/batch-forward', body: { mailbox_ids: [c.boxId], forward_to: null } }),
  },
  {
    name: 'POST /api/mailboxes/batch-favorite-by-address',
    allow: STRICT,
    req: (c) => ({ method: 'POST', path: '/api/mailboxes/batch-favorite-by-address', body: { addresses: [c.box], is_favorite: true } }),
  },
  {
    name: 'POST /api/mailboxes/batch-forward-by-address',
    allow: STRICT,
    req: (c) => ({ method: 'POST', path: '/api/mailboxes/batch-forward-by-address', body: { addresses: [c.box], forward_to: null } }),
  },
  {
    name: 'POST /api/mailboxes/change-password',
    allow: STRICT,
    req: (c) => ({ method: 'POST', path: '/api/mailboxes/change-password', body: { address: c.spare, new_password: 'Spare-pass-2026' } }),
  },
  {
    name: 'POST /api/mailboxes/toggle-login',
    allow: STRICT,
    req: (c) => ({ method: 'POST', path: '/api/mailboxes/toggle-login', body: { address: c.spare, can_login: true } }),
  },
  {
    name: 'POST /api/mailboxes/batch-toggle-login',
    allow: STRICT,
    req: (c) => ({ method: 'POST', path: '/api/mailboxes/batch-toggle-login', body: { addresses: [c.spare], can_login: false } }),
  },
  {
    name: 'POST /api/mailboxes/reset-password',
    allow: STRICT,
    req: (c) => ({ method: 'POST', path: '/api/mailboxes/reset-password', body: { address: c.spare } }),
  },
  {
    name: 'PUT /api/mailbox/password',
    allow: ['mailbox'],
    req: () => ({ method: 'PUT', path: '/api/mailbox/password', body: { currentPassword: MAILBOX_PASSWORD, newPassword: MAILBOX_PASSWORD } }),
  },
  { name: 'GET /api/emails', allow: SIGNED_IN, guestSample: true, req: (c) => ({ method: 'GET', path: `/api/emails?mailbox=${c.box}` }) },
  { name: 'GET /api/emails/batch', allow: SIGNED_IN, req: (c) => ({ method: 'GET', path: `/api/emails/batch?ids=${c.emailId}` }) },
  { name: 'GET /api/emails/wait', allow: SIGNED_IN, req: (c) => ({ method: 'GET', path: `/api/emails/wait?mailbox=${c.box}&timeout=0` }) },
  { name: 'GET /api/email/:id', allow: SIGNED_IN, guestSample: true, req: (c) => ({ method: 'GET', path: `/api/email/${c.emailId}` }) },
  { name: 'GET /api/email/:id/download', allow: SIGNED_IN, req: (c) => ({ method: 'GET', path: `/api/email/${c.emailId}/download` }) },
  { name: 'DELETE /api/email/:id', allow: SIGNED_IN, req: (c) => ({ method: 'DELETE', path: `/api/email/${c.deletableId}` }) },
  { name: 'GET /api/sent', allow: SIGNED_IN, req: (c) => ({ method: 'GET', path: `/api/sent?from=${c.box}` }) },
  { name: 'GET /api/sent/:id', allow: SIGNED_IN, req: (c) => ({ method: 'GET', path: `/api/sent/${c.sentId}` }) },
  { name: 'GET /api/send/:id', allow: SIGNED_IN, req: (c) => ({ method: 'GET', path: `/api/send/${c.sentId}` }) },
  {
    name: 'PATCH /api/send/:id',
    allow: SIGNED_IN,
    req: (c) => ({ method: 'PATCH', path: `/api/send/${c.sentId}`, body: { scheduledAt: '2031-01-01T00:00:00.000Z' } }),
  },
  { name: 'POST /api/send/:id/cancel', allow: SIGNED_IN, req: (c) => ({ method: 'POST', path: `/api/send/${c.sentId}/cancel` }) },
  { name: 'DELETE /api/sent/:id', allow: SIGNED_IN, req: (c) => ({ method: 'DELETE', path: `/api/sent/${c.sentId}` }) },
  // The user has can_send off; a mailbox never sends.
  {
    name: 'POST /api/send',
    allow: STAFF,
    req: (c) => ({ method: 'POST', path: '/api/send', body: { from: c.box, to: 'x@outside.test', subject: 'matrix', text: 'x', scheduledAt: future } }),
  },
  {
    name: 'POST /api/send/batch',
    allow: STAFF,
    req: (c) => ({ method: 'POST', path: '/api/send/batch', body: [{ from: c.box, to: 'x@outside.test', subject: 'matrix', text: 'x', scheduledAt: future }] }),
  },
  { name: 'GET /api/users', allow: STRICT, req: () => ({ method: 'GET', path: '/api/users' }) },
  { name: 'POST /api/users', allow: STRICT, req: () => ({ method: 'POST', path: '/api/users', body: { username: unique('made'), password: PASSWORD } }) },
  { name: 'PATCH /api/users/:id', allow: STRICT, req: (c) => ({ method: 'PATCH', path: `/api/users/${c.target.id}`, body: { mailboxLimit: 5 } }) },
  { name: 'GET /api/users/:id/mailboxes', allow: STRICT, req: (c) => ({ method: 'GET', path: `/api/users/${c.target.id}/mailboxes` }) },
  {
    name: 'POST /api/users/assign',
    allow: STRICT,
    req: (c) => ({ method: 'POST', path: '/api/users/assign', body: { username: c.target.username, address: c.spare } }),
  },
  {
    name: 'POST /api/users/unassign',
    allow: STRICT,
    req: (c) => ({ method: 'POST', path: '/api/users/unassign', body: { username: c.target.username, address: c.spare } }),
  },
  { name: 'DELETE /api/users/:id', allow: STRICT, req: (c) => ({ method: 'DELETE', path: `/api/users/${c.victimId}` }) },
  {
    name: 'POST /receive',
    allow: STRICT,
    req: (c) => ({
      method: 'POST',
      path: `/receive?to=${c.box}`,
      raw: `From: a@outside.test\r\nTo: ${c.box}\r\nSubject: via receive\r\n\r\nhello\r\n`,
      headers: { 'content-type': 'message/rfc822' },
    }),
  },
  { name: 'DELETE /api/emails', allow: SIGNED_IN, req: (c) => ({ method: 'DELETE', path: `/api/emails?mailbox=${c.box}` }) },
  { name: 'DELETE /api/mailboxes', allow: NOT_MAILBOX, req: (c) => ({ method: 'DELETE', path: `/api/mailboxes?address=${c.spare}` }) },
];

describe('mail: the role matrix', () => {
  let t: MailApp;
  const ctx = {} as Record<Role, Ctx>;

  before(async function () {
    this.timeout(120_000);
    t = await startRelayApp();
    const strict = await mailLoginOk(t, ADMIN.email, ADMIN.password);
    const owner = await registerOwner(t);
    const userName = unique('member');
    const made = await t.mail('POST', '/api/users', { headers: strict, body: { username: userName, password: PASSWORD } });
    assert.equal(made.status, 201, made.text);
    const user = await mailLoginOk(t, userName, PASSWORD);

    const create = async (headers: Record<string, string>) => {
      const res = await t.mail('POST', '/api/create', { headers, body: { local: unique('rb') } });
      assert.equal(res.status, 200, res.text);
      return res.body.email as string;
    };
    const idOf = async (address: string) => Number((await t.db('mail_mailboxes').where('address', address).first('id')).id);
    const newUser = async () => {
      const username = unique('target');
      const res = await t.mail('POST', '/api/users', { headers: strict, body: { username, password: PASSWORD } });
      assert.equal(res.status, 201, res.text);
      return { id: res.body.id as string, username };
    };
    const build = async (headers: Record<string, string>, creator: Record<string, string>, sender: Record<string, string>, ownBox?: string): Promise<Ctx> => {
      const box = ownBox ?? (await create(creator));
      const spare = await create(creator);
      await send(t, { to: box, subject: 'first', text: 'Your code is 123456' });
      await send(t, { to: box, subject: 'second', text: 'delete me' });
      const ids = (
        await t
          .db('mail_emails')
          .where('mailbox_id', await idOf(box))
          .orderBy('id')
          .pluck('id')
      ).map(Number);
      assert.equal(ids.length, 2);
      const sent = await t.mail('POST', '/api/send', {
        headers: sender,
        body: { from: box, to: 'later@outside.test', subject: 'scheduled', text: 'x', scheduledAt: future },
      });
      assert.equal(sent.status, 200, sent.text);
      return {
        headers,
        box,
        boxId: await idOf(box),
        spare,
        emailId: ids[0],
        deletableId: ids[1],
        sentId: sent.body.id,
        target: await newUser(),
        victimId: (await newUser()).id,
      };
    };

    const rootBearer = { authorization: `Bearer ${ROOT_TOKEN}` };
    const rootHeader = { 'x-admin-token': ROOT_TOKEN };
    ctx.strictAdmin = await build(strict, strict, strict);
    ctx.rootBearer = await build(rootBearer, rootBearer, rootBearer);
    ctx.rootHeader = await build(rootHeader, rootHeader, rootHeader);
    ctx.admin = await build(owner.headers, owner.headers, owner.headers);
    // The user sends its scheduled message while can_send is on, then loses it.
    await t.mail('PATCH', `/api/users/${made.body.id}`, { headers: strict, body: { can_send: 1 } });
    ctx.user = await build(user, user, user);
    await t.mail('PATCH', `/api/users/${made.body.id}`, { headers: strict, body: { can_send: 0 } });
    // A mailbox (the strictAdmin's) with a password and login on; the strictAdmin scheduled a send from it.
    const mailboxAddress = await create(strict);
    assert.equal(
      (await t.mail('POST', '/api/mailboxes/change-password', { headers: strict, body: { address: mailboxAddress, new_password: MAILBOX_PASSWORD } })).status,
      200,
    );
    assert.equal((await t.mail('POST', '/api/mailboxes/toggle-login', { headers: strict, body: { address: mailboxAddress, can_login: true } })).status, 200);
    const mailbox = await mailLoginOk(t, mailboxAddress, MAILBOX_PASSWORD);
    ctx.mailbox = await build(mailbox, strict, strict, mailboxAddress);
    const guest = await mailLoginOk(t, 'guest', GUEST_PASSWORD);
    // Guest and anonymous aim at real things (the strictAdmin's); the guest's one message is sample id 1.
    const target = await build({}, strict, strict);
    ctx.anonymous = target;
    ctx.guest = { ...target, headers: guest, emailId: 1 };
  });
  after(async () => t?.close());

  for (const role of ROLES) {
    it(`${role}: every endpoint allowed or refused as the seed says`, async () => {
      const c = ctx[role];
      const wrong: string[] = [];
      for (const call of CALLS) {
        const r = call.req(c);
        const res = await t.mail(r.method, r.path, {
          headers: { ...c.headers, ...(r.headers ?? {}) },
          ...(r.body !== undefined ? { body: r.body } : {}),
          ...(r.raw !== undefined ? { raw: r.raw } : {}),
        });
        let expect: string;
        let ok: boolean;
        if (role === 'anonymous') {
          expect = '401';
          ok = res.status === 401 && typeof (res.body?.error ?? (res.body?.authenticated === false ? 'x' : undefined)) === 'string';
        } else if (role === 'guest') {
          expect = call.guestSample ? '200 sample' : '403 guest_read_only';
          ok = call.guestSample ? res.status === 200 : res.status === 403 && res.body?.code === 'guest_read_only';
        } else if (call.allow.includes(role)) {
          expect = '2xx';
          ok = res.status >= 200 && res.status < 300;
        } else {
          expect = '403';
          ok = res.status === 403 && typeof res.body?.error === 'string';
        }
        if (!ok) wrong.push(`${call.name}: expected ${expect}, got ${res.status} ${res.text.slice(0, 200)}`);
      }
      assert.deepEqual(wrong, []);
    });
  }

  it('guest sample data is not real data', async () => {
    const guest = ctx.guest.headers;
    const boxes = await t.mail('GET', '/api/mailboxes', { headers: guest });
    assert.deepEqual(
      boxes.body.map((m: any) => m.address),
      ['demo@example.com', 'sample@example.com'],
    );
    const emails = await t.mail('GET', `/api/emails?mailbox=${ctx.strictAdmin.box}`, { headers: guest });
    assert.ok(
      emails.body.every((e: any) => e.sender.endsWith('.example')),
      'sample mail, whatever mailbox is asked for',
    );
    assert.deepEqual((await t.mail('GET', '/api/domains', { headers: guest })).body, ['example.com']);
    const one = await t.mail('GET', '/api/email/1', { headers: guest });
    assert.equal(one.body.verification_code, '246810');
  });

  it('guest sample replies have the shapes the real routes document', async () => {
    // The guest's replies are made before any route runs, so checkReplies never sees them: checked here.
    const ajv = createAjv({ useDefaults: false });
    const guest = ctx.guest.headers;
    for (const [path, schema] of [
      ['/api/mailboxes', mailboxesReply],
      ['/api/domains', domainsReply],
      [`/api/emails?mailbox=${ctx.strictAdmin.box}`, emailsReply],
      ['/api/email/1', emailReply],
      ['/api/user/quota', quotaReply],
      ['/api/session', sessionReply],
    ] as const) {
      const res = await t.mail('GET', path, { headers: guest });
      assert.equal(res.status, 200, `${path}: ${res.text}`);
      assert.ok(ajv.validate(schema, res.body), `${path}: ${ajv.errorsText(ajv.errors)}`);
    }
  });

  it('a user without can_send is refused with cannot_send, on /api/send and /api/send/batch', async () => {
    const c = ctx.user;
    for (const [path, body] of [
      ['/api/send', { from: c.box, to: 'x@outside.test', subject: 's', text: 't' }],
      ['/api/send/batch', [{ from: c.box, to: 'x@outside.test', subject: 's', text: 't' }]],
    ] as const) {
      const res = await t.mail('POST', path, { headers: c.headers, body });
      assert.equal(res.status, 403, res.text);
      assert.equal(res.body.code, 'cannot_send');
    }
  });
});
