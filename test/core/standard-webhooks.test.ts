// The webhook signature helper against the Standard Webhooks spec's own library: what Plinth signs
// the library verifies (default mode for `whsec_` secrets, `{ format: 'raw' }` for any other
// string), and what the library signs Plinth verifies, with the timestamp window kept.
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { isSpecSecret, newWebhookSecret, verifyWebhook, webhookHeaders } from '../../core/net/webhook-signature.js';

const body = JSON.stringify({ type: 'robot.message', data: { spoken: 'héllo' } });
const nowSeconds = () => Math.floor(Date.now() / 1000);
const asCheck = (h: Record<string, string>) => ({ id: h['webhook-id'], timestamp: h['webhook-timestamp'], signature: h['webhook-signature'] });

describe('core: Standard Webhooks signatures (standardwebhooks library)', () => {
  it('generates spec secrets: whsec_ + base64 of 32 random bytes, each different', () => {
    const a = newWebhookSecret();
    const b = newWebhookSecret();
    assert.match(a, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(Buffer.from(a.slice(6), 'base64').length, 32);
    assert.notEqual(a, b);
    assert.ok(isSpecSecret(a));
    for (const other of ['wfsec_abcDEF-_123', 'whsec_', 'whsec_not base64!', 'whsec_abc', 'a-customer-secret', 'whsec-test-1234'])
      assert.ok(!isSpecSecret(other), other);
  });

  it('a whsec_ secret is keyed by its decoded bytes: the library default mode verifies, raw mode does not', () => {
    const secret = newWebhookSecret();
    const headers = webhookHeaders(secret, 'msg_1', nowSeconds(), body);
    assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
    assert.throws(() => new Webhook(secret, { format: 'raw' }).verify(body, headers), /No matching signature/);
    assert.throws(() => new Webhook(newWebhookSecret()).verify(body, headers), /No matching signature/);
    assert.throws(() => new Webhook(secret).verify(body.replace('héllo', 'hello'), headers), /No matching signature/);
  });

  it('any other secret is keyed by its UTF-8 bytes: the library verifies it with { format: "raw" }', () => {
    for (const secret of ['a-customer-chose-this-secret', 'wfsec_oldStoredSecret-_0123456789abcdefABCDEF', 'whsec_not base64!']) {
      const headers = webhookHeaders(secret, 'msg_2', nowSeconds(), body);
      assert.deepEqual(new Webhook(secret, { format: 'raw' }).verify(body, headers), JSON.parse(body), secret);
    }
    // Non-ASCII: the key is the UTF-8 encoding (give the library the bytes).
    const unicode = 'clé-secrète-ünïcode';
    const headers = webhookHeaders(unicode, 'msg_3', nowSeconds(), body);
    assert.deepEqual(new Webhook(new TextEncoder().encode(unicode), { format: 'raw' }).verify(body, headers), JSON.parse(body));
  });

  it('verifies what the library signs, for both kinds of secret, among several signatures (rotation)', () => {
    const now = new Date();
    for (const [secret, wh] of [
      [newWebhookSecret(), null],
      ['wfsec_oldStoredSecret-_0123456789abcdefABCDEF', 'raw'],
    ] as const) {
      const lib = wh === 'raw' ? new Webhook(secret, { format: 'raw' }) : new Webhook(secret);
      const signature = lib.sign('msg_4', now, body);
      const headers = { id: 'msg_4', timestamp: String(Math.floor(now.getTime() / 1000)), signature: `v1,bm90LXRoaXMtb25l ${signature}` };
      assert.deepEqual(verifyWebhook(secret, headers, body, now, 300), { ok: true });
      assert.deepEqual(verifyWebhook(secret, headers, `${body} `, now, 300), { ok: false, reason: 'webhook-signature does not match' });
      assert.deepEqual(verifyWebhook(secret, { ...headers, id: 'msg_5' }, body, now, 300), { ok: false, reason: 'webhook-signature does not match' });
    }
  });

  it('keeps the timestamp window (replays refused) and requires the three headers', () => {
    const secret = newWebhookSecret();
    const now = new Date('2026-03-02T10:00:00Z');
    const at = (seconds: number) => asCheck(webhookHeaders(secret, 'msg_6', seconds, body));
    const t0 = now.getTime() / 1000;
    assert.deepEqual(verifyWebhook(secret, at(t0 - 299), body, now, 300), { ok: true });
    assert.deepEqual(verifyWebhook(secret, at(t0 - 301), body, now, 300), { ok: false, reason: 'webhook-timestamp is too far from now' });
    assert.deepEqual(verifyWebhook(secret, at(t0 + 301), body, now, 300), { ok: false, reason: 'webhook-timestamp is too far from now' });
    const ok = at(t0);
    for (const missing of [
      { ...ok, id: undefined },
      { ...ok, signature: undefined },
      { ...ok, timestamp: undefined },
      { ...ok, timestamp: '1e9' },
      { ...ok, timestamp: 'soon' },
    ]) {
      assert.equal(verifyWebhook(secret, missing, body, now, 300).ok, false);
    }
  });
});
