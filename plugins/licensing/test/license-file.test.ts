import assert from 'node:assert/strict';
import { createPublicKey, verify as verifySignature } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.js';
import { assertFailure, deviceRows, generate, startLicensingApp, tenantKey, verify, type LicensingApp } from './license-helpers.js';

const checks = (payload: string, signature: string, pem: string) =>
  verifySignature(null, Buffer.from(payload), createPublicKey(pem), Buffer.from(signature, 'base64'));
/**
 * A verifier written from the documented scheme alone (docs/plugins/licensing.md, `signature_scheme`): Ed25519 over
 * the ASCII bytes of the base64url payload, the raw 32-byte public key (`public_key_raw`).
 */
function documentedVerifier(publicKeyRaw: string) {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKeyRaw }, format: 'jwk' });
  return (file: { payload: string; signature: string }) =>
    verifySignature(null, Buffer.from(file.payload, 'ascii'), key, Buffer.from(file.signature, 'base64'));
}
const SCHEME = 'ed25519 over the ASCII bytes of the base64url payload';
const facts = (payload: string) => JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));

async function publicKey(t: LicensingApp): Promise<string> {
  const res = await t.lic('GET', '/api/public-key');
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.success, true);
  assert.equal(res.body.algorithm, 'Ed25519');
  assert.match(res.body.public_key, /^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n?$/);
  assert.doesNotMatch(res.text, /PRIVATE/);
  assert.equal(res.body.signature_scheme, SCHEME);
  assert.match(res.body.key_id, /^SHA256:[A-Za-z0-9_-]{16}$/);
  // The raw key is the PEM's last 32 bytes (SPKI of Ed25519).
  const der = createPublicKey(res.body.public_key).export({ type: 'spki', format: 'der' });
  assert.equal(Buffer.from(res.body.public_key_raw, 'base64url').toString('hex'), der.subarray(-32).toString('hex'));
  return res.body.public_key;
}

const fileQuery = (q: Record<string, string>) => `/api/license-file?${new URLSearchParams(q)}`;

