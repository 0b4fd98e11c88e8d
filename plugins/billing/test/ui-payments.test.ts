import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createTestApp, type RequestOptions, type TestApp } from '../../../test/helpers/app.js';
import { launchBrowser, screenshot, type TestBrowser } from '../../../test/helpers/browser.js';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';

/** A request to the auth and billing API face (/api/v2). */
const api = (t: TestApp, method: string, path: string, options?: RequestOptions) => t.request(method, `/api/v2${path}`, options);

// Issue 18, "Billing without Stripe", in a real browser: Upgrade, Manage billing and Cancel at
// period end are shown only when a payment provider is configured (and can work); without one the
// owner is told to ask the operator and the operator where plans are assigned. Limits that no
// enabled plugin meters (the seed's sessions, groups, labels) are not listed as usage. Needs the UI
// bundle in dist/ui: `npm run build`.

const ADMIN = { email: 'operator@billing-payments.test', password: 'Operator-pass-for-payments-42' };
const LIMITS = { loginPerIpPerMinute: 1000, refreshPerIpPerMinute: 1000 };
/** Only auth and billing are enabled: these limits of the default plans are metered by nobody. */
const UNMETERED = [
  'agent_calls_per_month',
  'ai_replies_per_month',
  'emails_sent_per_month',
  'max_groups',
  'max_labels',
  'max_licenses',
  'max_mailboxes',
  'max_messages_per_month',
  'max_robots',
  'max_sessions',
];
// Stripe is configured but never reached: the pages only read Plinth's own endpoints.
const STRIPE = { secretKey: 'sk_test_not_reached', webhookSecret: 'whsec_not_reached', apiHost: '127.0.0.1', apiPort: 9, apiProtocol: 'http' };

interface Session {
  t: TestApp;
  browser: TestBrowser;
  page: Page;
  owner: Actor;
}

async function open(stripe: boolean): Promise<Session> {
  const t = await createTestApp({
    plugins: ['auth', 'billing'],
    settings: { auth: { admin: ADMIN, limits: LIMITS }, ...(stripe ? { billing: { stripe: STRIPE } } : {}) },
  });
  const browser = await launchBrowser(t.url);
  const owner = await registerOwner(t, 'owner', { tenantName: stripe ? 'Paying shop' : 'Assigned shop' });
  return { t, browser, page: browser.page, owner };
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto('/admin');
  await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Admin sections' }).waitFor();
}

async function openBilling(page: Page) {
  await page.goto('/admin/billing/billing');
  await page.getByRole('heading', { name: 'Billing', level: 1 }).waitFor();
  await page.getByRole('region', { name: 'Plans' }).getByRole('region', { name: /^Pro/ }).waitFor();
}

const buttons = async (page: Page) => ({
  upgrade: await page.getByRole('button', { name: /^Upgrade/ }).count(),
  manage: await page.getByRole('button', { name: 'Manage billing' }).count(),
  cancel: await page.getByRole('button', { name: 'Cancel at period end' }).count(),
});

/** The metrics listed in the usage table (their keys, shown beside each label). */
const listedMetrics = async (page: Page) =>
  (
    await page
      .getByRole('region', { name: /^Limits and usage/ })
      .getByRole('row')
      .locator('code')
      .allTextContents()
  ).sort();

