// Longer than most: one feature end-to-end, the mail admin UI in a real browser, page after page on one app and one session.
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type { Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { launchBrowser, screenshot, signIn, type TestBrowser } from '../../../test/helpers/browser.js';

// The mail plugin's admin pages in a real browser, signed in as the superadmin (the admin UI's
// session cookie is accepted by /mail/api/*): make mailboxes, watch an open inbox receive mail sent
// over real SMTP without a reload, read it (the code with Copy, the HTML in a sandboxed frame),
// compose, and see the sends. Needs the UI bundle in dist/ui: `npm test` builds it first (pretest);
// alone, run `npm run build`.

const ADMIN = { email: 'operator@plinth.test', password: 'Operator-pass-for-mail-ui-42' };
const ALICE = 'alice@mail.test';
const CODE = '481516';
const SUBJECT = 'Your Acme sign-in code';
// Each of these would set window.pwned in the page if the HTML ran anywhere it could reach it.
const HOSTILE_HTML =
  `<h1 style="color:#1d4ed8">Acme</h1><p>Hello,</p><p>Your verification code is <b>${CODE}</b>. It expires in 10 minutes.</p>` +
  '<script>window.parent.pwned = 1; window.top.pwned = 1; window.pwnedInside = 1;</script>' +
  '<img src="x" onerror="window.parent.pwned = 2">' +
  '<img src="http://tracker.invalid/pixel.gif" alt="">' +
  '<form action="/mail/api/mailboxes" method="post"><button>Click me</button></form>';

/**
 * What Chromium logs as the hostile HTML is defused (the sandbox refusing its script and its
 * handler, CSP refusing its images, which are requests that fail with `csp`): expected, and so
 * not counted as the page's problems.
 */
const DEFUSED = [
  /^Blocked script execution in 'about:srcdoc' because the document's frame is sandboxed and the 'allow-scripts' permission is not set\.$/,
  new RegExp(
    String.raw`^Loading the image '(http://tracker\.invalid/pixel\.gif|http://127\.0\.0\.1:\d+/admin/mail/x)' violates the following ` +
      String.raw`Content Security Policy directive: "img-src [^"]*"\. The action has been blocked\.$`,
  ),
  /^GET \/(pixel\.gif|admin\/mail\/x): csp$/,
];

describe('mail admin UI (browser)', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let emailId = 0;

  const nav = () => page.getByRole('navigation', { name: 'Admin sections' });
  const heading = (name: string) => page.getByRole('heading', { name, level: 1 }).waitFor();
  const mailboxRow = (address: string) => page.getByRole('row').filter({ has: page.getByRole('link', { name: address, exact: true }) });
  const sentRow = (subject: string) => page.getByRole('row').filter({ has: page.getByRole('cell', { name: subject, exact: true }) });
  const smtpSend = async (message: Mail.Options) => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: t.app.container.resolve('smtpPort'), secure: false, ignoreTLS: true });
    try {
      return await transport.sendMail(message);
    } finally {
      transport.close();
    }
  };
  const outboxTo = async (to: string) =>
    (await t.app.db('core_mail_outbox').orderBy('id')).filter((r: Record<string, unknown>) => (JSON.parse(String(r.to)) as string[]).includes(to));

  before(async () => {
    t = await createTestApp({
      plugins: ['auth', 'mail'],
      settings: {
        auth: { admin: ADMIN, limits: { loginPerIpPerMinute: 1000 } },
        mail: { domains: [{ name: 'mail.test' }] },
      },
    });
    browser = await launchBrowser(t.url);
    for (const d of DEFUSED) browser.allow(d);
    page = browser.page;
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
    }
  });

  it('signs in as the superadmin and opens Mailboxes: the four mail pages are in the nav', async () => {
    await signIn(page, ADMIN);
    await nav().getByRole('link', { name: 'Mailboxes' }).click();
    await heading('Mailboxes');
    assert.equal(new URL(page.url()).pathname, '/admin/mail');
    for (const name of ['Inbox', 'Compose', 'Sent']) await nav().getByRole('link', { name, exact: true }).waitFor();
    await page.getByText('No mailboxes yet. Create one above.').waitFor();
    assert.deepEqual(await page.getByLabel('Domain').locator('option').allTextContents(), ['@mail.test']);
    // Mail received per day: a bar a day for the last 30 days, all zero so far.
    const chart = page.getByRole('list', { name: 'Mail received per day, last 30 days' });
    await chart.waitFor();
    assert.equal(await chart.getByRole('listitem', { name: /: 0$/ }).count(), 30);
  });

  it('creates "alice" by name: listed with its dates and no expiry', async () => {
    await page.getByLabel('Name').fill('Alice');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Created ${ALICE}` })
      .waitFor();
    await mailboxRow(ALICE).waitFor();
    const cells = await mailboxRow(ALICE).getByRole('cell').allTextContents();
    assert.equal(cells[0], ALICE);
    assert.notEqual(cells[1], '—');
    assert.notEqual(cells[2], 'never', 'every mailbox has a lifetime');
    assert.equal(cells[4], '—');
    const row = await t.app.db('mail_mailboxes').where('address', ALICE).first();
    assert.ok(row, 'the mailbox is in the database');
    assert.ok(row.expires_at, 'every mailbox has an expiry');
  });

  it('the server’s error shows: the same name again is 409 mailbox_exists', async () => {
    await page.getByLabel('Name').fill('alice');
    browser.expectRefusal({ status: 409, method: 'POST', path: '/mail/api/create' });
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal(await alert.textContent(), `${ALICE} already exists. Choose another name.`);
    assert.equal(await page.getByText(`Created ${ALICE}`).count(), 0, 'the earlier notice is gone');
  });

  it('generates a random mailbox, favorites it, forwards it (dialog), stops forwarding, searches, and deletes it after a confirm', async () => {
    await page.getByRole('button', { name: 'Generate random' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Created / })
      .waitFor();
    const random = String(
      await page
        .getByRole('status')
        .filter({ hasText: /^Created / })
        .locator('strong')
        .textContent(),
    );
    assert.match(random, /^[a-z0-9]{10}@mail\.test$/);
    await mailboxRow(random).waitFor();
    assert.notEqual((await mailboxRow(random).getByRole('cell').allTextContents())[2], 'never');

    await mailboxRow(random)
      .getByRole('button', { name: `Favorite ${random}` })
      .click();
    await mailboxRow(random).getByText('★ favorite').waitFor();
    await mailboxRow(ALICE)
      .getByRole('button', { name: `Pin ${ALICE}` })
      .click();
    await mailboxRow(ALICE).getByText('pinned', { exact: true }).waitFor();
    assert.equal(await page.getByRole('row').nth(1).getByRole('link').first().textContent(), ALICE, 'pinned first');

    await mailboxRow(random)
      .getByRole('button', { name: `Forward ${random}` })
      .click();
    const dialog = page.getByRole('dialog', { name: `Forward ${random}` });
    await dialog.getByLabel('Forward to').fill('not-an-address');
    browser.expectRefusal({ status: 400, method: 'POST', path: '/mail/api/mailbox/forward' });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('alert').waitFor(); // the server's validation message
    await dialog.getByLabel('Forward to').fill('Keeper@Example.org');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await mailboxRow(random).getByRole('cell', { name: 'keeper@example.org', exact: true }).waitFor();
    await screenshot(page, 'mail-mailboxes');

    await mailboxRow(random)
      .getByRole('button', { name: `Forward ${random}` })
      .click();
    await dialog.getByRole('button', { name: 'Stop forwarding' }).click();
    await dialog.waitFor({ state: 'detached' });
    await mailboxRow(random).getByRole('cell', { name: 'keeper@example.org', exact: true }).waitFor({ state: 'detached' });
    assert.equal((await t.app.db('mail_mailboxes').where('address', random).first()).forward_to, null);

    await page.getByLabel('Favorites only').check();
    await page.getByRole('link', { name: ALICE, exact: true }).waitFor({ state: 'detached' });
    await mailboxRow(random).waitFor();
    await page.getByLabel('Favorites only').uncheck();
    await page.getByLabel('Search by address').fill('alic');
    await page.getByRole('button', { name: 'Search' }).click();
    await mailboxRow(random).waitFor({ state: 'detached' });
    await mailboxRow(ALICE).waitFor();
    await page.getByLabel('Search by address').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await mailboxRow(random).waitFor();

    await mailboxRow(random)
      .getByRole('button', { name: `Delete ${random}` })
      .click();
    const confirm = page.getByRole('dialog', { name: `Delete ${random}?` });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    assert.ok(await t.app.db('mail_mailboxes').where('address', random).first(), 'a canceled confirm changes nothing');
    await mailboxRow(random)
      .getByRole('button', { name: `Delete ${random}` })
      .click();
    await confirm.getByRole('button', { name: 'Delete mailbox' }).click();
    await confirm.waitFor({ state: 'detached' });
    await mailboxRow(random).waitFor({ state: 'detached' });
    assert.equal(await t.app.db('mail_mailboxes').where('address', random).first(), undefined);
  });

  it('clicking the address opens its inbox: empty and live', async () => {
    const polling = page.waitForRequest((r) => r.url().includes('/mail/api/emails/wait?') && new URL(r.url()).searchParams.get('since') === '0');
    await page.getByRole('link', { name: ALICE, exact: true }).click();
    await heading('Inbox');
    const url = new URL(page.url());
    assert.equal(url.pathname, '/admin/mail/inbox');
    assert.equal(url.searchParams.get('mailbox'), ALICE);
    assert.equal(await page.getByLabel('Mailbox', { exact: true }).inputValue(), ALICE);
    await page.getByText(`No mail yet. Mail sent to ${ALICE} shows up here as it arrives.`).waitFor();
    await page.getByText('Live: new mail appears here as it arrives.').waitFor();
    assert.equal(new URL((await polling).url()).searchParams.get('timeout'), '25', 'the inbox is waiting on a long-poll');
  });

  it('mail sent over SMTP while the inbox is open appears in it without a reload', async () => {
    await page.evaluate(() => ((window as any).sameDocument = true));
    // the long-poll under way since the page opened is what answers with the new mail
    const answered = page.waitForResponse((r) => r.url().includes('/mail/api/emails/wait?') && new URL(r.url()).searchParams.get('since') === '0');
    const info = await smtpSend({
      from: 'Acme Accounts <no-reply@acme.example>',
      to: ALICE,
      subject: SUBJECT,
      text: `Hello,\n\nYour verification code is ${CODE}. It expires in 10 minutes.\n\nAcme`,
      html: HOSTILE_HTML,
      attachments: [{ filename: 'terms.txt', content: 'Be nice.\n', contentType: 'text/plain' }],
    });
    assert.deepEqual(info.accepted, [ALICE]);
    const reply = await answered;
    assert.equal(reply.status(), 200);
    assert.deepEqual(
      ((await reply.json()) as Array<{ subject: string }>).map((e) => e.subject),
      [SUBJECT],
    );

    const row = page.getByRole('row').filter({ hasText: SUBJECT });
    await row.waitFor({ timeout: 5000 });
    assert.equal(await page.evaluate(() => (window as any).sameDocument), true, 'the page was not reloaded');
    const cells = await row.getByRole('cell').allTextContents();
    assert.equal(cells[0], 'no-reply@acme.example');
    assert.ok(cells[1].startsWith(SUBJECT), cells[1]);
    assert.match(cells[1], /new/);
    assert.equal(cells[2], CODE);
    assert.notEqual(cells[3], '—');
    emailId = Number((await t.app.db('mail_emails').first('id')).id);
    await screenshot(page, 'mail-inbox');
  });

  it('a second message arrives too (the loop goes on after the first answer)', async () => {
    await smtpSend({ from: 'news@outside.example', to: ALICE, subject: 'Plain news', text: 'Nothing to verify here.' });
    await page.getByRole('row').filter({ hasText: 'Plain news' }).waitFor({ timeout: 5000 });
    await page.getByRole('table').getByText('2 messages').waitFor();
    assert.equal(await page.evaluate(() => (window as any).sameDocument), true);
  });

  it('opening the message shows subject, from, to, the code large with Copy, and the HTML in an empty sandbox', async () => {
    await page.getByRole('link', { name: SUBJECT }).click();
    const view = page.getByRole('region', { name: SUBJECT });
    await view.waitFor();
    assert.equal(new URL(page.url()).searchParams.get('message'), String(emailId));
    await view.getByText('Acme Accounts <no-reply@acme.example>').waitFor();
    await view.locator('dd').filter({ hasText: ALICE }).waitFor();
    const code = view.getByRole('region', { name: 'Verification code' });
    assert.equal(await code.locator('code').textContent(), CODE);
    assert.ok(parseFloat(await code.locator('code').evaluate((el) => getComputedStyle(el).fontSize)) >= 20, 'the code is shown large');

    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
    await code.getByRole('button', { name: 'Copy verification code' }).click();
    await code.getByText('Copied', { exact: true }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), CODE);

    const frame = view.locator('iframe');
    assert.equal(await frame.getAttribute('sandbox'), '', 'sandbox present and empty: no scripts, no same origin');
    assert.match(String(await frame.getAttribute('srcdoc')), new RegExp(`<b>${CODE}</b>`));
    const inside = page.frameLocator('iframe');
    await inside.getByText(`Your verification code is ${CODE}.`).waitFor();
    await page.waitForTimeout(300); // give anything that could run a moment to run
    assert.equal(await page.evaluate(() => (window as any).pwned), undefined, 'no script of the message reached the page');
    const frameHandle = page.frames().find((f) => f !== page.mainFrame());
    assert.ok(frameHandle, 'the message frame');
    assert.equal(await frameHandle.evaluate(() => (window as any).pwnedInside), undefined, 'the message’s script did not run inside its frame either');
    assert.equal(await frameHandle.evaluate(() => origin), 'null', 'an opaque origin: no cookies, no access to the admin');
    // The server sanitises stored HTML too; the frame must hold on its own: a script put into it does not run.
    // (an inline script runs as it is inserted, if it may run at all)
    const ran = await frameHandle.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.injectedRan = 1';
      document.body.append(script);
      return (window as any).injectedRan;
    });
    assert.equal(ran, undefined, 'no script runs in the frame (a sandbox without allow-scripts; its CSP too)');
    assert.equal(await page.locator('script:not([src])').count(), 0, 'nothing of the message was put into the page');

    await view.getByText('terms.txt').waitFor();
    const download = view.getByRole('link', { name: 'Download .eml' });
    assert.equal(await download.getAttribute('href'), `/mail/api/email/${emailId}/download`);
    const raw = await page.request.get(`/mail/api/email/${emailId}/download`);
    assert.equal(raw.status(), 200);
    assert.match(raw.headers()['content-type'], /^message\/rfc822/);
    assert.match(await raw.text(), new RegExp(`Subject: ${SUBJECT}`));

    // opened = read: the list drops its "new" mark
    const row = page.getByRole('row').filter({ hasText: SUBJECT });
    await row.getByText('new', { exact: true }).waitFor({ state: 'detached' });
    await screenshot(page, 'mail-message');
  });

  it('deletes the other message after a confirm; the list keeps listening', async () => {
    await page.getByRole('link', { name: 'Plain news' }).click();
    const view = page.getByRole('region', { name: 'Plain news' });
    await view.getByText('Nothing to verify here.').waitFor();
    assert.equal(await view.locator('iframe').count(), 0, 'a text-only message has no frame');
    await view.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this message?' });
    await confirm.getByRole('button', { name: 'Delete message' }).click();
    await confirm.waitFor({ state: 'detached' });
    await page.getByRole('row').filter({ hasText: 'Plain news' }).waitFor({ state: 'detached' });
    assert.equal(new URL(page.url()).searchParams.get('message'), null);
    assert.equal(Number((await t.app.db('mail_emails').count({ n: '*' }).first())?.n), 1);

    await smtpSend({ from: 'again@outside.example', to: ALICE, subject: 'Still live', text: 'Code 7777 is not a code.' });
    await page.getByRole('row').filter({ hasText: 'Still live' }).waitFor({ timeout: 5000 });
  });

  it('the Inbox in the nav opens the first mailbox (pinned, else the newest) instead of an empty page', async () => {
    await nav().getByRole('link', { name: 'Mailboxes', exact: true }).click();
    await heading('Mailboxes');
    await nav().getByRole('link', { name: 'Inbox', exact: true }).click();
    await heading('Inbox');
    const first = (await t.app.db('mail_mailboxes').orderBy('is_pinned', 'desc').orderBy('id', 'desc').first('address')).address;
    await page.waitForURL((url) => url.searchParams.get('mailbox') === first);
    assert.equal(await page.getByLabel('Mailbox', { exact: true }).inputValue(), first);
    await page.getByRole('heading', { name: 'Messages', level: 2 }).waitFor();
    // Back leaves the inbox rather than landing on its empty state.
    await page.goBack();
    await heading('Mailboxes');
    await page.goForward();
    await page.getByRole('heading', { name: 'Messages', level: 2 }).waitFor();
  });

  it('leaving the inbox aborts its long-poll', async () => {
    // Open the inbox afresh and wait until its long-poll is on the wire: the heading alone can show
    // before the request is sent, and leaving then has nothing to abort.
    const isWait = (r: { url(): string }) => r.url().includes('/mail/api/emails/wait?');
    await nav().getByRole('link', { name: 'Mailboxes', exact: true }).click();
    await heading('Mailboxes');
    const polling = page.waitForRequest(isWait);
    await nav().getByRole('link', { name: 'Inbox', exact: true }).click();
    await heading('Inbox');
    await polling;
    const aborted = page.waitForEvent('requestfailed', { predicate: isWait, timeout: 5000 });
    await nav().getByRole('link', { name: 'Compose', exact: true }).click();
    await heading('Compose');
    assert.match((await aborted).failure()?.errorText ?? '', /ABORTED/);
  });

  it('Compose shows the server’s error (an empty message)', async () => {
    await page.getByLabel('From').selectOption(ALICE);
    await page.getByLabel('To').fill('bob@example.org');
    await page.getByLabel('Subject').fill('Lunch on Friday');
    browser.expectRefusal({ status: 400, method: 'POST', path: '/mail/api/send' });
    await page.getByRole('button', { name: 'Send' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal(await alert.textContent(), 'give html or text');
  });

  it('composes from alice to bob@example.org: it lands in the core outbox, and the Sent page lists it', async () => {
    await page.getByLabel('Message', { exact: true }).fill('Hi Bob,\n\nlunch on Friday?\n\nAlice');
    await page.getByRole('button', { name: 'Send' }).click();
    const result = page.getByRole('status').filter({ hasText: /^Sent to bob@example\.org/ });
    await result.waitFor();
    const id = String(await result.locator('code').textContent());
    assert.match(id, /^msg_[0-9a-f]{24}$/);
    await result.getByText('sent', { exact: true }).waitFor();
    assert.equal(await page.getByLabel('To').inputValue(), '', 'the form is cleared');

    const [mail] = await outboxTo('bob@example.org');
    assert.ok(mail, 'a message to bob in core_mail_outbox');
    assert.equal(mail.subject, 'Lunch on Friday');
    assert.match(String(mail.raw), /^From: alice@mail\.test/m);
    assert.match(String(mail.raw), /lunch on Friday\?/);
    assert.equal((await t.app.db('mail_sent').where('public_id', id).first()).status, 'sent');
    await screenshot(page, 'mail-compose');

    await result.getByRole('link', { name: `See what ${ALICE} sent` }).click();
    await heading('Sent');
    assert.equal(new URL(page.url()).searchParams.get('mailbox'), ALICE);
    const row = sentRow('Lunch on Friday');
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    assert.deepEqual([cells[0], cells[2], cells[4]], ['bob@example.org', 'sent', id]);
    assert.notEqual(cells[3], '—');
  });

  it('schedules a send for tomorrow and cancels it on the Sent page', async () => {
    await page
      .getByRole('region', { name: `Sent from ${ALICE}` })
      .getByRole('link', { name: 'Compose', exact: true })
      .click();
    await heading('Compose');
    assert.equal(await page.getByLabel('From').inputValue(), ALICE, '?from= preselects the mailbox');
    await page.getByLabel('To').fill('carol@example.org');
    await page.getByLabel('Subject').fill('Reminder');
    await page.getByLabel('Message', { exact: true }).fill('Do not forget.');
    const tomorrow = new Date(Date.now() + 24 * 3_600_000);
    const local = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.getByLabel('Send at (optional)').fill(local);
    await page.getByRole('button', { name: 'Schedule' }).click();
    const result = page.getByRole('status').filter({ hasText: /^Scheduled to carol@example\.org/ });
    await result.waitFor();
    const id = String(await result.locator('code').textContent());
    const stored = await t.app.db('mail_sent').where('public_id', id).first();
    assert.equal(stored.status, 'scheduled');
    assert.ok(Math.abs(Date.parse(stored.scheduled_at) - tomorrow.getTime()) < 60_000, `${stored.scheduled_at} is tomorrow`);
    assert.deepEqual(await outboxTo('carol@example.org'), [], 'not sent yet');

    await nav().getByRole('link', { name: 'Sent', exact: true }).click();
    await heading('Sent');
    await page.getByLabel('Mailbox', { exact: true }).selectOption(ALICE);
    const row = sentRow('Reminder');
    await row.waitFor();
    assert.equal((await row.getByRole('cell').allTextContents())[2], 'scheduled');
    await screenshot(page, 'mail-sent');
    await row.getByRole('button', { name: `Cancel ${id}` }).click();
    const confirm = page.getByRole('dialog', { name: 'Cancel this scheduled message?' });
    await confirm.getByRole('button', { name: 'Cancel sending' }).click();
    await confirm.waitFor({ state: 'detached' });
    await row.getByText('canceled', { exact: true }).waitFor();
    assert.equal(await row.getByRole('button', { name: `Cancel ${id}` }).count(), 0);
    assert.equal((await t.app.db('mail_sent').where('public_id', id).first()).status, 'canceled');
  });

  it('the Mailboxes page counts today’s mail in its chart', async () => {
    await nav().getByRole('link', { name: 'Mailboxes' }).click();
    await heading('Mailboxes');
    const received = Number((await t.app.db('mail_emails').count({ n: '*' }).first())?.n);
    assert.ok(received >= 2);
    const today = new Date().toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
    await page
      .getByRole('list', { name: 'Mail received per day, last 30 days' })
      .getByRole('listitem', { name: `${today}: ${received}` })
      .waitFor();
  });

  it('ran without script errors or CSP violations beyond the message’s defused script and images', () => {
    assert.deepEqual(browser.problems, []);
  });
});
