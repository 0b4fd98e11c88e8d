// The Agents admin page in a real browser, signed in as a tenant owner: the endpoint, a desktop
// client's config, the tools with their scopes, and the tenant's recent tool calls (with the read API
// behind it: owners and admins only, this tenant only). Needs `npm run build` (the UI bundle).
import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Page } from 'playwright-core';
import { type Actor, login, PASSWORD, registerOwner } from '../../../test/helpers/actors.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { launchBrowser, screenshot, type TestBrowser } from '../../../test/helpers/browser.js';
import { authServices } from '../../auth/services/own.js';

describe('agents: the Agents admin page (browser) and GET /agents/calls', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let owner: Actor;
  let stranger: Actor;

  const heading = (name: string) => page.getByRole('heading', { name, level: 1 }).waitFor();
  const agentCall = async (who: Actor, client: string, calls: (c: Client) => Promise<unknown>) => {
    const made = await t.request('POST', '/api/v2/api-keys', { headers: who.headers, body: { name: `${client} key`, scopes: ['licenses:manage'] } });
    assert.equal(made.status, 201, made.text);
    const c = new Client({ name: client, version: '2.1.0' }, { versionNegotiation: { mode: 'auto' } });
    await c.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${made.body.raw_key}` } } }));
    await calls(c);
    await c.close();
  };

  before(async () => {
    t = await createTestApp({ plugins: ['auth', 'billing', 'licensing', 'agents'] });
    owner = await registerOwner(t, 'agents-ui');
    stranger = await registerOwner(t, 'agents-other');
    await agentCall(owner, 'desk-agent', async (c) => {
      await c.callTool({ name: 'licensing_generate', arguments: { plan: 'monthly', email: 'a@example.org' } });
      await c.callTool({ name: 'licensing_generate', arguments: { plan: 'monthly', dryRun: true } });
    });
    await agentCall(stranger, 'their-agent', (c) => c.callTool({ name: 'license_verify', arguments: { activation_code: 'X', email: 'x@example.org' } }));
    browser = await launchBrowser(t.url);
    page = browser.page;
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('GET /agents/calls: this tenant’s calls only, newest first, with tool, outcome, client and key; members are refused', async () => {
    const res = await t.request('GET', '/agents/calls', { headers: owner.headers });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.total, 2);
    assert.deepEqual(
      res.body.items.map((c: { tool: string; outcome: string; client: string; key_name: string }) => [c.tool, c.outcome, c.client, c.key_name]),
      [
        ['licensing_generate', 'dry_run', 'desk-agent/2.1.0', 'desk-agent key'],
        ['licensing_generate', 'ok', 'desk-agent/2.1.0', 'desk-agent key'],
      ],
    );
    const theirs = await t.request('GET', '/agents/calls?tool=license_verify', { headers: stranger.headers });
    assert.deepEqual(
      theirs.body.items.map((c: { client: string }) => c.client),
      ['their-agent/2.1.0'],
    );
    assert.equal((await t.request('GET', '/agents/calls?page_size=500', { headers: owner.headers })).status, 422);
    assert.equal((await t.request('GET', '/agents/calls')).status, 401);
    const auth = authServices.of(t.app);
    const email = `member-${process.pid}@plinth.test`;
    await auth.users.create(t.app.db, { tenantId: owner.tenantId, email, passwordHash: await auth.passwords.hash(PASSWORD), role: 'member', fullName: 'm' });
    const member = await login(t, email);
    assert.equal((await t.request('GET', '/agents/calls', { headers: member.headers })).status, 403);
  });

  it('the page: endpoint URL, a client config with the Bearer header, the tools with their scopes, and the recent calls', async () => {
    await page.goto('/admin');
    await heading('Sign in');
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Agents', exact: true }).click();
    await heading('Agents');
    assert.equal(new URL(page.url()).pathname, '/admin/agents');
    await page.getByText('http://plinth.test/mcp', { exact: true }).waitFor();
    const config = JSON.parse((await page.getByLabel('client configuration').textContent()) ?? '{}');
    assert.equal(config.mcpServers.plinth.url, 'http://plinth.test/mcp');
    assert.match(config.mcpServers.plinth.headers.Authorization, /^Bearer mf_/);
    assert.equal(await page.getByRole('link', { name: 'API keys' }).last().getAttribute('href'), '/admin/auth/api-keys');

    const tools = page.getByRole('table', { name: 'Tools and the scope each needs' });
    const verifyRow = tools.getByRole('row').filter({ has: page.getByRole('cell', { name: 'license_verify', exact: true }) });
    await verifyRow.waitFor();
    assert.match((await verifyRow.textContent()) ?? '', /licenses:manage/);

    const calls = page.getByRole('table', { name: 'Recent tool calls' });
    await calls.getByRole('row').nth(2).waitFor();
    const rows = await calls.locator('tbody tr').allTextContents();
    assert.equal(rows.length, 2, rows.join(' / '));
    assert.match(rows[0], /licensing_generate.*dry run.*desk-agent\/2\.1\.0.*desk-agent key/);
    assert.match(rows[1], /licensing_generate.*ok.*desk-agent\/2\.1\.0/);
    assert.ok(!rows.join().includes('their-agent'), 'another tenant’s calls are not shown');
    await page.getByText('2 calls · page 1 of 1').waitFor();
    await screenshot(page, 'agents-page');
    assert.deepEqual(browser.problems, []);
  });
});
