import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { addUser, login, registerOwner, type Actor } from '../helpers/actors.js';
import { capturingLogger, type LogLine } from '../helpers/logs.js';
import { waitFor } from '../helpers/processes.js';

// Issue 40: a customer's menu holds only the pages they may open (their role, their scopes, their
// plan's features, the plugin's own rule), and each of them loads without a refusal, for an owner and
// a member, with every feature and without each one; a page they may not open says so rather than
// hanging on "Loading…"; empty states point only at what the viewer can do; leaving a page with a
// live stream logs no error. Needs the UI bundle in dist/ui: `npm test` builds it first; alone, `npm run build`.

const ADMIN = { email: 'operator@page-access.test', password: 'Operator-pass-for-page-access-42' };
const PLUGINS = ['auth', 'billing', 'licensing', 'mail', 'robots', 'ai', 'workflows', 'agents'];
/** Only superadmins and WorkBot's home tenant administer WorkBot: never a customer. */
const OPERATOR_PAGES = ['/admin/robots/codes', '/admin/robots/users', '/admin/auth/users', '/admin/auth/tenants', '/admin/billing/plans', '/admin/system'];

describe('admin UI: what a customer may open (browser)', function () {
  this.timeout(600_000);
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let lines: LogLine[];
  let owner: Actor;
  let member: Actor;
  let operator: Actor;
  let features: Array<{ name: string; plugin: string }>;

  const nav = () => page.getByRole('navigation', { name: 'Admin sections' });
  const api = (method: string, path: string, body?: unknown) => t.request(method, `/api/v2${path}`, { headers: operator.headers, body });

  before(async () => {
    const captured = capturingLogger('debug');
    lines = captured.lines;
    t = await createTestApp({
      plugins: PLUGINS,
      logger: captured.logger,
      settings: { auth: { admin: ADMIN, limits: { loginPerIpPerMinute: 1000, refreshPerIpPerMinute: 1000 } }, mail: { domains: [{ name: 'mail.test' }] } },
    });
    browser = await launchBrowser(t.url);
    page = browser.page;
    operator = await login(t, ADMIN.email, ADMIN.password);
    owner = await registerOwner(t, 'access-owner');
    member = await addUser(t, owner.tenantId, 'member');
    features = (await api('GET', '/admin/features')).body;
    assert.ok(features.length >= 7, features.map((f) => f.name).join());
    const plan = await api('POST', '/admin/plans', { id: 'walk', display_name: 'Walk', limits: {}, features: null });
    assert.equal(plan.status, 201, plan.text);
    assert.equal((await api('PUT', `/admin/tenants/${owner.tenantId}/subscription`, { plan_id: 'walk' })).status, 200);
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
    }
  });

  /** Signs the browser in as `who` (the admin UI's own sign-in), and answers the pages meta says they may open. */
  async function signIn(who: Actor): Promise<string[]> {
    await page.context().clearCookies();
    const res = await page.request.post('/admin/api/login', { data: { email: who.email, password: who.password } });
    assert.equal(res.status(), 200, await res.text());
    const meta = await (await page.request.get('/admin/api/meta')).json();
    return meta.me.pages as string[];
  }

  /** Every nav entry is a page meta allows, and each loads to its heading with nothing refused and nothing left loading. */
  async function walk(who: Actor, label: string): Promise<string[]> {
    const allowed = await signIn(who);
    await page.goto('/admin/overview');
    await nav().waitFor();
    const hrefs = await nav()
      .getByRole('link')
      .evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).getAttribute('href') ?? ''));
    for (const href of hrefs) {
      if (href === '/admin/overview') continue;
      assert.ok(allowed.includes(href), `${label}: the menu lists ${href}, which meta does not allow`);
      await page.goto(href);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await waitFor(`${label}: ${href} done loading`, async () => (await page.locator('main').getByText('Loading…').count()) === 0);
      assert.equal(await page.getByText(/for superadmins/i).count(), 0, `${label}: ${href} says it is for superadmins`);
      assert.equal(await page.getByRole('heading', { name: 'Not available to you' }).count(), 0, `${label}: ${href}`);
      assert.deepEqual(browser.problems, [], `${label}: ${href}`);
    }
    for (const href of OPERATOR_PAGES) assert.ok(!hrefs.includes(href), `${label}: the menu lists the operator's ${href}`);
    return hrefs;
  }

  it('an owner and a member with every feature see only what loads; a member sees less', async () => {
    const ours = await walk(owner, 'owner');
    for (const href of ['/admin/robots', '/admin/mail', '/admin/workflows', '/admin/licensing', '/admin/agents', '/admin/billing/billing']) {
      assert.ok(ours.includes(href), `owner: ${href} missing from ${ours.join(' ')}`);
    }
    const theirs = await walk(member, 'member');
    assert.ok(theirs.includes('/admin/robots') && theirs.includes('/admin/mail'), theirs.join(' '));
    for (const href of ['/admin/licensing', '/admin/agents', '/admin/billing/billing', '/admin/ai/calls']) assert.ok(!theirs.includes(href), href);
  });

  for (const role of ['owner', 'member'] as const) {
    it(`${role === 'owner' ? 'an' : 'a'} ${role} on a plan without each feature sees no page of it, and every page they see loads`, async () => {
      const who = role === 'owner' ? owner : member;
      for (const { name, plugin } of features) {
        const patched = await api('PATCH', '/admin/plans/walk', { features: features.map((f) => f.name).filter((f) => f !== name) });
        assert.equal(patched.status, 200, patched.text);
        const hrefs = await walk(who, `${role} without ${name}`);
        // The plugin's pages are the feature's (auth's only feature is API keys: its other pages stay).
        const gone = hrefs.filter((h) => (plugin === 'auth' ? h === '/admin/auth/api-keys' : h === `/admin/${plugin}` || h.startsWith(`/admin/${plugin}/`)));
        assert.deepEqual(gone, [], `${role} without ${name}`);
      }
      assert.equal((await api('PATCH', '/admin/plans/walk', { features: null })).status, 200);
    });
  }

  it("a direct visit to an operator's page says it is not available, loading nothing; the empty Robots page does not send a customer there", async () => {
    await signIn(owner);
    for (const href of ['/admin/robots/codes', '/admin/robots/users']) {
      await page.goto(href);
      await page.getByRole('heading', { name: 'Not available to you', level: 1 }).waitFor();
      assert.equal(await page.getByRole('button', { name: /Generate/ }).count(), 0);
    }
    await page.goto('/admin/robots');
    await page.getByText('No robots yet.').waitFor();
    assert.equal(await page.getByText(/Activation codes/).count(), 0);
    assert.match(await page.locator('main').innerText(), /a code your operator issued/);
    assert.deepEqual(browser.problems, []);
  });

  it('the operator is still sent to Activation codes from an empty Robots page', async () => {
    await signIn(operator);
    await page.goto('/admin/robots');
    await page.getByText('No robots yet.').waitFor();
    assert.match(await page.locator('main').innerText(), /from Activation codes/);
  });

  it("WorkBot's home tenant's admin (the operator's tenant) may open Activation codes and WorkBot users; its member may not", async () => {
    const pagesOf = async (who: Actor) => (await t.request('GET', '/admin/api/meta', { headers: who.headers })).body.me.pages as string[];
    const homeAdmin = await addUser(t, operator.tenantId, 'admin');
    const homeMember = await addUser(t, operator.tenantId, 'member');
    for (const href of ['/admin/robots/codes', '/admin/robots/users']) {
      assert.ok((await pagesOf(homeAdmin)).includes(href), href);
      assert.ok(!(await pagesOf(homeMember)).includes(href), href);
      assert.ok(!(await pagesOf(owner)).includes(href), href);
    }
  });

  it('leaving a page with a live stream logs no error: a client going away is at most a debug line', async () => {
    await signIn(owner);
    for (let i = 0; i < 3; i++) {
      const live = page.waitForResponse((res) => new URL(res.url()).pathname === '/admin/api/live');
      await page.goto('/admin/robots');
      assert.equal((await live).status(), 200);
      await page.goto('about:blank');
    }
    const hub = t.app.container.resolve('live');
    await waitFor('the streams to end', () => hub.count(() => true) === 0);
    const errors = lines.filter((l) => l.level >= 50);
    assert.deepEqual(
      errors.map((l) => `${l.msg} ${l.err?.code ?? ''}`),
      [],
    );
  });
});
