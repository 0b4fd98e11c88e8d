import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import { assertFailure, DAY, eventRows, generate, licenseRow, startLicensingApp, tenantKey, verify, type LicensingApp } from './license-helpers.js';

const JOB = 'licensing.expire-licenses';

describe('licensing: the expiry job (licensing.expire-licenses)', () => {
  const clock = new ManualClock('2026-03-01T09:00:00.000Z');
  let t: LicensingApp;
  let key: Record<string, string>;
  let tenantId: string;

  before(async () => {
    t = await startLicensingApp({ clock });
    const k = await tenantKey(t);
    key = k.key;
    tenantId = k.owner.tenantId;
  });
  after(() => t?.close());

  it('past valid_until: status expired, one license.expired each, lifetime untouched, verify refuses at once', async () => {
    const day = await generate(t, key, { plan: 'monthly', days: 1 });
    const monthly = await generate(t, key, { plan: 'monthly' });
    const yearly = await generate(t, key, { plan: 'yearly' });
    const lifetime = await generate(t, key, { plan: 'lifetime' });
    const body = (code: string) => ({ activation_code: code, email: 'user@example.com', device_id: 'pc' });
    for (const l of [day, monthly, yearly, lifetime]) assert.equal((await verify(t, body(l.activation_code))).status, 200); // all cached now

    // Nothing is due yet.
    assert.equal(await t.app.scheduler.runNow(JOB), 'succeeded');
    assert.equal((await eventRows(t, 'license.expired')).length, 0);

    clock.advance(2 * DAY);
    assert.equal(await t.app.scheduler.runNow(JOB), 'succeeded');
    assert.equal((await licenseRow(t, day.license_id)).status, 'expired');
    assert.equal((await licenseRow(t, day.license_id)).updated_at, clock.now().toISOString());
    for (const l of [monthly, yearly, lifetime]) assert.equal((await licenseRow(t, l.license_id)).status, 'active');
    let events = await eventRows(t, 'license.expired');
    assert.deepEqual(
      events.map((e) => e.payload),
      [{ license_id: day.license_id, product: 'default', kind: 'license' }],
    );
    assert.equal(events[0].tenant_id, tenantId);
    assertFailure(await verify(t, body(day.activation_code)), 403, 'INVALID_LICENSE', { verify: true });
    assert.equal((await verify(t, body(monthly.activation_code))).status, 200);

    clock.set(new Date(new Date(yearly.valid_until!).getTime() + 1000));
    assert.equal(await t.app.scheduler.runNow(JOB), 'succeeded');
    for (const l of [day, monthly, yearly]) assert.equal((await licenseRow(t, l.license_id)).status, 'expired');
    assert.equal((await licenseRow(t, lifetime.license_id)).status, 'active');
    events = await eventRows(t, 'license.expired');
    assert.deepEqual(events.map((e) => e.payload.license_id).sort(), [day.license_id, monthly.license_id, yearly.license_id].sort());
    for (const l of [monthly, yearly]) assertFailure(await verify(t, body(l.activation_code)), 403, 'INVALID_LICENSE', { verify: true });
    assert.equal((await verify(t, body(lifetime.activation_code))).status, 200);

    // Running again (a later run: one run per job and instant) expires nothing twice.
    clock.advance(60_000);
    assert.equal(await t.app.scheduler.runNow(JOB), 'succeeded');
    assert.equal((await eventRows(t, 'license.expired')).length, 3);

    // The face shows it: the list's status, the stats' active count.
    const expired = await t.lic('GET', '/api/admin/licenses?status=expired', { headers: key });
    assert.equal(expired.status, 200, expired.text);
    assert.deepEqual(expired.body.licenses.map((l: any) => l.license_id).sort(), [day.license_id, monthly.license_id, yearly.license_id].sort());
    const stats = await t.lic('GET', '/api/admin/stats', { headers: key });
    assert.equal(stats.body.stats.total_licenses, 4);
    assert.equal(stats.body.stats.active_licenses, 1);
    assert.equal(stats.body.stats.active_devices, 1);

    // A revoked license is not "expired" later; an expired one can still be revoked.
    const revokeExpired = await t.lic('POST', '/api/admin/revoke', { headers: key, body: { license_id: day.license_id, reason: 'cleanup' } });
    assert.equal(revokeExpired.status, 200, revokeExpired.text);
    assert.equal((await licenseRow(t, day.license_id)).status, 'revoked');
  });

  it('a revoked license past valid_until stays revoked (no license.expired)', async () => {
    const lic = await generate(t, key, { plan: 'monthly', days: 1 });
    assert.equal((await t.lic('POST', '/api/admin/revoke', { headers: key, body: { license_id: lic.license_id } })).status, 200);
    clock.advance(2 * DAY);
    assert.equal(await t.app.scheduler.runNow(JOB), 'succeeded');
    assert.equal((await licenseRow(t, lic.license_id)).status, 'revoked');
    assert.equal((await eventRows(t, 'license.expired', lic.license_id)).length, 0);
  });
});
