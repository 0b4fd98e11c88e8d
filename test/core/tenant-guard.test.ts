// The one tenant guard (core/http/guards.ts actingTenant): every tenant-scoped endpoint of every
// face refuses a credential that acts in no tenant (the root token) the same way — 403
// tenant_required in that face's envelope, naming what to do — and changes nothing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createTestApp, type TestApp } from '../helpers/app.js';

const ROOT = `root-${randomBytes(24).toString('base64url')}`;
const MESSAGE = /acts within a tenant: sign in as a user of one, or use a tenant’s API key/;

describe('core: the tenant guard', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ plugins: ['auth', 'billing', 'licensing', 'robots', 'ai', 'workflows'], settings: { auth: { rootToken: ROOT } } });
  });
  after(async () => t?.close());

  const root = { authorization: `Bearer ${ROOT}` };
  const cases: Array<[string, string, (body: any) => string, Record<string, unknown>?]> = [
    ['GET', '/api/v2/api-keys', (b) => `${b.code}: ${b.detail}`], // the detail face carries the code: tenant_required
    ['POST', '/api/v2/api-keys', (b) => `${b.code}: ${b.detail}`, { name: 'k', scopes: ['account:read'] }],
    ['GET', '/api/v2/billing/subscription', (b) => `${b.code}: ${b.detail}`],
    ['GET', '/api/v2/workflows', (b) => `${b.code}: ${b.detail}`],
    ['GET', '/workbot/api/robots', (b) => b.message],
    ['GET', '/workbot/api/ai/knowledge', (b) => b.message],
    ['GET', '/workbot/api/robot/commands/awaiting-approval', (b) => b.message],
    ['POST', '/workbot/api/robot/third-party/config', (b) => b.message, { robotId: 'robot_1_ab' }],
    // The license server's seed code stays INVALID_API_KEY (its envelope maps the guard's refusal to it).
    ['POST', '/license/api/admin/generate', (b) => `${b.success} ${b.code}: ${b.message}`, { plan: 'monthly', email: 'a@example.com' }],
  ];
  for (const [method, path, messageOf, body] of cases) {
    it(`${method} ${path} as the root token: 403 naming the tenant, in the face’s envelope`, async () => {
      const res = await t.request(method, path, { headers: root, body });
      assert.equal(res.status, 403, res.text);
      assert.match(messageOf(res.body), MESSAGE, res.text);
      if (path.startsWith('/license')) assert.match(messageOf(res.body), /^false INVALID_API_KEY: /, res.text);
    });
  }
});
