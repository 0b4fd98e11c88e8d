// Two Plinth processes on one PostgreSQL, and one MCP client whose every HTTP request goes to the
// other instance than the one before (a custom fetch in the official client's transport): the
// stateless endpoint needs no sticky sessions, in the current revision and in a 2025 one, and a
// destructive tool previewed on one instance is confirmed on the other.
import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Knex } from 'knex';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.js';
import { freePort, kill, openDatabase, type PlinthProcess, startServer, writeConfig } from '../../../test/helpers/processes.js';

type Result = { isError?: boolean; structuredContent?: any; content: Array<{ type: string; text?: string }> };

describe('agents: two instances answer one client alternately (PostgreSQL)', () => {
  let database: TestDatabase;
  let db: Knex;
  const procs: PlinthProcess[] = [];
  const ports: number[] = [];
  let key = '';
  let tenantId = '';

  /** A fetch that sends each request to the next instance in turn, recording which one served it. */
  const alternating = () => {
    const served: Array<{ port: number; body: string }> = [];
    let n = 0;
    const fetchNext = (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      url.port = String(ports[n++ % ports.length]);
      served.push({ port: Number(url.port), body: typeof init?.body === 'string' ? init.body : '' });
      return fetch(url, init);
    };
    return { served, fetch: fetchNext };
  };
  const connect = async (name: string, options: ConstructorParameters<typeof Client>[1]) => {
    const route = alternating();
    const client = new Client({ name, version: '1.0.0' }, options);
    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${ports[0]}/mcp`), {
      fetch: route.fetch as never,
      requestInit: { headers: { Authorization: `Bearer ${key}` } },
    });
    await client.connect(transport);
    return { client, served: route.served };
  };
  const clientsInAudit = async () =>
    (await db('auth_audit_logs').where({ action: 'agents.tool_call', tenant_id: tenantId }).select('details')).map((r) => JSON.parse(r.details).client);

  before(async () => {
    database = await createTestDatabase({ dialect: 'postgres' });
    db = openDatabase(database);
    for (const name of ['a', 'b']) {
      const port = await freePort();
      const config = writeConfig(
        database,
        { server: { port }, log: { level: 'warn' }, plugins: ['auth', 'billing', 'licensing', 'agents'], settings: { auth: { registration: 'open' } } },
        `${name}.json`,
      );
      procs.push(await startServer(config, port));
      ports.push(port);
    }
    const [a, b] = ports.map((p) => `http://127.0.0.1:${p}`);
    const json = { 'content-type': 'application/json' };
    const email = `two-${process.pid}@plinth.test`;
    const registered = await fetch(`${a}/api/v2/auth/register`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email, password: 'Correct-horse-battery-9', full_name: 'Two', tenant_name: 'Two instances' }),
    });
    assert.equal(registered.status, 201, await registered.text());
    const login = await (
      await fetch(`${b}/api/v2/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ email, password: 'Correct-horse-battery-9' }) })
    ).json();
    tenantId = login.user.tenant_id;
    const made = await fetch(`${a}/api/v2/api-keys`, {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${login.access_token}` },
      body: JSON.stringify({ name: 'two instances', scopes: ['licenses:manage'] }),
    });
    assert.equal(made.status, 201);
    key = (await made.json()).raw_key;
  });
  after(async () => {
    for (const p of procs) await kill(p, 'SIGTERM');
    await db?.destroy();
    await database?.drop();
  });

  it('the current revision: discover, list and call alternate between the instances; preview on one, confirm on the other', async () => {
    const { client, served } = await connect('alternating-current', { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    assert.ok((await client.listTools()).tools.some((x) => x.name === 'licensing_generate'));
    const made = (await client.callTool({ name: 'licensing_generate', arguments: { plan: 'yearly', email: 'two@example.org' } })) as Result;
    assert.notEqual(made.isError, true, JSON.stringify(made));
    const licenseId = made.structuredContent.license_id;

    const args = { license_id: licenseId, reason: 'two instances' };
    const preview = (await client.callTool({ name: 'tool_call', arguments: { name: 'license_revoke', arguments: args } })) as Result;
    const previewedOn = served.at(-1)!.port;
    assert.equal(preview.structuredContent.confirmationRequired, true, JSON.stringify(preview));
    assert.equal((await db('licensing_licenses').where('license_id', licenseId).first()).status, 'active');
    const confirm = { name: 'license_revoke', arguments: { ...args, confirm: preview.structuredContent.confirm } };
    const revoked = (await client.callTool({ name: 'tool_call', arguments: confirm })) as Result;
    const confirmedOn = served.at(-1)!.port;
    assert.notEqual(confirmedOn, previewedOn, 'the confirmation went to the other instance');
    assert.equal(revoked.structuredContent.status, 'revoked', JSON.stringify(revoked));
    assert.equal((await db('licensing_licenses').where('license_id', licenseId).first()).status, 'revoked');

    assert.deepEqual(new Set(served.map((s) => s.port)), new Set(ports), 'both instances answered');
    for (let i = 1; i < served.length; i++) assert.notEqual(served[i].port, served[i - 1].port, 'each request went to the other instance');
    await client.close();
  });

  it('a 2025 client (initialize on one instance): every later request, on either instance, is answered and names the client', async () => {
    const { client, served } = await connect('alternating-legacy', { supportedProtocolVersions: ['2025-06-18'] });
    assert.equal(client.getNegotiatedProtocolVersion(), '2025-06-18');
    const initializedOn = served.find((s) => s.body.includes('"initialize"'))!.port;
    for (let i = 0; i < 3; i++) {
      const res = (await client.callTool({ name: 'license_verify', arguments: { activation_code: 'NOPE-NOPE-NOPE', email: 'x@example.org' } })) as Result;
      assert.equal(res.structuredContent.isValid, false, JSON.stringify(res));
    }
    const callPorts = served.filter((s) => s.body.includes('"tools/call"')).map((s) => s.port);
    assert.ok(callPorts.includes(initializedOn) && callPorts.some((p) => p !== initializedOn), JSON.stringify(callPorts));
    assert.deepEqual(
      (await clientsInAudit()).filter((c: string) => c.startsWith('alternating-legacy')),
      ['alternating-legacy/1.0.0', 'alternating-legacy/1.0.0', 'alternating-legacy/1.0.0'],
    );
    await client.close();
  });
});
