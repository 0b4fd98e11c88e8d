// The MCP spec's musts at the HTTP edge: the browser Origin checked, JSON-RPC batches refused on the
// revisions that removed them, the RFC 9728 metadata at both locations; and the toolsets / read-only
// switch that narrows a key's tools for one connection (never widens them).
import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { registerOwner, type Actor } from '../../../test/helpers/actors.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';

const ACCEPT = { accept: 'application/json, text/event-stream' };
const list = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/list', params: {} });
/** The JSON-RPC messages of an answer (a 2025-era POST is answered as an event stream). */
const messages = (text: string): Array<{ id: number; result?: any; error?: any }> =>
  text
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => JSON.parse(l.slice(6)));
const generate = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'licensing_generate', arguments: { plan: 'monthly' } } });

describe('agents: Origin, batches, metadata locations, toolsets and read-only', () => {
  let t: TestApp;
  let owner: Actor;
  let key: string;

  const licenses = async () => Number((await t.app.db('licensing_licenses').where('tenant_id', owner.tenantId).count({ n: '*' }))[0].n);
  const post = (body: unknown, headers: Record<string, string> = {}, path = '/mcp') =>
    t.request('POST', path, { body, headers: { 'X-API-Key': key, ...ACCEPT, ...headers } });
  const connect = async (path: string, headers: Record<string, string> = {}): Promise<Client> => {
    const client = new Client({ name: 'musts', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}${path}`), { requestInit: { headers: { 'X-API-Key': key, ...headers } } }));
    return client;
  };
  const names = async (path: string, headers: Record<string, string> = {}) => {
    const client = await connect(path, headers);
    try {
      return (await client.listTools()).tools.map((x) => x.name).sort();
    } finally {
      await client.close();
    }
  };

  before(async () => {
    t = await createTestApp({
      plugins: ['auth', 'billing', 'licensing', 'mail', 'agents'],
      settings: { agents: { allowedOrigins: ['https://console.example.com', 'http://localhost:6274'] } },
    });
    owner = await registerOwner(t, 'musts');
    const made = await t.request('POST', '/api/v2/api-keys', {
      body: { name: 'musts', scopes: ['licenses:manage', 'mail:use', 'usage:read'] },
      headers: owner.headers,
    });
    assert.equal(made.status, 201, made.text);
    key = made.body.raw_key;
  });
  after(async () => t?.close());

  describe('Origin', () => {
    it('a foreign Origin is 403 with a valid key, and the call it carried does nothing', async () => {
      const res = await post(generate(1), { origin: 'http://evil.example' });
      assert.equal(res.status, 403, res.text);
      assert.equal(res.body.code, 'origin_not_allowed');
      assert.equal(await licenses(), 0);
      for (const origin of ['null', 'http://plinth.test.evil.example', 'https://plinth.test', 'http://console.example.com', 'file://x']) {
        assert.equal((await post(list(1), { origin })).status, 403, origin);
      }
    });

    it('the public URL’s origin and the allowlisted ones are served; no Origin (a non-browser client) is served', async () => {
      for (const origin of ['http://plinth.test', 'https://console.example.com', 'http://localhost:6274']) {
        const res = await post(list(1), { origin, 'mcp-protocol-version': '2025-03-26' });
        assert.equal(res.status, 200, `${origin}: ${res.text}`);
      }
      const without = await post(generate(2), { 'mcp-protocol-version': '2025-03-26' });
      assert.equal(without.status, 200, without.text);
      assert.equal(await licenses(), 1);
    });

    it('the setting holds origins only: a path in it fails the boot', async () => {
      await assert.rejects(
        createTestApp({ plugins: ['auth', 'agents'], settings: { agents: { allowedOrigins: ['https://x.example/path'] } } }),
        /allowedOrigins/,
      );
    });
  });

  describe('JSON-RPC batches', () => {
    it('refused (400, -32600) on 2025-06-18, 2025-11-25 and 2026-07-28, before anything runs', async () => {
      const before = await licenses();
      for (const version of ['2025-06-18', '2025-11-25', '2026-07-28']) {
        const res = await post([generate(1), list(2)], { 'mcp-protocol-version': version });
        assert.equal(res.status, 400, `${version}: ${res.text}`);
        assert.equal(res.body.error.code, -32600);
        assert.match(res.body.error.message, new RegExp(`${version} has no JSON-RPC batches`));
      }
      // The current revision's claim in the envelope, without the header: refused as well.
      const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' };
      const claimed = await post([{ ...list(1), params: { _meta: meta } }]);
      assert.equal(claimed.status, 400, claimed.text);
      assert.equal(await licenses(), before, 'no call of a refused batch ran');
    });

    it('served on 2025-03-26 (the revision that has them), also without the header', async () => {
      const res = await post([list(1), list(2)], { 'mcp-protocol-version': '2025-03-26' });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(
        messages(res.text).map((m) => [m.id, m.result.tools.length > 0]),
        [
          [1, true],
          [2, true],
        ],
      );
      const bare = await post([list(3)]);
      assert.equal(bare.status, 200, bare.text);
      assert.deepEqual(
        messages(bare.text).map((m) => m.id),
        [3],
      );
    });
  });

  describe('protected-resource metadata', () => {
    it('at the root and at the RFC 9728 path-inserted location, the same document naming /mcp', async () => {
      const root = await t.request('GET', '/.well-known/oauth-protected-resource');
      const inserted = await t.request('GET', '/.well-known/oauth-protected-resource/mcp');
      assert.equal(root.status, 200, root.text);
      assert.equal(inserted.status, 200, inserted.text);
      assert.equal(inserted.body.resource, 'http://plinth.test/mcp');
      assert.deepEqual(inserted.body, root.body);
      assert.equal((await t.request('GET', '/.well-known/oauth-protected-resource/other')).status, 404);
    });
  });

  describe('schemas the Inspector’s --strict passes', () => {
    /** Where a schema breaks --strict's portability rules: a `type` array, or a schema that says nothing (`{}`). */
    const problems = (schema: unknown, path: string): string[] => {
      if (!schema || typeof schema !== 'object') return [];
      const s = schema as Record<string, any>;
      const found: string[] = [];
      if (Array.isArray(s.type)) found.push(`${path}: type ${JSON.stringify(s.type)}`);
      if (Object.keys(s).every((k) => k === 'description' || k === 'title')) found.push(`${path}: bare {}`);
      for (const [k, v] of Object.entries(s.properties ?? {})) found.push(...problems(v, `${path}.properties.${k}`));
      for (const key of ['anyOf', 'oneOf', 'allOf'] as const)
        (s[key] ?? []).forEach((v: unknown, i: number) => found.push(...problems(v, `${path}.${key}[${i}]`)));
      if (s.items) found.push(...problems(s.items, `${path}.items`));
      if (s.additionalProperties && typeof s.additionalProperties === 'object') found.push(...problems(s.additionalProperties, `${path}.additionalProperties`));
      return found;
    };

    it('no listed or described tool has a type array or a bare {} schema (licensing_generate’s nullable fields included)', async () => {
      const client = await connect('/mcp');
      const tools = (await client.listTools()).tools;
      const generate = tools.find((x) => x.name === 'licensing_generate') as any;
      assert.deepEqual(generate.outputSchema.anyOf[0].properties.email.anyOf, [{ type: 'string' }, { type: 'null' }], 'nullable as anyOf branches');
      const found = tools.flatMap((x) => [...problems(x.inputSchema, `${x.name}.inputSchema`), ...problems(x.outputSchema, `${x.name}.outputSchema`)]);
      for (const name of ['license_revoke', 'license_deactivate_device']) {
        const d = (await client.callTool({ name: 'tool_describe', arguments: { name } })).structuredContent as any;
        found.push(...problems(d.inputSchema, `${name}.inputSchema`), ...problems(d.outputSchema, `${name}.outputSchema`));
      }
      await client.close();
      assert.deepEqual(found, []);
    });
  });

  describe('toolsets and read-only', () => {
    const ALL = ['license_verify', 'licensing_generate', 'mail_wait_for_code', 'tool_call', 'tool_describe', 'tools_search', 'usage_read'];

    it('without them: every tool the key’s scopes and plan allow', async () => {
      assert.deepEqual(await names('/mcp'), ALL);
    });

    it('?toolsets= and X-MCP-Toolsets keep the named plugins’ tools; both given, only what both name', async () => {
      assert.deepEqual(await names('/mcp?toolsets=licensing'), ['license_verify', 'licensing_generate', 'tool_call', 'tool_describe', 'tools_search']);
      assert.deepEqual(await names('/mcp', { 'X-MCP-Toolsets': 'mail,billing' }), [
        'mail_wait_for_code',
        'tool_call',
        'tool_describe',
        'tools_search',
        'usage_read',
      ]);
      assert.deepEqual(await names('/mcp?toolsets=licensing,billing', { 'X-MCP-Toolsets': 'billing,mail' }), ['usage_read']);
    });

    it('read-only (?read_only=true or X-MCP-Readonly): read-only tools alone, no write reachable through the long tail', async () => {
      // license_verify binds a device (a write, not read-only); tool_call can run writes: neither is served.
      const readOnly = ['mail_wait_for_code', 'usage_read'];
      assert.deepEqual(await names('/mcp?read_only=true'), readOnly);
      assert.deepEqual(await names('/mcp', { 'X-MCP-Readonly': 'true' }), readOnly);
      assert.deepEqual(await names('/mcp?toolsets=mail&read_only=1'), ['mail_wait_for_code']);
      assert.deepEqual(await names('/mcp?toolsets=licensing&read_only=1'), []);
      assert.deepEqual(await names('/mcp?read_only=false', { 'X-MCP-Readonly': '1' }), readOnly, 'either switch makes it read-only');
    });

    it('a tool outside them is not callable: refused, audited, nothing written', async () => {
      const before = await licenses();
      const client = await connect('/mcp?read_only=true');
      const refused = await client.callTool({ name: 'licensing_generate', arguments: { plan: 'monthly' } }).catch((err: Error) => err);
      assert.ok(refused instanceof Error || (refused as { isError?: boolean }).isError, JSON.stringify(refused));
      const tail = await client
        .callTool({ name: 'tool_call', arguments: { name: 'license_revoke', arguments: { license_id: 'LIC-X' } } })
        .catch((e: Error) => e);
      assert.ok(tail instanceof Error || (tail as { isError?: boolean }).isError, 'tool_call is not served read-only');
      await client.close();
      const other = await connect('/mcp?toolsets=mail');
      const outside = await other.callTool({ name: 'licensing_generate', arguments: { plan: 'monthly' } }).catch((err: Error) => err);
      assert.ok(outside instanceof Error || (outside as { isError?: boolean }).isError, JSON.stringify(outside));
      await other.close();
      assert.equal(await licenses(), before);
      const rows = await t.app
        .db('auth_audit_logs')
        .where({ action: 'agents.tool_call', tenant_id: owner.tenantId, target_id: 'licensing_generate' })
        .select('details');
      const outcomes = rows.map((r: { details: string }) => JSON.parse(r.details).outcome);
      assert.equal(outcomes.filter((o: string) => o === 'unknown_tool').length, 2, JSON.stringify(outcomes));
    });

    it('never widens: a toolset beyond the key’s scopes adds nothing; an unknown toolset or switch value is 422', async () => {
      const usageOnly = await t.request('POST', '/api/v2/api-keys', { body: { name: 'usage', scopes: ['usage:read'] }, headers: owner.headers });
      const narrow = { 'X-API-Key': usageOnly.body.raw_key, ...ACCEPT, 'mcp-protocol-version': '2025-03-26' };
      const res = await t.request('POST', '/mcp?toolsets=licensing,mail,billing', { body: list(1), headers: narrow });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(
        messages(res.text)[0].result.tools.map((x: { name: string }) => x.name),
        ['usage_read'],
      );
      const unknown = await post(list(1), { 'X-MCP-Toolsets': 'licensing,everything' });
      assert.equal(unknown.status, 422, unknown.text);
      assert.match(unknown.text, /unknown toolset everything/);
      assert.equal((await post(list(1), {}, '/mcp?read_only=yes')).status, 422);
      assert.equal((await post(list(1), { 'X-MCP-Readonly': 'maybe' })).status, 422);
    });
  });
});
