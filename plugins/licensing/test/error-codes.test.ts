// Seed 002's error codes are a closed set its clients switch on. Every failure the /license face
// can give, from the routes, the engine, the validation layer and the core (auth, body parsing,
// unknown routes, rate limits), answers a code from that set; the finer cause is in `reason`.
import assert from 'node:assert/strict';
import type { Reply } from '../../../test/helpers/app.js';
import { apiKey, assertFailure, generate, SEED_CODES, startLicensingApp, tenantKey, verify, type LicensingApp } from './license-helpers.js';

const EMAIL = 'user@example.com';

describe('licensing: every error code is one of seed 002', () => {
  let t: LicensingApp;
  let key: Record<string, string>;
  /** Every failure seen: `status code reason`. */
  const seen = new Set<string>();
  const fails = (res: Reply, status: number, code: string, reason?: string, isVerify = false) => {
    const body = assertFailure(res, status, code, { reason, verify: isVerify });
    assert.ok(SEED_CODES.includes(body.code));
    if (reason === undefined) assert.equal(body.reason, undefined, res.text);
    seen.add(`${status} ${body.code} ${body.reason ?? '-'}`);
    return body;
  };
  /** verify's failures also carry isValid: false and a timestamp. */
  const failsVerify = (res: Reply, status: number, code: string, reason?: string) => fails(res, status, code, reason, true);

  before(async () => {
    t = await startLicensingApp();
    ({ key } = await tenantKey(t));
  });
  after(() => t?.close());

  it('verify: missing fields, bad types, bad JSON, unknown code, wrong email, revoked, disabled, expired, deactivated device, full cap', async () => {
    failsVerify(await verify(t, { email: EMAIL }), 400, 'MISSING_LICENSE');
    failsVerify(await verify(t, { activation_code: 'AAAAA-BBBBB-CCCCC' }), 400, 'MISSING_EMAIL');
    failsVerify(await verify(t, { activation_code: 42, email: EMAIL }), 400, 'INVALID_REQUEST');
    failsVerify(await verify(t, { activation_code: 'A'.repeat(65), email: EMAIL }), 400, 'INVALID_REQUEST');
    failsVerify(await verify(t, { activation_code: 'AAAAA-BBBBB-CCCCC', email: EMAIL, device_id: 'nul\u0000' }), 400, 'INVALID_REQUEST');
    fails(
      await t.lic('POST', '/api/verify', { raw: '{"activation_code": ', headers: { 'content-type': 'application/json' } }),
      400,
      'INVALID_REQUEST',
      'MALFORMED_JSON',
    );
    failsVerify(await verify(t, { activation_code: 'ZZZZZ-ZZZZZ-ZZZZZ', email: EMAIL }), 403, 'INVALID_LICENSE', 'LICENSE_NOT_FOUND');

    const lic = await generate(t, key, { device_cap: 1 });
    const body = (device_id: string, email = EMAIL) => ({ activation_code: lic.activation_code, email, device_id });
    failsVerify(await verify(t, body('d1', 'other@example.com')), 403, 'INVALID_LICENSE', 'LICENSE_NOT_FOUND');
    assert.equal((await verify(t, body('d1'))).status, 200);
    failsVerify(await verify(t, body('d2')), 403, 'INVALID_LICENSE', 'DEVICE_LIMIT_REACHED');
    assert.equal((await t.lic('POST', '/api/admin/deactivate-device', { headers: key, body: { license_id: lic.license_id, device_id: 'd1' } })).status, 200);
    failsVerify(await verify(t, body('d1')), 403, 'INVALID_LICENSE', 'DEVICE_DEACTIVATED');
    assert.equal((await t.lic('POST', '/api/admin/revoke', { headers: key, body: { license_id: lic.license_id } })).status, 200);
    failsVerify(await verify(t, body('d1')), 403, 'INVALID_LICENSE', 'LICENSE_REVOKED');

    const disabled = await generate(t, key);
    await t.services.licenses.end({ tenantId: null }, disabled.license_id, 'disabled', 'test');
    failsVerify(await verify(t, { activation_code: disabled.activation_code, email: EMAIL }), 403, 'INVALID_LICENSE', 'LICENSE_DISABLED');
    const expired = await generate(t, key);
    await t.db('licensing_licenses').where('license_id', expired.license_id).update({ valid_until: '2020-01-01T00:00:00.000Z' });
    failsVerify(await verify(t, { activation_code: expired.activation_code, email: EMAIL }), 403, 'INVALID_LICENSE', 'LICENSE_EXPIRED');
  });

  it('license file: device never bound, no device_id', async () => {
    const lic = await generate(t, key);
    const q = (params: Record<string, string>) => `/api/license-file?${new URLSearchParams(params)}`;
    fails(await t.lic('GET', q({ activation_code: lic.activation_code, email: EMAIL, device_id: 'never' })), 403, 'INVALID_LICENSE', 'DEVICE_NOT_ACTIVATED');
    fails(await t.lic('GET', q({ activation_code: lic.activation_code, email: EMAIL })), 400, 'INVALID_REQUEST');
  });

  it('admin: no key, a wrong key, a key without the scope, bad bodies, unknown license and device, a full cap', async () => {
    fails(await t.lic('POST', '/api/admin/generate', { body: { plan: 'monthly', email: EMAIL } }), 401, 'INVALID_API_KEY');
    fails(await t.lic('GET', '/api/admin/stats', { headers: { 'X-API-Key': 'mf_wrong' } }), 401, 'INVALID_API_KEY');
    const { owner } = await tenantKey(t, 'scopeless');
    fails(await t.lic('GET', '/api/admin/stats', { headers: await apiKey(t, owner, ['api-keys:manage']) }), 403, 'INVALID_API_KEY');

    fails(await t.lic('POST', '/api/admin/generate', { headers: key, body: { plan: 'monthly' } }), 400, 'MISSING_EMAIL');
    fails(await t.lic('POST', '/api/admin/generate', { headers: key, body: { plan: 'monthly', email: 'not-an-email' } }), 400, 'INVALID_REQUEST');
    fails(await t.lic('POST', '/api/admin/generate', { headers: key, body: { plan: 'weekly', email: EMAIL } }), 400, 'INVALID_REQUEST');
    fails(await t.lic('POST', '/api/admin/generate', { headers: key, body: { plan: 'monthly', email: EMAIL, device_cap: 1e12 } }), 400, 'INVALID_REQUEST');
    fails(await t.lic('GET', '/api/admin/licenses?status=lost', { headers: key }), 400, 'INVALID_REQUEST');
    fails(await t.lic('POST', '/api/admin/revoke', { headers: key, body: {} }), 400, 'INVALID_REQUEST');

    fails(await t.lic('POST', '/api/admin/revoke', { headers: key, body: { license_id: 'LIC-NOPE0000' } }), 404, 'INVALID_LICENSE', 'LICENSE_NOT_FOUND');
    fails(await t.lic('GET', '/api/admin/licenses/LIC-NOPE0000', { headers: key }), 404, 'INVALID_LICENSE', 'LICENSE_NOT_FOUND');
    const lic = await generate(t, key, { device_cap: 1 });
    fails(
      await t.lic('POST', '/api/admin/deactivate-device', { headers: key, body: { license_id: lic.license_id, device_id: 'ghost' } }),
      404,
      'INVALID_REQUEST',
      'DEVICE_NOT_FOUND',
    );
    fails(
      await t.lic('POST', '/api/admin/activate-device', { headers: key, body: { license_id: lic.license_id, device_id: 'ghost' } }),
      404,
      'INVALID_REQUEST',
      'DEVICE_NOT_FOUND',
    );
    // One device deactivated, another takes the slot: re-activating the first is over the cap.
    assert.equal((await verify(t, { activation_code: lic.activation_code, email: EMAIL, device_id: 'one' })).status, 200);
    assert.equal((await t.lic('POST', '/api/admin/deactivate-device', { headers: key, body: { license_id: lic.license_id, device_id: 'one' } })).status, 200);
    assert.equal((await verify(t, { activation_code: lic.activation_code, email: EMAIL, device_id: 'two' })).status, 200);
    fails(
      await t.lic('POST', '/api/admin/activate-device', { headers: key, body: { license_id: lic.license_id, device_id: 'one' } }),
      409,
      'INVALID_REQUEST',
      'DEVICE_LIMIT_REACHED',
    );
  });

  it('the core: an unknown endpoint, a body too large, a body that is not JSON', async () => {
    fails(await t.lic('GET', '/api/nothing-here'), 404, 'NOT_FOUND');
    fails(
      await t.lic('POST', '/api/verify', {
        raw: JSON.stringify({ activation_code: 'A', email: 'x'.repeat(3_000_000) }),
        headers: { 'content-type': 'application/json' },
      }),
      413,
      'INVALID_REQUEST',
      'PAYLOAD_TOO_LARGE',
    );
    const plain = await t.lic('POST', '/api/admin/generate', { raw: 'plan=monthly', headers: { ...key, 'content-type': 'text/plain' } });
    assert.ok(SEED_CODES.includes(plain.body.code), plain.text);
    seen.add(`${plain.status} ${plain.body.code} ${plain.body.reason ?? '-'}`);
  });

  it('rate limits: 429 INVALID_REQUEST, reason RATE_LIMITED', async () => {
    const limited = await startLicensingApp({ licensing: { verifyPerCodePerMinute: 1 } });
    try {
      const { key: k } = await tenantKey(limited);
      const lic = await generate(limited, k);
      assert.equal((await verify(limited, { activation_code: lic.activation_code, email: EMAIL })).status, 200);
      failsVerify(await verify(limited, { activation_code: lic.activation_code, email: EMAIL }), 429, 'INVALID_REQUEST', 'RATE_LIMITED');
    } finally {
      await limited.close();
    }
  });

  it("every code the walk above saw is one of the seed's", () => {
    // What the walk saw, for the record (and so a new path shows up in a failing run's output).
    for (const line of [...seen].sort()) assert.ok(SEED_CODES.includes(line.split(' ')[1]), line);
  });
});
