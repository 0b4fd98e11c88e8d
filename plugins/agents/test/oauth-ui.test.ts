// OAuth for MCP clients with the consent in a real browser: the official SDK's auth() starts, the
// browser lands on the admin UI's consent page, signs in there (the normal sign-in), sees the tenant,
// the presets and their tools, allows; the SDK exchanges the code and calls a tool. Then the grant is
// listed on Connected applications and revoked there. Needs `npm run build` (the UI bundle).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { auth, Client, type OAuthClientProvider, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Page } from 'playwright-core';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { launchBrowser, screenshot, type TestBrowser } from '../../../test/helpers/browser.js';
import { describeUntranslated, untranslatedText } from '../../../test/helpers/i18n-walk.js';

const PUBLIC = 'http://plinth.test';
/** The client's loopback redirect URI, where it listens as a desktop client does (set once its server listens). */
let REDIRECT = '';

class MemoryProvider implements OAuthClientProvider {
  info: any;
  saved: any;
  verifier = '';
  discovery: unknown;
  authorizationUrl: URL | null = null;
  get redirectUrl() {
    return REDIRECT;
  }
  get clientMetadata() {
    return {
      client_name: 'Desk Agent',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: unknown) {
    this.info = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: unknown) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
  saveDiscoveryState(state: unknown) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery as never;
  }
}

describe('agents: OAuth consent in the admin UI (browser)', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let owner: Actor;
  let callback: Server;
  const fetchFn = (url: string | URL, init?: RequestInit) => fetch(String(url).replace(PUBLIC, t.url), init);

  before(async () => {
    t = await createTestApp({ plugins: ['auth', 'billing', 'licensing', 'agents'] });
    owner = await registerOwner(t, 'oauth-ui');
    browser = await launchBrowser(t.url);
    page = browser.page;
    callback = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('You may close this window.'));
    await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
    REDIRECT = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
  });
  after(async () => {
    callback?.close();
    await browser?.close();
    await t?.close();
  });

  it('auth() → sign in and allow on the consent page → tokens → a tool call; then revoked on Connected applications', async () => {
    const provider = new MemoryProvider();
    const serverUrl = `${PUBLIC}/mcp`;
    assert.equal(await auth(provider, { serverUrl, fetchFn }), 'REDIRECT');
    const authorizationUrl = String(provider.authorizationUrl).replace(PUBLIC, t.url);

    await page.goto(authorizationUrl);
    // Not signed in: the admin UI's own sign-in, then the consent page it was sent to.
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password', { exact: true }).fill(owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Authorize an application', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Desk Agent wants to use your agent tools' }).waitFor();
    const card = await page.locator('.card').first().innerText();
    assert.match(card, new RegExp(`tenant of ${owner.email.replace(/[.+]/g, '\\$&')}`));
    assert.ok(card.includes(new URL(REDIRECT).host), card);
    await page.getByLabel('Everything my plan allows').check();
    await page.getByText('licensing_generate').first().waitFor();
    await screenshot(page, 'agents-oauth-consent');
    const back = page.waitForURL((url) => url.href.startsWith(REDIRECT));
    await page.getByRole('button', { name: 'Allow' }).click();
    await back;
    const to = new URL(page.url());
    const code = to.searchParams.get('code');
    assert.ok(code, page.url());

    assert.equal(await auth(provider, { serverUrl, fetchFn, authorizationCode: code, iss: to.searchParams.get('iss') as string }), 'AUTHORIZED');
    const client = new Client({ name: 'desk-agent', version: '1.0.0' });
    const headers = { Authorization: `Bearer ${provider.saved.access_token}` };
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers } }));
    const made = await client.callTool({ name: 'licensing_generate', arguments: { plan: 'monthly', email: 'oauth@example.org' } });
    assert.notEqual(made.isError, true, JSON.stringify(made.content));
    await client.close();

    await page.goto('/admin/agents/applications');
    await page.getByRole('heading', { name: 'Connected applications', level: 1 }).waitFor();
    await page.getByRole('cell', { name: 'Desk Agent', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Revoke Desk Agent' }).click();
    await page.getByText('No application is authorized.').waitFor();
    const refused = await t.request('POST', '/mcp', {
      headers: { ...headers, accept: 'application/json, text/event-stream' },
      body: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} },
    });
    assert.equal(refused.status, 401, refused.text);
  });

  it('in Chinese: the consent page shows no English; Deny returns access_denied; opened again it says the request is gone', async () => {
    const zhOwner = await registerOwner(t, 'oauth-zh', { tenantName: '小红的公司' });
    const zh = await launchBrowser(t.url, { locale: 'zh-CN' });
    try {
      const provider = new MemoryProvider();
      assert.equal(await auth(provider, { serverUrl: `${PUBLIC}/mcp`, fetchFn }), 'REDIRECT');
      await zh.page.goto(String(provider.authorizationUrl).replace(PUBLIC, t.url));
      await zh.page.getByRole('heading', { name: '登录', level: 1 }).waitFor();
      await zh.page.getByLabel('邮箱').fill(zhOwner.email);
      await zh.page.getByLabel('密码', { exact: true }).fill(zhOwner.password);
      await zh.page.getByRole('button', { name: '登录' }).click();
      await zh.page.getByRole('heading', { name: '授权应用', level: 1 }).waitFor();
      const uid = new URL(zh.page.url()).searchParams.get('uid');
      await zh.page.getByRole('heading', { name: 'Desk Agent 想要使用你的智能体工具' }).waitFor();
      await zh.page.getByText(/租户 小红的公司 中/).waitFor();
      await zh.page.getByLabel('套餐允许的全部权限').check();
      await zh.page.getByText('licensing_generate').first().waitFor();
      const found = await untranslatedText(zh.page, { allow: [zhOwner.email, 'Desk Agent'] });
      assert.deepEqual(found, [], describeUntranslated(found));
      const back = zh.page.waitForURL((url) => url.href.startsWith(REDIRECT));
      await zh.page.getByRole('button', { name: '拒绝' }).click();
      await back;
      assert.equal(new URL(zh.page.url()).searchParams.get('error'), 'access_denied');
      // Answered: opened again, the request is gone, said in Chinese.
      zh.expectRefusal({ status: 404, method: 'GET', path: `/agents/oauth/consent/${uid}` });
      await zh.page.goto(`/admin/agents/consent?uid=${uid}`);
      await zh.page.getByRole('alert').filter({ hasText: '此授权请求已过期或已处理：请从该应用重新开始。' }).waitFor();
      assert.deepEqual(zh.problems, []);
    } finally {
      await zh.close();
    }
  });
});
