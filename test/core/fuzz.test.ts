// Hostile input, every operation: the fuzz walks /openapi.json and sends each operation about
// twenty kinds of bad input (wrong types, missing and huge fields, deep JSON, prototype keys, NUL
// and lone surrogates, invalid UTF-8, wrong content types, a Content-Encoding the body does not
// have, query arrays, out-of-range numbers, path traversal), anonymously and as the superadmin,
// and every MCP tool hostile JSON-RPC `tools/call` arguments. Strings go up to ~1 MB (under
// server.bodyLimit). Nothing may answer 5xx, and the server must be alive after. Runs on SQLite
// and PostgreSQL in a couple of minutes.
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/app.js';

const PLUGINS = ['auth', 'billing', 'licensing', 'mail', 'robots', 'ai', 'workflows', 'agents'];
const ADMIN = { email: 'root@fuzz.test', password: 'Fuzzing-operator-pass-42' };

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; items?: Schema; enum?: unknown[]; [k: string]: unknown };
interface Operation {
  method: string;
  path: string;
  body: Schema | null;
  query: string[];
}

interface Probe {
  label: string;
  /** Sent as the superadmin only (anonymous, it is refused before it reaches anything the superadmin's would). */
  adminOnly?: boolean;
  path: string;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const DEEP = 10_000;
/** A string as long as a body may hold (server.bodyLimit is 1 MB), less room for the JSON around it. */
const NEAR_LIMIT = JSON.stringify('x'.repeat(1_000_000));

/** Values for a path parameter: out of range, negative, traversal, NUL, invalid UTF-8, huge. */
const PARAM_VALUES = [
  '1',
  '99999999999',
  '-1',
  '1e309',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  'a%00b',
  '%C3%28',
  'x'.repeat(5000),
  '00000000-0000-0000-0000-000000000000',
];

/** Values put in every property of a body, one variant each. */
const FIELD_VALUES: Array<[string, string]> = [
  ['an object', '{"a":1}'],
  ['an array', '[1,2]'],
  ['null', 'null'],
  ['true', 'true'],
  ['a negative number', '-1'],
  ['a huge number', '1e400'],
  ['a huge integer', '99999999999999999999'],
  ['a NUL byte', '"a\\u0000b"'],
  ['a lone surrogate', '"\\ud800x"'],
  ['a long string', JSON.stringify('x'.repeat(100_000))],
];

function operations(spec: { paths: Record<string, Record<string, any>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const body = op.requestBody?.content?.['application/json']?.schema ?? (['post', 'put', 'patch'].includes(method) ? {} : null);
      const query = ((op.parameters ?? []) as Array<{ in: string; name: string }>).filter((p) => p.in === 'query').map((p) => p.name);
      ops.push({ method: method.toUpperCase(), path, body, query });
    }
  }
  return ops;
}

const fill = (path: string, value: string) => path.replace(/\{[^}]+\}|:\w+/g, value);

