// Issue 40, "Not live where it claims to be", for the superadmin's pages in a real browser: Outgoing
// mail and the Audit log needed Refresh. Now a mail the platform sends and an audit row written in
// another tenant show within two seconds, by the live stream (the superadmin's stream hears other
// tenants' and no tenant's changes as `platform`): with the page's clock run a minute ahead nothing
// is fetched again while the stream is open. A customer's stream never hears them.
// Needs the UI bundle in dist/ui: `npm test` builds it first; alone, `npm run build`.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { PASSWORD, registerOwner } from '../helpers/actors.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, signIn, type TestBrowser } from '../helpers/browser.js';
import { openLive } from '../helpers/live.js';
import { assertNoPolling, logGets, waitLive, WITHIN } from '../helpers/live-page.js';

const ADMIN = { email: 'operator@live-pages.test', password: 'Operator-pass-for-live-pages-42' };

describe("the superadmin's Outgoing mail and Audit log follow the live stream (browser)", () => {
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;

  before(async () => {
    t = await createTestApp({ plugins: ['auth'], settings: { auth: { admin: ADMIN, limits: { loginPerIpPerMinute: 1000 } } } });
    browser = await launchBrowser(t.url);
    page = browser.page;
    await page.clock.install();
    await signIn(page, ADMIN);
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
    }
  });

  it('Outgoing mail shows a mail the platform sends as it is kept', async () => {
    const list = logGets(page, '/api/admin/outbox');
    await page.goto('/admin/outgoing-mail');
    await page.getByRole('heading', { name: 'Outgoing mail', level: 1 }).waitFor();
    await waitLive(page);
    await assertNoPolling(page, list);
    await t.app.container.resolve('mailer').send({ to: 'someone@live-pages.test', subject: 'Kept while you look', text: 'hello' });
    await page.getByRole('row').filter({ hasText: 'Kept while you look' }).waitFor({ timeout: WITHIN });
    await assertNoPolling(page, list);
    list.stop();
  });

  it("the Audit log shows a row written in another tenant (an owner's sign-up and sign-in)", async () => {
    const list = logGets(page, '/api/v2/admin/audit-logs');
    await page.goto('/admin/auth/audit');
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await waitLive(page);
    await assertNoPolling(page, list);
    const owner = await registerOwner(t, 'audited');
    await page.getByRole('row').filter({ hasText: owner.email }).first().waitFor({ timeout: WITHIN });
    await assertNoPolling(page, list);
    list.stop();
  });

  it("a customer's stream hears neither the platform's mail nor another tenant's audit rows; the superadmin's hears both, as platform", async () => {
    const login = await t.request('POST', '/api/v2/auth/login', { body: ADMIN });
    assert.equal(login.status, 200, login.text);
    const root = await openLive(t.url, { authorization: `Bearer ${login.body.access_token}` });
    const a = await registerOwner(t, 'audit-a');
    const b = await registerOwner(t, 'audit-b');
    const streamA = await openLive(t.url, a.headers);
    try {
      await t.app.container.resolve('mailer').send({ to: 'x@live-pages.test', subject: 'platform mail', text: 'x' });
      await root.next((e) => e.kind === 'platform' && (e.data.kinds as string[]).includes('outbox.changed'));
      // B signs in (an audit row of B's tenant), then A does: by the time A hears its own, B's would have come before.
      const again = await t.request('POST', '/api/v2/auth/login', { body: { email: b.email, password: PASSWORD } });
      assert.equal(again.status, 200, again.text);
      await root.next((e) => e.kind === 'platform' && (e.data.kinds as string[]).includes('audit.written'));
      const mine = await t.request('POST', '/api/v2/auth/login', { body: { email: a.email, password: PASSWORD } });
      assert.equal(mine.status, 200, mine.text);
      await streamA.next((e) => e.kind === 'audit.written');
      assert.deepEqual(
        [...new Set(streamA.events.map((e) => e.kind))],
        ['audit.written'],
        "A hears its own tenant's rows only: no platform mail, nothing of B's",
      );
    } finally {
      root.close();
      streamA.close();
    }
  });
});
