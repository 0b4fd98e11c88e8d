import assert from 'node:assert/strict';
import { createTestDatabase, usingPostgres, type TestDatabase } from '../../../test/helpers/database.js';
import { count, deviceRows, eventRows, generate, licenseRow, startLicensingApp, tenantKey, verify, type LicensingApp } from './license-helpers.js';

/**
 * 20 verifies from 20 different devices, all at once, on a license with room for 5: exactly 5 are
 * bound (rows, counter, events), the other 15 are refused with INVALID_LICENSE (reason DEVICE_LIMIT_REACHED).
 */
async function race(apps: LicensingApp[], key: Record<string, string>, rounds = 3): Promise<void> {
  const [t] = apps;
  for (let round = 0; round < rounds; round++) {
    const lic = await generate(t, key, { plan: 'monthly', device_cap: 5 });
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        verify(apps[i % apps.length], { activation_code: lic.activation_code, email: 'user@example.com', device_id: `device-${round}-${i}` }),
      ),
    );
    const ok = replies.filter((r) => r.status === 200);
    const refused = replies.filter((r) => r.status !== 200);
    assert.equal(ok.length, 5, `round ${round}: ${replies.map((r) => r.status).join(',')}`);
    for (const r of refused) {
      assert.equal(r.status, 403, r.text);
      assert.equal(r.body.code, 'INVALID_LICENSE', r.text);
      assert.equal(r.body.reason, 'DEVICE_LIMIT_REACHED', r.text);
      assert.equal(r.body.isValid, false);
    }
    assert.equal((await deviceRows(t, lic.license_id)).length, 5);
    assert.equal(
      await count(
        t
          .db('licensing_devices')
          .join('licensing_licenses', 'licensing_licenses.id', 'licensing_devices.license_pk')
          .where('licensing_licenses.license_id', lic.license_id)
          .where('licensing_devices.status', 'active'),
      ),
      5,
    );
    assert.equal((await licenseRow(t, lic.license_id)).active_devices, 5);
    assert.equal((await eventRows(t, 'license.activated', lic.license_id)).length, 5);
    const list = await t.lic('GET', '/api/admin/licenses', { headers: key });
    assert.equal(list.body.licenses.find((l: any) => l.license_id === lic.license_id).active_devices, 5);

    // The 5 winners are exactly the bound devices, and they verify again (on every instance).
    const winners = replies.map((r, i) => (r.status === 200 ? `device-${round}-${i}` : null)).filter(Boolean);
    assert.deepEqual((await deviceRows(t, lic.license_id)).map((d) => d.device_id).sort(), winners.sort());
    for (const app of apps) {
      for (const device_id of winners)
        assert.equal((await verify(app, { activation_code: lic.activation_code, email: 'user@example.com', device_id: device_id! })).status, 200);
    }
  }

  // One device racing itself: one binding, one slot, one event.
  const lic = await generate(t, key, { plan: 'monthly', device_cap: 5 });
  const replies = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      verify(apps[i % apps.length], { activation_code: lic.activation_code, email: 'user@example.com', device_id: 'same-device' }),
    ),
  );
  assert.deepEqual(
    replies.map((r) => r.status),
    Array(10).fill(200),
    replies.map((r) => r.text).join('\n'),
  );
  assert.equal((await deviceRows(t, lic.license_id)).length, 1);
  assert.equal((await licenseRow(t, lic.license_id)).active_devices, 1);
  assert.equal((await eventRows(t, 'license.activated', lic.license_id)).length, 1);
}

describe(`licensing: the device-cap race (${usingPostgres ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: LicensingApp;
  let key: Record<string, string>;
  before(async () => {
    t = await startLicensingApp();
    ({ key } = await tenantKey(t));
  });
  after(() => t?.close());

  it('20 devices racing on a cap-5 license bind exactly 5', () => race([t], key));
});

describe('licensing: the device-cap race on PostgreSQL', () => {
  let database: TestDatabase;
  let first: LicensingApp;
  let second: LicensingApp;
  let key: Record<string, string>;
  before(async () => {
    database = await createTestDatabase({ dialect: 'postgres' });
    first = await startLicensingApp({ database });
    second = await startLicensingApp({ database: first.database });
    ({ key } = await tenantKey(first));
  });
  after(async () => {
    await second?.close();
    await first?.close();
    await database?.drop();
  });

  it('one instance: exactly 5 of 20', () => race([first], key));

  it('two instances on one database, splitting the 20 requests: exactly 5', () => race([first, second], key));

  it('a deactivation on one instance is seen by the other at once', async () => {
    const lic = await generate(first, key, { device_cap: 1 });
    const body = { activation_code: lic.activation_code, email: 'user@example.com', device_id: 'roaming' };
    assert.equal((await verify(second, body)).status, 200);
    assert.equal((await verify(second, body)).status, 200); // now cached on the second instance
    assert.equal(
      (await first.lic('POST', '/api/admin/deactivate-device', { headers: key, body: { license_id: lic.license_id, device_id: 'roaming' } })).status,
      200,
    );
    await waitFor(async () => (await verify(second, body)).body.reason === 'DEVICE_DEACTIVATED');
    assert.equal((await first.lic('POST', '/api/admin/revoke', { headers: key, body: { license_id: lic.license_id } })).status, 200);
    await waitFor(async () => (await verify(second, { activation_code: lic.activation_code, email: 'user@example.com' })).body.code === 'INVALID_LICENSE');
  });
});

/** Bounded polling: the invalidation travels over LISTEN/NOTIFY. */
async function waitFor(check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail('the other instance did not see the change');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
