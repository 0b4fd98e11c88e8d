// The licenses page's chart data: devices bound per UTC day, every day listed, the caller's
// tenant only, the range bounded (GET /license/api/admin/activations/daily).
import assert from 'node:assert/strict';
import { utcDay } from '../../../test/helpers/utc-day.js';
import { assertFailure, generate, startLicensingApp, tenantKey, verify, type LicensingApp } from './license-helpers.js';

describe('licensing: activations per day', () => {
  let t: LicensingApp;
  before(async () => {
    t = await startLicensingApp();
  });
  after(() => t?.close());

  it("counts today's bound devices, lists every day, and another tenant sees none of them", async () => {
    const mine = await tenantKey(t, 'activations');
    const theirs = await tenantKey(t, 'activations-other');
    const license = await generate(t, mine.key, { device_limit: 3 });
    const firstDay = utcDay();
    for (const device of ['pc-1', 'pc-2']) {
      assert.equal((await verify(t, { activation_code: license.activation_code, email: 'user@example.com', device_id: device })).status, 200);
    }
    const res = await t.lic('GET', '/api/admin/activations/daily?days=5', { headers: mine.key });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.success, true);
    assert.equal(res.body.days.length, 5);
    // The two may fall either side of midnight UTC: both are in the last two days, the last of which is today.
    assert.ok([firstDay, utcDay()].includes(res.body.days[4].date), res.text);
    assert.equal(res.body.days[3].activations + res.body.days[4].activations, 2, res.text);
    assert.equal(res.body.days[0].activations, 0);
    const other = await t.lic('GET', '/api/admin/activations/daily?days=5', { headers: theirs.key });
    assert.equal(
      other.body.days.reduce((sum: number, d: { activations: number }) => sum + d.activations, 0),
      0,
    );
  });

  it('refuses a range outside 1–366 days in the seed’s envelope, naming the field', async () => {
    const { key } = await tenantKey(t, 'activations-range');
    for (const days of [0, 367, 'x']) {
      const res = await t.lic('GET', `/api/admin/activations/daily?days=${days}`, { headers: key });
      assertFailure(res, 400, 'INVALID_REQUEST');
      assert.match(JSON.stringify(res.body), /days/);
    }
  });
});
