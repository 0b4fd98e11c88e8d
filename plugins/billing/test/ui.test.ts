import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { createTestApp, type RequestOptions, type TestApp } from '../../../test/helpers/app.js';
import { launchBrowser, screenshot, type TestBrowser } from '../../../test/helpers/browser.js';
import { type Actor, login, registerOwner } from '../../../test/helpers/actors.js';

/** A request to the auth and billing API face (/api/v2). */
const api = (t: TestApp, method: string, path: string, options?: RequestOptions) => t.request(method, `/api/v2${path}`, options);

// The billing plugin's admin pages in a real browser (issue 4): the superadmin edits a plan and
// sees it on a tenant; the tenant's owner sees plan, usage and plans on offer. Needs the UI bundle
// in dist/ui: `npm test` builds it first (pretest); alone, run `npm run build`.

const ADMIN = { email: 'operator@billing-ui.test', password: 'Operator-pass-for-billing-ui-42' };
const NOT_CONFIGURED = 'payments are not configured on this server (no Stripe key); an administrator assigns plans';

describe('billing admin UI (browser)', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let owner: Actor;
  let admin: Record<string, string>;
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

  /** Real time, or as far before it as a test sets (to make last month's usage with real actions). */
  const clock = { offset: 0, now: () => new Date(Date.now() + clock.offset) };
  /** The 10th of last month, noon UTC. */
  const lastMonth = () => {
    const now = new Date();
    return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 10, 12));
  };
  const monthOf = (d: Date) => d.toLocaleDateString(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });

  before(async () => {
    t = await createTestApp({
      clock,
      plugins: ['auth', 'billing', 'mail', 'licensing'],
      settings: {
        auth: { admin: ADMIN, limits: { loginPerIpPerMinute: 1000, refreshPerIpPerMinute: 1000 } },
        mail: { domains: [{ name: 'mail.test' }] },
      },
    });
    browser = await launchBrowser(t.url);
    page = browser.page;
    owner = await registerOwner(t, 'owner', { tenantName });
    admin = (await login(t, ADMIN.email, ADMIN.password)).headers;
    // What the pages show comes from the tenant's own metered actions: a mailbox and two licenses
    // (gauges: what exists now), and mail sent to three recipients (a monthly counter, by day).
    const box = await t.request('POST', '/mail/api/create', { headers: owner.headers, body: { local: 'shop', domainIndex: 0 } });
    assert.equal(box.status, 200, box.text);
    for (let i = 0; i < 2; i++) {
      const made = await t.request('POST', '/license/api/admin/generate', {
        headers: owner.headers,
        body: { plan: 'lifetime', email: `buyer${i}@example.org` },
      });
      assert.equal(made.status, 200, made.text);
    }
    const send = async (to: string) => {
      const sent = await t.request('POST', '/mail/api/send', {
        headers: owner.headers,
        body: { from: box.body.email, to, subject: 'Hours', text: 'We open at nine.' },
      });
      assert.equal(sent.status, 200, sent.text);
    };
    await send('a@example.org, b@example.org, c@example.org');
    // Last month, mail to two recipients (the same send, with the platform's clock set back).
    clock.offset = lastMonth().getTime() - Date.now();
    try {
      await send('d@example.org, e@example.org');
    } finally {
      clock.offset = 0;
    }
    days = (await api(t, 'GET', '/usage/daily', { headers: owner.headers })).body.days;
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
    }
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
    assert.deepEqual((await featuresOfFree((f) => f !== null))?.sort(), ['licensing', 'mail'], 'every declared feature but api_keys');
    const refused = await api(t, 'POST', '/api-keys', { headers: owner.headers, body: { name: 'k', scopes: ['usage:read'] } });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.detail, 'plan "free" does not include feature "api_keys" (needed for api-keys:manage)');

    await every.check();
    await editor.getByRole('button', { name: 'Save plan' }).click();
    assert.equal(await featuresOfFree((f) => f === null), null);
  });

  it('without a payment provider Plans offers no Stripe sync (it could only fail), and says how plans reach tenants', async () => {
    await page.getByText('No payment provider is configured, so plans are not synced or sold online').waitFor();
    assert.equal(await page.getByRole('button', { name: /Sync/ }).count(), 0, 'no Sync all, no Sync per plan');
    assert.equal(await page.getByRole('columnheader', { name: 'Stripe' }).count(), 0);
    // The server still refuses a sync (a script, an old page): its words, the status 409.
    const refused = await api(t, 'POST', '/admin/plans/free/stripe-sync', { headers: admin });
    assert.equal(refused.status, 409, refused.text);
    assert.equal(refused.body.detail, NOT_CONFIGURED);
  });

  it('shows the server’s refusals on Plans: delete the default plan, create with a bad or taken id', async () => {
    const free = rowOf('free');
    browser.expectRefusal({ status: 409, method: 'DELETE', path: '/api/v2/admin/plans/free' });
    browser.expectRefusal({ status: 422, method: 'POST', path: '/api/v2/admin/plans' });
    browser.expectRefusal({ status: 409, method: 'POST', path: '/api/v2/admin/plans' });
    await confirming(() => free.getByRole('button', { name: 'Delete' }).click());
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: '"free" is the default plan and cannot be deleted' }).waitFor();
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
    await limitRow('max_mailboxes').getByText('1 of 5 in use now').waitFor();
    await limitRow('emails_sent_per_month').getByText('3 of 100 this month').waitFor();
    await page.getByRole('list', { name: 'In use now' }).getByRole('listitem').filter({ hasText: '2 of 10 licenses in use now' }).waitFor();
    await page.getByRole('list', { name: /^Emails sent per day, / }).waitFor();
    const months = page.getByRole('region', { name: 'Usage by month' }).getByRole('list', { name: 'Emails sent per month, last 12 months' });
    await months.getByRole('listitem', { name: `${monthOf(lastMonth())}: 2` }).waitFor();
    await screenshot(page, 'billing-tenant');
    await page.getByRole('link', { name: '← All tenants' }).click();
    await page.getByLabel('Find a tenant by name').waitFor();
    assert.equal(new URL(page.url()).search, '');
  });

  it('shows the owner their plan, usage (gauges in use now, the counter by day) and plans; without payments no Upgrade, but whom to ask', async () => {
    const key = await api(t, 'POST', '/api-keys', { headers: owner.headers, body: { name: 'ci', scopes: ['account:read'] } });
    assert.equal(key.status, 201, key.text);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor(); // signed out before the next sign-in
    await signIn(owner.email, owner.password);
    await nav().getByRole('link', { name: 'Billing', exact: true }).click();
    await heading('Billing');

    const subscription = page.getByRole('region', { name: 'Subscription' });
    await subscription.getByText('Free', { exact: true }).waitFor();
    assert.match((await subscription.textContent()) ?? '', /Statusactive/);

    // Each limit says what its number is: what exists now (gauges), or what was used this month (counters).
    const usage = page.getByRole('region', { name: /^Limits and usage/ });
    const limit = (metric: string) => usage.getByRole('row').filter({ has: page.getByText(metric, { exact: true }) });
    await limit('max_api_keys').getByText('1 of 2 in use now').waitFor();
    assert.equal(await limit('max_api_keys').getByRole('meter').getAttribute('value'), '1');
    await limit('max_mailboxes').getByText('1 of 5 in use now').waitFor();
    await limit('max_licenses').getByText('2 of 10 in use now').waitFor();
    await limit('emails_sent_per_month').getByText('3 of 100 this month').waitFor();
    // Limits no enabled plugin meters are not listed as usage, but named.
    assert.equal(await limit('max_sessions').count(), 0);
    await usage.getByText(/Not shown, not metered by any enabled plugin: .*max_sessions/).waitFor();

    // This month: the gauges as what is in use now (no "nothing used" beside them), the counter by day.
    const month = page.getByRole('region', { name: 'Usage this month' });
    assert.deepEqual(await month.getByRole('list', { name: 'In use now' }).getByRole('listitem').allTextContents(), [
      '1 of 2 API keys in use now',
      '2 of 10 licenses in use now',
      '1 of 5 mailboxes in use now',
    ]);
    const monthName = new Date(`${days[0].date}T00:00:00Z`).toLocaleDateString(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });
    const chart = month.getByRole('list', { name: `Emails sent per day, ${monthName}` });
    assert.equal(await chart.getByRole('listitem').count(), days.length);
    const today = new Date(`${days[days.length - 1].date}T00:00:00Z`).toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
    await chart.getByRole('listitem', { name: `${today}: 3` }).waitFor();
    assert.equal(await month.getByRole('list').count(), 2, 'a chart for the one counter, none for gauges or unmetered limits');
    assert.doesNotMatch((await month.textContent()) ?? '', /[Nn]othing|counted in/);

    // Month by month (GET /usage/history): the counter's last 12 months, oldest first; gauges have no history.
    const history = page.getByRole('region', { name: 'Usage by month' });
    const months = history.getByRole('list', { name: 'Emails sent per month, last 12 months' });
    assert.equal(await months.getByRole('listitem').count(), 12);
    assert.equal(await months.getByRole('listitem').last().getAttribute('aria-label'), `${monthName}: 3`);
    await months.getByRole('listitem', { name: `${monthOf(lastMonth())}: 2` }).waitFor();
    assert.equal(await history.getByRole('list').count(), 1, 'one chart: the one counter');

    const plans = page.getByRole('region', { name: 'Plans' });
    await plans.getByRole('region', { name: /^Free/ }).getByText('your plan').waitFor();
    // No payment provider: nothing to click that would only answer "not configured" (plugins/billing/test/ui-payments.test.ts).
    assert.equal(await page.getByRole('button', { name: /^Upgrade/ }).count(), 0);
    await page.getByRole('region', { name: 'Changing plans' }).getByRole('form', { name: 'Ask for a plan change' }).waitFor();
    await screenshot(page, 'billing-owner');
  });

  it("assigns the tenant a plan and resets this period's counters", async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor(); // signed out before the next sign-in
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
