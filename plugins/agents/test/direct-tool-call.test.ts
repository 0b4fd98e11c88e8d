// A plain modern tools/call is answered without the SDK's pipeline (services/direct-tool-call.ts).
// The SDK stays the reference: the same call is sent once in the plain shape (answered directly) and
// once with a W3C trace context in `_meta`, which the direct path leaves to the SDK, and the two
// answers must be the same JSON; with `directToolCalls: false` every request goes to the SDK and the
// answers do not change (the metric plinth_mcp_requests_total says who answered). What the direct
// path must never do: serve what the SDK would refuse.
import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { scrape } from '../../../test/helpers/prometheus.js';

const REVISION = '2026-07-28';
const META = {
  'io.modelcontextprotocol/protocolVersion': REVISION,
  'io.modelcontextprotocol/clientInfo': { name: 'direct-test', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};
const TRACED = { ...META, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };

/** What differs between two calls by design (the call counted by the first): blanked. */
const VOLATILE = new Set(['agent_calls_this_month']);
/** The answer with those blanked, in the structured content and in the JSON text beside it. */
const comparable = (body: unknown): unknown =>
  JSON.parse(JSON.stringify(body), (k, v) =>
    VOLATILE.has(k) ? '…' : k === 'text' && typeof v === 'string' && v.startsWith('{') ? comparable(JSON.parse(v)) : v,
  );

interface Call {
  name: string;
  args: Record<string, unknown>;
  meta?: Record<string, unknown>;
  headers?: Record<string, string>;
  id?: unknown;
}

describe('agents: a plain tools/call answered directly, the same as the SDK answers it', () => {
  let t: TestApp;
  let sdkOnly: TestApp;
  let owner: Actor;
  const keys = new Map<TestApp, string>();
  const verify = new Map<TestApp, Record<string, unknown>>();

  const call = (app: TestApp, c: Call) =>
    app.request('POST', '/mcp', {
      headers: {
        'X-API-Key': keys.get(app)!,
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': REVISION,
        'mcp-method': 'tools/call',
        'mcp-name': c.name,
        ...c.headers,
      },
      body: { jsonrpc: '2.0', id: 'id' in c ? c.id : 7, method: 'tools/call', params: { name: c.name, arguments: c.args, _meta: c.meta ?? META } },
    });
  const METRICS_TOKEN = 'metrics-token-for-direct-calls';
  /** How many /mcp requests each side answered so far, from GET /metrics. */
  async function servedBy(app: TestApp): Promise<{ direct: number; sdk: number }> {
    const e = await scrape(app, { authorization: `Bearer ${METRICS_TOKEN}` });
    const n = (who: string) => Number(e.series.get('plinth_mcp_requests_total')?.find((x) => x.labels?.served_by === who)?.value ?? 0);
    return { direct: n('direct'), sdk: n('sdk') };
  }
  const auditRows = async (app: TestApp) => Number((await app.app.db('auth_audit_logs').where('action', 'agents.tool_call').count({ n: '*' }))[0].n);

  async function setUp(app: TestApp, who: string): Promise<void> {
    owner = await registerOwner(app, who);
    const made = await app.request('POST', '/api/v2/api-keys', { body: { name: who, scopes: ['licenses:manage', 'usage:read'] }, headers: owner.headers });
    assert.equal(made.status, 201, made.text);
    keys.set(app, made.body.raw_key);
    const generated = await app.request('POST', '/license/api/admin/generate', {
      headers: { 'X-API-Key': made.body.raw_key },
      body: { plan: 'yearly', email: 'buyer@direct.test' },
    });
    assert.equal(generated.status, 200, generated.text);
    verify.set(app, { activation_code: generated.body.license.activation_code, email: 'buyer@direct.test', device_id: 'dev-1', device_name: 'Laptop' });
  }

  before(async () => {
    const overrides = { metrics: { token: METRICS_TOKEN } } as never;
    t = await createTestApp({ plugins: ['auth', 'billing', 'licensing', 'agents'], overrides });
    sdkOnly = await createTestApp({ plugins: ['auth', 'billing', 'licensing', 'agents'], overrides, settings: { agents: { directToolCalls: false } } });
    await setUp(t, 'direct');
    await setUp(sdkOnly, 'sdk-only');
  });
  after(async () => {
    await t?.close();
    await sdkOnly?.close();
  });

  it('a verify, a usage read, a refused call and a dry run: the direct answer is the SDK’s, byte for byte once parsed', async () => {
    const cases: Call[] = [
      { name: 'license_verify', args: verify.get(t)! },
      { name: 'license_verify', args: { ...verify.get(t)!, device_id: 'dev-1' }, id: 'text-id' },
      { name: 'usage_read', args: {} },
      // A refusal is a tool result too (bad arguments); a write's dry run.
      { name: 'license_verify', args: { activation_code: 42 } },
      { name: 'licensing_generate', args: { plan: 'monthly', dryRun: true } },
    ];
    for (const c of cases) {
      const counted = await servedBy(t);
      const direct = await call(t, c);
      assert.deepEqual(await servedBy(t), { ...counted, direct: counted.direct + 1 }, `${c.name} answered directly: ${direct.text}`);
      const viaSdk = await call(t, { ...c, meta: TRACED });
      assert.deepEqual(await servedBy(t), { ...counted, direct: counted.direct + 1, sdk: counted.sdk + 1 }, 'answered by the SDK');
      assert.equal(direct.status, 200, direct.text);
      assert.equal(viaSdk.status, 200, viaSdk.text);
      assert.match(direct.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(direct.headers.get('content-type'), viaSdk.headers.get('content-type'));
      assert.deepEqual(comparable(direct.body), comparable(viaSdk.body), `${c.name} ${JSON.stringify(c.args)}`);
    }
  });

  it('the directly answered call is audited like any other, with the client as it names itself', async () => {
    const before = await auditRows(t);
    const res = await call(t, { name: 'license_verify', args: verify.get(t)! });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.result.structuredContent.isValid, true);
    assert.equal(await auditRows(t), before + 1);
    const row = await t.app.db('auth_audit_logs').where('action', 'agents.tool_call').orderBy('id', 'desc').first();
    assert.equal(JSON.parse(row.details).tool, 'license_verify');
    assert.equal(JSON.parse(row.details).client, 'direct-test/1.0.0');
  });

  it('what the SDK refuses is still refused: a header that disagrees with the body, an unsupported revision, a tool the key may not use', async () => {
    const counted = await servedBy(t);
    const mismatch = await call(t, { name: 'license_verify', args: verify.get(t)!, headers: { 'mcp-name': 'usage_read' } });
    assert.notEqual(mismatch.status, 200, mismatch.text);
    assert.ok(mismatch.body.error, mismatch.text);
    const old = await call(t, { name: 'license_verify', args: verify.get(t)!, meta: { ...META, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } });
    assert.ok(old.body.error, old.text);
    const hidden = await call(t, { name: 'mail_send', args: { to: 'x@example.com' } });
    assert.ok(hidden.body.error ?? hidden.body.result?.isError, hidden.text);
    const noId = await call(t, { name: 'license_verify', args: verify.get(t)!, id: null });
    assert.ok(noId.status >= 400 || noId.body.error, noId.text);
    assert.deepEqual(await servedBy(t), { direct: counted.direct, sdk: counted.sdk + 4 }, 'every refusal is the SDK’s');
  });

  it('a tool the request narrowed away, or no tool of the key’s, is the SDK’s to refuse; a listed tool it may use is answered directly', async () => {
    const cases: Array<{ c: Call; direct: boolean }> = [
      // license_verify binds a device: not read-only.
      { c: { name: 'license_verify', args: verify.get(t)!, headers: { 'x-mcp-readonly': 'true' } }, direct: false },
      { c: { name: 'license_verify', args: verify.get(t)!, headers: { 'x-mcp-toolsets': 'billing' } }, direct: false },
      { c: { name: 'usage_read', args: {}, headers: { 'x-mcp-toolsets': 'billing,licensing', 'x-mcp-readonly': 'true' } }, direct: true },
      { c: { name: 'license_verify', args: verify.get(t)!, headers: { 'x-mcp-toolsets': 'licensing' } }, direct: true },
      { c: { name: 'no_such_tool', args: {} }, direct: false },
    ];
    for (const { c, direct } of cases) {
      const counted = await servedBy(t);
      const res = await call(t, c);
      const served = await servedBy(t);
      assert.deepEqual(
        served,
        direct ? { ...counted, direct: counted.direct + 1 } : { ...counted, sdk: counted.sdk + 1 },
        `${c.name} ${JSON.stringify(c.headers)}`,
      );
      if (direct) assert.ok(res.body.result.structuredContent && !res.body.result.isError, res.text);
      else assert.ok(res.body.error ?? res.body.result?.isError, res.text);
    }
  });

  it('with directToolCalls off, the SDK answers the plain call the same way', async () => {
    const direct = await call(t, { name: 'license_verify', args: verify.get(t)! });
    const viaSdk = await call(sdkOnly, { name: 'license_verify', args: verify.get(sdkOnly)! });
    assert.equal(viaSdk.status, 200, viaSdk.text);
    const shape = (body: any) => ({
      ...body,
      result: { ...body.result, content: body.result.content.length, structuredContent: Object.keys(body.result.structuredContent).sort() },
    });
    assert.deepEqual(shape(direct.body), shape(viaSdk.body));
    assert.equal((await servedBy(sdkOnly)).direct, 0);
  });

  it('the official client’s call is answered directly', async () => {
    const counted = await servedBy(t);
    const client = new Client({ name: 'direct-test', version: '1.0.0' }, { versionNegotiation: { mode: { pin: REVISION } } });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${keys.get(t)}` } } }));
    try {
      const result = await client.callTool({ name: 'license_verify', arguments: verify.get(t)! });
      assert.equal((result.structuredContent as { isValid?: boolean }).isValid, true);
      assert.equal((await servedBy(t)).direct, counted.direct + 1);
    } finally {
      await client.close();
    }
  });
});
