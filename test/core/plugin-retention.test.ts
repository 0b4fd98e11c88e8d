// The plugins' daily prune jobs for tables that grow with traffic (README "What is kept"): the AI
// call and reply logs with idle conversations, processed Stripe event ids, finished outgoing mail
// and expired mailbox sessions, old mail in mailboxes without an expiry. Each deletes what is past
// its bound and keeps the rest.
import assert from 'node:assert/strict';
import { ManualClock } from '../../core/clock.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const OLD = '2026-01-01T00:00:00.000Z';
const RECENT = '2026-05-25T00:00:00.000Z';

describe('retention: the plugins’ own prune jobs', () => {
  let t: TestApp;
  const clock = new ManualClock('2026-06-01T12:00:00.000Z');
  before(async () => {
    t = await createTestApp({
      clock,
      plugins: ['auth', 'billing', 'licensing', 'mail', 'robots', 'ai'],
      settings: { ai: { logRetentionDays: 30 }, mail: { sentRetentionDays: 30, emailRetentionDays: 100 } },
    });
  });
  after(async () => t?.close());

  it('ai.prune-logs: calls, replies and idle conversations older than logRetentionDays go', async () => {
    const call = (at: string, provider: string) => ({ tenant_id: 't1', source: 'try', provider, latency_ms: 1, outcome: 'ok', created_at: at });
    await t.app.db('ai_calls').insert([call(OLD, 'old'), call(RECENT, 'recent')]);
    const reply = (at: string, id: string) => ({ message_id: id, tenant_id: 't1', robot_id: 'r1', conversation: 'c', status: 'skipped', created_at: at });
    await t.app.db('ai_replies').insert([reply(OLD, 'm-old'), reply(RECENT, 'm-recent')]);
    const conv = (at: string, name: string) => ({ robot_id: 'r1', conversation: name, tenant_id: 't1', updated_at: at });
    await t.app.db('ai_conversations').insert([conv(OLD, 'idle'), conv(RECENT, 'active')]);

    assert.equal(await t.app.scheduler.runNow('ai.prune-logs'), 'succeeded');
    assert.deepEqual(await t.app.db('ai_calls').pluck('provider'), ['recent']);
    assert.deepEqual(await t.app.db('ai_replies').pluck('message_id'), ['m-recent']);
    assert.deepEqual(await t.app.db('ai_conversations').pluck('conversation'), ['active']);
  });

  it('billing.prune-stripe-events: processed event ids are forgotten after 90 days', async () => {
    const event = (id: string, at: string) => ({ id, type: 'invoice.paid', created: 1, outcome: 'applied', processed_at: at });
    await t.app.db('billing_stripe_events').insert([event('evt_old', OLD), event('evt_recent', RECENT)]);
    assert.equal(await t.app.scheduler.runNow('billing.prune-stripe-events'), 'succeeded');
    assert.deepEqual(await t.app.db('billing_stripe_events').whereIn('id', ['evt_old', 'evt_recent']).pluck('id'), ['evt_recent']);
  });

  it('mail.prune-sent: finished outgoing mail past sentRetentionDays and expired sessions go; scheduled mail stays', async () => {
    const sent = (id: string, status: string, at: string) => ({
      public_id: id,
      user_id: 'u1',
      from_addr: 'a@example.com',
      recipients: '[]',
      subject: id,
      status,
      created_at: at,
      updated_at: at,
    });
    await t.app
      .db('mail_sent')
      .insert([sent('old-sent', 'sent', OLD), sent('old-failed', 'failed', OLD), sent('old-scheduled', 'scheduled', OLD), sent('recent-sent', 'sent', RECENT)]);
    const session = (hash: string, expires: string) => ({ token_hash: hash, kind: 'guest', expires_at: expires, created_at: OLD });
    await t.app.db('mail_sessions').insert([session('expired', '2026-05-31T00:00:00.000Z'), session('live', '2026-06-02T00:00:00.000Z')]);

    assert.equal(await t.app.scheduler.runNow('mail.prune-sent'), 'succeeded');
    assert.deepEqual(await t.app.db('mail_sent').orderBy('public_id').pluck('public_id'), ['old-scheduled', 'recent-sent']);
    assert.deepEqual(await t.app.db('mail_sessions').pluck('token_hash'), ['live']);
  });

  it('mail.prune-emails: mail older than emailRetentionDays goes from mailboxes without an expiry; other mailboxes keep theirs', async () => {
    const mailbox = async (address: string, expiresAt: string | null) => {
      const [row] = await t.app.db('mail_mailboxes').insert({ address, domain: 'old.test', expires_at: expiresAt, created_at: OLD }).returning('id');
      return Number(typeof row === 'object' ? row.id : row);
    };
    const legacy = await mailbox('legacy@old.test', null); // made before every mailbox had a lifetime
    const expiring = await mailbox('expiring@old.test', '2027-01-01T00:00:00.000Z');
    const email = async (mailboxId: number, subject: string, at: string) => {
      const [row] = await t.app.db('mail_emails').insert({ mailbox_id: mailboxId, recipients: '[]', subject, size: 1, received_at: at }).returning('id');
      const id = Number(typeof row === 'object' ? row.id : row);
      await t.app.db('mail_raw').insert({ email_id: id, raw: Buffer.from(subject) });
      return id;
    };
    const gone = await email(legacy, 'legacy-old', OLD); // 151 days old
    await email(legacy, 'legacy-recent', RECENT);
    await email(expiring, 'expiring-old', OLD);

    assert.equal(await t.app.scheduler.runNow('mail.prune-emails'), 'succeeded');
    const subjects = await t.app.db('mail_emails').whereIn('mailbox_id', [legacy, expiring]).orderBy('id').pluck('subject');
    assert.deepEqual(subjects, ['legacy-recent', 'expiring-old']);
    assert.equal(await t.app.db('mail_raw').where('email_id', gone).first(), undefined, 'the raw message went with it');
    const run = await t.app.db('core_job_runs').where('job', 'mail.prune-emails').orderBy('id', 'desc').first('report');
    assert.deepEqual(JSON.parse(run.report).deleted, { mail_emails: 1 });
  });
});
