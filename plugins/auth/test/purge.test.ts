// The daily auth.purge-expired job: what can no longer be used goes (expired one-time tokens, SMS
// codes and second-factor challenges, sessions ended a week ago), logged SMS after 30 days, audit rows after
// settings.auth.auditRetentionDays; everything newer stays.
import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import type { TestApp } from '../../../test/helpers/app.js';
import { authApp } from './helpers.js';

const NOW = '2027-03-01T12:00:00.000Z';
const daysAgo = (n: number) => new Date(Date.parse(NOW) - n * 86_400_000).toISOString();

describe('auth: purge-expired', () => {
  let t: TestApp;
  before(async () => {
    t = await authApp({ clock: new ManualClock(NOW), auth: { auditRetentionDays: 100 } });
  });
  after(async () => t?.close());

  it('deletes audit rows past the retention, SMS logged over 30 days ago and expired second-factor challenges; keeps the rest', async () => {
    const audit = (days: number) => ({ actor_type: 'system', action: `test.${days}`, created_at: daysAgo(days) });
    await t.app.db('auth_audit_logs').insert([audit(150), audit(101), audit(99), audit(1)]);
    const sms = (days: number) => ({ phone: `+1555000${days}`, body: 'code', provider: 'log', status: 'stored', created_at: daysAgo(days) });
    await t.app.db('auth_sms_outbox').insert([sms(40), sms(10)]);
    const admin = await t.app.db('auth_users').where('is_superadmin', true).first('id');
    const challenge = (hash: string, expires: string, used: string | null) => ({
      token_hash: hash.padEnd(64, '0'),
      user_id: admin.id,
      kind: 'api',
      method: 'password',
      expires_at: expires,
      used_at: used,
      created_at: daysAgo(1),
    });
    const soon = new Date(Date.parse(NOW) + 60_000).toISOString();
    await t.app.db('auth_mfa_challenges').insert([challenge('a', daysAgo(1), null), challenge('b', daysAgo(1), daysAgo(1)), challenge('c', soon, null)]);

    assert.equal(await t.app.scheduler.runNow('auth.purge-expired'), 'succeeded');
    const left = await t.app.db('auth_audit_logs').where('action', 'like', 'test.%').orderBy('id').pluck('action');
    assert.deepEqual(left, ['test.99', 'test.1']);
    assert.deepEqual(await t.app.db('auth_sms_outbox').where('phone', 'like', '+1555000%').pluck('phone'), ['+155500010']);
    assert.deepEqual(await t.app.db('auth_mfa_challenges').pluck('token_hash'), ['c'.padEnd(64, '0')], 'expired challenges go, used or not');
  });
});