describe('billing admin UI without a payment provider (browser)', () => {
  let s: Session;
  before(async () => {
    s = await open(false);
  });
  after(async () => {
    try {
      await s?.browser.close();
    } finally {
      await s?.t.close();
    }
  });

  it('the API says no provider is configured and which limits nobody meters', async () => {
    const sub = await api(s.t, 'GET', '/billing/subscription', { headers: s.owner.headers });
    assert.equal(sub.status, 200, sub.text);
    assert.equal(sub.body.payment_provider, null);
    assert.deepEqual(sub.body.unmetered, UNMETERED);
    // The seed's fields stay as they were.
    assert.equal(sub.body.usage.groups, 0);
    assert.equal(sub.body.limits.max_groups, 2);
  });

  it('the owner sees no Upgrade, Manage billing or Cancel, and may ask the operator for a plan change', async () => {
    const { page, owner } = s;
    await signIn(page, owner.email, owner.password);
    await openBilling(page);
    await page
      .getByRole('region', { name: 'Limits and usage, ' + new Date().toLocaleDateString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' }) })
      .getByText('max_api_keys')
      .waitFor();
    assert.deepEqual(await buttons(page), { upgrade: 0, manage: 0, cancel: 0 });
    const note = page.getByRole('region', { name: 'Changing plans' });
    await note.getByRole('form', { name: 'Ask for a plan change' }).waitFor();
    assert.equal(
      await note.getByRole('paragraph').first().textContent(),
      'Plans are assigned by the operator of this service. Online payment is not available here: ask for a plan change and they will answer here.',
    );
    await screenshot(page, 'billing-no-payments-owner');
  });

  it('limits no enabled plugin meters are not listed as usage, nor on the plan cards; a note names them', async () => {
    const { page } = s;
    assert.deepEqual(await listedMetrics(page), ['max_api_keys']);
    const usage = page.getByRole('region', { name: /^Limits and usage/ });
    assert.match((await usage.getByText('Not shown, not metered by any enabled plugin').textContent()) ?? '', /max_groups, max_labels/);
    const pro = page.getByRole('region', { name: 'Plans' }).getByRole('region', { name: /^Pro/ });
    assert.deepEqual(await pro.getByRole('listitem').allTextContents(), ['API keys: 25']);
  });

  it('the operator is told where plans are assigned, and the link opens Tenant billing', async () => {
    const { page } = s;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor(); // signed out before the next sign-in
    await signIn(page, ADMIN.email, ADMIN.password);
    await openBilling(page);
    assert.deepEqual(await buttons(page), { upgrade: 0, manage: 0, cancel: 0 });
    const note = page.getByRole('region', { name: 'Changing plans' });
    await note.getByText('No payment provider is configured on this server').waitFor();
    await note.getByText('PLINTH_STRIPE_SECRET_KEY').waitFor();
    await screenshot(page, 'billing-no-payments-operator');
    await note.getByRole('link', { name: 'Tenant billing' }).click();
    await page.getByRole('heading', { name: 'Tenant billing', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin/billing/tenant');
  });

  it("the tenant's limits on Tenant billing show only metered ones, and saving keeps a hidden override", async () => {
    const { page, t, owner } = s;
    const login = await api(t, 'POST', '/auth/login', { body: ADMIN });
    const admin = { authorization: `Bearer ${login.body.access_token}` };
    const put = await api(t, 'PUT', `/admin/tenants/${owner.tenantId}/limit-overrides`, { headers: admin, body: { limits: { max_groups: 7 } } });
    assert.equal(put.status, 200, put.text);
    await page.goto(`/admin/billing/tenant?tenant=${owner.tenantId}`);
    const form = page.getByRole('form', { name: 'Limits and usage' });
    await form.getByLabel('Override for max_api_keys').waitFor();
    assert.deepEqual((await form.getByRole('row').locator('code').allTextContents()).sort(), ['max_api_keys']);
    await form.getByText('Not shown, not metered by any enabled plugin').waitFor();
    await form.getByLabel('Override for max_api_keys').fill('3');
    await form.getByRole('button', { name: 'Save overrides' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved 2 override(s).' }).waitFor();
    const effective = await api(t, 'GET', `/admin/tenants/${owner.tenantId}/effective-limits`, { headers: admin });
    assert.deepEqual(effective.body.overrides, { max_api_keys: 3, max_groups: 7 });
  });

  it('ran without script errors', () => {
    assert.deepEqual(s.browser.problems, []);
  });
});

describe('billing admin UI with Stripe configured (browser)', () => {
  let s: Session;
  before(async () => {
    s = await open(true);
    // A customer paying through Stripe, and Pro synced to Stripe (a price), as checkout would leave them.
    const db = s.t.app.db;
    await api(s.t, 'GET', '/billing/subscription', { headers: s.owner.headers });
    await db('billing_subscriptions')
      .where('tenant_id', s.owner.tenantId)
      .update({ provider: 'stripe', stripe_customer_id: 'cus_ui', stripe_subscription_id: 'sub_ui' });
    await db('billing_plans').where('id', 'pro').update({ stripe_product_id: 'prod_ui', stripe_price_monthly: 'price_ui_month' });
  });
  after(async () => {
    try {
      await s?.browser.close();
    } finally {
      await s?.t.close();
    }
  });

  it('the API names the provider', async () => {
    assert.equal((await api(s.t, 'GET', '/billing/subscription', { headers: s.owner.headers })).body.payment_provider, 'stripe');
  });

  it('the owner paying through Stripe sees Upgrade for a plan on sale, Manage billing and Cancel at period end; no contact note', async () => {
    const { page, owner } = s;
    await signIn(page, owner.email, owner.password);
    await openBilling(page);
    await page.getByRole('button', { name: 'Manage billing' }).waitFor();
    assert.deepEqual(await buttons(page), { upgrade: 1, manage: 1, cancel: 1 });
    await page.getByRole('button', { name: 'Upgrade to Pro, billed monthly' }).waitFor();
    // Business has no Stripe price yet: no button that could only fail.
    const business = page.getByRole('region', { name: 'Plans' }).getByRole('region', { name: /^Business/ });
    await business.getByText('Not sold online yet: ask the operator of this service.').waitFor();
    assert.equal(await page.getByRole('region', { name: 'Changing plans' }).count(), 0);
    assert.deepEqual(await listedMetrics(page), ['max_api_keys']);
    await screenshot(page, 'billing-stripe-owner');
  });

  it('the operator can sync plans to Stripe on Plans: Sync all, Sync per plan and each plan’s Stripe state', async () => {
    const { page } = s;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor(); // signed out before the next sign-in
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.goto('/admin/billing/plans');
    await page.getByRole('heading', { name: 'Plans', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Sync all to Stripe' }).waitFor();
    const row = (id: string) => page.getByRole('row').filter({ has: page.getByRole('cell', { name: id, exact: true }) });
    await row('pro').getByText('synced', { exact: true }).waitFor();
    await row('free').getByText('not synced', { exact: true }).waitFor();
    assert.equal(await row('free').getByRole('button', { name: 'Sync to Stripe' }).count(), 1);
    assert.equal(await page.getByText('No payment provider is configured, so plans are not synced').count(), 0);
  });

  it('ran without script errors', () => {
    assert.deepEqual(s.browser.problems, []);
  });
});
