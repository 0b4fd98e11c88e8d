// Protocol revisions on the one stateless endpoint: the current one (2026-07-28, `server/discover` and a
// `_meta` envelope on every request) and the 2025 ones (`initialize`), each client named in the audit log.
import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { registerOwner, type Actor } from '../../../test/helpers/actors.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';

describe('agents: MCP protocol revisions, stateless', () => {
  let t: TestApp;
  let owner: Actor;
  let key: string;

  const connect = async (name: string, options: ConstructorParameters<typeof Client>[1]): Promise<Client> => {
    const client = new Client({ name, version: '3.1.4' }, options);
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
    return client;
  };
  const auditClient = async (name: string) => {
    const rows = await t.app.db('auth_audit_logs').where({ action: 'agents.tool_call', tenant_id: owner.tenantId }).select('details');
    return rows.map((r: { details: string }) => JSON.parse(r.details)).filter((d: { client: string }) => d.client.startsWith(`${name}/`));
  };

  before(async () => {
    t = await createTestApp({ plugins: ['auth', 'billing', 'licensing', 'agents'] });
    owner = await registerOwner(t, 'versions');
    const made = await t.request('POST', '/api/v2/api-keys', { body: { name: 'versions', scopes: ['licenses:manage', 'usage:read'] }, headers: owner.headers });
    assert.equal(made.status, 201, made.text);
    key = made.body.raw_key;
  });
  after(async () => t?.close());

  it('a client pinned to 2026-07-28: discovers, lists, calls; the audit row names it by its _meta clientInfo', async () => {
    const client = await connect('pinned-current', { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    assert.equal(client.getProtocolEra(), 'modern');
    assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28');
    assert.notEqual(client.getServerCapabilities()?.tools?.listChanged, true, 'a stateless server announces no list changes');
    const names = (await client.listTools()).tools.map((x) => x.name).sort();
    assert.deepEqual(names, ['license_verify', 'licensing_generate', 'tool_call', 'tool_describe', 'tools_search', 'usage_read']);
    const result = await client.callTool({ name: 'licensing_generate', arguments: { plan: 'monthly' } });
    assert.notEqual(result.isError, true, JSON.stringify(result));
    assert.equal(
      await t.app
        .db('licensing_licenses')
        .where('tenant_id', owner.tenantId)
        .count({ n: '*' })
        .first()
        .then((r) => Number(r?.n)),
      1,
    );
    const rows = await auditClient('pinned-current');
    assert.equal(rows.length, 1);
    assert.equal(rows[0].client, 'pinned-current/3.1.4');
    assert.equal(rows[0].outcome, 'ok');
    await client.close();
  });

  it('a client in auto mode negotiates the current revision', async () => {
    const client = await connect('auto', { versionNegotiation: { mode: 'auto' } });
    assert.equal(client.getProtocolEra(), 'modern');
    assert.equal((await client.callTool({ name: 'usage_read', arguments: {} })).isError, undefined);
    assert.equal((await auditClient('auto'))[0]?.client, 'auto/3.1.4');
    await client.close();
  });

  for (const version of ['2025-06-18', '2025-03-26']) {
    it(`a 2025 client (${version}, initialize): the same tools; later stateless calls still name it (the session id carries it)`, async () => {
      const name = `legacy-${version}`;
      const client = await connect(name, { supportedProtocolVersions: [version] });
      assert.equal(client.getProtocolEra(), 'legacy');
      assert.equal(client.getNegotiatedProtocolVersion(), version);
      assert.notEqual(client.getServerCapabilities()?.tools?.listChanged, true);
      const names = (await client.listTools()).tools.map((x) => x.name).sort();
      assert.deepEqual(names, ['license_verify', 'licensing_generate', 'tool_call', 'tool_describe', 'tools_search', 'usage_read']);
      const result = await client.callTool({ name: 'usage_read', arguments: {} });
      assert.notEqual(result.isError, true, JSON.stringify(result));
      const rows = await auditClient(name);
      assert.equal(rows.length, 1);
      assert.equal(rows[0].client, `${name}/3.1.4`);
      await client.close();
    });
  }

  it('GET and DELETE /mcp (2025 session operations) are 405 with Allow: POST', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await t.request(method, '/mcp', { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' } });
      assert.equal(res.status, 405, `${method}: ${res.text}`);
      assert.equal(res.headers.get('allow'), 'POST');
    }
  });

  it('a revision the server does not serve is refused naming the ones it does; a client that sends no clientInfo is named by its User-Agent', async () => {
    const headers = { authorization: `Bearer ${key}`, accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2099-01-01' };
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2099-01-01', 'io.modelcontextprotocol/clientCapabilities': {} };
    const res = await t.request('POST', '/mcp', { headers, body: { jsonrpc: '2.0', id: 7, method: 'tools/list', params: { _meta: meta } } });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.id, 7);
    assert.match(JSON.stringify(res.body.error), /2026-07-28/);

    const plain = { authorization: `Bearer ${key}`, accept: 'application/json, text/event-stream', 'user-agent': 'curl/8.5.0' };
    const call = { jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'usage_read', arguments: {} } };
    const called = await t.request('POST', '/mcp', { headers: plain, body: call });
    assert.equal(called.status, 200, called.text);
    assert.equal((await auditClient('curl'))[0]?.client, 'curl/8.5.0');
  });
});
