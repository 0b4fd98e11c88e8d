import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import { createAjv } from 'plinth/plugin';
import { healthReply } from '../routes/schemas.js';
import {
  assertFailure,
  count,
  DAY,
  deviceRows,
  eventRows,
  generate,
  ISO,
  licenseRow,
  startLicensingApp,
  tenantKey,
  verify,
  type LicensingApp,
} from './license-helpers.js';

describe('licensing: GET /license/health and POST /license/api/verify', () => {
  const clock = new ManualClock('2026-03-01T09:00:00.000Z');
  let t: LicensingApp;
  let key: Record<string, string>;

  before(async () => {
    t = await startLicensingApp({ clock });
    ({ key } = await tenantKey(t));
  });
  after(() => t?.close());

  it('GET /health: { status: "ok", timestamp }', async () => {
    const res = await t.lic('GET', '/health');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { status: 'ok', timestamp: clock.now().toISOString() });
    // Documented as the JSON it is, outside the face's { success } envelope (so checkReplies does not see it: checked here).
    const doc = (await t.request('GET', '/openapi.json')).body;
    const content = doc.paths['/license/health'].get.responses['200'].content;
    assert.deepEqual(Object.keys(content), ['application/json']);
    assert.deepEqual(content['application/json'].schema, healthReply);
    const ajv = createAjv({ useDefaults: false });
    assert.ok(ajv.validate(healthReply, res.body), ajv.errorsText(ajv.errors));
  });

  it('verify: the seed success shape, exactly', async () => {
    const lic = await generate(t, key, { plan: 'monthly', email: 'user@example.com' });
    const res = await verify(t, { activation_code: lic.activation_code, email: 'user@example.com' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), ['code', 'expiresAt', 'isValid', 'license', 'licenseType', 'message', 'success', 'timestamp']);
    assert.equal(typeof res.body.message, 'string');
    assert.ok(res.body.message.length > 0);
    const expiresAt = new Date(clock.now().getTime() + 30 * DAY).toISOString();
    assert.deepEqual(
      { ...res.body, message: undefined },
      {
        success: true,
        message: undefined,
        code: 'SUCCESS',
        license: { key: lic.license_id, type: 'monthly', expiresAt },
        isValid: true,
        licenseType: 'monthly',
        expiresAt,
        timestamp: clock.now().toISOString(),
      },
    );
    assert.equal(lic.valid_until, expiresAt);
  });

  it('verify of a lifetime license: expiresAt null', async () => {
    const lic = await generate(t, key, { plan: 'lifetime', email: 'forever@example.com' });
    const res = await verify(t, { activation_code: lic.activation_code, email: 'forever@example.com' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.isValid, true);
    assert.equal(res.body.licenseType, 'lifetime');
    assert.equal(res.body.expiresAt, null);
    assert.deepEqual(res.body.license, { key: lic.license_id, type: 'lifetime', expiresAt: null });
  });

  it('400 MISSING_LICENSE without an activation code (before any other check)', async () => {
    assertFailure(await verify(t, { email: 'user@example.com' }), 400, 'MISSING_LICENSE', { verify: true });
    assertFailure(await verify(t, { activation_code: '', email: 'user@example.com' }), 400, 'MISSING_LICENSE', { verify: true });
    assertFailure(await verify(t, { activation_code: '   ', email: 'user@example.com' }), 400, 'MISSING_LICENSE', { verify: true });
    assertFailure(await verify(t, {}), 400, 'MISSING_LICENSE', { verify: true });
    assertFailure(await t.lic('POST', '/api/verify'), 400, 'MISSING_LICENSE', { verify: true });
  });

  it('400 MISSING_EMAIL without an email', async () => {
    const lic = await generate(t, key);
    assertFailure(await verify(t, { activation_code: lic.activation_code }), 400, 'MISSING_EMAIL', { verify: true });
    assertFailure(await verify(t, { activation_code: lic.activation_code, email: ' ' }), 400, 'MISSING_EMAIL', { verify: true });
    assertFailure(await verify(t, { activation_code: 'AAAAA-BBBBB-CCCCC' }), 400, 'MISSING_EMAIL', { verify: true });
  });

  it('400 INVALID_REQUEST for a body that is not the schema or not JSON', async () => {
    assertFailure(await verify(t, { activation_code: 12345, email: 'user@example.com' }), 400, 'INVALID_REQUEST', { verify: true });
    assertFailure(await t.lic('POST', '/api/verify', { raw: '{"activation_code": ', headers: { 'content-type': 'application/json' } }), 400, 'INVALID_REQUEST');
  });

  it('INVALID_LICENSE for an unknown code and for a wrong email', async () => {
    const lic = await generate(t, key, { email: 'owner-of-code@example.com' });
    const unknown = assertFailure(await verify(t, { activation_code: 'ZZZZZ-ZZZZZ-ZZZZZ', email: 'owner-of-code@example.com' }), 403, 'INVALID_LICENSE', {
      verify: true,
    });
    const wrong = assertFailure(
      await verify(t, { activation_code: lic.activation_code, email: 'someone-else@example.com', device_id: 'dev-x' }),
      403,
      'INVALID_LICENSE',
      { verify: true },
    );
    // The reply does not tell which of the two was wrong.
    assert.equal(unknown.message, wrong.message);
    assert.deepEqual([unknown.reason, wrong.reason], ['LICENSE_NOT_FOUND', 'LICENSE_NOT_FOUND']);
    assert.equal(await count(t.db('licensing_devices').where('device_id', 'dev-x')), 0, 'a wrong email binds nothing');
    assert.deepEqual(Object.keys(wrong).sort(), ['code', 'isValid', 'message', 'reason', 'success', 'timestamp']);
    assert.equal(wrong.timestamp, clock.now().toISOString());
  });

  it('the email is compared case-insensitively; the code case-insensitively and trimmed', async () => {
    const lic = await generate(t, key, { email: 'Mixed.Case@Example.com' });
    assert.equal(lic.email, 'mixed.case@example.com');
    const ok = await verify(t, { activation_code: `  ${lic.activation_code.toLowerCase()} `, email: 'MIXED.case@example.COM', device_id: 'dev-case' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.license.key, lic.license_id);
    // The same device under the code's other spelling is the same binding.
    const again = await verify(t, { activation_code: lic.activation_code, email: 'mixed.case@example.com', device_id: 'dev-case' });
    assert.equal(again.status, 200, again.text);
    assert.equal((await licenseRow(t, lic.license_id)).active_devices, 1);
    assert.equal((await deviceRows(t, lic.license_id)).length, 1);
  });

  it('INVALID_LICENSE for a revoked license, at once (even right after a successful, cached verify)', async () => {
    const lic = await generate(t, key);
    const body = { activation_code: lic.activation_code, email: 'user@example.com', device_id: 'dev-revoked' };
    assert.equal((await verify(t, body)).status, 200);
    assert.equal((await verify(t, body)).status, 200);
    const revoke = await t.lic('POST', '/api/admin/revoke', { headers: key, body: { license_id: lic.license_id, reason: 'refund' } });
    assert.equal(revoke.status, 200, revoke.text);
    assertFailure(await verify(t, body), 403, 'INVALID_LICENSE', { verify: true });
    assertFailure(await verify(t, { activation_code: lic.activation_code, email: 'user@example.com' }), 403, 'INVALID_LICENSE', { verify: true });
  });

  it('INVALID_LICENSE for a license past valid_until (before the expiry job has run)', async () => {
    const lic = await generate(t, key, { plan: 'monthly', days: 2 });
    const body = { activation_code: lic.activation_code, email: 'user@example.com', device_id: 'dev-exp' };
    assert.equal((await verify(t, body)).status, 200);
    const start = clock.now();
    try {
      clock.set(lic.valid_until!);
      assertFailure(await verify(t, body), 403, 'INVALID_LICENSE', { verify: true });
      clock.advance(1);
      const res = assertFailure(await verify(t, body), 403, 'INVALID_LICENSE', { verify: true });
      assert.match(res.message, /expired/);
      assert.equal((await licenseRow(t, lic.license_id)).status, 'active', 'the row is changed by the job, not by verify');
    } finally {
      clock.set(start);
    }
  });

  it('a verify without device_id checks without binding', async () => {
    const lic = await generate(t, key, { device_cap: 1 });
    for (let i = 0; i < 3; i++) assert.equal((await verify(t, { activation_code: lic.activation_code, email: 'user@example.com' })).status, 200);
    assert.equal((await licenseRow(t, lic.license_id)).active_devices, 0);
    assert.equal((await deviceRows(t, lic.license_id)).length, 0);
    assert.equal((await eventRows(t, 'license.activated', lic.license_id)).length, 0);
    // The one slot is still free.
    assert.equal((await verify(t, { activation_code: lic.activation_code, email: 'user@example.com', device_id: 'only' })).status, 200);
  });

  it('binds a new device (first_seen_at, name, ip); a known device succeeds and its last_seen_at, name and ip are updated', async () => {
    const lic = await generate(t, key);
    const bound = await verify(t, {
      activation_code: lic.activation_code,
      email: 'user@example.com',
      device_id: 'device-1',
      device_name: 'MacBook Pro',
      ip_address: '192.168.1.100',
    });
    assert.equal(bound.status, 200, bound.text);
    const firstSeen = clock.now().toISOString();
    let [device] = await deviceRows(t, lic.license_id);
    assert.equal(device.device_id, 'device-1');
    assert.equal(device.device_name, 'MacBook Pro');
    assert.equal(device.ip_address, '192.168.1.100');
    assert.equal(device.status, 'active');
    assert.equal(device.first_seen_at, firstSeen);
    assert.equal(device.last_seen_at, firstSeen);
    assert.equal((await licenseRow(t, lic.license_id)).active_devices, 1);

    clock.advance(3_600_000);
    const seen = await verify(t, {
      activation_code: lic.activation_code,
      email: 'user@example.com',
      device_id: 'device-1',
      device_name: 'MacBook Air',
      ip_address: '10.0.0.7',
    });
    assert.equal(seen.status, 200, seen.text);
    assert.equal(seen.body.isValid, true);
    // Last-seen writes are batched; an admin read flushes them first.
    const list = await t.lic('GET', '/api/admin/licenses', { headers: key });
    assert.equal(list.status, 200, list.text);
    [device] = await deviceRows(t, lic.license_id);
    assert.equal(device.first_seen_at, firstSeen);
    assert.equal(device.last_seen_at, clock.now().toISOString());
    assert.equal(device.device_name, 'MacBook Air');
    assert.equal(device.ip_address, '10.0.0.7');

    // Without a name or ip, the known ones are kept (the ip defaults to the caller's).
    clock.advance(60_000);
    assert.equal((await verify(t, { activation_code: lic.activation_code, email: 'user@example.com', device_id: 'device-1' })).status, 200);
    await t.services.verifier.flushSeen();
    [device] = await deviceRows(t, lic.license_id);
    assert.equal(device.last_seen_at, clock.now().toISOString());
    assert.equal(device.device_name, 'MacBook Air');
    assert.ok(device.ip_address, 'an ip is recorded');

    assert.equal((await licenseRow(t, lic.license_id)).active_devices, 1, 're-verifying binds nothing new');
    assert.equal((await eventRows(t, 'license.activated', lic.license_id)).length, 1, 'activated on the first binding only');
  });

  it('DEVICE_DEACTIVATED for a deactivated device; the slot is free for another', async () => {
    const lic = await generate(t, key, { device_cap: 1 });
    const body = { activation_code: lic.activation_code, email: 'user@example.com', device_id: 'laptop' };
    assert.equal((await verify(t, body)).status, 200);
    const off = await t.lic('POST', '/api/admin/deactivate-device', { headers: key, body: { license_id: lic.license_id, device_id: 'laptop' } });
    assert.equal(off.status, 200, off.text);
    assertFailure(await verify(t, body), 403, 'INVALID_LICENSE', { reason: 'DEVICE_DEACTIVATED', verify: true });
    assertFailure(await verify(t, body), 403, 'INVALID_LICENSE', { reason: 'DEVICE_DEACTIVATED', verify: true });
    assert.equal((await verify(t, { ...body, device_id: 'desktop' })).status, 200);
    assert.equal((await licenseRow(t, lic.license_id)).active_devices, 1);
    // Without device_id the license itself is still valid.
    assert.equal((await verify(t, { activation_code: lic.activation_code, email: 'user@example.com' })).status, 200);
  });

  it('DEVICE_LIMIT_REACHED once the cap is full; known devices still pass', async () => {
    const lic = await generate(t, key, { device_cap: 2 });
    const body = (device_id: string) => ({ activation_code: lic.activation_code, email: 'user@example.com', device_id });
    assert.equal((await verify(t, body('a'))).status, 200);
    assert.equal((await verify(t, body('b'))).status, 200);
    const res = assertFailure(await verify(t, body('c')), 403, 'INVALID_LICENSE', { reason: 'DEVICE_LIMIT_REACHED', verify: true });
    assert.match(res.message, /2 device/);
    assert.equal((await verify(t, body('a'))).status, 200);
    assert.equal((await verify(t, body('b'))).status, 200);
    assert.deepEqual(
      (await deviceRows(t, lic.license_id)).map((d) => d.device_id),
      ['a', 'b'],
    );
    assert.equal((await licenseRow(t, lic.license_id)).active_devices, 2);
  });

  it('any other path under /license: 404 NOT_FOUND in the seed envelope', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['GET', '/api'],
      ['POST', '/api/unknown'],
      ['GET', '/api/verify'],
      ['DELETE', '/api/admin/licenses'],
      ['GET', '/api/admin/nothing-here'],
    ]) {
      const res = await t.lic(method, path, { headers: key });
      assertFailure(res, 404, 'NOT_FOUND');
      assert.deepEqual(Object.keys(res.body).sort(), ['code', 'message', 'success']);
    }
  });

  it("the seed's curl examples, as written (only the code substituted)", async () => {
    // curl -X POST http://localhost:5000/api/admin/generate -H "Content-Type: application/json" -H "X-API-Key: your_api_key" -d '…'
    const gen = await t.lic('POST', '/api/admin/generate', {
      headers: { 'Content-Type': 'application/json', 'X-API-Key': key['X-API-Key'] },
      raw: `{
"plan": "monthly",
"email": "user@example.com",
"device_cap": 5,
"days": 30
}`,
    });
    assert.equal(gen.status, 200, gen.text);
    assert.deepEqual(Object.keys(gen.body).sort(), ['license', 'success']);
    assert.equal(gen.body.success, true);
    const code = gen.body.license.activation_code;
    assert.deepEqual(
      { ...gen.body.license, license_id: undefined, activation_code: undefined },
      {
        license_id: undefined,
        activation_code: undefined,
        email: 'user@example.com',
        plan: 'monthly',
        device_cap: 5,
        valid_until: new Date(clock.now().getTime() + 30 * DAY).toISOString(),
      },
    );

    // curl -X POST http://localhost:5000/api/verify -H "Content-Type: application/json" -d '…'
    const ver = await t.lic('POST', '/api/verify', {
      headers: { 'Content-Type': 'application/json' },
      raw: `{
"activation_code": "${code}",
"email": "user@example.com",
"device_id": "device-uuid-123"
}`,
    });
    assert.equal(ver.status, 200, ver.text);
    assert.equal(ver.body.success, true);
    assert.equal(ver.body.code, 'SUCCESS');
    assert.equal(ver.body.isValid, true);
    assert.equal(ver.body.license.key, gen.body.license.license_id);
    assert.match(ver.body.timestamp, ISO);

    // curl -X GET "http://localhost:5000/api/admin/licenses?status=active&limit=50" -H "X-API-Key: your_api_key"
    const list = await t.lic('GET', '/api/admin/licenses?status=active&limit=50', { headers: { 'X-API-Key': key['X-API-Key'] } });
    assert.equal(list.status, 200, list.text);
    assert.equal(list.body.success, true);
    const mine = list.body.licenses.find((l: any) => l.activation_code === code);
    assert.ok(mine, 'the generated license is listed');
    assert.equal(mine.active_devices, 1);
    assert.equal(mine.device_limit, 5);
    assert.ok(list.body.licenses.length <= 50);
    assert.ok(list.body.licenses.every((l: any) => l.status === 'active'));
  });

  it("the seed's full verify body (device_name, ip_address) and the python example's json= bodies", async () => {
    const gen = await t.lic('POST', '/api/admin/generate', {
      headers: key,
      body: { plan: 'monthly', email: 'user@example.com', device_cap: 5, days: 30, user_hint: '测试用户' },
    });
    assert.equal(gen.status, 200, gen.text);
    const res = await verify(t, {
      activation_code: gen.body.license.activation_code,
      email: 'user@example.com',
      device_id: 'device-uuid-123',
      device_name: 'MacBook Pro',
      ip_address: '192.168.1.100',
    });
    assert.equal(res.status, 200, res.text);
    const [device] = await deviceRows(t, gen.body.license.license_id);
    assert.equal(device.device_name, 'MacBook Pro');
    assert.equal(device.ip_address, '192.168.1.100');
    assert.equal((await licenseRow(t, gen.body.license.license_id)).user_hint, '测试用户');
  });
});

