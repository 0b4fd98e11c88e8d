// The MCP endpoint driven by the official client over Streamable HTTP with an API key:
// authentication, tools per key scope, and a tool call doing what the REST face does.
import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { registerOwner, type Actor } from '../../../test/helpers/actors.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';

const LICENSE_TOOLS = ['license_verify', 'licensing_generate', 'tool_call', 'tool_describe', 'tools_search'];

describe('agents: the MCP endpoint', () => {
  let t: TestApp;
  let owner: Actor;

  const keyOf = async (who: Actor, scopes: string[]): Promise<string> => {
    const res = await t.request('POST', '/api/v2/api-keys', { body: { name: `mcp-${scopes.join('-')}`, scopes }, headers: who.headers });
    assert.equal(res.status, 201, res.text);
    return res.body.raw_key as string;
  };
  const connect = async (key: string, headers: Record<string, string> = { 'X-API-Key': key }): Promise<Client> => {
    const client = new Client({ name: 'plinth-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers } });
    await client.connect(transport);
    return client;
  };

  /** The outcomes of the tenant's `agents.tool_call` audit rows for one tool, oldest first. */
  const outcomes = async (tenantId: string, tool: string): Promise<string[]> =>
    (await t.app.db('auth_audit_logs').where({ action: 'agents.tool_call', tenant_id: tenantId, target_id: tool }).orderBy('id').select('details')).map(
      (r: { details: string }) => JSON.parse(r.details).outcome,
    );

  before(async () => {
    t = await createTestApp({ plugins: ['auth', 'billing', 'licensing', 'mail', 'robots', 'agents'] });
    owner = await registerOwner(t, 'mcp');
  });
  after(async () => t?.close());

  it('without a key: 401 naming the protected-resource metadata, which is served', async () => {
    const res = await t.request('POST', '/mcp', { body: { jsonrpc: '2.0', id: 1, method: 'tools/list' } });
    assert.equal(res.status, 401, res.text);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer resource_metadata="http://plinth.test/.well-known/oauth-protected-resource"');
    const meta = await t.request('GET', '/.well-known/oauth-protected-resource');
    assert.equal(meta.status, 200, meta.text);
    assert.equal(meta.body.resource, 'http://plinth.test/mcp');
  });

  it('the key as Authorization: Bearer mf_… (what desktop clients send): the same tools; a wrong one is 401 with the challenge', async () => {
    const key = await keyOf(owner, ['licenses:manage']);
    const client = await connect(key, { Authorization: `Bearer ${key}` });
    assert.deepEqual((await client.listTools()).tools.map((x) => x.name).sort(), LICENSE_TOOLS);
    await client.close();
    const wrong = await t.request('POST', '/mcp', {
      headers: { authorization: `Bearer ${key.slice(0, -2)}xx` },
      body: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
    });
    assert.equal(wrong.status, 401, wrong.text);
    assert.equal(wrong.body.code, 'invalid_api_key');
    assert.match(
      wrong.headers.get('www-authenticate') ?? '',
      /^Bearer resource_metadata="http:\/\/plinth.test\/.well-known\/oauth-protected-resource", error="invalid_token"$/,
    );
  });

  it('two keys with different scopes see different tools, each with annotations', async () => {
    const mail = await connect(await keyOf(owner, ['mail:use']));
    const licenses = await connect(await keyOf(owner, ['licenses:manage']));
    const mailTools = (await mail.listTools()).tools;
    const licenseTools = (await licenses.listTools()).tools;
    // mail_send is in the long tail: found and described through the meta tools, not listed.
    assert.deepEqual(mailTools.map((x) => x.name).sort(), ['mail_wait_for_code', 'tool_call', 'tool_describe', 'tools_search']);
    assert.equal(mailTools.find((x) => x.name === 'mail_wait_for_code')?.annotations?.readOnlyHint, true);
    assert.deepEqual(licenseTools.map((x) => x.name).sort(), LICENSE_TOOLS);
    const described = await mail.callTool({ name: 'tool_describe', arguments: { name: 'mail_send' } });
    assert.equal((described.structuredContent as any).annotations.destructiveHint, true);
    assert.equal(licenseTools.find((x) => x.name === 'licensing_generate')?.annotations?.readOnlyHint, false);
    for (const tool of [...mailTools, ...licenseTools]) {
      for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
        assert.equal(typeof tool.annotations?.[hint], 'boolean', `${tool.name} ${hint}`);
      }
    }
    await mail.close();
    await licenses.close();
  });

  it('every listed tool returning structured content declares its outputSchema; openWorldHint only on tools that reach outside', async () => {
    const client = await connect(await keyOf(await registerOwner(t, 'schemas'), ['mail:use', 'robots:use', 'licenses:manage', 'usage:read']));
    const tools = (await client.listTools()).tools;
    for (const tool of tools) {
      if (tool.name === 'tool_call') assert.equal(tool.outputSchema, undefined, 'tool_call answers whatever the called tool does');
      else assert.equal(tool.outputSchema?.type, 'object', `${tool.name} has an outputSchema`);
    }
    const openWorld = Object.fromEntries(tools.map((x) => [x.name, x.annotations?.openWorldHint]));
    assert.equal(openWorld.robots_send_message, true);
    assert.equal(openWorld.tool_call, true);
    for (const name of ['licensing_generate', 'license_verify', 'usage_read', 'mail_wait_for_code', 'tools_search']) assert.equal(openWorld[name], false, name);
    const mailSend = (await client.callTool({ name: 'tool_describe', arguments: { name: 'mail_send' } })).structuredContent as any;
    assert.equal(mailSend.annotations.openWorldHint, true);
    // The structured content of a write matches its schema in each shape (the client checks it against outputSchema).
    const dry = await client.callTool({ name: 'licensing_generate', arguments: { plan: 'monthly', dryRun: true } });
    assert.equal((dry.structuredContent as { dryRun: boolean }).dryRun, true);
    await client.close();
  });

  it('a tool call generates a license in the key’s tenant, as the REST face does', async () => {
    const client = await connect(await keyOf(owner, ['licenses:manage']));
    const result = await client.callTool({ name: 'licensing_generate', arguments: { plan: 'monthly' } });
    assert.notEqual(result.isError, true, JSON.stringify(result));
    const rows = await t.app.db('licensing_licenses').where('tenant_id', owner.tenantId).select('id');
    assert.equal(rows.length, 1);
    const refused = await client.callTool({ name: 'mail_send', arguments: {} }).catch((err: Error) => err);
    assert.ok(refused instanceof Error || (refused as { isError?: boolean }).isError, 'a tool outside the key’s scopes is refused');
    // Refused before any tool code runs, yet in the audit log; so is a probe for a tool that does not exist.
    await client.callTool({ name: 'drop_everything', arguments: { really: true } }).catch(() => undefined);
    assert.deepEqual(await outcomes(owner.tenantId, 'mail_send'), ['unknown_tool']);
    assert.deepEqual(await outcomes(owner.tenantId, 'drop_everything'), ['unknown_tool']);
    await client.close();
  });

  it('mail_wait_for_code with an email id past 32 bits: refused naming since, no database error leaks', async () => {
    // An owner of its own: the free plan's five API keys are the other tests'.
    const sinceOwner = await registerOwner(t, 'mcp-since');
    const client = await connect(await keyOf(sinceOwner, ['mail:use']));
    const box = await t.request('POST', '/mail/api/create', { headers: sinceOwner.headers, body: { local: 'mcp-since' } });
    assert.ok([200, 201].includes(box.status), box.text);
    const result = await client.callTool({ name: 'mail_wait_for_code', arguments: { mailbox: box.body.email, since: 99_999_999_999, timeoutSeconds: 0 } });
    assert.equal(result.isError, true, JSON.stringify(result));
    const text = (result.content as Array<{ text: string }>)[0].text;
    assert.match(text, /since must be <= 2147483647/);
    assert.doesNotMatch(text, /select|mail_emails/i);
    assert.deepEqual(await outcomes(sinceOwner.tenantId, 'mail_wait_for_code'), ['validation_error'], 'arguments refused: audited like any call');
    const fine = await client.callTool({ name: 'mail_wait_for_code', arguments: { mailbox: box.body.email, since: 2_147_483_647, timeoutSeconds: 0 } });
    assert.deepEqual(fine.structuredContent, { code: null, emailId: null, mail: null });
    await client.close();
  });

  it('usage_read: the plan, limits and usage, counting the agent calls made', async () => {
    const client = await connect(await keyOf(owner, ['usage:read']));
    assert.deepEqual(
      (await client.listTools()).tools.map((x) => x.name),
      ['usage_read'],
    );
    const result = await client.callTool({ name: 'usage_read', arguments: {} });
    assert.notEqual(result.isError, true, JSON.stringify(result));
    const view = result.structuredContent as { plan_id: string; usage: Record<string, number> };
    assert.ok(view.plan_id);
    assert.ok(view.usage.agent_calls_this_month >= 1, JSON.stringify(view.usage));
    await client.close();
  });
});
