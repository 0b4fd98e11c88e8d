// Longer than most (~400 lines): the whole temp-mail face (mailboxes, mail, long-poll, /receive) against one app.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import {
  AUTO_DOMAIN,
  DOMAIN,
  HOUR,
  assertError,
  compose,
  count,
  createMailbox,
  inbox,
  transport,
  loginAdmin,
  send,
  startMailApp,
  unique,
  type MailApp,
} from './helpers.js';

import { usingPostgres } from '../../../test/helpers/database.js';
import { mailServices } from '../services/own.js';
import { reserveIds } from 'plinth/plugin';

const ROOT = `root-${randomBytes(24).toString('base64url')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mail: the API (mailboxes, mail, long-poll, /receive)', () => {
  let t: MailApp;
  let owner: Actor;
  let admin: Actor;
  before(async () => {
    t = await startMailApp({ auth: { rootToken: ROOT }, mail: { smtp: { maxMessageBytes: 20 * 1024 } } });
    owner = await registerOwner(t);
    admin = await loginAdmin(t);
  });
  after(async () => t?.close());

  const receive = (body: Buffer | string, query = '', headers: Record<string, string> = { authorization: `Bearer ${ROOT}` }) =>
    fetch(`${t.url}/mail/receive${query}`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822', ...headers },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    }).then(async (res) => ({ status: res.status, body: await res.json() }));

  describe('credentials and unknown paths', () => {
    it('401 {error} without credentials', async () => {
      for (const [method, path] of [
        ['GET', '/api/domains'],
        ['GET', '/api/mailboxes'],
        ['GET', `/api/emails?mailbox=a@${DOMAIN}`],
        ['GET', '/api/email/1'],
        ['POST', '/api/create'],
      ]) {
        assertError(await t.mail(method, path, method === 'POST' ? { body: { local: 'x' } } : {}), 401);
      }
      const res = await receive('Subject: x\r\n\r\nx\r\n', `?to=a@${DOMAIN}`, {});
      assert.equal(res.status, 401);
      assert.equal(typeof res.body.error, 'string');
    });

    it('an unknown path under /mail is 404 {error}', async () => {
      assertError(await t.mail('GET', '/api/nope', { headers: owner.headers }), 404);
      assertError(await t.mail('GET', '/nothing/here'), 404);
    });
  });

  describe('mailboxes', () => {
    it('GET /api/domains lists the configured domains in order', async () => {
      const res = await t.mail('GET', '/api/domains', { headers: owner.headers });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, [DOMAIN, AUTO_DOMAIN]);
    });

    it('GET /api/generate: a random local part that expires in about 24 hours', async () => {
      const a = await t.mail('GET', '/api/generate', { headers: owner.headers });
      const b = await t.mail('GET', '/api/generate?length=12&domainIndex=1', { headers: owner.headers });
      assert.equal(a.status, 200, a.text);
      assert.match(a.body.email, new RegExp(`^[a-z0-9]{10}@${DOMAIN.replace('.', '\\.')}$`));
      assert.match(b.body.email, new RegExp(`^[a-z0-9]{12}@${AUTO_DOMAIN.replace('.', '\\.')}$`));
      assert.notEqual(a.body.email.split('@')[0], b.body.email.split('@')[0].slice(0, 10));
      assert.equal(typeof a.body.expires, 'number');
      assert.ok(Math.abs(a.body.expires - (Date.now() + 24 * HOUR)) < 60_000, `expires ${new Date(a.body.expires).toISOString()}`);
      const row = await t.db('mail_mailboxes').where('address', a.body.email).first();
      assert.equal(row.tenant_id, owner.tenantId);
      assert.equal(row.owner_user_id, owner.id);
      assert.equal(Date.parse(row.expires_at), a.body.expires);
      // It receives mail right away.
      await send(t, { to: a.body.email, subject: 'to a generated box', text: 'hi' });
      assert.equal((await inbox(t, owner, a.body.email)).length, 1);
    });

    it('GET /api/generate: domainIndex out of range is 400; a bad length is 400', async () => {
      assertError(await t.mail('GET', '/api/generate?domainIndex=2', { headers: owner.headers }), 400, 'bad_domain');
      assertError(await t.mail('GET', '/api/generate?length=2', { headers: owner.headers }), 400);
    });

    it('POST /api/create: chosen name (lower-cased, expires like a generated one); 409 on a duplicate; 400 on a bad local part', async () => {
      const local = unique('Chosen');
      const res = await t.mail('POST', '/api/create', { headers: owner.headers, body: { local } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.email, `${local.toLowerCase()}@${DOMAIN}`);
      assert.equal(typeof res.body.expires, 'number', 'epoch milliseconds, as the seed and /api/generate');
      assert.ok(Math.abs(res.body.expires - (Date.now() + 24 * HOUR)) < 60_000, `expires ${new Date(res.body.expires).toISOString()}`);
      const made = await t.db('mail_mailboxes').where('address', res.body.email).first();
      assert.equal(Date.parse(made.expires_at), res.body.expires);
      const dup = await t.mail('POST', '/api/create', { headers: owner.headers, body: { local: local.toUpperCase() } });
      assertError(dup, 409, 'mailbox_exists');
      // Another tenant cannot take it either: addresses are global.
      const other = await registerOwner(t);
      assertError(await t.mail('POST', '/api/create', { headers: other.headers, body: { local } }), 409);
      for (const bad of ['-dash', 'dot.', 'sp ace', 'ümlaut', 'a@b', '']) {
        const r = await t.mail('POST', '/api/create', { headers: owner.headers, body: { local: bad } });
        assertError(r, 400);
      }
      assertError(await t.mail('POST', '/api/create', { headers: owner.headers, body: { local: 'ok', domainIndex: 9 } }), 400, 'bad_domain');
      const onAuto = await t.mail('POST', '/api/create', { headers: owner.headers, body: { local: unique('onauto'), domainIndex: 1 } });
      assert.equal(onAuto.status, 200);
      assert.ok(onAuto.body.email.endsWith(`@${AUTO_DOMAIN}`));
    });

    it('GET /api/mailboxes: the seed fields; filters domain, favorite, forward; limit and offset', async () => {
      const me = await registerOwner(t);
      const plain = await createMailbox(t, me, unique('plain'));
      const fav = await createMailbox(t, me, unique('fav'));
      const fwd = await createMailbox(t, me, unique('fwd'));
      const auto = await createMailbox(t, me, unique('auto'), 1);
      await t.db('mail_mailboxes').where('address', fav).update({ is_favorite: true });
      await t.db('mail_mailboxes').where('address', fwd).update({ forward_to: 'backup@elsewhere.example' });

      const all = await t.mail('GET', '/api/mailboxes', { headers: me.headers });
      assert.equal(all.status, 200);
      assert.deepEqual(
        all.body.map((m: any) => m.address),
        [auto, fwd, fav, plain],
        'newest first',
      );
      const fwdRow = all.body.find((m: any) => m.address === fwd);
      for (const key of ['id', 'address', 'created_at', 'is_pinned', 'password_is_default', 'can_login', 'forward_to', 'is_favorite'])
        assert.ok(key in fwdRow, key);
      assert.equal(fwdRow.forward_to, 'backup@elsewhere.example');
      assert.equal(fwdRow.is_pinned, 0);
      assert.equal(fwdRow.password_is_default, 1);
      assert.equal(fwdRow.can_login, 0);

      const q = async (query: string) => (await t.mail('GET', `/api/mailboxes?${query}`, { headers: me.headers })).body.map((m: any) => m.address);
      assert.deepEqual(await q(`domain=${AUTO_DOMAIN}`), [auto]);
      assert.deepEqual(await q(`domain=${DOMAIN}`), [fwd, fav, plain]);
      assert.deepEqual(await q('favorite=true'), [fav]);
      assert.deepEqual(await q('favorite=false'), [auto, fwd, plain]);
      assert.deepEqual(await q('forward=true'), [fwd]);
      assert.deepEqual(await q('forward=false'), [auto, fav, plain]);
      assert.deepEqual(await q('limit=2'), [auto, fwd]);
      assert.deepEqual(await q('limit=2&offset=2'), [fav, plain]);
      assert.deepEqual(await q('offset=4'), []);
      assertError(await t.mail('GET', '/api/mailboxes?limit=501', { headers: me.headers }), 400);
      assertError(await t.mail('GET', '/api/mailboxes?limit=0', { headers: me.headers }), 400);
    });

    it('DELETE /api/mailboxes?address=: the mailbox and all its mail (rows and raw bytes) go', async () => {
      const address = await createMailbox(t, owner);
      const keep = await createMailbox(t, owner);
      await send(t, { to: [address, keep], subject: 'one', text: 'one' });
      await send(t, { to: address, subject: 'two', text: 'two' });
      const box = await t.db('mail_mailboxes').where('address', address).first();
      const ids = (await t.db('mail_emails').where('mailbox_id', box.id).select('id')).map((r: any) => Number(r.id));
      assert.equal(ids.length, 2);
      const res = await t.mail('DELETE', `/api/mailboxes?address=${encodeURIComponent(address)}`, { headers: owner.headers });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { success: true, deleted: true });
      assert.equal(await count(t.db('mail_mailboxes').where('address', address)), 0);
      assert.equal(await count(t.db('mail_emails').whereIn('id', ids)), 0);
      assert.equal(await count(t.db('mail_raw').whereIn('email_id', ids)), 0);
      assert.equal((await inbox(t, owner, keep)).length, 1, 'the other recipient keeps its copy');
      assertError(await t.mail('GET', `/api/email/${ids[0]}`, { headers: owner.headers }), 404);
      assertError(await t.mail('DELETE', `/api/mailboxes?address=${encodeURIComponent(address)}`, { headers: owner.headers }), 404);
      // Mail to it is now refused at RCPT.
      await assert.rejects(send(t, { to: address, subject: 'late', text: 'late' }), (err: any) => err.responseCode === 550);
    });
  });

  describe('mail', () => {
    let address: string;
    let ids: number[];
    before(async () => {
      address = await createMailbox(t, owner);
      for (const subject of ['first', 'second', 'third']) await send(t, { to: address, subject, text: `${subject} body` });
      ids = (await inbox(t, owner, address)).map((e) => e.id);
    });

    it('GET /api/emails: newest first, limit; 404 for a mailbox that is not there; 400 without mailbox', async () => {
      const list = await inbox(t, owner, address);
      assert.deepEqual(
        list.map((e) => e.subject),
        ['third', 'second', 'first'],
      );
      const limited = await t.mail('GET', `/api/emails?mailbox=${address}&limit=2`, { headers: owner.headers });
      assert.deepEqual(
        limited.body.map((e: any) => e.subject),
        ['third', 'second'],
      );
      for (const key of ['id', 'sender', 'subject', 'received_at', 'is_read', 'preview', 'verification_code']) assert.ok(key in list[0], key);
      assertError(await t.mail('GET', `/api/emails?mailbox=nobody@${DOMAIN}`, { headers: owner.headers }), 404);
      assertError(await t.mail('GET', '/api/emails', { headers: owner.headers }), 400);
      assertError(await t.mail('GET', `/api/emails?mailbox=${address}&limit=51`, { headers: owner.headers }), 400);
    });

    it('GET /api/emails/batch?ids=: the metadata of the ones asked for (to_addrs included)', async () => {
      const res = await t.mail('GET', `/api/emails/batch?ids=${ids[0]},${ids[2]},999999`, { headers: owner.headers });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(
        res.body.map((e: any) => e.subject),
        ['third', 'first'],
      );
      assert.equal(res.body[0].to_addrs, address);
      assert.equal(res.body[0].sender, 'sender@outside.test');
      assertError(await t.mail('GET', '/api/emails/batch?ids=abc', { headers: owner.headers }), 400);
      const tooMany = Array.from({ length: 51 }, (_, i) => i + 1).join(',');
      assertError(await t.mail('GET', `/api/emails/batch?ids=${tooMany}`, { headers: owner.headers }), 400);
    });

    it('DELETE /api/email/:id removes one message (and its raw bytes); 404 after', async () => {
      const [id] = ids;
      const res = await t.mail('DELETE', `/api/email/${id}`, { headers: owner.headers });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.success, true);
      assert.equal(res.body.deleted, true);
      assert.equal(await count(t.db('mail_raw').where('email_id', id)), 0);
      assertError(await t.mail('GET', `/api/email/${id}`, { headers: owner.headers }), 404, 'email_not_found');
      assertError(await t.mail('DELETE', `/api/email/${id}`, { headers: owner.headers }), 404);
      assertError(await t.mail('GET', `/api/email/${id}/download`, { headers: owner.headers }), 404);
      assertError(await t.mail('GET', '/api/email/abc', { headers: owner.headers }), 400);
      assert.deepEqual(
        (await inbox(t, owner, address)).map((e) => e.subject),
        ['second', 'first'],
      );
    });

    it('DELETE /api/emails?mailbox= empties the mailbox and says how many went (deletedCount)', async () => {
      const before = await count(t.db('mail_raw'));
      const res = await t.mail('DELETE', `/api/emails?mailbox=${address}`, { headers: owner.headers });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { success: true, deletedCount: 2 });
      assert.deepEqual(await inbox(t, owner, address), []);
      assert.equal(await count(t.db('mail_raw')), before - 2);
      assert.equal(await count(t.db('mail_mailboxes').where('address', address)), 1, 'the mailbox stays');
    });
  });

  describe('GET /api/emails/wait (long-poll)', () => {
    it('returns as soon as a message arrives over SMTP', async () => {
      const address = await createMailbox(t, owner);
      const started = Date.now();
      const waiting = t.mail('GET', `/api/emails/wait?mailbox=${address}&timeout=20`, { headers: owner.headers });
      await sleep(300);
      await send(t, { to: address, subject: 'Your code', text: 'Your verification code is 551903.' });
      const res = await waiting;
      const elapsed = Date.now() - started;
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.length, 1);
      assert.equal(res.body[0].verification_code, '551903');
      assert.ok(elapsed < 5000, `took ${elapsed} ms`);
    });

    it('returns what is already there at once; [] at the timeout; since= skips what was seen', async () => {
      const address = await createMailbox(t, owner);
      await send(t, { to: address, subject: 'old', text: 'old' });
      const now = await t.mail('GET', `/api/emails/wait?mailbox=${address}&timeout=20`, { headers: owner.headers });
      assert.deepEqual(
        now.body.map((e: any) => e.subject),
        ['old'],
      );
      const since = now.body[0].id;
      const started = Date.now();
      const empty = await t.mail('GET', `/api/emails/wait?mailbox=${address}&since=${since}&timeout=1`, { headers: owner.headers });
      assert.equal(empty.status, 200);
      assert.deepEqual(empty.body, []);
      assert.ok(Date.now() - started >= 900, 'it waited for the timeout');
      const waiting = t.mail('GET', `/api/emails/wait?mailbox=${address}&since=${since}&timeout=20`, { headers: owner.headers });
      await sleep(200);
      // Mail to another mailbox does not wake it with a wrong answer.
      const other = await createMailbox(t, owner);
      await send(t, { to: other, subject: 'elsewhere', text: 'x' });
      await send(t, { to: address, subject: 'new', text: 'new' });
      assert.deepEqual(
        (await waiting).body.map((e: any) => e.subject),
        ['new'],
      );
    });

    it('two instances on one database: mail taken by one instance’s SMTP receiver wakes a long-poll on the other (PostgreSQL)', async function () {
      if (!usingPostgres) this.skip(); // SQLite is one instance; several need PostgreSQL (or Redis) pub/sub
      const second = await startMailApp({ database: t.database, auth: { rootToken: ROOT } });
      try {
        const address = await createMailbox(t, owner);
        const started = Date.now();
        const waiting = t.mail('GET', `/api/emails/wait?mailbox=${address}&timeout=20`, { headers: owner.headers });
        await sleep(500);
        await send(second, { to: address, subject: 'via the other MX', text: 'Your code: 808142' });
        const res = await waiting;
        assert.deepEqual(
          res.body.map((e: any) => e.verification_code),
          ['808142'],
        );
        assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
      } finally {
        await second.close();
      }
    });

    it('mail for one mailbox commits in id order across instances: a long-poll’s since never skips a late commit (PostgreSQL)', async function () {
      if (!usingPostgres) this.skip(); // SQLite has one writer at a time
      const address = await createMailbox(t, owner);
      const { id: mailboxId } = await t.app.db('mail_mailboxes').where({ address }).first('id');
      const waitingOnLock = async (like: string) =>
        Number(
          (await t.app.db.raw("SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE ? AND pid <> pg_backend_pid()", [like]))
            .rows[0].n,
        ) > 0;
      const until = async (what: string, check: () => Promise<boolean>) => {
        for (let tries = 0; !(await check()); tries++) {
          assert.ok(tries < 400, what);
          await sleep(25);
        }
      };
      // This instance's batch stops after taking its id, before its rows are in (mail_raw is held).
      const holder = await t.app.db.transaction();
      const otherInstance = await t.app.db.transaction();
      try {
        await holder.raw('LOCK TABLE mail_raw IN SHARE MODE');
        const sending = send(t, { to: address, subject: 'taken first', text: 'first' });
        await until('the batch never reached mail_raw', () => waitingOnLock('%mail_raw%'));
        // Another instance's batch for the same mailbox takes its id after: it must wait for the first to commit.
        let later: number[] | undefined;
        const reserving = reserveIds(otherInstance, 'mail_emails', 1, { table: 'mail_mailboxes', ids: [mailboxId] }).then((ids) => (later = ids));
        await until('the second batch did not wait for the first', () => waitingOnLock('%FOR NO KEY UPDATE%'));
        assert.equal(later, undefined);
        await holder.commit();
        await sending;
        await reserving;
        const [first] = await inbox(t, owner, address);
        assert.equal(first.subject, 'taken first');
        assert.ok(later![0] > first.id, `the later batch's id ${later![0]} comes after ${first.id}, which was visible before it`);
      } finally {
        for (const trx of [holder, otherInstance]) if (!trx.isCompleted()) await trx.rollback().catch(() => undefined);
      }
    });

    it('two instances store mail for the same mailboxes at once: all stored, no deadlock, a follower of since sees each once (PostgreSQL)', async function () {
      if (!usingPostgres) this.skip();
      this.timeout(60_000);
      const second = await startMailApp({ database: t.database, auth: { rootToken: ROOT } });
      const boxes = [await createMailbox(t, owner), await createMailbox(t, owner), await createMailbox(t, owner)];
      const followed = boxes[0];
      const pools = [t, second].map((app) => transport(app, { pool: true, maxConnections: 4, maxMessages: Infinity }));
      const seen: number[] = [];
      let sent = false;
      const follow = (async () => {
        let since = 0;
        for (;;) {
          const url: string = `/api/emails/wait?mailbox=${followed}&since=${since}&timeout=${sent ? 1 : 5}`;
          const res: { status: number; text: string; body: unknown } = await t.mail('GET', url, { headers: owner.headers });
          assert.equal(res.status, 200, res.text);
          const ids: number[] = (res.body as Array<{ id: number }>).map((e) => e.id);
          if (!ids.length && sent) return;
          seen.push(...ids);
          since = Math.max(since, ...ids);
        }
      })();
      try {
        // 40 messages, each to two of the three mailboxes in a different order, half through each instance.
        const orders = [
          [0, 1],
          [1, 0],
          [0, 2],
          [2, 0],
          [1, 2],
        ];
        const infos = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            pools[i % 2].sendMail({ from: 'both@outside.test', to: orders[i % orders.length].map((b) => boxes[b]), subject: `both ${i}`, text: `${i}` }),
          ),
        );
        assert.ok(infos.every((info) => /^250 /.test(info.response)));
      } finally {
        sent = true;
        for (const pool of pools) pool.close();
      }
      await follow;
      await second.close();
      const stored = (
        await t.db('mail_emails as e').join('mail_mailboxes as m', 'm.id', 'e.mailbox_id').where('m.address', followed).orderBy('e.id').select('e.id')
      ).map((r) => Number(r.id));
      assert.equal(stored.length, 32, 'every message to the followed mailbox is stored');
      assert.deepEqual(
        [...seen].sort((a, b) => a - b),
        stored,
        'the follower saw each once',
      );
    });

    it('a long-poll the client gives up on is let go at once (no listener left behind)', async () => {
      const address = await createMailbox(t, owner);
      const ingest = mailServices.of(t.app).ingest;
      const before = ingest.waiting;
      const aborted = new AbortController();
      const gone = fetch(`${t.url}/mail/api/emails/wait?mailbox=${address}&timeout=30`, { headers: owner.headers, signal: aborted.signal }).catch(
        () => 'aborted',
      );
      await sleep(300);
      assert.equal(ingest.waiting, before + 1);
      aborted.abort();
      assert.equal(await gone, 'aborted');
      await sleep(200);
      assert.equal(ingest.waiting, before);
    });

    it('timeout beyond longPollMaxSeconds is 400; a mailbox not visible is 404 at once', async () => {
      assertError(await t.mail('GET', `/api/emails/wait?mailbox=x@${DOMAIN}&timeout=61`, { headers: owner.headers }), 400);
      const other = await registerOwner(t);
      const theirs = await createMailbox(t, other);
      assertError(await t.mail('GET', `/api/emails/wait?mailbox=${theirs}&timeout=5`, { headers: owner.headers }), 404);
    });
  });

  describe('POST /receive', () => {
    it('the root token delivers a raw message to ?to=; stored byte for byte', async () => {
      const address = await createMailbox(t, owner);
      const raw = await compose({ to: 'someone-else@outside.test', subject: 'via receive', text: 'Your login code: 4417' });
      const res = await receive(raw, `?to=${encodeURIComponent(address)}`);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.success, true);
      assert.deepEqual(
        res.body.stored.map((s: any) => s.mailbox),
        [address],
      );
      const [item] = await inbox(t, owner, address);
      assert.equal(item.subject, 'via receive');
      assert.equal(item.verification_code, '4417');
      const download = await fetch(`${t.url}/mail/api/email/${item.id}/download`, { headers: owner.headers });
      assert.ok(Buffer.from(await download.arrayBuffer()).equals(raw));
    });

    it('without ?to=, the recipients come from the headers (To, Cc); a superadmin may call it', async () => {
      const a = await createMailbox(t, owner);
      const b = await createMailbox(t, owner);
      const raw = await compose({ to: `Someone <${a}>`, cc: [b, 'stranger@outside.test'], subject: 'by headers', text: 'hi' });
      const res = await receive(raw, '', admin.headers);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.deepEqual(res.body.stored.map((s: any) => s.mailbox).sort(), [a, b].sort());
      assert.equal((await inbox(t, owner, a)).length, 1);
      assert.equal((await inbox(t, owner, b)).length, 1);
    });

    it('without ?to=, the Delivered-To (or X-Original-To) header of a relay names the mailbox when To does not', async () => {
      const a = await createMailbox(t, owner);
      const b = await createMailbox(t, owner);
      const viaRelay = await compose({ to: 'list@lists.outside.test', subject: 'via a list', text: 'hi', headers: { 'Delivered-To': a } });
      const first = await receive(viaRelay, '', admin.headers);
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.deepEqual(
        first.body.stored.map((s: any) => s.mailbox),
        [a],
      );
      const original = await compose({ to: 'alias@outside.test', subject: 'via an alias', text: 'hi', headers: { 'X-Original-To': b } });
      const second = await receive(original, '', admin.headers);
      assert.equal(second.status, 201, JSON.stringify(second.body));
      assert.deepEqual(
        second.body.stored.map((s: any) => s.mailbox),
        [b],
      );
      const nobody = await receive(await compose({ to: 'list@lists.outside.test', subject: 'nobody here', text: 'hi' }), '', admin.headers);
      assert.equal(nobody.status, 422, JSON.stringify(nobody.body));
    });

    it('a tenant owner gets 403; unknown recipients 422; oversize 413; an empty body 400 — nothing stored', async () => {
      const address = await createMailbox(t, owner);
      const before = await count(t.db('mail_emails'));
      const raw = await compose({ to: address, subject: 'x', text: 'x' });
      const forbidden = await receive(raw, `?to=${address}`, owner.headers);
      assert.equal(forbidden.status, 403);
      assert.equal(typeof forbidden.body.error, 'string');
      const unknown = await receive(raw, `?to=nobody@${DOMAIN},someone@elsewhere.example`);
      assert.equal(unknown.status, 422, JSON.stringify(unknown.body));
      assert.equal(typeof unknown.body.error, 'string');
      const big = await compose({ to: address, subject: 'big', text: 'z'.repeat(40 * 1024) });
      const oversize = await receive(big, `?to=${address}`);
      assert.equal(oversize.status, 413, JSON.stringify(oversize.body));
      const empty = await receive('', `?to=${address}`);
      assert.equal(empty.status, 400, JSON.stringify(empty.body));
      assert.equal(await count(t.db('mail_emails')), before);
      assert.deepEqual(await inbox(t, owner, address), []);
    });
  });
});