function probes(op: Operation): Probe[] {
  const plain = fill(op.path, '1');
  const list: Probe[] = PARAM_VALUES.filter(() => /\{|:\w/.test(op.path)).map((v) => ({ label: `path param ${v.slice(0, 20)}`, path: fill(op.path, v) }));
  for (const name of op.query.length ? op.query : ['page']) {
    for (const v of ['1&x=2', '99999999999999999999', '-1', '1e309', 'a%00b', '%C3%28'])
      list.push({ label: `query ${name}=${v}`, path: `${plain}?${name}=${v}&${name}=2` });
  }
  if (op.body === null) return list;
  const props = Object.keys(op.body.properties ?? {}).slice(0, 12);
  for (const prop of props.length ? props : ['x']) {
    for (const [label, raw] of FIELD_VALUES)
      list.push({ label: `${prop} as ${label}`, path: plain, body: `{${JSON.stringify(prop)}:${raw}}`, headers: JSON_TYPE });
  }
  // One ~1 MB string per operation (in its first field): every field at that size would be gigabytes.
  list.push({
    label: `${props[0] ?? 'x'} as a 1 MB string`,
    path: plain,
    body: `{${JSON.stringify(props[0] ?? 'x')}:${NEAR_LIMIT}}`,
    headers: JSON_TYPE,
    adminOnly: true,
  });
  list.push(
    { label: '__proto__ key', path: plain, body: '{"__proto__":{"polluted":true},"a":1}', headers: JSON_TYPE },
    { label: 'constructor.prototype key', path: plain, body: '{"constructor":{"prototype":{"polluted":true}}}', headers: JSON_TYPE },
    { label: 'deep JSON', path: plain, body: '['.repeat(DEEP) + ']'.repeat(DEEP), headers: JSON_TYPE },
    { label: 'deep JSON object', path: plain, body: '{"a":'.repeat(DEEP) + '1' + '}'.repeat(DEEP), headers: JSON_TYPE },
    { label: 'invalid UTF-8', path: plain, body: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]), headers: JSON_TYPE },
    { label: 'not JSON', path: plain, body: '{"a":', headers: JSON_TYPE },
    { label: 'JSON null', path: plain, body: 'null', headers: JSON_TYPE },
    { label: 'JSON array', path: plain, body: '[{"a":1}]', headers: JSON_TYPE },
    { label: 'JSON string', path: plain, body: '"hello"', headers: JSON_TYPE },
    { label: 'text/plain', path: plain, body: '{"a":1}', headers: { 'content-type': 'text/plain' } },
    { label: 'xml', path: plain, body: '<a>1</a>', headers: { 'content-type': 'application/xml' } },
    { label: 'form', path: plain, body: 'a=1&a=2&__proto__[x]=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    { label: 'gzip, not compressed', path: plain, body: '{"a":1}', headers: { ...JSON_TYPE, 'content-encoding': 'gzip' } },
    { label: 'deflate, not compressed', path: plain, body: '{"a":1}', headers: { ...JSON_TYPE, 'content-encoding': 'deflate' } },
    { label: 'br, not compressed', path: plain, body: '{"a":1}', headers: { ...JSON_TYPE, 'content-encoding': 'br' } },
    { label: 'unknown encoding', path: plain, body: '{"a":1}', headers: { ...JSON_TYPE, 'content-encoding': 'zstd-x' } },
  );
  return list;
}

