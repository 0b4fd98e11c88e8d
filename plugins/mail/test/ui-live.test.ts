// Issue 40, "Not live where it claims to be", for the mail pages in a real browser: the Mailboxes list
// and its chart, and Sent, needed Refresh. Now a mailbox made elsewhere (the API, another tab) shows
// on the open list, mail received shows in its "Last mail" and in the chart, and a send shows on
// Sent, each within two seconds and by the live stream: with the page's clock run a minute ahead
// nothing is fetched again while the stream is open. Another tenant's stream hears none of it.
// Needs the UI bundle in dist/ui: `npm test` builds it first; alone, `npm run build`.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { PASSWORD, registerOwner, type Actor } from '../../../test/helpers/actors.js';
import { launchBrowser, signIn, type TestBrowser } from '../../../test/helpers/browser.js';
import { openLive } from '../../../test/helpers/live.js';
import { assertNoPolling, bars, logGets, until, waitLive, WITHIN } from '../../../test/helpers/live-page.js';
import { createMailbox, send, startMailApp, unique, type MailApp } from './helpers.js';

describe('mail pages follow the live stream (browser)', () => {
  let t: MailApp;
  let browser: TestBrowser;
  let page: Page;
  let owner: Actor;

  before(async () => {
    t = await startMailApp();
    owner = await registerOwner(t, 'mail-live');
    browser = await launchBrowser(t.url);
    page = browser.page;
    await page.clock.install();
    await signIn(page, { email: owner.email, password: PASSWORD });
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
    }
  });

  const mailboxRow = (address: string) => page.getByRole('row').filter({ has: page.getByRole('link', { name: address, exact: true }) });

  it('a mailbox made elsewhere shows on the open list; mail to it shows in its row and in the chart', async () => {
    const list = logGets(page, '/mail/api/mailboxes');
    const daily = logGets(page, '/mail/api/stats/received-daily');
    await page.goto('/admin/mail');
    await page.getByRole('heading', { name: 'Mailboxes', level: 1 }).waitFor();
    const chart = page.getByRole('list', { name: /^Mail received per day/ });
    await chart.waitFor();
    await waitLive(page);
    await assertNoPolling(page, list);
    await assertNoPolling(page, daily);

    const address = await createMailbox(t, owner, unique('live'));
    const row = mailboxRow(address);
    await row.waitFor({ timeout: WITHIN });
    assert.equal((await row.getByRole('cell').nth(3).textContent())?.trim(), '—', 'no mail yet');

    await send(t, { to: address, subject: 'First', text: 'one' });
    await send(t, { to: address, subject: 'Second', text: 'two' });
    await until('mail received today in the chart', async () => (await bars(chart)).at(-1)?.[1], 2);
    assert.equal(
      (await bars(chart)).reduce((n, [, v]) => n + v, 0),
      2,
      'the chart counts what came',
    );
    await until('the row has a last mail', async () => (await row.getByRole('cell').nth(3).textContent())?.trim() !== '—', true);
    await assertNoPolling(page, list);
    await assertNoPolling(page, daily);
    list.stop();
    daily.stop();
  });

  it('Sent shows a send as it happens', async () => {
    const address = await createMailbox(t, owner, unique('sender'));
    const sent = logGets(page, '/mail/api/sent');
    await page.goto(`/admin/mail/sent?mailbox=${encodeURIComponent(address)}`);
    await page.getByRole('heading', { name: `Sent from ${address}` }).waitFor();
    await waitLive(page);
    await assertNoPolling(page, sent);
    const res = await t.mail('POST', '/api/send', {
      headers: owner.headers,
      body: { from: address, to: 'someone@outside.test', subject: 'Sent live', text: 'hi' },
    });
    assert.equal(res.status, 200, res.text);
    await page.getByRole('row').filter({ hasText: 'Sent live' }).waitFor({ timeout: WITHIN });
    await assertNoPolling(page, sent);
    sent.stop();
  });

  it("mailboxes, mail and sends reach only their tenant's stream", async () => {
    const other = await registerOwner(t, 'mail-live-other');
    const mine = await openLive(t.url, owner.headers);
    const theirs = await openLive(t.url, other.headers);
    try {
      const address = await createMailbox(t, owner, unique('iso'));
      await mine.next((e) => e.kind === 'mail.mailbox');
      await send(t, { to: address, subject: 'x', text: 'y' });
      await mine.next((e) => e.kind === 'mail.received');
      const sent = await t.mail('POST', '/api/send', { headers: owner.headers, body: { from: address, to: 'z@outside.test', subject: 's', text: 't' } });
      assert.equal(sent.status, 200, sent.text);
      await mine.next((e) => e.kind === 'mail.sent');
      // The other tenant's own mailbox comes next: by the time it hears that, the first tenant's would have come before it.
      await createMailbox(t, other, unique('theirs'));
      await theirs.next((e) => e.kind === 'mail.mailbox');
      assert.deepEqual(
        theirs.events.filter((e) => e.kind.startsWith('mail.')).map((e) => e.kind),
        ['mail.mailbox'],
        'only its own mailbox',
      );
    } finally {
      mine.close();
      theirs.close();
    }
  });
});
