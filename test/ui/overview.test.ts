// The Overview in a real browser: the operator signs in and lands on it, every card shows the number
// of the reply the page read (its chart adds up to it), a number links to its page, and a mail that
// arrives in a customer's mailbox shows without a reload (the live stream); a customer signs in and
// lands on their own overview. The browser helper fails the suite on any console error or failed
// request. Needs the UI bundle in dist/ui (`npm test` builds it first; alone, `npm run build`).
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import type { Page } from 'playwright-core';
import type { OverviewCard, OverviewReply } from '../../core/overview/card.js';
import { type Actor, registerOwner } from '../helpers/actors.js';
import { launchBrowser, screenshot, type TestBrowser } from '../helpers/browser.js';
import { waitFor } from '../helpers/processes.js';
import { activate, ADMIN, newCodes, type RobotsApp, RobotSocket, robotsApp, superadmin } from '../helpers/robots.js';

const DOMAIN = 'overview-ui.test';

/** What the page prints for a card's value: numbers as the browser's locale writes them (en-US here), money in its currency. */
function shown(card: OverviewCard): string {
  if (typeof card.value !== 'number') return card.value;
  if (!card.currency) return card.value.toLocaleString('en-US');
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: card.currency.toUpperCase() });
  return format.format(card.value / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
}

