// The AI routes' scopes: ai:read reads, ai:manage writes (and reads), each within the tenant's
// plan; a plan without the ai_replies feature cuts both with a 403 naming the plan and feature.
import assert from 'node:assert/strict';
import { addUser, registerOwner } from '../../../test/helpers/actors.js';
import { bearer, ownerWithRobot, superadmin, type Owner } from '../../../test/helpers/robots.js';
import { aiApp, type RobotsApp } from './helpers.js';

type Reply = { status: number; body: any; text: string };

function assertRefused(res: Reply, status: number, message: string, data: unknown = null): void {
  assert.equal(res.status, status, res.text);
  assert.deepEqual(res.body, { code: status, message, data });
}

describe('ai: scopes ai:read and ai:manage, cut by the plan', () => {
  let t: RobotsApp;
  let admin: Owner;
  let owner: Owner;

  const keyOf = async (who: Owner, scopes: string[]): Promise<Record<string, string>> => {
    const res = await t.request('POST', '/api/v2/api-keys', { body: { name: `ai-${scopes.join('-')}`, scopes }, headers: who.headers });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body.scopes, scopes);
    return { 'x-api-key': res.body.raw_key };
  };
  const entries = async (tenantId: string) =>
    (await t.app.db('ai_knowledge').where('tenant_id', tenantId).select('question')).map((r: { question: string }) => r.question);
  const add = (headers: Record<string, string>, question: string) => t.wb('POST', '/api/ai/knowledge', { body: { question, answer: 'yes' }, headers });

  before(async () => {
    t = await aiApp({ billing: {} });
    admin = await superadmin(t);
    owner = await registerOwner(t, 'ai-scopes');
  });
  after(async () => t?.close());

  it('the scopes are in the catalogue a key is made from', async () => {
    const res = await t.request('GET', '/api/v2/api-keys/scopes', { headers: owner.headers });
    assert.equal(res.status, 200, res.text);
    const scopes = res.body.map((s: { scope: string }) => s.scope);
    assert.ok(scopes.includes('ai:read') && scopes.includes('ai:manage'), JSON.stringify(scopes));
  });

  it('a key with ai:read reads but cannot write (403 missing scope); ai:manage writes and reads', async () => {
    const reader = await keyOf(owner, ['ai:read']);
    const manager = await keyOf(owner, ['ai:manage']);
    const none = await keyOf(owner, ['account:read']);

    const listed = await t.wb('GET', '/api/ai/knowledge', { headers: reader });
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(listed.body.data, { total: 0, list: [] });
    assert.equal((await t.wb('GET', '/api/ai/providers', { headers: reader })).status, 200);
    assert.equal((await t.wb('GET', '/api/ai/settings', { headers: reader })).status, 200);
    assert.equal((await t.wb('GET', '/api/ai/calls', { headers: reader })).status, 200, 'an owner’s key reads the call log');

    assertRefused(await add(reader, 'From a reader?'), 403, 'missing scope ai:manage');
    assertRefused(await t.wb('PUT', '/api/ai/settings', { body: { fallbackAnswer: 'hacked' }, headers: reader }), 403, 'missing scope ai:manage');
    assertRefused(
      await t.wb('PUT', '/api/ai/providers/x', { body: { kind: 'openai', baseUrl: 'http://127.0.0.1:9/v1' }, headers: reader }),
      403,
      'missing scope ai:manage',
    );
    assertRefused(await t.wb('POST', '/api/ai/try', { body: { text: 'hi' }, headers: reader }), 403, 'missing scope ai:manage');
    assertRefused(await t.wb('GET', '/api/ai/knowledge', { headers: none }), 403, 'missing scope ai:read');
    assert.deepEqual(await entries(owner.tenantId), []);
    assert.equal(await t.app.db('ai_providers').where('tenant_id', owner.tenantId).first(), undefined);

    const added = await add(manager, 'From a manager?');
    assert.equal(added.status, 200, added.text);
    assert.deepEqual(await entries(owner.tenantId), ['From a manager?']);
    const read = await t.wb('GET', `/api/ai/knowledge/${added.body.data.id}`, { headers: manager });
    assert.equal(read.status, 200, 'ai:manage includes ai:read');
    assert.equal(read.body.data.question, 'From a manager?');
  });

  it('a member’s key cannot get ai:manage, and a member still may not write with a session (the role check stays)', async () => {
    const member = await addUser(t, owner.tenantId, 'member', { label: 'ai-member' });
    const refused = await t.request('POST', '/api/v2/api-keys', { body: { name: 'm', scopes: ['ai:manage'] }, headers: member.headers });
    assert.equal(refused.status, 403, refused.text);
    const reader = await keyOf(member, ['ai:read']);
    assert.equal((await t.wb('GET', '/api/ai/knowledge', { headers: reader })).status, 200);
    assertRefused(await add(member.headers, 'Member?'), 403, "only the tenant's owners and admins change its AI setup");
    assert.deepEqual(await entries(owner.tenantId), ['From a manager?']);
  });

  it('robot tokens and strangers are 401', async () => {
    assertRefused(await t.wb('GET', '/api/ai/knowledge'), 401, 'a user token is required');
    const { robot } = await ownerWithRobot(t, 'ai-robot');
    assertRefused(await t.wb('GET', '/api/ai/knowledge', { headers: bearer(robot.token) }), 401, 'a user token is required');
    assertRefused(await add(bearer(robot.token), 'From a robot?'), 401, 'a user token is required');
  });

  it('a plan without the ai_replies feature: 403 naming the plan and the feature, for sessions and keys; adding it gives them back', async () => {
    const tenant = await registerOwner(t, 'ai-noplan');
    const key = await keyOf(tenant, ['ai:manage']);
    const plan = await t.request('POST', '/api/v2/admin/plans', {
      headers: admin.headers,
      body: { id: 'no-ai', display_name: 'No AI', limits: {}, features: ['api_keys', 'robots'] },
    });
    assert.equal(plan.status, 201, plan.text);
    const moved = await t.request('PUT', `/api/v2/admin/tenants/${tenant.tenantId}/subscription`, { headers: admin.headers, body: { plan_id: 'no-ai' } });
    assert.equal(moved.status, 200, moved.text);

    const refused = (res: Reply, scope: string) =>
      assertRefused(res, 403, `plan "no-ai" does not include feature "ai_replies" (needed for ${scope})`, { plan_id: 'no-ai', feature: 'ai_replies', scope });
    refused(await t.wb('GET', '/api/ai/knowledge', { headers: tenant.headers }), 'ai:read');
    refused(await add(tenant.headers, 'Not on this plan'), 'ai:manage');
    refused(await t.wb('GET', '/api/ai/settings', { headers: key }), 'ai:read');
    refused(await add(key, 'Not by key either'), 'ai:manage');
    assert.deepEqual(await entries(tenant.tenantId), []);
    // Other tenants (on the default plan) and the superadmin are not touched.
    assert.equal((await t.wb('GET', '/api/ai/knowledge', { headers: owner.headers })).status, 200);
    assert.equal((await t.wb('GET', '/api/ai/knowledge', { headers: admin.headers })).status, 200);

    const patched = await t.request('PATCH', '/api/v2/admin/plans/no-ai', { headers: admin.headers, body: { features: ['api_keys', 'robots', 'ai_replies'] } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal((await add(key, 'Back on the plan')).status, 200);
    assert.deepEqual(await entries(tenant.tenantId), ['Back on the plan']);
  });
});