async function send(t: TestApp, method: string, probe: Probe, auth: Record<string, string>): Promise<number> {
  const res = await fetch(`${t.url}${probe.path}`, {
    method,
    headers: { ...auth, ...(probe.headers ?? {}) },
    body: method === 'GET' || method === 'DELETE' ? undefined : (probe.body as BodyInit | undefined),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Runs `work` over `items` with `width` in flight at once. */
async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/** The MCP endpoint's own JSON-RPC, as Streamable HTTP wants it (JSON and SSE accepted). */
const MCP_HEADERS = { ...JSON_TYPE, accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' };

interface McpTool {
  name: string;
  inputSchema: Schema;
}

/** A value its schema accepts, so a probe changes one argument of an otherwise valid call. */
function valid(schema: Schema | undefined): unknown {
  if (!schema) return 'fuzz';
  if (schema.enum) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  const type = ([] as unknown[]).concat(schema.type ?? 'string')[0];
  if (type === 'integer' || type === 'number') return typeof schema.minimum === 'number' ? schema.minimum : 1;
  if (type === 'boolean') return false;
  if (type === 'array') return [valid(schema.items)];
  if (type === 'object') return Object.fromEntries(((schema.required as string[]) ?? []).map((k) => [k, valid(schema.properties?.[k])]));
  return schema.format === 'email' ? 'fuzz@example.com' : 'fuzz';
}

/** Hostile `tools/call` bodies for one tool: each argument as each bad value in an otherwise valid call, and bad arguments as a whole. */
function toolCalls(tool: McpTool, real: Record<string, unknown> = {}): Array<{ label: string; body: string }> {
  const call = (args: string, name = JSON.stringify(tool.name)) =>
    `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":${name},"arguments":${args}}}`;
  // A destructive tool previews (it would need a confirmation): a dry run gets its arguments checked instead.
  // The others run for real, so their arguments reach the database (mail_wait_for_code waits 0 s).
  const destructive = Boolean(tool.inputSchema.properties?.confirm);
  const base = { ...(valid({ ...tool.inputSchema, type: 'object' }) as Record<string, unknown>), ...real, ...(destructive ? { dryRun: true } : {}) };
  const list: Array<{ label: string; body: string }> = [{ label: `${tool.name} valid`, body: call(JSON.stringify(base)) }];
  const props = Object.keys(tool.inputSchema.properties ?? {}).filter((p) => p !== 'dryRun' && p !== 'confirm');
  const values: Array<[string, string]> = [
    ...FIELD_VALUES,
    ['a 1 MB string', NEAR_LIMIT],
    ['an integer past 32 bits', '99999999999'],
    ['an empty string', '""'],
  ];
  for (const prop of props.length ? props : ['x']) {
    const rest = JSON.stringify({ ...base, [prop]: undefined }).slice(1, -1);
    for (const [label, raw] of values)
      list.push({ label: `${tool.name}.${prop} as ${label}`, body: call(`{${rest}${rest ? ',' : ''}${JSON.stringify(prop)}:${raw}}`) });
  }
  for (const [label, args] of [
    ['no arguments', '{}'],
    ['arguments an array', '[1,2]'],
    ['arguments a string', '"x"'],
    ['arguments null', 'null'],
    ['a __proto__ argument', '{"__proto__":{"polluted":true}}'],
    ['a constructor argument', '{"constructor":{"prototype":{"polluted":true}}}'],
    ['deep arguments', '{"a":'.repeat(2000) + '1' + '}'.repeat(2000)],
    ['confirm a forged token', '{"confirm":"forged-token","dryRun":false}'],
    ['confirm not a string', '{"confirm":{"a":1}}'],
    ['dryRun not a boolean', '{"dryRun":"yes"}'],
  ])
    list.push({ label: `${tool.name} ${label}`, body: call(args) });
  return list;
}

/** JSON-RPC that is wrong in itself, whatever the tool. */
const RPC_BODIES: Array<[string, string]> = [
  ['unknown tool', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"no_such_tool","arguments":{}}}'],
  ['tool name not a string', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":{"a":1},"arguments":{}}}'],
  ['tool name with NUL', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"mail_send\\u0000","arguments":{}}}'],
  ['tool name 1 MB', `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":${NEAR_LIMIT},"arguments":{}}}`],
  ['params an array', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":[1]}'],
  ['params missing', '{"jsonrpc":"2.0","id":1,"method":"tools/call"}'],
  ['unknown method', '{"jsonrpc":"2.0","id":1,"method":"nope/nothing","params":{}}'],
  ['method not a string', '{"jsonrpc":"2.0","id":1,"method":7}'],
  ['id an object', '{"jsonrpc":"2.0","id":{"a":1},"method":"tools/list"}'],
  ['jsonrpc 1.0', '{"jsonrpc":"1.0","id":1,"method":"tools/list"}'],
  ['a notification', '{"jsonrpc":"2.0","method":"notifications/initialized"}'],
  ['an empty batch', '[]'],
  ['a batch', '[{"jsonrpc":"2.0","id":1,"method":"tools/list"},{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"x"}}]'],
  [
    'initialize, clientInfo an array',
    '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":[1]}}',
  ],
  ['initialize, _meta.client an object', '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"_meta":{"client":{"a":1}},"clientInfo":{"name":{"a":1}}}}'],
  ['JSON null', 'null'],
  ['a string', '"tools/list"'],
];

describe('hostile input: every operation in /openapi.json, no 5xx', function () {
  this.timeout(600_000);
  let t: TestApp;
  let superadmin: Record<string, string>;
  let allScopes: string[];

  before(async () => {
    t = await createTestApp({
      plugins: PLUGINS,
      settings: {
        auth: {
          admin: ADMIN,
          limits: { loginPerIpPerMinute: 1e6, loginFailuresPerAccount: 1e6, refreshPerIpPerMinute: 1e6, mailRequestsPerIpPerHour: 1e6 },
          sms: { perIpPerHour: 1e6 },
        },
        licensing: { verifyPerIpPerMinute: 1e6, verifyPerCodePerMinute: 1e6 },
        robots: { requestsPerMinute: 1e6 },
      },
    });
    const login = await t.request('POST', '/api/v2/auth/login', { body: ADMIN });
    assert.equal(login.status, 200, login.text);
    const bearer = { authorization: `Bearer ${login.body.access_token}` };
    const scopes = await t.request('GET', '/api/v2/api-keys/scopes', { headers: bearer });
    const key = await t.request('POST', '/api/v2/api-keys', {
      headers: bearer,
      body: { name: 'fuzz', scopes: (allScopes = scopes.body.map((s: { scope: string }) => s.scope)) },
    });
    assert.equal(key.status, 201, key.text);
    superadmin = { 'x-api-key': key.body.raw_key };
  });
  after(async () => t?.close());

  it('each kind of refusal is a 400 in the face’s envelope naming what was wrong, and writes nothing', async () => {
    const cases: Array<{ path: string; method?: string; body: string; headers?: Record<string, string>; message: RegExp; field?: RegExp }> = [
      { path: '/api/v2/auth/forgot-password', body: '{"__proto__":{"x":1},"email":"a@b.test"}', message: /__proto__/ },
      { path: '/api/v2/auth/forgot-password', body: '{"email":"a@b.test"}', headers: { 'content-encoding': 'gzip' }, message: /gzip/ },
      { path: '/api/v2/auth/forgot-password', body: '{"email":"a\\u0000@b.test"}', message: /NUL/, field: /"body","email"/ },
      { path: '/api/v2/users/me', method: 'PATCH', body: '{"full_name":"Ann\\u0000Lee"}', message: /NUL/, field: /"body","full_name"/ },
      { path: '/mail/api/email/99999999999', method: 'GET', body: '', message: /must be <= 2147483647/, field: /params\.id|"params","id"/ },
      { path: '/workbot/api/robots', body: '{"name":"x\\u0000"}', message: /NUL/ },
    ];
    const users = await t.app.db('auth_users').select('id', 'full_name', 'updated_at');
    for (const c of cases) {
      const method = c.method ?? 'POST';
      const res = await fetch(`${t.url}${c.path}`, {
        method,
        headers: { ...superadmin, ...JSON_TYPE, ...(c.headers ?? {}) },
        body: method === 'GET' ? undefined : c.body,
      });
      const text = await res.text();
      assert.ok(res.status === 400 || res.status === 422, `${c.path}: ${res.status} ${text}`);
      assert.match(text, c.message, `${c.path}: ${text}`);
      if (c.field) assert.match(text, c.field, `${c.path} names the field: ${text}`);
    }
    const face = await fetch(`${t.url}/workbot/api/robots`, { method: 'POST', headers: { ...superadmin, ...JSON_TYPE }, body: '{"__proto__":{}}' });
    assert.deepEqual(Object.keys(await face.json()).sort(), ['code', 'data', 'message'], 'WorkBot’s envelope');
    assert.deepEqual(await t.app.db('auth_users').select('id', 'full_name', 'updated_at'), users, 'no user changed');
  });

  it('sends every probe anonymously and as the superadmin; none answers 5xx; the server is alive after', async () => {
    const spec = await t.request('GET', '/openapi.json');
    assert.equal(spec.status, 200);
    const ops = operations(spec.body);
    assert.ok(ops.length > 100, `only ${ops.length} operations`);
    const failures: string[] = [];
    let sent = 0;
    const jobs = ops.flatMap((op) =>
      probes(op).flatMap((probe) => [
        ...(probe.adminOnly ? [] : [{ op, probe, auth: {} as Record<string, string>, who: 'anonymous' }]),
        { op, probe, auth: superadmin, who: 'superadmin' },
      ]),
    );
    await pool(jobs, 8, async ({ op, probe, auth, who }) => {
      const status = await send(t, op.method, probe, auth);
      sent++;
      if (status >= 500) failures.push(`${status} ${op.method} ${op.path} (${probe.label}, ${who})`);
    });
    console.log(`      fuzz: ${sent} requests over ${ops.length} operations, ${failures.length} answered 5xx`);
    // The whole list, so a red run says which probe broke which operation without a rerun.
    for (const line of failures) console.log(`        ${line}`);
    assert.equal(failures.length, 0, `${failures.length} probes answered 5xx (listed above)`);
    const health = await t.request('GET', '/health');
    assert.equal(health.status, 200, health.text);
  });

  it('POST /mcp: hostile tools/call arguments for every tool and broken JSON-RPC; none answers 5xx, nothing is sent', async () => {
    const rpc = (body: string, headers: Record<string, string>) => fetch(`${t.url}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body });
    const listed = await rpc('{"jsonrpc":"2.0","id":1,"method":"tools/list"}', superadmin);
    assert.equal(listed.status, 200);
    // A 2025-era request may be answered as a one-message event stream: its data line is the JSON-RPC reply.
    const text = await listed.text();
    const json = listed.headers.get('content-type')?.startsWith('text/event-stream') ? /^data: (.*)$/m.exec(text)?.[1] : text;
    const tools = (JSON.parse(json ?? 'null') as { result: { tools: McpTool[] } }).result.tools;
    assert.ok(tools.length >= 5, `tools: ${tools.map((x) => x.name).join(', ')}`);
    // Agents are rate-limited per key and per tool (120 and 30 a minute): enough keys that the probes reach validation.
    const keys: Array<Record<string, string>> = [];
    for (let i = 0; i < 16; i++) {
      const made = await fetch(`${t.url}/api/v2/api-keys`, {
        method: 'POST',
        headers: { ...superadmin, ...JSON_TYPE },
        body: JSON.stringify({ name: `mcp-fuzz-${i}`, scopes: allScopes }),
      });
      assert.equal(made.status, 201, await made.clone().text());
      keys.push({ 'x-api-key': ((await made.json()) as { raw_key: string }).raw_key });
    }
    // A mailbox of the tenant, so mail_wait_for_code's other arguments reach the database.
    const box = await fetch(`${t.url}/mail/api/create`, { method: 'POST', headers: { ...superadmin, ...JSON_TYPE }, body: '{"local":"mcp-fuzz"}' });
    assert.ok(box.status === 200 || box.status === 201, await box.clone().text());
    const real: Record<string, Record<string, unknown>> = { mail_wait_for_code: { mailbox: ((await box.json()) as { email: string }).email } };
    const before = await Promise.all(['mail_sent', 'robots_commands'].map((table) => t.app.db(table).count({ n: '*' })));
    const calls = tools.flatMap((tool) => toolCalls(tool, real[tool.name]));
    const broken = RPC_BODIES.map(([label, body]) => ({ label, body }));
    const failures: string[] = [];
    const reached = { validated: 0, limited: 0 };
    let n = 0;
    await pool(
      // Anonymous, only the broken JSON-RPC: a tool call without a key is the same 401 whatever its arguments.
      [
        ...broken.map((b) => ({ ...b, who: 'anonymous', auth: {} as Record<string, string> })),
        ...[...calls, ...broken].map((b) => ({ ...b, who: 'a key', auth: keys[n++ % keys.length] })),
      ],
      8,
      async ({ label, body, who, auth }) => {
        const res = await rpc(body, auth);
        const text = await res.text();
        // A tool's own fault comes back as a 200 JSON-RPC result: it counts as a 5xx would.
        if (res.status >= 500 || /internal_error/.test(text)) failures.push(`${res.status} ${label} (${who}): ${text.slice(0, 200)}`);
        if (/rate_limited/.test(text)) reached.limited++;
        else if (who === 'a key') reached.validated++;
      },
    );
    console.log(`      mcp fuzz: ${calls.length + broken.length * 2} requests, ${reached.limited} rate-limited, ${failures.length} answered 5xx`);
    for (const line of failures) console.log(`        ${line}`);
    assert.equal(failures.length, 0, `${failures.length} MCP probes answered 5xx (listed above)`);
    assert.ok(reached.limited < calls.length / 10, `most probes reach the tools, not the rate limit (${reached.limited} limited)`);
    const after = await Promise.all(['mail_sent', 'robots_commands'].map((table) => t.app.db(table).count({ n: '*' })));
    assert.deepEqual(after, before, 'destructive tools only dry-ran or previewed: nothing sent');
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was polluted');
    assert.equal((await t.request('GET', '/health')).status, 200);
  });
});