describe('licensing: signed offline license files', () => {
  let database: TestDatabase;
  let t: LicensingApp;
  let key: Record<string, string>;

  before(async () => {
    database = await createTestDatabase();
    t = await startLicensingApp({ database });
    ({ key } = await tenantKey(t));
  });
  after(async () => {
    await t?.close();
    await database?.drop();
  });

  it('for a bound device: payload + Ed25519 signature that node:crypto verifies with GET /api/public-key', async () => {
    const lic = await generate(t, key, { plan: 'yearly', device_cap: 3 });
    assert.equal((await verify(t, { activation_code: lic.activation_code, email: 'user@example.com', device_id: 'device-1' })).status, 200);
    const pem = await publicKey(t);

    const res = await t.lic('GET', fileQuery({ activation_code: lic.activation_code, email: 'user@example.com', device_id: 'device-1' }));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.success, true);
    assert.equal(res.body.algorithm, 'Ed25519');
    assert.equal(res.body.signature_scheme, SCHEME, 'the reply says what is signed');
    const { payload, signature } = res.body;
    assert.ok(checks(payload, signature, pem), 'the signature verifies');
    const raw = (await t.lic('GET', '/api/public-key')).body.public_key_raw;
    assert.ok(documentedVerifier(raw)(res.body), 'a verifier written from the documented scheme accepts it');
    assert.equal(res.body.key_id, (await t.lic('GET', '/api/public-key')).body.key_id);
    // The trap the scheme names: the signature is not over the decoded JSON.
    const jsonBytes = Buffer.from(payload, 'base64url');
    assert.equal(verifySignature(null, jsonBytes, createPublicKey(pem), Buffer.from(signature, 'base64')), false);
    const f = facts(payload);
    // The decoded copy is marked unverified; no unsigned `license` a careless client could trust.
    assert.equal(res.body.license, undefined);
    assert.deepEqual(f, res.body.unverified_license);
    assert.equal(f.license_id, lic.license_id);
    assert.equal(f.device_id, 'device-1');
    assert.equal(f.plan, 'yearly');
    assert.equal(f.email, 'user@example.com');
    assert.equal(f.device_cap, 3);
    assert.equal(f.valid_until, lic.valid_until);

    // Tampered: other facts under the same signature, or a flipped character.
    const forged = Buffer.from(JSON.stringify({ ...f, valid_until: null, device_cap: 1000 })).toString('base64url');
    assert.equal(checks(forged, signature, pem), false);
    const flipped = payload.slice(0, 10) + (payload[10] === 'A' ? 'B' : 'A') + payload.slice(11);
    assert.equal(checks(flipped, signature, pem), false);
    // A damaged signature fails too.
    const sig = Buffer.from(signature, 'base64');
    sig[0] ^= 1;
    assert.equal(checks(payload, sig.toString('base64'), pem), false);
  });

  it("the documented checkLicense, as printed, accepts a file and refuses a tampered one or another device's", async () => {
    const readme = fs.readFileSync(new URL('../../../docs/plugins/licensing.md', import.meta.url), 'utf8');
    const block = /```js\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('**Offline license files**')))![1];
    const pem = await publicKey(t);
    assert.match(block, /const PUBLIC_KEY = `[^`]*`;/);
    const module = path.join(database.dataDir, 'check-license.mjs');
    fs.writeFileSync(module, block.replace(/const PUBLIC_KEY = `[^`]*`;/, `const PUBLIC_KEY = ${JSON.stringify(pem)};`));
    const { checkLicense } = await import(pathToFileURL(module).href);

    const lic = await generate(t, key, { plan: 'lifetime' });
    assert.equal((await verify(t, { activation_code: lic.activation_code, email: 'user@example.com', device_id: 'readme' })).status, 200);
    const file = (await t.lic('GET', fileQuery({ activation_code: lic.activation_code, email: 'user@example.com', device_id: 'readme' }))).body;
    assert.equal(checkLicense(file, 'readme').license_id, lic.license_id);
    assert.equal(checkLicense(file, 'another-device'), null);
    const forged = { ...file, payload: Buffer.from(JSON.stringify({ ...facts(file.payload), device_id: 'another-device' })).toString('base64url') };
    assert.equal(checkLicense(forged, 'another-device'), null);
    // Trusting the unsigned copy is what the scheme warns against: editing it changes nothing.
    assert.equal(checkLicense({ ...file, unverified_license: { ...file.unverified_license, device_id: 'another-device' } }, 'another-device'), null);
  });

  it('403 for a device never bound (and asking binds nothing), a deactivated device, a revoked license, a wrong email', async () => {
    const lic = await generate(t, key, { device_cap: 2 });
    const q = (device_id: string, email = 'user@example.com') => fileQuery({ activation_code: lic.activation_code, email, device_id });

    const unbound = assertFailure(await t.lic('GET', q('stranger')), 403, 'INVALID_LICENSE', { reason: 'DEVICE_NOT_ACTIVATED' });
    assert.match(unbound.message, /not activated/);
    assert.equal((await deviceRows(t, lic.license_id)).length, 0, 'asking for a file binds nothing');

    assert.equal((await verify(t, { activation_code: lic.activation_code, email: 'user@example.com', device_id: 'laptop' })).status, 200);
    assert.equal((await t.lic('GET', q('laptop'))).status, 200);
    assertFailure(await t.lic('GET', q('laptop', 'other@example.com')), 403, 'INVALID_LICENSE');

    assert.equal(
      (await t.lic('POST', '/api/admin/deactivate-device', { headers: key, body: { license_id: lic.license_id, device_id: 'laptop' } })).status,
      200,
    );
    assertFailure(await t.lic('GET', q('laptop')), 403, 'INVALID_LICENSE', { reason: 'DEVICE_DEACTIVATED' });
    assert.equal((await t.lic('POST', '/api/admin/activate-device', { headers: key, body: { license_id: lic.license_id, device_id: 'laptop' } })).status, 200);
    assert.equal((await t.lic('GET', q('laptop'))).status, 200);

    assert.equal((await t.lic('POST', '/api/admin/revoke', { headers: key, body: { license_id: lic.license_id } })).status, 200);
    assertFailure(await t.lic('GET', q('laptop')), 403, 'INVALID_LICENSE');
  });

  it('400 without device_id; MISSING_LICENSE / MISSING_EMAIL as for verify', async () => {
    const lic = await generate(t, key);
    assertFailure(await t.lic('GET', fileQuery({ activation_code: lic.activation_code, email: 'user@example.com' })), 400, 'INVALID_REQUEST');
    assertFailure(await t.lic('GET', fileQuery({ email: 'user@example.com', device_id: 'd' })), 400, 'MISSING_LICENSE');
    assertFailure(await t.lic('GET', fileQuery({ activation_code: lic.activation_code, device_id: 'd' })), 400, 'MISSING_EMAIL');
  });

  it('the key is kept in the database (no key file written) and survives a restart: same public key, old files still verify', async () => {
    assert.equal(fs.existsSync(path.join(database.dataDir, 'licensing', 'ed25519.pem')), false, 'no key file');
    const row = await t.db('licensing_signing_keys').first();
    assert.equal(row.source, 'generated');
    assert.match(row.private_key, /BEGIN PRIVATE KEY/);

    const before = await publicKey(t);
    assert.equal(before, row.public_key);
    const lic = await generate(t, key);
    assert.equal((await verify(t, { activation_code: lic.activation_code, email: 'user@example.com', device_id: 'kept' })).status, 200);
    const file = (await t.lic('GET', fileQuery({ activation_code: lic.activation_code, email: 'user@example.com', device_id: 'kept' }))).body;

    await t.close(); // the database is ours: it stays
    t = await startLicensingApp({ database });
    const after = await publicKey(t);
    assert.equal(after, before);
    assert.ok(checks(file.payload, file.signature, after), 'a file signed before the restart verifies after it');
    const again = await t.lic('GET', fileQuery({ activation_code: lic.activation_code, email: 'user@example.com', device_id: 'kept' }));
    assert.equal(again.status, 200, again.text);
    assert.ok(checks(again.body.payload, again.body.signature, after));
  });
});