describe('the Overview (browser)', function () {
  this.timeout(90_000);
  let t: RobotsApp;
  let owner: Actor;
  let inbox: string;
  let socket: RobotSocket;
  const browsers: TestBrowser[] = [];

  const nav = (page: Page) => page.getByRole('navigation', { name: 'Admin sections' });
  const cardOf = (page: Page, id: string) => page.locator(`[data-card="${id}"]`);
  const numberOf = (page: Page, id: string) => cardOf(page, id).locator('.overview-number');

  async function mail(to: string, n: number) {
    const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: t.app.container.resolve('smtpPort'), secure: false, ignoreTLS: true });
    for (let i = 0; i < n; i++) await smtp.sendMail({ from: 'sender@outside.test', to, subject: `hello ${i}`, text: `message ${i}` });
    smtp.close();
  }

  /** A manual workflow of one http.request step, run once to its end (succeeded or failed). */
  async function runOnce(who: Actor, url: string) {
    const step = { id: 'call', action: 'http.request', input: { method: 'GET', url }, retry: { attempts: 1 } };
    const wf = await t.request('POST', '/api/v2/workflows', {
      headers: who.headers,
      body: { name: `call ${url}`, trigger: { type: 'manual' }, steps: [step] },
    });
    assert.equal(wf.status, 201, wf.text);
    const run = await t.request('POST', `/api/v2/workflows/${wf.body.id}/run`, { headers: who.headers, body: { payload: {} } });
    assert.equal(run.status, 202, run.text);
    const id = run.body.run_id ?? run.body.id;
    await waitFor(`run ${id} to end`, async () => ['succeeded', 'failed'].includes((await t.app.db('workflows_runs').where('id', id).first('status'))?.status));
  }

  /** Signs in from /admin in a fresh browser and returns the page with the overview reply it rendered. */
  async function signIn(who: { email: string; password: string }): Promise<{ page: Page; reply: OverviewReply }> {
    const browser = await launchBrowser(t.url);
    browsers.push(browser);
    const { page } = browser;
    await page.goto('/admin');
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Password', { exact: true }).fill(who.password);
    const read = page.waitForResponse((r) => new URL(r.url()).pathname === '/admin/api/overview' && r.status() === 200);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/admin/overview');
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    const reply = (await (await read).json()) as OverviewReply;
    await cardOf(page, reply.cards[0].id).waitFor();
    return { page, reply };
  }

  /** Every card of the reply is on the page with its number; a chart has a bar per day that add up to it. */
  async function assertShows(page: Page, reply: OverviewReply) {
    assert.deepEqual(
      await page.locator('[data-card]').evaluateAll((els) => els.map((e) => e.getAttribute('data-card'))),
      reply.cards.map((c) => c.id),
    );
    for (const card of reply.cards) {
      const region = page.getByRole('region', { name: card.title, exact: true });
      assert.equal(await region.count(), 1, `one region named ${card.title}`);
      if (card.error) continue;
      assert.equal(await numberOf(page, card.id).textContent(), shown(card), card.id);
      if (card.href) assert.equal(await region.getByRole('link').first().getAttribute('href'), card.href, `${card.id} links to its page`);
      if (!card.series) continue;
      const bars = await region
        .getByRole('list', { name: card.seriesLabel })
        .getByRole('listitem')
        .evaluateAll((els) => els.map((e) => Number((e.getAttribute('aria-label') ?? '').split(': ')[1].replace(/,/g, ''))));
      assert.equal(bars.length, 30, `${card.id}: a bar per day`);
      assert.equal(
        bars.reduce((a, b) => a + b, 0),
        card.value,
        `${card.id}: the chart adds up to the number beside it`,
      );
    }
  }

  before(async () => {
    t = await robotsApp({
      extraPlugins: ['billing', 'mail', 'workflows', 'agents'],
      settings: { mail: { domains: [{ name: DOMAIN }] }, workflows: { pollIntervalMs: 50, http: { allowPrivate: true } } },
    });
    owner = await registerOwner(t, 'ov-ui');
    const other = await registerOwner(t, 'ov-ui-other');
    const admin = await superadmin(t);
    const put = await t.request('PUT', `/api/v2/admin/tenants/${owner.tenantId}/subscription`, { headers: admin.headers, body: { plan_id: 'pro' } });
    assert.equal(put.status, 200, put.text);
    const box = await t.request('POST', '/mail/api/create', { headers: owner.headers, body: { local: 'ui-inbox', domainIndex: 0 } });
    assert.equal(box.status, 200, box.text);
    inbox = box.body.email;
    await mail(inbox, 2);
    const [code] = await newCodes(t, owner);
    const robot = await activate(t, code);
    socket = await RobotSocket.open(t, robot.robotId, robot.token);
    await activate(t, (await newCodes(t, other))[0]);
    await runOnce(owner, `${t.url}/health`);
    await runOnce(owner, 'http://127.0.0.1:1/nothing-listens-here');
  });
  after(async () => {
    try {
      for (const b of browsers) await b.close();
    } finally {
      socket?.ws.close();
      await t?.close();
    }
  });

  it('the operator lands on the Overview, first in the nav, and sees the numbers the API gives', async () => {
    const { page, reply } = await signIn(ADMIN);
    assert.equal(reply.scope, 'platform');
    assert.equal((await nav(page).getByRole('link').allTextContents())[0], 'Overview');
    assert.equal(await nav(page).getByRole('link', { name: 'Overview' }).getAttribute('aria-current'), 'page');
    await assertShows(page, reply);
    // And they are the figures of what was made: three tenants, one paying for Pro, two mails, one robot of two online.
    assert.equal(await numberOf(page, 'auth.tenants').textContent(), '3');
    assert.equal(await numberOf(page, 'billing.revenue').textContent(), '$29.90');
    assert.equal(await numberOf(page, 'mail.received').textContent(), '2');
    assert.equal(await numberOf(page, 'workflows.failures').textContent(), '1');
    assert.match((await cardOf(page, 'robots.online').textContent()) ?? '', /of 2 robots, all tenants/);
    await page.setViewportSize({ width: 1280, height: 1400 });
    await screenshot(page, 'overview-operator');
  });

  it("updates the operator's numbers live when mail arrives in a customer's mailbox, without a reload", async () => {
    const page = browsers[0].page;
    await page.getByText('changes show as they happen').waitFor();
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    await mail(inbox, 1);
    await numberOf(page, 'mail.received').filter({ hasText: /^3$/ }).waitFor();
    assert.equal(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded), true, 'the same page, not a new load');
    const bars = cardOf(page, 'mail.received').getByRole('listitem');
    assert.match((await bars.last().getAttribute('aria-label')) ?? '', /: 3$/, "today's bar moved with the number");
  });

  it('a number links to its page', async () => {
    const page = browsers[0].page;
    await cardOf(page, 'auth.tenants').getByRole('link').first().click();
    await page.waitForURL('**/admin/auth/tenants');
    await page.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();
  });

  it('a customer lands on their own overview: their plan, mailboxes and robots, nothing of the platform', async () => {
    const { page, reply } = await signIn(owner);
    assert.equal(reply.scope, 'tenant');
    assert.equal((await nav(page).getByRole('link').allTextContents())[0], 'Overview');
    await assertShows(page, reply);
    assert.equal(await numberOf(page, 'billing.plan').textContent(), 'Pro');
    assert.equal(await numberOf(page, 'mail.received').textContent(), '3');
    assert.equal(await numberOf(page, 'mail.mailboxes').textContent(), '1');
    assert.match((await cardOf(page, 'robots.online').textContent()) ?? '', /^Your robots1 onlineof 1 robot$/);
    for (const platformCard of ['auth.tenants', 'billing.revenue', 'core.outbox']) assert.equal(await cardOf(page, platformCard).count(), 0, platformCard);
    await page.getByText('Your tenant; charts cover the last 30 days.').waitFor();
    await screenshot(page, 'overview-customer');
  });
});
