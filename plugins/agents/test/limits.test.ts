// Plans and limits over MCP: a plan without the agents feature (or without a tool's feature) hides and
// refuses the tools; per-key and per-tool rate limits and the agent_calls_per_month quota answer as
// tool errors the agent can act on; a dry run writes and meters nothing.
import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { type Actor, login, registerOwner } from '../../../test/helpers/actors.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';

type Result = { isError?: boolean; structuredContent?: any; content: Array<{ type: string; text?: string }> };
const errorOf = (r: Result) => JSON.parse(r.content[0]?.text ?? '{}');
const ADMIN = { email: 'operator@agents.test', password: 'Operator-pass-for-agents-42' };

describe('agents: plans, rate limits and metering', () => {
  let t: TestApp;
  let admin: Actor;

  const tenantWithKey = async (label: string, scopes = ['licenses:manage', 'usage:read']) => {
    const owner = await registerOwner(t, label);
    const made = await t.request('POST', '/api/v2/api-keys', { headers: owner.headers, body: { name: label, scopes } });
    assert.equal(made.status, 201, made.text);
    return { owner, key: made.body.raw_key as string };
  };
  const connect = async (key: string) => {
    const c = new Client({ name: 'limits', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await c.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
    return c;
  };
  const plan = async (id: string, limits: Record<string, number | null>, features: string[] | null) => {
    const res = await t.request('POST', '/api/v2/admin/plans', { headers: admin.headers, body: { id, display_name: id, limits, features } });
    assert.equal(res.status, 201, res.text);
  };
  const move = async (tenantId: string, planId: string) => {
    const res = await t.request('PUT', `/api/v2/admin/tenants/${tenantId}/subscription`, { headers: admin.headers, body: { plan_id: planId } });
    assert.equal(res.status, 200, res.text);
  };
  const licenses = async (tenantId: string) => Number((await t.app.db('licensing_licenses').where('tenant_id', tenantId).count({ n: '*' }).first())?.n);
  const generate = (c: Client, extra: Record<string, unknown> = {}) =>
    c.callTool({ name: 'licensing_generate', arguments: { plan: 'monthly', email: 'buyer@example.org', ...extra } }) as Promise<Result>;
  const outcomes = async (tenantId: string) =>
    (await t.app.db('auth_audit_logs').where({ action: 'agents.tool_call', tenant_id: tenantId }).orderBy('id').select('details')).map(
      (r: { details: string }) => JSON.parse(r.details).outcome,
    );

  before(async () => {
    t = await createTestApp({
      plugins: ['auth', 'billing', 'licensing', 'agents'],
      settings: { auth: { admin: ADMIN }, agents: { callsPerKeyPerMinute: 6, callsPerToolPerMinute: 4 } },
    });
    admin = await login(t, ADMIN.email, ADMIN.password);
  });
  after(async () => t?.close());

  it('a plan without the agents feature: no tools listed, and a call is refused (unknown tool); nothing written', async () => {
    await plan('no-agents', {}, ['api_keys', 'licensing']);
    const { owner, key } = await tenantWithKey('no-agents');
    await move(owner.tenantId, 'no-agents');
    const c = await connect(key);
    assert.deepEqual((await c.listTools()).tools, []);
    await assert.rejects(generate(c), /licensing_generate/);
    assert.equal(await licenses(owner.tenantId), 0);
    await c.close();
    // The same key on a plan with the feature sees its tools again.
    await move(owner.tenantId, 'free');
    const back = await connect(key);
    assert.ok((await back.listTools()).tools.some((x) => x.name === 'licensing_generate'));
    await back.close();
  });

  it('a plan with agents but without a tool’s feature (licensing) hides that tool and keeps the others', async () => {
    await plan('agents-only', {}, ['api_keys', 'agents']);
    const { owner, key } = await tenantWithKey('agents-only');
    await move(owner.tenantId, 'agents-only');
    const c = await connect(key);
    const names = (await c.listTools()).tools.map((x) => x.name);
    assert.ok(!names.some((n) => n.startsWith('licens')), names.join());
    assert.ok(names.includes('usage_read'), names.join());
    await assert.rejects(generate(c), /licensing_generate/);
    assert.equal(await licenses(owner.tenantId), 0);
    await c.close();
  });

  it('dryRun on licensing_generate: says what would happen, writes no license, meters nothing', async () => {
    const { owner, key } = await tenantWithKey('dry-run');
    const c = await connect(key);
    const dry = await generate(c, { dryRun: true });
    assert.notEqual(dry.isError, true, JSON.stringify(dry));
    assert.deepEqual(
      [dry.structuredContent.dryRun, dry.structuredContent.wouldRun, dry.structuredContent.arguments.plan],
      [true, 'licensing_generate', 'monthly'],
    );
    assert.equal(await licenses(owner.tenantId), 0);
    const usage = (await c.callTool({ name: 'usage_read', arguments: {} })) as Result;
    assert.equal(usage.structuredContent.usage.agent_calls_this_month, 1, 'only the usage read itself was metered');
    await c.close();
  });

  it('probing for tools the key is not served spends its budget like any call, each probe audited', async () => {
    const { owner, key } = await tenantWithKey('probe');
    const c = await connect(key);
    for (let i = 0; i < 5; i++) await c.callTool({ name: `hidden_${i}`, arguments: {} }).catch(() => undefined);
    assert.notEqual(((await c.callTool({ name: 'usage_read', arguments: {} })) as Result).isError, true, 'the 6th call fits');
    await c.callTool({ name: 'hidden_5', arguments: {} }).catch(() => undefined);
    const after = (await c.callTool({ name: 'usage_read', arguments: {} })) as Result;
    assert.equal(errorOf(after).error, 'rate_limited');
    assert.deepEqual(await outcomes(owner.tenantId), [...Array(5).fill('unknown_tool'), 'ok', 'rate_limited', 'rate_limited']);
    await c.close();
  });

  it('per tool: the 5th call of one tool in a minute is a tool error with retry_after; per key: the 7th across tools', async () => {
    const { owner, key } = await tenantWithKey('rate');
    const c = await connect(key);
    for (let i = 0; i < 4; i++) assert.notEqual((await generate(c, { dryRun: true })).isError, true);
    const perTool = await generate(c, { dryRun: true });
    assert.equal(perTool.isError, true);
    assert.equal(errorOf(perTool).error, 'rate_limited');
    assert.ok(errorOf(perTool).retry_after >= 1);
    // Another tool still answers, until the key's budget (6 a minute, the refused call included) is spent.
    assert.notEqual(((await c.callTool({ name: 'usage_read', arguments: {} })) as Result).isError, true);
    const perKey = (await c.callTool({ name: 'usage_read', arguments: {} })) as Result;
    assert.equal(perKey.isError, true);
    assert.equal(errorOf(perKey).error, 'rate_limited');
    assert.deepEqual(await outcomes(owner.tenantId), ['dry_run', 'dry_run', 'dry_run', 'dry_run', 'rate_limited', 'ok', 'rate_limited']);
    // Another key of the same tenant has its own budget.
    const other = await t.request('POST', '/api/v2/api-keys', { headers: owner.headers, body: { name: 'second', scopes: ['usage:read'] } });
    const c2 = await connect(other.body.raw_key);
    assert.notEqual(((await c2.callTool({ name: 'usage_read', arguments: {} })) as Result).isError, true);
    await c.close();
    await c2.close();
  });

  it('agent_calls_per_month: past the plan’s quota a call is a tool error (usage_limit_reached) and nothing runs', async () => {
    await plan('tiny', { agent_calls_per_month: 2, max_api_keys: 5, max_licenses: 100 }, null);
    const { owner, key } = await tenantWithKey('quota');
    await move(owner.tenantId, 'tiny');
    const c = await connect(key);
    assert.notEqual((await generate(c)).isError, true);
    assert.notEqual((await generate(c, { dryRun: true })).isError, true, 'a dry run is not metered');
    assert.notEqual((await generate(c)).isError, true);
    const over = await generate(c);
    assert.equal(over.isError, true);
    assert.equal(errorOf(over).error, 'usage_limit_reached');
    assert.match(errorOf(over).message, /agent_calls_per_month/);
    assert.equal(await licenses(owner.tenantId), 2);
    assert.deepEqual(await outcomes(owner.tenantId), ['ok', 'dry_run', 'ok', 'usage_limit_reached']);
    await c.close();
  });
});
