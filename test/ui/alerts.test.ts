// The System page's Alerts section (issue 37, Alerts), in a browser: the open alerts first (the
// critical one before the warning), with what and when, and the ones cleared last; no console errors.
// Needs the UI bundle in dist/ui: `npm test` builds it first (pretest); alone, run `npm run build`.
import assert from 'node:assert/strict';
import { alertsApp, OPERATOR } from '../helpers/alerts.js';
import type { TestApp } from '../helpers/app.js';
import { launchBrowser, screenshot, type TestBrowser } from '../helpers/browser.js';

describe('admin UI: the alerts on the System page (browser)', function () {
  this.timeout(60_000);
  let t: TestApp;
  let browser: TestBrowser;
  before(async () => {
    t = await alertsApp();
    browser = await launchBrowser(t.url);
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
    }
  });

  it('lists the open alerts, critical first, and the recently cleared one', async () => {
    const alerts = t.app.container.resolve('alerts');
    await alerts.raise({ key: 'test.gone', severity: 'warning', summary: 'Something that went away', details: { n: 1 } });
    await alerts.clear('test.gone');
    await alerts.raise({ key: 'test.warning', severity: 'warning', summary: 'Something to look at', details: { n: 2 } });
    await alerts.raise({ key: 'test.critical', severity: 'critical', summary: 'Something broke', details: { n: 3 } });
    await t.app.events.flush(); // the mails go out

    const { page } = browser;
    await page.goto('/admin/system');
    await page.getByLabel('Email').fill(OPERATOR.email);
    await page.getByLabel('Password').fill(OPERATOR.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'System', level: 1 }).waitFor();

    const region = page.getByRole('region', { name: 'Alerts' });
    assert.equal((await region.getByRole('alert').textContent())?.trim(), '2 alerts are open.');
    const open = region.getByRole('table').filter({ has: page.getByText('Open alerts') });
    const rows = open.getByRole('row');
    assert.equal(await rows.count(), 3, 'a header and two alerts');
    const first = await rows.nth(1).getByRole('cell').allTextContents();
    assert.deepEqual(first.slice(0, 2), ['critical', 'Something broke test.critical']);
    assert.notEqual(first[2], '—', 'when it was raised');
    assert.notEqual(first[3], 'not yet', 'its mail went out');
    assert.deepEqual((await rows.nth(2).getByRole('cell').allTextContents()).slice(0, 2), ['warning', 'Something to look at test.warning']);
    assert.equal(await open.getByText('test.critical').getAttribute('title'), 'n: 3', 'the details on hover');

    const cleared = region.getByRole('table').filter({ has: page.getByText('Recently cleared') });
    const gone = await cleared.getByRole('row').nth(1).getByRole('cell').allTextContents();
    assert.deepEqual(gone.slice(0, 2), ['warning', 'Something that went away test.gone']);
    assert.notEqual(gone[3], '—', 'when it cleared');
    await screenshot(page, 'system-alerts');
  });
});
