// The MCP endpoint driven by the official client over Streamable HTTP with an API key:
// authentication, tools per key scope, and a tool call doing what the REST face does.
import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { registerOwner, type Actor } from '../../../test/helpers/actors.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';

describe('agents: the MCP endpoint', () => {
  let t: TestApp;
  let owner: Actor;

  const keyOf = async (who: Actor, scopes: string[]): Promise<string> => {
    const res = await t.request('POST', '/api/v2/api-keys', { body: { name: `mcp-${scopes.join('-')}`, scopes }, headers: who.headers });
    assert.equal(res.status, 201, res.text);
    return res.body.raw_key as string;
  };
  const connect = async (key: string): Promise<Client> => {
    const client = new Client({ name: 'plinth-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { 'X-API-Key': key } } });
    await client.connect(transport);
    return client;
  };

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

  it('two keys with different scopes see different tools, each with annotations', async () => {
    const mail = await connect(await keyOf(owner, ['mail:use']));
    const licenses = await connect(await keyOf(owner, ['licenses:manage']));
    const mailTools = (await mail.listTools()).tools;
    const licenseTools = (await licenses.listTools()).tools;
    assert.deepEqual(mailTools.map((x) => x.name).sort(), ['mail_send', 'mail_wait_for_code']);
    assert.equal(mailTools.find((x) => x.name === 'mail_wait_for_code')?.annotations?.readOnlyHint, true);
    assert.deepEqual(
      licenseTools.map((x) => x.name),
      ['licensing_generate'],
    );
    assert.equal(mailTools.find((x) => x.name === 'mail_send')?.annotations?.destructiveHint, true);
    assert.equal(licenseTools[0]?.annotations?.readOnlyHint, false);
    await mail.close();
    await licenses.close();
  });

  it('a tool call generates a license in the key’s tenant, as the REST face does', async () => {
    const client = await connect(await keyOf(owner, ['licenses:manage']));
    const result = await client.callTool({ name: 'licensing_generate', arguments: { plan: 'monthly' } });
    assert.notEqual(result.isError, true, JSON.stringify(result));
    const rows = await t.app.db('licensing_licenses').where('tenant_id', owner.tenantId).select('id');
    assert.equal(rows.length, 1);
    const refused = await client.callTool({ name: 'mail_send', arguments: {} }).catch((err: Error) => err);
    assert.ok(refused instanceof Error || (refused as { isError?: boolean }).isError, 'a tool outside the key’s scopes is refused');
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
