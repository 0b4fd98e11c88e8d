// The daily prune of robot system logs: rows older than settings.robots.logRetentionDays go, newer stay.
import assert from 'node:assert/strict';
import { ManualClock } from '../../../core/clock.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';

describe('robots: log retention', () => {
  let t: TestApp;
  const clock = new ManualClock('2026-06-01T12:00:00.000Z');
  before(async () => {
    t = await createTestApp({ clock, plugins: ['auth', 'licensing', 'robots'], settings: { robots: { logRetentionDays: 30 } } });
  });
  after(async () => t?.close());

  it('deletes log rows older than the retention and keeps the rest', async () => {
    const row = (at: string, message: string) => ({ tenant_id: null, type: 'api_error', level: 'warn', message, details: '{}', ip: null, created_at: at });
    await t.app.db('robots_logs').insert([row('2026-04-01T00:00:00.000Z', 'old'), row('2026-05-25T00:00:00.000Z', 'recent')]);
    assert.equal(await t.app.scheduler.runNow('robots.prune-logs'), 'succeeded');
    const left = await t.app.db('robots_logs').whereIn('message', ['old', 'recent']).pluck('message');
    assert.deepEqual(left, ['recent']);
  });
});