describe('licensing: verify rate limits', () => {
  let t: LicensingApp;
  let key: Record<string, string>;

  before(async () => {
    t = await startLicensingApp({ licensing: { verifyPerCodePerMinute: 3, verifyPerIpPerMinute: 5 } });
    ({ key } = await tenantKey(t));
  });
  after(() => t?.close());

  it('per code (whatever its spelling), then per IP: 429 RATE_LIMITED with Retry-After', async () => {
    const a = await generate(t, key);
    const b = await generate(t, key);
    const c = await generate(t, key);
    const body = (code: string) => ({ activation_code: code, email: 'user@example.com' });
    for (let i = 0; i < 3; i++) assert.equal((await verify(t, body(i === 1 ? a.activation_code.toLowerCase() : a.activation_code))).status, 200);
    const limited = await verify(t, body(` ${a.activation_code.toLowerCase()}`));
    assertFailure(limited, 429, 'INVALID_REQUEST', { reason: 'RATE_LIMITED', verify: true });
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${limited.headers.get('retry-after')}`);

    // Another code has its own budget, but this IP has now spent 5 of 5.
    assert.equal((await verify(t, body(b.activation_code))).status, 200);
    const ipLimited = await verify(t, body(c.activation_code));
    assertFailure(ipLimited, 429, 'INVALID_REQUEST', { reason: 'RATE_LIMITED', verify: true });
    assert.ok(Number(ipLimited.headers.get('retry-after')) >= 1);
    // Unknown codes count too (no probing for free).
    assertFailure(await verify(t, body('ZZZZZ-ZZZZZ-ZZZZZ')), 429, 'INVALID_REQUEST', { reason: 'RATE_LIMITED', verify: true });
  });
});
