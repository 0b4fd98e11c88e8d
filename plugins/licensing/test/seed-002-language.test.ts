// Issue 39: the license server answers in seed 002's own words (Chinese) unless the request's
// Accept-Language asks for English; codes and reasons never change.
import assert from 'node:assert/strict';
import { assertFailure, count, generate, startLicensingApp, tenantKey, verify, type LicensingApp } from './license-helpers.js';

const EN = { 'accept-language': 'en-US,en;q=0.9' };

describe('licensing: seed 002’s own words', () => {
  let t: LicensingApp;
  let key: Record<string, string>;

  before(async () => {
    t = await startLicensingApp();
    ({ key } = await tenantKey(t));
  });
  after(() => t?.close());

  it('POST /api/verify with the document’s example: "许可证验证成功"; "license verified" when English is asked for', async () => {
    const lic = await generate(t, key, { plan: 'monthly', email: 'user@example.com' });
    const body = {
      activation_code: lic.activation_code,
      email: 'user@example.com',
      device_id: 'device-uuid-123',
      device_name: 'MacBook Pro',
      ip_address: '192.168.1.100',
    };
    const res = await verify(t, body);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.message, '许可证验证成功');
    assert.equal(res.body.code, 'SUCCESS');
    assert.equal(res.headers.get('content-language'), 'zh');
    assert.match(res.headers.get('vary') ?? '', /accept-language/i);
    // The device was bound either way: the wording changes nothing else.
    assert.equal(await count(t.app.db('licensing_devices').where('device_id', 'device-uuid-123')), 1);

    const english = await verify(t, body, EN);
    assert.equal(english.status, 200, english.text);
    assert.equal(english.body.message, 'license verified');
    assert.equal(english.headers.get('content-language'), 'en');
    // Chinese asked for, or a language the face does not speak: the document's.
    assert.equal((await verify(t, body, { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' })).body.message, '许可证验证成功');
    assert.equal((await verify(t, body, { 'accept-language': 'fr-FR' })).body.message, '许可证验证成功');
  });

  it('the failure example: a code that does not exist is "激活码不存在或已停用" (INVALID_LICENSE), a revoked one too', async () => {
    const res = await verify(t, { activation_code: 'ABCDE-FGHIJ-KLMN', email: 'user@example.com', device_id: 'device-uuid-123' });
    const body = assertFailure(res, 403, 'INVALID_LICENSE', { verify: true, reason: 'LICENSE_NOT_FOUND' });
    assert.equal(body.message, '激活码不存在或已停用');
    assert.equal(body.isValid, false);
    const english = assertFailure(await verify(t, { activation_code: 'ABCDE-FGHIJ-KLMN', email: 'user@example.com' }, EN), 403, 'INVALID_LICENSE');
    assert.equal(english.message, 'the activation code does not exist or does not match this email');

    const lic = await generate(t, key, { plan: 'yearly', email: 'gone@example.com' });
    const revoked = await t.lic('POST', '/api/admin/revoke', { headers: key, body: { license_id: lic.license_id, reason: '用户申请退款' } });
    assert.deepEqual(revoked.body, { success: true });
    const refused = assertFailure(await verify(t, { activation_code: lic.activation_code, email: 'gone@example.com' }), 403, 'INVALID_LICENSE', {
      verify: true,
      reason: 'LICENSE_REVOKED',
    });
    assert.equal(refused.message, '激活码不存在或已停用');
  });

  it('the code table’s words for a missing code, a missing email and a bad API key; English when asked', async () => {
    assert.equal(assertFailure(await verify(t, { email: 'user@example.com' }), 400, 'MISSING_LICENSE', { verify: true }).message, '激活码不能为空');
    assert.equal(assertFailure(await verify(t, { activation_code: 'ABCDE-FGHIJ-KLMNP' }), 400, 'MISSING_EMAIL', { verify: true }).message, '邮箱不能为空');
    assert.equal(assertFailure(await verify(t, { email: 'user@example.com' }, EN), 400, 'MISSING_LICENSE').message, 'activation_code is required');
    const badKey = { 'x-api-key': 'your_api_key_here' };
    assert.equal(assertFailure(await t.lic('GET', '/api/admin/licenses', { headers: badKey }), 401, 'INVALID_API_KEY').message, 'API密钥无效');
    const before = await count(t.app.db('licensing_licenses'));
    const refused = await t.lic('POST', '/api/admin/generate', { headers: { ...badKey, ...EN }, body: { plan: 'monthly', email: 'user@example.com' } });
    assert.equal(assertFailure(refused, 401, 'INVALID_API_KEY').message, 'invalid API key');
    assert.equal(await count(t.app.db('licensing_licenses')), before, 'nothing generated');
  });
});
