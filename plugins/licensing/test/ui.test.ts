import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { launchBrowser, screenshot, signIn, type TestBrowser } from '../../../test/helpers/browser.js';

// The licensing admin page in a real browser, signed in as the superadmin (the admin UI's session
// cookie is accepted by /license/api/admin/*). Needs the UI bundle in dist/ui: `npm test` builds it
// first (pretest); alone, run `npm run build`.

const ADMIN = { email: 'operator@plinth.test', password: 'Operator-pass-for-ui-42' };
const CUSTOMER = 'Customer.One@Example.test';

interface VerifyReply {
  success: boolean;
  code: string;
  message: string;
  reason?: string;
  isValid: boolean;
}

describe('licensing admin UI (browser)', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let licenseId = '';
  let code = '';

  const nav = () => page.getByRole('navigation', { name: 'Admin sections' });
  const heading = (name: string) => page.getByRole('heading', { name, level: 1 }).waitFor();
  const stat = (name: string) =>
    page
      .locator('.stat')
      .filter({ has: page.getByText(name, { exact: true }) })
      .locator('dd');
  const licenseRow = () => page.getByRole('row').filter({ hasText: licenseId });
  const deviceRow = (id: string) => page.getByRole('row').filter({ has: page.getByRole('cell', { name: id, exact: true }) });
  /** Waits (bounded) until `locator` has the focus: dialogs and their effects move it after rendering. */
  const hasFocus = async (locator: ReturnType<Page['locator']>) => {
    await page.waitForFunction((el) => el === document.activeElement, await locator.elementHandle(), { timeout: 5000 });
  };
  const verify = async (deviceId: string, email = CUSTOMER) => {
    const res = await t.request<VerifyReply>('POST', '/license/api/verify', {
      body: { activation_code: code, email, device_id: deviceId, device_name: `Laptop ${deviceId}` },
    });
    return { status: res.status, ...res.body };
  };

  before(async () => {
    t = await createTestApp({
      plugins: ['auth', 'licensing'],
      settings: { auth: { admin: ADMIN, limits: { loginPerIpPerMinute: 1000 } } },
    });
    browser = await launchBrowser(t.url);
    page = browser.page;
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
    }
  });

  it('signs in as the superadmin and opens Licenses: zero stats and an empty list', async () => {
    await signIn(page, ADMIN);
    await nav().getByRole('link', { name: 'Licenses' }).click();
    await heading('Licenses');
    assert.equal(new URL(page.url()).pathname, '/admin/licensing');
    await page.getByText('No licenses yet. Generate one to get started.').waitFor();
    await stat('Licenses').waitFor();
    assert.deepEqual(await page.locator('.stat dt').allTextContents(), ['Licenses', 'Active', 'Active devices', 'monthly', 'yearly', 'lifetime']);
    assert.deepEqual(await page.locator('.stat dd').allTextContents(), ['0', '0', '0', '0', '0', '0']);
    // The activations chart: a bar a day for the last 30 days, all zero for now.
    const chart = page.getByRole('list', { name: 'Devices activated per day, last 30 days' });
    await chart.waitFor();
    assert.equal(await chart.getByRole('listitem').count(), 30);
    assert.equal(await chart.getByRole('listitem', { name: /: 0$/ }).count(), 30);
  });

  it('the Generate dialog shows the server’s MISSING_EMAIL message, and Escape closes it', async () => {
    await page.getByRole('button', { name: 'Generate license' }).click();
    const dialog = page.getByRole('dialog', { name: 'Generate a license' });
    await dialog.waitFor();
    await hasFocus(dialog.getByLabel('Customer email'));
    browser.expectRefusal({ status: 400, method: 'POST', path: '/license/api/admin/generate', times: 2 });
    await dialog.getByRole('button', { name: 'Generate', exact: true }).click();
    assert.equal(await dialog.getByRole('alert').textContent(), 'email is required');
    // The field the message is about is outlined in red and described by it; the others are not.
    const email = dialog.getByLabel('Customer email');
    assert.equal(await email.getAttribute('aria-invalid'), 'true');
    assert.equal(await email.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent), 'email is required');
    const danger = await page.evaluate(() =>
      getComputedStyle(document.querySelector('.error-text, .shell') ?? document.body)
        .getPropertyValue('--danger')
        .trim(),
    );
    assert.ok(danger, 'the theme has a danger colour');
    assert.equal(
      await email.evaluate((el) => getComputedStyle(el).borderColor),
      await page.evaluate((c) => {
        const probe = document.createElement('div');
        probe.style.color = c;
        document.body.append(probe);
        const rgb = getComputedStyle(probe).color;
        probe.remove();
        return rgb;
      }, danger),
    );
    assert.equal(await dialog.getByLabel('Device cap').getAttribute('aria-invalid'), null);
    await screenshot(page, 'licensing-missing-email');
    // A number out of range is put on its own field.
    await email.fill('someone@example.test');
    await dialog.getByLabel('How many').fill('501');
    await dialog.getByRole('button', { name: 'Generate', exact: true }).click();
    await dialog.getByLabel('How many').and(page.locator('[aria-invalid="true"]')).waitFor();
    assert.match((await dialog.getByRole('alert').textContent()) ?? '', /count/);
    assert.equal(await email.getAttribute('aria-invalid'), null);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(
      await t.app
        .db('licensing_licenses')
        .count({ n: '*' })
        .first()
        .then((r) => Number(r?.n)),
      0,
    );
  });

  it('generates a monthly license for an email with a cap of 2: the code is shown large, with Copy', async () => {
    await page.getByRole('button', { name: 'Generate license' }).click();
    const dialog = page.getByRole('dialog', { name: 'Generate a license' });
    await dialog.getByLabel('Plan').selectOption('monthly');
    await dialog.getByLabel('Customer email').fill(CUSTOMER);
    await dialog.getByLabel('Device cap').fill('2');
    await dialog.getByLabel('Note (optional)').fill('order 1042');
    await dialog.getByRole('button', { name: 'Generate', exact: true }).click();

    await dialog.getByRole('heading', { name: 'Activation code' }).waitFor();
    const row = await t.app.db('licensing_licenses').first();
    licenseId = row.license_id;
    code = row.activation_code;
    assert.deepEqual([row.plan, row.email, Number(row.device_cap), row.user_hint, row.status], ['monthly', CUSTOMER.toLowerCase(), 2, 'order 1042', 'active']);
    assert.match(code, /^[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}$/);
    assert.match((await dialog.getByRole('status').first().textContent()) ?? '', new RegExp(`License ${licenseId} is ready`));
    assert.equal(await dialog.locator('code').textContent(), code);
    await hasFocus(dialog.getByRole('button', { name: 'Copy new activation code' }));
    await screenshot(page, 'licensing-generated');

    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
    await dialog.getByRole('button', { name: 'Copy new activation code' }).click();
    await dialog.getByText('Copied', { exact: true }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), code);

    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('lists the license with its code, devices used of the cap and status; the stats count it', async () => {
    await licenseRow().waitFor();
    const cells = await licenseRow().getByRole('cell').allTextContents();
    assert.equal(cells[0], licenseId);
    assert.ok(cells[1].startsWith(code), cells[1]);
    assert.deepEqual(cells.slice(2, 5), [CUSTOMER.toLowerCase(), 'monthly', '0 / 2']);
    assert.notEqual(cells[5], 'never');
    assert.equal(cells[6], 'active');
    assert.equal(
      await licenseRow()
        .locator('code')
        .nth(1)
        .evaluate((el) => getComputedStyle(el).fontFamily.includes('monospace')),
      true,
    );
    await page
      .locator('.stat')
      .filter({ hasText: /^Licenses1$/ })
      .waitFor(); // the stats reload beside the list
    assert.deepEqual(await page.locator('.stat dd').allTextContents(), ['1', '1', '0', '1', '0', '0']);
    await screenshot(page, 'licensing-list-active');
  });

  it('a device verifies the license (POST /license/api/verify binds it)', async () => {
    const first = await verify('dev-1');
    assert.equal(first.status, 200, JSON.stringify(first));
    assert.equal(first.isValid, true);
    assert.equal((await verify('dev-1', 'someone-else@example.test')).code, 'INVALID_LICENSE');
    // The licenses page, opened again, counts today's activation in its chart.
    await page.reload();
    const today = new Date().toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
    await page
      .getByRole('list', { name: 'Devices activated per day, last 30 days' })
      .getByRole('listitem', { name: `${today}: 1` })
      .waitFor();
    await screenshot(page, 'licensing-list');
  });

  it('opens the license’s devices and sees the device with its name, IP and times', async () => {
    await licenseRow().getByRole('link', { name: licenseId, exact: true }).click();
    await heading(`License ${licenseId}`);
    assert.equal(new URL(page.url()).search, `?license=${licenseId}`);
    const row = deviceRow('dev-1');
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    assert.deepEqual(cells.slice(0, 3), ['dev-1', 'Laptop dev-1', '127.0.0.1']);
    assert.notEqual(cells[3], '—');
    assert.notEqual(cells[4], '—');
    assert.equal(cells[5], 'active');
    await page.getByText('1 of 2 in use').waitFor();
    await page.getByText('order 1042').waitFor();
    await screenshot(page, 'licensing-devices');
  });

  it('deactivates the device: verify then answers DEVICE_DEACTIVATED', async () => {
    await deviceRow('dev-1').getByRole('button', { name: 'Deactivate' }).click();
    await deviceRow('dev-1').getByText('deactivated', { exact: true }).waitFor();
    await page.getByText('0 of 2 in use').waitFor();
    const reply = await verify('dev-1');
    assert.deepEqual([reply.status, reply.code, reply.reason, reply.isValid], [403, 'INVALID_LICENSE', 'DEVICE_DEACTIVATED', false]);
  });

  it('Activate beyond the cap shows the 409 DEVICE_LIMIT_REACHED message; with a slot free it works', async () => {
    assert.equal((await verify('dev-2')).status, 200);
    assert.equal((await verify('dev-3')).status, 200);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await deviceRow('dev-3').waitFor();
    await page.getByText('2 of 2 in use').waitFor();

    browser.expectRefusal({ status: 409, method: 'POST', path: '/license/api/admin/activate-device' });
    await deviceRow('dev-1').getByRole('button', { name: 'Activate' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal(await alert.textContent(), `license ${licenseId} already has 2 active device(s). Deactivate another device first.`);
    await screenshot(page, 'licensing-device-limit');

    await deviceRow('dev-3').getByRole('button', { name: 'Deactivate' }).click();
    await deviceRow('dev-3').getByText('deactivated', { exact: true }).waitFor();
    await deviceRow('dev-1').getByRole('button', { name: 'Activate' }).click();
    await deviceRow('dev-1').getByText('active', { exact: true }).waitFor();
    assert.equal(await page.getByRole('alert').count(), 0);
    assert.equal((await verify('dev-1')).status, 200);
    assert.equal((await verify('dev-3')).reason, 'DEVICE_DEACTIVATED');
  });

  it('revokes the license after a confirm with a reason: listed as revoked; verify answers INVALID_LICENSE', async () => {
    await page.getByRole('link', { name: '← All licenses' }).click();
    await heading('Licenses');
    await licenseRow().waitFor();
    assert.equal((await licenseRow().getByRole('cell').allTextContents())[4], '2 / 2');

    await licenseRow().getByRole('button', { name: 'Revoke' }).click();
    const dialog = page.getByRole('dialog', { name: `Revoke ${licenseId}?` });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await verify('dev-1')).status, 200, 'a canceled confirm changes nothing');

    await licenseRow().getByRole('button', { name: 'Revoke' }).click();
    await hasFocus(dialog.getByLabel(/^Reason/));
    await dialog.getByLabel(/^Reason/).fill('refunded');
    await screenshot(page, 'licensing-revoke');
    await dialog.getByRole('button', { name: 'Revoke license' }).click();
    await dialog.waitFor({ state: 'detached' });
    await licenseRow().getByText('revoked', { exact: true }).waitFor();
    assert.equal(await licenseRow().getByRole('button', { name: 'Revoke' }).count(), 0);
    await page
      .locator('.stat')
      .filter({ hasText: /^Active0$/ })
      .waitFor();

    const reply = await verify('dev-1');
    assert.deepEqual([reply.status, reply.code, reply.isValid], [403, 'INVALID_LICENSE', false]);
    const row = await t.app.db('licensing_licenses').where('license_id', licenseId).first('status', 'status_reason');
    assert.deepEqual({ ...row }, { status: 'revoked', status_reason: 'refunded' });
    await screenshot(page, 'licensing-list');
  });

  it('filters by status', async () => {
    await page.getByLabel('Status').selectOption('active');
    await page.getByText('No active licenses.').waitFor();
    await page.getByLabel('Status').selectOption('revoked');
    await licenseRow().waitFor();
    await page.getByText(/^1 license\./).waitFor();
    await licenseRow().getByRole('link', { name: licenseId, exact: true }).click();
    await page.locator('.facts').getByText('refunded').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Revoke' }).count(), 0);
  });

  it('How many: generates 3 alike in one go and shows every code with Copy all', async () => {
    await nav().getByRole('link', { name: 'Licenses' }).click();
    await heading('Licenses');
    await page.getByRole('button', { name: 'Generate license' }).click();
    const dialog = page.getByRole('dialog', { name: 'Generate a license' });
    await dialog.getByLabel('Plan').selectOption('yearly');
    await dialog.getByLabel('Customer email').fill('reseller@example.test');
    await dialog.getByLabel('How many').fill('3');
    await dialog.getByRole('button', { name: 'Generate', exact: true }).click();
    await dialog.getByRole('status').filter({ hasText: '3 licenses are ready for reseller@example.test' }).waitFor();
    const rows = await t.app.db('licensing_licenses').where('email', 'reseller@example.test').orderBy('id');
    assert.equal(rows.length, 3);
    const codes = rows.map((r: { activation_code: string }) => r.activation_code);
    assert.deepEqual(await dialog.getByRole('list', { name: 'New activation codes' }).locator('code').allTextContents(), codes);
    await screenshot(page, 'licensing-generated-batch');
    await dialog.getByRole('button', { name: 'Copy all new activation codes' }).click();
    await dialog.getByText('Copied', { exact: true }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), codes.join('\n'));
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });
    for (const c of codes) await page.getByRole('row').filter({ hasText: c }).waitFor();
  });

  it('ran without script errors or CSP violations', () => {
    assert.deepEqual(browser.problems, []);
  });
});
