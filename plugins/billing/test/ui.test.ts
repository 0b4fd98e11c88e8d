import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { launchBrowser, screenshot, type TestBrowser } from '../../../test/helpers/browser.js';
import { api, bearer, login, registerOwner, type Headers, type Owner } from '../../auth/test/helpers.js';

// The billing plugin's admin pages in a real browser (issue 4): the superadmin edits a plan and
// sees it on a tenant; the tenant's owner sees plan, usage and plans on offer. Needs the UI bundle
// in dist/ui: `npm test` builds it first (pretest); alone, run `npm run build`.

const ADMIN = { email: 'operator@billing-ui.test', password: 'Operator-pass-for-billing-ui-42' };
const NOT_CONFIGURED = 'payments are not configured on this server (no Stripe key); an administrator assigns plans';

describe('billing admin UI (browser)', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let owner: Owner;
  let admin: Headers;
  let days: Array<{ date: string }>;
  const tenantName = `Olivia's shop ${randomBytes(3).toString('hex')}`;

  const nav = () => page.getByRole('navigation', { name: 'Admin sections' });
  const heading = (name: string) => page.getByRole('heading', { name, level: 1 }).waitFor();
  /** The table row with a cell that reads exactly `name`. */
  const rowOf = (name: string) => page.getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) });
  const limitRow = (name: string) =>
    page
      .getByRole('form', { name: 'Limits and usage' })
      .getByRole('row')
      .filter({ has: page.getByText(name, { exact: true }) });

  async function signIn(email: string, password: string) {
    await page.goto('/admin');
    await heading('Sign in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await nav().waitFor();
  }

  /** Runs `action`, accepting the confirm() it opens. */
  async function confirming(action: () => Promise<void>) {
    page.once('dialog', (dialog) => void dialog.accept());
    await action();
  }

  before(async () => {
    t = await createTestApp({
      plugins: ['auth', 'billing'],
      settings: { auth: { admin: ADMIN, limits: { loginPerIpPerMinute: 1000, refreshPerIpPerMinute: 1000 } } },
    });
    browser = await launchBrowser(t.url);
    page = browser.page;
    owner = await registerOwner(t, { tenantName });
    admin = bearer((await login(t, ADMIN.email, ADMIN.password)).access_token);
    // A monthly counter with its daily breakdown, for the charts: no plugin enabled here meters one.
    days = (await api(t, 'GET', '/usage/daily', { headers: owner.headers })).body.days;
    const used = days.map((_, i) => (i % 5) + 1);
    const row = (period_key: string, n: number) => ({
      tenant_id: owner.tenantId,
      metric: 'emails_sent_per_month',
      period_key,
      used: n,
      updated_at: new Date().toISOString(),
    });
    await t.app.db('billing_usage').insert([
      row(
        days[0].date.slice(0, 7),
        used.reduce((a, b) => a + b),
      ),
      ...days.map((d, i) => row(d.date, used[i])),
    ]);
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('signs in as the superadmin; the nav lists the billing pages', async () => {
    await signIn(ADMIN.email, ADMIN.password);
    const links = await nav().getByRole('link').allTextContents();
    for (const title of ['Billing', 'Plans', 'Tenant billing']) assert.ok(links.includes(title), `nav: ${links.join(', ')}`);
  });

  it("edits the free plan's max_api_keys limit from 5 to 2 on Plans", async () => {
    const before = (await api(t, 'GET', '/admin/plans', { headers: admin })).body.find((p: { id: string }) => p.id === 'free');
    assert.equal(before.limits.max_api_keys, 5);

    await nav().getByRole('link', { name: 'Plans' }).click();
    await heading('Plans');
    const free = rowOf('free');
    await free.waitFor();
    assert.deepEqual((await free.getByRole('cell').allTextContents()).slice(0, 2), ['free', 'Free']);
    await free.getByRole('button', { name: 'Edit' }).click();

    const editor = page.getByRole('form', { name: 'Edit plan free' });
    const limit = editor.getByLabel('max_api_keys', { exact: true });
    assert.equal(await limit.inputValue(), '5');
    await limit.fill('2');
    await editor.getByRole('button', { name: 'Save plan' }).click();
    await editor.getByRole('status').filter({ hasText: 'Saved “Free”.' }).waitFor();
    await screenshot(page, 'billing-plans');

    const after = (await api(t, 'GET', '/admin/plans', { headers: admin })).body.find((p: { id: string }) => p.id === 'free');
    assert.deepEqual(after.limits, { ...before.limits, max_api_keys: 2 }, 'only that limit changed');
    assert.equal(after.display_name, 'Free');
    assert.equal(after.price_monthly, 0);
  });

  /** The free plan's stored features once `done` says the save landed (bounded poll: the save is async). */
  async function featuresOfFree(done: (features: string[] | null) => boolean): Promise<string[] | null> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const row = await t.app.db('billing_plans').where('id', 'free').first('features');
      const features = row.features === null ? null : JSON.parse(row.features);
      if (done(features) || Date.now() > deadline) return features;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('edits a plan’s features with checkboxes from the declared catalogue', async () => {
    await rowOf('free').getByRole('button', { name: 'Edit' }).click();
    const editor = page.getByRole('form', { name: 'Edit plan free' });
    const every = editor.getByLabel('Every feature, including ones added later');
    assert.equal(await every.isChecked(), true);
    const apiKeys = editor.getByRole('checkbox', { name: /api_keys/ });
    assert.equal(await apiKeys.isDisabled(), true, 'every feature: nothing to tick');
    await every.uncheck();
    await apiKeys.uncheck();
    await editor.getByRole('button', { name: 'Save plan' }).click();
    // The editor still says "Saved" from the edit before: wait for the row instead.
    assert.deepEqual(await featuresOfFree((f) => f !== null), []);
    const refused = await api(t, 'POST', '/api-keys', { headers: owner.headers, body: { name: 'k', scopes: ['usage:read'] } });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.detail, 'plan "free" does not include feature "api_keys" (needed for api-keys:manage)');

    await every.check();
    await editor.getByRole('button', { name: 'Save plan' }).click();
    assert.equal(await featuresOfFree((f) => f === null), null);
  });

  it('shows the server’s refusals on Plans: delete the default plan, sync without Stripe, create with a bad or taken id', async () => {
    const free = rowOf('free');
    await confirming(() => free.getByRole('button', { name: 'Delete' }).click());
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: '"free" is the default plan and cannot be deleted' }).waitFor();
    await free.getByRole('button', { name: 'Sync to Stripe' }).click();
    await alert.filter({ hasText: NOT_CONFIGURED }).waitFor();
    assert.equal((await api(t, 'GET', '/admin/plans', { headers: admin })).body.length, 4, 'nothing was deleted (free, pro, business and the operator plan)');

    const create = page.getByRole('form', { name: 'Create a plan' });
    await create.getByLabel('Display name').fill('Team');
    await create.getByLabel('Id').fill('Team Plan');
    await create.getByRole('button', { name: 'Create plan' }).click();
    const id = create.getByLabel('Id');
    await create
      .locator(`#${await id.getAttribute('id')}-error`)
      .filter({ hasText: /must match pattern/ })
      .waitFor(); // the 422's field error, under its field
    assert.equal(await id.getAttribute('aria-invalid'), 'true');
    await id.fill('free');
    await create.getByRole('button', { name: 'Create plan' }).click();
    await create.getByRole('alert').filter({ hasText: 'a plan with id "free" already exists' }).waitFor();
    assert.equal(await id.getAttribute('aria-invalid'), null);
  });

  it('prices are typed in major units with the currency shown (9.99 USD is stored as 999); a third decimal is refused under its field', async () => {
    const create = page.getByRole('form', { name: 'Create a plan' });
    await create.getByLabel('Id').fill('team');
    const monthly = create.getByLabel('Monthly price (USD)');
    assert.equal(await monthly.inputValue(), '0.00');
    await monthly.fill('9.99');
    await create.getByText('= $9.99').waitFor();
    await create.getByLabel('Yearly price (USD)').fill('99');
    await create.getByText('= $99.00').waitFor();
    await create.getByRole('button', { name: 'Create plan' }).click();
    const team = rowOf('team');
    await team.waitFor();
    assert.deepEqual((await team.getByRole('cell').allTextContents()).slice(2, 4), ['$9.99', '$99.00']);
    const row = await t.app.db('billing_plans').where('id', 'team').first('price_monthly', 'price_yearly', 'currency');
    assert.deepEqual([Number(row.price_monthly), Number(row.price_yearly), row.currency], [999, 9900, 'usd']);

    await team.getByRole('button', { name: 'Edit' }).click();
    const editor = page.getByRole('form', { name: 'Edit plan team' });
    const price = editor.getByLabel('Monthly price (USD)');
    assert.equal(await price.inputValue(), '9.99');
    assert.equal(await editor.getByLabel('Yearly price (USD)').inputValue(), '99.00');
    await price.fill('9.999');
    await editor.getByRole('button', { name: 'Save plan' }).click();
    await editor
      .locator(`#${await price.getAttribute('id')}-error`)
      .filter({ hasText: 'at most 2 decimals' })
      .waitFor();
    assert.equal(await price.getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'billing-plan-prices');
    await price.fill('12,50');
    await editor.getByText('= $12.50').waitFor();
    await editor.getByRole('button', { name: 'Save plan' }).click();
    await editor.getByRole('status').filter({ hasText: 'Saved “Team”.' }).waitFor();
    assert.equal(await price.getAttribute('aria-invalid'), null);
    assert.equal(Number((await t.app.db('billing_plans').where('id', 'team').first('price_monthly')).price_monthly), 1250);
    await editor.getByRole('button', { name: 'Close' }).click();
  });

  it("shows the owner's tenant on Tenant billing with the effective limit max_api_keys = 2", async () => {
    await nav().getByRole('link', { name: 'Tenant billing' }).click();
    await heading('Tenant billing');
    await page.getByLabel('Find a tenant by name').fill(tenantName);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: tenantName }).click();
    await page.waitForURL(`**/admin/billing/tenant?tenant=${owner.tenantId}`);

    await page.getByRole('heading', { name: new RegExp(tenantName) }).waitFor();
    const row = limitRow('max_api_keys');
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    assert.equal(cells[1], '2', 'plan limit');
    assert.equal(cells[3], '2', 'effective limit');

    const effective = await api(t, 'GET', `/admin/tenants/${owner.tenantId}/effective-limits`, { headers: admin });
    assert.equal(effective.status, 200, effective.text);
    assert.equal(effective.body.plan_id, 'free');
    assert.equal(effective.body.limits.max_api_keys, 2);
    assert.deepEqual(effective.body.overrides, {});
  });

  it('overrides a limit for the tenant and removes the override again', async () => {
    const overrides = async () => (await api(t, 'GET', `/admin/tenants/${owner.tenantId}/effective-limits`, { headers: admin })).body.overrides;
    const form = page.getByRole('form', { name: 'Limits and usage' });

    await form.getByLabel('Override for max_api_keys').fill('4');
    await form.getByRole('button', { name: 'Save overrides' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved 1 override(s).' }).waitFor();
    await limitRow('max_api_keys').getByRole('cell').nth(3).filter({ hasText: /^4$/ }).waitFor(); // the effective limit
    assert.deepEqual(await overrides(), { max_api_keys: 4 });

    await form.getByLabel('Override for max_api_keys').fill('');
    await form.getByRole('button', { name: 'Save overrides' }).click();
    await page.getByRole('status').filter({ hasText: 'Removed the overrides' }).waitFor();
    assert.deepEqual(await overrides(), {});
  });

  it('opens the same tenant from a link', async () => {
    await page.goto(`/admin/billing/tenant?tenant=${owner.tenantId}`);
    await page.getByRole('heading', { name: new RegExp(tenantName) }).waitFor();
    await limitRow('max_api_keys').waitFor();
    await page.getByRole('list', { name: /^Emails sent per day, / }).waitFor();
    await screenshot(page, 'billing-tenant');
    await page.getByRole('link', { name: '← All tenants' }).click();
    await page.getByLabel('Find a tenant by name').waitFor();
    assert.equal(new URL(page.url()).search, '');
  });

  it('shows the owner their plan, usage, daily chart and plans; without payments no Upgrade, but whom to ask', async () => {
    const key = await api(t, 'POST', '/api-keys', { headers: owner.headers, body: { name: 'ci', scopes: ['account:read'] } });
    assert.equal(key.status, 201, key.text);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(owner.email, owner.password);
    await nav().getByRole('link', { name: 'Billing', exact: true }).click();
    await heading('Billing');

    const subscription = page.getByRole('region', { name: 'Subscription' });
    await subscription.getByText('Free', { exact: true }).waitFor();
    assert.match((await subscription.textContent()) ?? '', /Statusactive/);

    const usage = page.getByRole('region', { name: /^Limits and usage/ });
    const apiKeys = usage.getByRole('row').filter({ has: page.getByText('max_api_keys', { exact: true }) });
    await apiKeys.getByText('1 of 2').waitFor();
    assert.equal(await apiKeys.getByRole('meter').getAttribute('value'), '1');

    const chart = page.getByRole('list', { name: /^Emails sent per day, / });
    assert.equal(await chart.getByRole('listitem').count(), days.length);
    assert.match((await chart.getByRole('listitem').first().getAttribute('aria-label')) ?? '', /: 1$/);

    const plans = page.getByRole('region', { name: 'Plans' });
    await plans.getByRole('region', { name: /^Free/ }).getByText('your plan').waitFor();
    // No payment provider: nothing to click that would only answer "not configured" (plugins/billing/test/ui-payments.test.ts).
    assert.equal(await page.getByRole('button', { name: /^Upgrade/ }).count(), 0);
    await page.getByRole('region', { name: 'Changing plans' }).getByText('contact them').waitFor();
    await screenshot(page, 'billing-owner');
  });

  it("assigns the tenant a plan and resets this period's counters", async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(ADMIN.email, ADMIN.password);
    await page.goto(`/admin/billing/tenant?tenant=${owner.tenantId}`);
    const assign = page.getByRole('form', { name: 'Assign a plan' });
    await assign.getByLabel('Plan').selectOption('pro');
    await assign.getByLabel('Billing cycle').selectOption('yearly');
    await assign.getByRole('button', { name: 'Assign plan' }).click();
    await page.getByRole('status').filter({ hasText: 'The tenant is now on “Pro”, billed yearly.' }).waitFor();
    await limitRow('max_api_keys').getByRole('cell').nth(3).filter({ hasText: /^25$/ }).waitFor();
    const sub = (await api(t, 'GET', `/admin/tenants/${owner.tenantId}/subscription`, { headers: admin })).body;
    assert.deepEqual([sub.plan_id, sub.billing_cycle, sub.provider], ['pro', 'yearly', 'manual']);

    await confirming(() => page.getByRole('button', { name: 'Reset usage counters' }).click());
    await page.getByRole('status').filter({ hasText: 'Reset 2 counter(s) of the current period.' }).waitFor(); // the month's and today's
    const rows = await t.app
      .db('billing_usage')
      .where({ tenant_id: owner.tenantId, metric: 'emails_sent_per_month' })
      .whereIn('period_key', [days[0].date.slice(0, 7), days[days.length - 1].date]);
    assert.deepEqual(
      rows.map((r: { used: unknown }) => Number(r.used)),
      [0, 0],
    );
  });

  it('ran without script errors', () => {
    assert.deepEqual(browser.problems, []);
  });
});
