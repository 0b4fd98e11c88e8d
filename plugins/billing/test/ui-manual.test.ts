// Issue 40, "Billing without Stripe", in a real browser over a real database: the operator records a
// payment on the tenant's billing page and both sides see it (the paid-through date checked in the
// database); the owner asks for a plan change, which reaches the operator as an open alert on the
// Overview and a mail caught by a real SMTP relay; the operator approves it (the plan changes), and
// declines the next one with a reason the owner then reads. Needs the UI bundle: `npm run build`.
import assert from 'node:assert/strict';
import { simpleParser } from 'mailparser';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { launchBrowser, screenshot, signIn, type TestBrowser } from '../../../test/helpers/browser.js';
import { startRelay } from '../../../test/helpers/smtp-relay.js';

const ADMIN = { email: 'operator@manual-ui.test', password: 'Operator-pass-for-manual-ui-42' };
const LIMITS = { loginPerIpPerMinute: 1000, refreshPerIpPerMinute: 1000 };

describe('billing without Stripe: payments and plan-change requests (browser)', () => {
  let t: TestApp;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let operator: TestBrowser;
  let customer: TestBrowser;
  let owner: Actor;

  before(async function () {
    this.timeout(120_000); // two browsers start on a machine that may be busy
    relay = await startRelay();
    t = await createTestApp({
      plugins: ['auth', 'billing'],
      settings: { auth: { admin: ADMIN, limits: LIMITS } },
      overrides: { mailer: { smtpUrl: relay.url } },
    });
    owner = await registerOwner(t, 'owner', { tenantName: 'Hand-paid shop' });
    operator = await launchBrowser(t.url);
    customer = await launchBrowser(t.url);
    await signIn(operator.page, ADMIN);
    await operator.page.getByRole('navigation', { name: 'Admin sections' }).waitFor();
    await signIn(customer.page, owner);
    await customer.page.getByRole('navigation', { name: 'Admin sections' }).waitFor();
  });
  after(async () => {
    await operator?.close();
    await customer?.close();
    await t?.close();
    await relay?.close();
  });

  const subscription = () => t.app.db('billing_subscriptions').where('tenant_id', owner.tenantId).first();
  const tenantPage = () => `/admin/billing/tenant?tenant=${owner.tenantId}`;

  async function openTenant() {
    const page = operator.page;
    await page.goto(tenantPage());
    await page.getByRole('heading', { name: /Hand-paid shop/, level: 2 }).waitFor();
    return page;
  }

  async function openBilling() {
    const page = customer.page;
    await page.goto('/admin/billing/billing');
    await page.getByRole('heading', { name: 'Billing', level: 1 }).waitFor();
    await page.getByRole('region', { name: 'Subscription' }).getByText('Plan').first().waitFor();
    return page;
  }

  it('the operator records a payment on the tenant’s page: it is listed, and the paid-through date is in the database', async () => {
    const page = await openTenant();
    const payments = page.getByRole('region', { name: 'Payments' });
    await payments.getByText('No payment has been recorded yet.').waitFor();
    const form = payments.getByRole('form', { name: 'Record a payment' });
    await form.getByLabel('Amount').fill('49.90');
    assert.equal(await form.getByLabel('Currency').inputValue(), 'USD', "the plan's currency");
    await form.getByLabel('Method').selectOption('bank_transfer');
    await form.getByLabel('Covers from').fill('2026-12-01');
    await form.getByLabel('Covers to').fill('2027-02-28');
    await form.getByLabel('Reference (optional)').fill('TRX-2001');
    await form.getByRole('button', { name: 'Record payment' }).click();
    await page.getByRole('status').getByText('Recorded $49.90; the tenant is paid through 2027-02-28.').waitFor();
    await payments.getByRole('cell', { name: 'TRX-2001' }).waitFor();
    await payments.getByRole('cell', { name: '$49.90' }).waitFor();
    await payments.getByText(/Paid through Feb 28, 2027/).waitFor();

    const sub = await subscription();
    assert.equal(sub.paid_through, '2027-02-28');
    const [row] = await t.app.db('billing_payments').where('tenant_id', owner.tenantId);
    assert.deepEqual(
      [Number(row.amount), row.currency, row.method, row.period_start, row.period_end],
      [4990, 'usd', 'bank_transfer', '2026-12-01', '2027-02-28'],
    );
    await screenshot(page, 'billing-manual-payment-operator');
  });

  it('a bad amount is refused in the form, naming the field; nothing is recorded', async () => {
    const page = operator.page;
    operator.expectRefusal({ status: 422, method: 'POST', path: `/api/v2/admin/tenants/${owner.tenantId}/payments` });
    const form = page.getByRole('region', { name: 'Payments' }).getByRole('form', { name: 'Record a payment' });
    await form.getByLabel('Amount').fill('12.345');
    await form.getByRole('button', { name: 'Record payment' }).click();
    await form.getByText('at most 2 decimals').waitFor();
    await form.getByLabel('Amount').fill('10');
    await form.getByLabel('Covers to').fill('2026-11-01');
    await form.getByLabel('Covers from').fill('2026-12-01');
    await form.getByRole('button', { name: 'Record payment' }).click();
    await form.getByText('must be after period_start').waitFor();
    assert.equal((await t.app.db('billing_payments').where('tenant_id', owner.tenantId)).length, 1);
  });

  it('the owner sees the payment and the paid-through date on their Billing page', async () => {
    const page = await openBilling();
    const payments = page.getByRole('region', { name: 'Payments' });
    await payments.getByRole('cell', { name: '$49.90' }).waitFor();
    await payments.getByRole('cell', { name: 'TRX-2001' }).waitFor();
    await payments.getByText(/Paid through Feb 28, 2027/).waitFor();
    await page.getByRole('region', { name: 'Subscription' }).getByText('Feb 28, 2027').waitFor();
    assert.equal(await page.getByRole('form', { name: 'Record a payment' }).count(), 0, 'only the operator records payments');
    await screenshot(page, 'billing-manual-payment-owner');
  });

  it('the owner asks for Pro: the request waits, the operator has an open alert on the Overview and a mail', async () => {
    const page = customer.page;
    const change = page.getByRole('region', { name: 'Changing plans' });
    const form = change.getByRole('form', { name: 'Ask for a plan change' });
    await form.getByLabel('Plan').selectOption('pro');
    await form.getByLabel('Note for the operator (optional)').fill('Spring season: we need more keys.');
    await form.getByRole('button', { name: 'Ask for a plan change' }).click();
    const open = change.getByRole('status', { name: 'Your open request' });
    await open.getByText('waiting for the operator').waitFor();
    assert.match((await open.textContent()) ?? '', /You asked for Pro, billed monthly/);
    assert.equal(await form.count(), 0, 'one open request at a time');

    await operator.page.goto('/admin');
    await operator.page.getByText('Plan change requested: tenant "Hand-paid shop" asks to move from Free to Pro').first().waitFor();
    await screenshot(operator.page, 'billing-plan-change-overview');

    await t.app.events.flush();
    const mails = await Promise.all(relay.received.map(async (m) => ({ to: m.to, mail: await simpleParser(m.raw) })));
    const told = mails.filter((m) => m.mail.subject === '[Plinth warning] Plan change requested: tenant "Hand-paid shop" asks to move from Free to Pro');
    assert.equal(told.length, 1, mails.map((m) => m.mail.subject).join('\n'));
    assert.deepEqual(told[0].to, [ADMIN.email]);
    assert.match(told[0].mail.text ?? '', /Spring season/);
    assert.ok((told[0].mail.text ?? '').includes(tenantPage()), told[0].mail.text);
  });

  it('the operator’s tenant page shows billing’s part (paid through, the open request) and leads to where it is answered', async () => {
    const page = operator.page;
    // Leaving auth's tenant page, it may ask for the sections of no tenant (its ?id= gone) before the next page replaces it.
    operator.expectRefusal({ status: 404, method: 'GET', path: '/api/v2/admin/tenants//sections', times: 'any' });
    await page.goto(`/admin/auth/tenant?id=${owner.tenantId}`);
    const section = page.locator('[data-section="billing.plan"]');
    await section.getByRole('heading', { name: 'Billing', level: 2 }).waitFor();
    await section.getByText('2027-02-28', { exact: true }).waitFor();
    await section.getByRole('cell', { name: '49.90 USD' }).waitFor();
    await section.getByRole('link', { name: /^open: Free → Pro/ }).click();
    await page.getByRole('heading', { name: /Hand-paid shop/, level: 2 }).waitFor();
    assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, tenantPage());
  });

  it('the operator approves it on the tenant’s page: the tenant is on Pro; the owner sees it approved', async () => {
    const page = await openTenant();
    const request = page.getByRole('region', { name: 'Open plan-change request' });
    await request.getByText('Spring season: we need more keys.').waitFor();
    await request.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('status').getByText('Approved: the tenant is now on “Pro”.').waitFor();
    await page.getByRole('region', { name: 'Plan-change requests' }).getByRole('cell', { name: 'approved' }).waitFor();
    assert.equal(await request.count(), 0);
    assert.equal((await subscription()).plan_id, 'pro');
    assert.equal((await t.app.db('billing_plan_requests').where('tenant_id', owner.tenantId).first()).status, 'approved');
    assert.ok((await t.app.db('core_alerts').where('key', `billing.plan_change:${owner.tenantId}`).first()).cleared_at, 'the alert is cleared');

    const billing = await openBilling();
    await billing.getByRole('region', { name: 'Subscription' }).getByText('Pro', { exact: true }).waitFor();
    await billing.getByRole('status', { name: 'Your last request' }).getByText('approved').waitFor();
  });

  it('the owner asks for Business; the operator declines with a reason, which the owner reads; the plan stays Pro', async () => {
    const page = customer.page;
    const form = page.getByRole('form', { name: 'Ask for a plan change' });
    await form.getByLabel('Plan').selectOption('business');
    await form.getByRole('button', { name: 'Ask for a plan change' }).click();
    await page.getByRole('status', { name: 'Your open request' }).waitFor();

    const tenant = await openTenant();
    const request = tenant.getByRole('region', { name: 'Open plan-change request' });
    await request.getByRole('button', { name: 'Decline…' }).click();
    const decline = request.getByRole('form', { name: 'Decline the request' });
    assert.equal(await decline.getByRole('button', { name: 'Decline', exact: true }).isDisabled(), true, 'a reason is needed');
    await decline.getByLabel('Reason (the customer sees it)').fill('Business needs a signed contract first.');
    await decline.getByRole('button', { name: 'Decline', exact: true }).click();
    await tenant.getByRole('status').getByText('Declined; the customer sees your reason on their Billing page.').waitFor();
    assert.equal((await subscription()).plan_id, 'pro');
    const declined = await t.app.db('billing_plan_requests').where({ tenant_id: owner.tenantId, plan_id: 'business' }).first();
    assert.deepEqual([declined.status, declined.reason], ['declined', 'Business needs a signed contract first.']);

    const billing = await openBilling();
    const last = billing.getByRole('status', { name: 'Your last request' });
    await last.getByText('declined').waitFor();
    await last.getByText('Reason given: “Business needs a signed contract first.”').waitFor();
    await billing.getByRole('form', { name: 'Ask for a plan change' }).waitFor();
    await screenshot(billing, 'billing-plan-change-declined');
  });

  it('no page logged an error, and the one refusal was the one provoked', () => {
    operator.check();
    customer.check();
  });
});
