// The "From a template" dialog in a real browser: the license-activation webhook template with its
// signing secret left empty gets a Standard Webhooks secret made by Plinth (`whsec_` + base64 of 32
// random bytes), shown once in the dialog and stored as the workflow's secret.
// Needs the UI bundle in dist/ui: `npm test` builds it first (pretest); alone, run `npm run build`.
import assert from 'node:assert/strict';
import { launchBrowser, screenshot, type TestBrowser } from '../../../test/helpers/browser.js';
import { API, workflowsApp, type WorkflowsApp } from './helpers.js';

const OWNER = { email: 'tia@workflows-template.test', password: 'Owner-pass-for-templates-42', name: 'Tia Template' };

describe('workflows admin UI: a template secret made by Plinth (browser)', () => {
  let t: WorkflowsApp;
  let browser: TestBrowser;
  before(async () => {
    t = await workflowsApp({ plugins: ['licensing'] });
    const reg = await t.request('POST', `${API}/auth/register`, { body: { email: OWNER.email, password: OWNER.password, full_name: OWNER.name } });
    assert.equal(reg.status, 201, reg.text);
    browser = await launchBrowser(t.url);
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
    }
  });

  it('leaves the secret empty: the dialog shows a whsec_ secret once, the workflow stores it', async () => {
    const page = browser.page;
    await page.goto('/admin');
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Workflows', exact: true }).click();
    await page.getByRole('button', { name: 'From a template' }).click();
    const dialog = page.getByRole('dialog', { name: 'New workflow from a template' });
    await dialog.getByLabel('Template').selectOption('license-activated-webhook');
    await dialog.getByLabel('Name').fill('Activation hook');
    await dialog.getByLabel(/^url\b/).fill('https://hooks.example.org/activated');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    const shown = page.getByRole('dialog', { name: 'Copy the generated values now' });
    await shown.getByRole('button', { name: 'Copy generated secret' }).waitFor();
    const secret =
      (await shown
        .locator('p', { hasText: /^secret:/ })
        .locator('code')
        .textContent()) ?? '';
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    const row = await t.app.db('workflows_workflows').where({ name: 'Activation hook' }).first();
    assert.equal(JSON.parse(row.secrets).webhook_secret, secret);
    await screenshot(page, 'workflows-template-generated-secret');
    await shown.getByRole('button', { name: 'Open the workflow' }).click();
    await page.waitForURL(new RegExp(`id=${row.id}`));
    assert.equal(await page.getByText(secret).count(), 0, 'not shown again');
    assert.deepEqual(browser.problems, []);
  });
});
