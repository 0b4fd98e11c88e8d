// The example third-party plugin (examples/plinth-plugin-hello), end to end beside the built-ins: its
// migration ran with Plinth's, its route answers on its face, its action is a workflow step and an MCP
// tool, and its admin page, built at start, works in the admin shell in a browser. It loads from
// PLINTH_HELLO_PLUGIN when set (CI: "plinth-plugin-hello", installed from the packed tarball into a
// clean copy), else from its folder. Needs dist/ui (`npm run build`) for the shell.
import assert from 'node:assert/strict';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { projectRoot } from '../../core/paths.js';
import { registerOwner, type Actor } from '../helpers/actors.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, signIn, type TestBrowser } from '../helpers/browser.js';
import { waitFor } from '../helpers/processes.js';

const HELLO = process.env.PLINTH_HELLO_PLUGIN ?? path.join(projectRoot, 'examples', 'plinth-plugin-hello');

describe(`the example plugin (${HELLO})`, () => {
  let t: TestApp;
  let owner: Actor;

  before(async function () {
    // Four plugins' migrations and the page's bundle; in CI's clean copy, every module is compiled afresh too.
    this.timeout(120_000);
    t = await createTestApp({
      plugins: ['auth', 'workflows', 'agents', HELLO],
      settings: { hello: { greeting: 'Welcome' }, workflows: { pollIntervalMs: 50 } },
    });
    owner = await registerOwner(t, 'hello');
  });
  after(async () => t?.close());

  it('loads as a plugin from npm or a folder, with its version and API range, and its migration ran in the same migrate', async () => {
    const hello = t.app.plugins.find((p) => p.plugin.name === 'hello')!;
    assert.equal(hello.source, process.env.PLINTH_HELLO_PLUGIN?.startsWith('plinth-') ? 'npm' : 'folder');
    assert.equal(hello.pluginApi, '^1.0.0');
    assert.ok(t.app.migrationsApplied.includes('hello/20260101000000_hello_greetings'), t.app.migrationsApplied.join(', '));
    const { n } = (await t.app.db('hello_greetings').count({ n: '*' }).first()) as { n: number | string };
    assert.equal(Number(n), 0);
  });

  it('its route greets in the owner’s tenant (scope checked, input validated, documented in /openapi.json)', async () => {
    const made = await t.request('POST', '/hello/greetings', { headers: owner.headers, body: { to: 'Ada' } });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.body.text, 'Welcome, Ada!');
    const row = await t.app.db('hello_greetings').where('id', made.body.id).first();
    assert.equal(row.tenant_id, owner.tenantId);
    const bad = await t.request('POST', '/hello/greetings', { headers: owner.headers, body: { to: 'x'.repeat(101) } });
    assert.equal(bad.status, 422, bad.text);
    const anonymous = await t.request('GET', '/hello/greetings');
    assert.equal(anonymous.status, 401, anonymous.text);
    const spec = await t.request('GET', '/openapi.json');
    assert.ok(spec.body.paths['/hello/greetings']?.post, 'POST /hello/greetings is documented');
  });

  it('its action runs as a workflow step, and its event is a workflow trigger', async () => {
    const events = await t.request('GET', '/api/v2/workflows/events', { headers: owner.headers });
    assert.equal(events.status, 200, events.text);
    assert.ok(JSON.stringify(events.body).includes('"hello.greeted"'), 'hello.greeted is in the trigger list');
    const actions = await t.request('GET', '/api/v2/workflows/actions', { headers: owner.headers });
    assert.ok(JSON.stringify(actions.body).includes('"hello.greet"'), 'hello.greet is in the action catalogue');
    const wf = await t.request('POST', '/api/v2/workflows', {
      headers: owner.headers,
      body: { name: 'Greet from a workflow', trigger: { type: 'manual' }, steps: [{ id: 'greet', action: 'hello.greet', input: { to: 'Grace' } }] },
    });
    assert.equal(wf.status, 201, wf.text);
    const started = await t.request('POST', `/api/v2/workflows/${wf.body.id}/run`, { headers: owner.headers, body: { payload: {} } });
    assert.equal(started.status, 202, started.text);
    await waitFor('the workflow run to finish', async () => {
      const run = await t.app.db('workflows_runs').where('id', started.body.run_id).first('status');
      return run && ['succeeded', 'failed'].includes(run.status);
    });
    const run = await t.request('GET', `/api/v2/workflows/runs/${started.body.run_id}`, { headers: owner.headers });
    assert.equal(run.body.status, 'succeeded', run.text);
    assert.equal(run.body.steps[0].output.text, 'Welcome, Grace!');
    const rows = await t.app.db('hello_greetings').where({ tenant_id: owner.tenantId, recipient: 'Grace' });
    assert.equal(rows.length, 1);
  });

  it('its action is an MCP tool for a key with its scope, and only for such a key', async () => {
    const keyOf = async (scopes: string[]) => {
      const res = await t.request('POST', '/api/v2/api-keys', { headers: owner.headers, body: { name: `hello-${scopes.join('-')}`, scopes } });
      assert.equal(res.status, 201, res.text);
      return res.body.raw_key as string;
    };
    const connect = async (key: string) => {
      const client = new Client({ name: 'plinth-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { 'X-API-Key': key } } }));
      return client;
    };
    const client = await connect(await keyOf(['hello:write']));
    try {
      assert.ok((await client.listTools()).tools.some((x) => x.name === 'hello_greet'));
      const result = await client.callTool({ name: 'hello_greet', arguments: { to: 'Linus' } });
      assert.notEqual(result.isError, true, JSON.stringify(result));
      assert.equal((result.structuredContent as { text: string }).text, 'Welcome, Linus!');
    } finally {
      await client.close();
    }
    assert.equal((await t.app.db('hello_greetings').where({ tenant_id: owner.tenantId, recipient: 'Linus' })).length, 1);
    const other = await connect(await keyOf(['hello:read']));
    try {
      assert.ok(!(await other.listTools()).tools.some((x) => x.name === 'hello_greet'), 'not listed without hello:write');
    } finally {
      await other.close();
    }
  });

  describe('its admin page (browser)', () => {
    let browser: TestBrowser;
    before(async () => {
      browser = await launchBrowser(t.url);
    });
    after(async () => browser?.close());

    it('is listed in the admin shell, lists the tenant’s greetings and sends one', async () => {
      const { page } = browser;
      await signIn(page, owner);
      await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Hello' }).click();
      await page.getByRole('heading', { name: 'Hello', level: 1 }).waitFor();
      await page.getByRole('cell', { name: 'Welcome, Ada!' }).waitFor();
      await page.getByLabel('Greet').fill('Margaret');
      await page.getByRole('button', { name: 'Send greeting' }).click();
      await page.getByRole('cell', { name: 'Welcome, Margaret!' }).waitFor();
      assert.equal((await t.app.db('hello_greetings').where({ tenant_id: owner.tenantId, recipient: 'Margaret' })).length, 1);
    });
  });
});
