import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import type { Page } from 'playwright-core';
import { type Actor, login, PASSWORD, registerOwner } from '../helpers/actors.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { describeUntranslated, untranslatedText, watchRequests } from '../helpers/i18n-walk.js';
import { capturingLogger, type LogLine } from '../helpers/logs.js';
import { waitFor } from '../helpers/processes.js';
import { activate, newCodes, W } from '../helpers/robots.js';

// Issue 40's "done when": every page of the admin UI, walked in Simplified Chinese, shows no English
// (test/helpers/i18n-walk.ts says what counts), with no console error, no failed request and no
// error-level log line during the whole walk. The pages are not a hand list: each person's are read
// from what the server says they may open (meta's me.pages) and what the shell's nav links, so a
// page added later is walked too. Walked as a zh-CN superadmin and as a zh-CN customer owner, with a
// license, a robot, a mailbox, a knowledge entry and a workflow run present so tables have rows.
// Needs the UI bundle: `npm run build`.

const ADMIN = { email: 'walk-operator@plinth.test', password: 'Operator-pass-for-walk-42' };
const DOMAIN = 'walk.test';
const PLUGINS = ['auth', 'billing', 'mail', 'workflows', 'ai', 'agents', 'licensing', 'robots'];

/**
 * Plugins, and single pages, not wholly in the catalogues yet (issue 40, in progress): listed as
 * pending rather than walked, so the walk of the rest stays green and the gap stays visible. Some
 * pages here are converted but still show text the server writes in English (Overview cards, scope
 * descriptions, error details). Take an entry out once its page walks clean.
 */
const NOT_YET_TRANSLATED = new Set<string>([]);
const PAGES_NOT_YET_TRANSLATED = new Set(['/admin/auth/tenant']);
const notYetTranslated = (path: string) => NOT_YET_TRANSLATED.has(pluginOf(path)) || PAGES_NOT_YET_TRANSLATED.has(path.replace(/\?.*$/, ''));

/**
 * While translating: `I18N_WALK_ONLY=workflows,/admin/overview` walks only those plugins' pages and
 * those pages, pending or not, so a page can be checked before it leaves the pending lists.
 */
const ONLY = process.env.I18N_WALK_ONLY?.split(',').filter(Boolean) ?? [];
const chosen = (path: string) => !ONLY.length || ONLY.includes(pluginOf(path)) || ONLY.includes(path.replace(/\?.*$/, ''));

/**
 * Requests a page keeps open for as long as it is shown, left out when waiting for a page's reads
 * to answer: the mail Inbox long-polls for new mail (seed 003's GET /api/emails/wait). The live
 * channel's EventSource is left out by its type.
 */
const LONG_POLLS = [/\/mail\/api\/emails\/wait\?/];

/** Pages that need a query to mean anything (an OAuth interaction's uid): opened from elsewhere, not walked bare. */
const NEEDS_CONTEXT = new Set(['/admin/agents/consent']);

interface WalkedPage {
  path: string;
  /** The page it is opened from (UiPage.parent: an editor, one item's page), whose first link to it is followed. */
  parent?: string;
}

/** The signed-in person's pages: the nav's links and every page the server lets them open. */
async function pagesOf(page: Page): Promise<WalkedPage[]> {
  const meta = await page.evaluate(async () => (await fetch('/admin/api/meta')).json());
  const nav = await page
    .getByRole('navigation', { name: '管理分区' })
    .locator('a[href^="/admin/"]')
    .evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
  const parents = new Map<string, string>();
  for (const plugin of meta.plugins as Array<{ name: string; pages: Array<{ path: string; parent?: string }> }>) {
    const href = (path: string) => (path ? `/admin/${plugin.name}/${path}` : `/admin/${plugin.name}`);
    for (const p of plugin.pages) if (p.parent !== undefined) parents.set(href(p.path), href(p.parent));
  }
  return [...new Set([...nav, ...(meta.me.pages as string[])])]
    .filter((path) => !NEEDS_CONTEXT.has(path))
    .map((path) => ({ path, ...(parents.has(path) ? { parent: parents.get(path) } : {}) }));
}

const pluginOf = (path: string) => path.split('/')[2];

describe('i18n walk: every admin page in Simplified Chinese', function () {
  this.timeout(120_000);
  let t: TestApp;
  let lines: LogLine[];
  let owner: Actor;
  const browsers: TestBrowser[] = [];
  /**
   * The test's own data as the pages show it: addresses, the license's id, the robot's device
   * and the robot named after it (test/helpers/robots.ts device()), the operator account's name (the auth plugin names it Administrator)
   * and the operator tenant's (named Platform at the first start: a name, shown as data on Tenants).
   * `node`: the device of the test's own API sign-ins (Node's fetch), as My profile's sessions name it.
   */
  const allow: string[] = [ADMIN.email, 'Robot Mi 10', 'Xiaomi Mi 10', 'Administrator', 'Platform', 'node'];

  /** Each signed-in page's requests, to wait for its reads (see LONG_POLLS). */
  const requests = new Map<Page, ReturnType<typeof watchRequests>>();

  /** Signs in through the login form in a Chinese browser, as a user whose own setting is zh-CN. */
  async function signIn(who: { email: string; password: string }): Promise<Page> {
    const browser = await launchBrowser(t.url, { locale: 'zh-CN' });
    browsers.push(browser);
    const { page } = browser;
    requests.set(page, watchRequests(page, LONG_POLLS));
    await page.goto('/admin');
    await page.getByRole('heading', { name: '登录', level: 1 }).waitFor();
    await page.getByLabel('邮箱').fill(who.email);
    await page.getByLabel('密码', { exact: true }).fill(who.password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('navigation', { name: '管理分区' }).waitFor();
    return page;
  }

  /** Opens `url`, waits for its reads and its loading status to go, and fails on what it still says in English. */
  async function check(page: Page, url: string): Promise<void> {
    await page.goto(url);
    await page.locator('main h1').first().waitFor();
    await requests.get(page)!.settled();
    await page.locator('[role="status"]', { hasText: '加载中…' }).waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    const found = await untranslatedText(page, { allow });
    assert.deepEqual(found, [], `${url} still shows English:\n${describeUntranslated(found)}`);
  }

  /**
   * Opens one page and lists what it still says in English; then, when its table links to one of
   * its rows on the same page (a mail message beside the Inbox, an outgoing mail), that row's view too.
   */
  async function walk(page: Page, { path, parent }: WalkedPage): Promise<void> {
    let url = path;
    if (parent) {
      // A page opened from another (a tenant's page from Tenants): follow the parent's first link to it, with its query.
      await page.goto(parent);
      await page.locator('main h1').first().waitFor();
      await requests.get(page)!.settled();
      const link = page.locator(`main a[href^="${path}?"], main a[href^="${path}/"]`).first();
      if (await link.count()) url = (await link.getAttribute('href'))!;
    }
    await check(page, url);
    const item = page.locator(`main table tbody a[href^="${path}?"]`).first();
    if (await item.count()) await check(page, (await item.getAttribute('href'))!);
  }

  before(async () => {
    const captured = capturingLogger('info');
    lines = captured.lines;
    t = await createTestApp({
      plugins: PLUGINS,
      logger: captured.logger,
      settings: {
        // A Chinese deployment: mail to someone who has not chosen a language (the owner's sign-up mail) goes in Chinese, as Outgoing mail lists it.
        auth: {
          admin: ADMIN,
          mailLanguage: 'zh-CN',
          limits: { loginPerIpPerMinute: 10_000, loginFailuresPerAccount: 1_000, refreshPerIpPerMinute: 10_000 },
        },
        mail: { domains: [{ name: DOMAIN }] },
        workflows: { pollIntervalMs: 50, http: { allowPrivate: true } },
        licensing: { verifyPerIpPerMinute: 100_000, verifyPerCodePerMinute: 100_000 },
        robots: { requestsPerMinute: 100_000 },
      },
    });
    const admin = await login(t, ADMIN.email, ADMIN.password);
    owner = await registerOwner(t, 'walk', { fullName: '王小明', tenantName: '小明的公司' });
    allow.push(owner.email);
    for (const who of [admin, owner]) {
      const res = await t.request('PATCH', '/api/v2/users/me', { headers: who.headers, body: { language: 'zh-CN' } });
      assert.equal(res.status, 200, res.text);
    }
    // Data, so each table has a row to show in Chinese.
    const put = await t.request('PUT', `/api/v2/admin/tenants/${owner.tenantId}/subscription`, { headers: admin.headers, body: { plan_id: 'pro' } });
    assert.equal(put.status, 200, put.text);
    const license = await t.request('POST', '/license/api/admin/generate', { headers: admin.headers, body: { plan: 'monthly', email: 'buyer@walk.test' } });
    assert.equal(license.status, 200, license.text);
    allow.push('buyer@walk.test', license.body.license.license_id);
    await activate({ wb: (method, path, options) => t.request(method, `${W}${path}`, options) }, (await newCodes(t, owner))[0]);
    const box = await t.request('POST', '/mail/api/create', { headers: owner.headers, body: { local: 'walk-inbox', domainIndex: 0 } });
    assert.equal(box.status, 200, box.text);
    // A message in it, so the Inbox has a row and its message view (with its tabs) is walked too.
    const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: t.app.container.resolve('smtpPort'), secure: false, ignoreTLS: true });
    await smtp.sendMail({ from: 'shop@outside.test', to: box.body.email, subject: '您的验证码', text: '您的验证码是 482913，10 分钟内有效。' });
    smtp.close();
    const entry = await t.request('POST', '/workbot/api/ai/knowledge', {
      headers: owner.headers,
      body: { kind: 'faq', question: '你们几点营业？', answer: '每天 9:00–18:00 营业。', keywords: ['营业时间'] },
    });
    assert.equal(entry.status, 200, entry.text);
    // A manual workflow run once to its end, so the runs have a row.
    const step = { id: 'call', action: 'http.request', input: { method: 'GET', url: `${t.url}/health` }, retry: { attempts: 1 } };
    const wf = await t.request('POST', '/api/v2/workflows', { headers: owner.headers, body: { name: '健康检查', trigger: { type: 'manual' }, steps: [step] } });
    assert.ok([200, 201].includes(wf.status), wf.text);
    const run = await t.request('POST', `/api/v2/workflows/${wf.body.id}/run`, { headers: owner.headers, body: { payload: {} } });
    const runId = run.body.run_id ?? run.body.id;
    await waitFor(`run ${runId} to end`, async () =>
      ['succeeded', 'failed'].includes((await t.app.db('workflows_runs').where('id', runId).first('status'))?.status),
    );
  });
  after(async () => {
    try {
      for (const b of browsers) await b.close();
    } finally {
      await t?.close();
    }
  });

  for (const who of ['superadmin', 'customer owner'] as const) {
    describe(`as a ${who} who chose 简体中文`, () => {
      let page: Page;
      let paths: WalkedPage[] = [];
      before(async () => {
        page = await signIn(who === 'superadmin' ? ADMIN : { email: owner.email, password: PASSWORD });
        paths = await pagesOf(page);
      });

      it('has pages to walk: the overview and at least one page of each plugin it may open', () => {
        const all = paths.map((p) => p.path);
        assert.ok(all.includes('/admin/overview'), all.join(', '));
        assert.ok(
          all.some((p) => pluginOf(p) === 'licensing' || pluginOf(p) === 'ai'),
          all.join(', '),
        );
      });

      it('every page it may open shows no English', async function () {
        const failures: string[] = [];
        const pending: string[] = [];
        for (const one of paths) {
          if (!chosen(one.path)) continue;
          if (!ONLY.length && notYetTranslated(one.path)) {
            pending.push(one.path);
            continue;
          }
          try {
            await walk(page, one);
          } catch (err) {
            // The page's findings, not the diff of the objects behind them; a timeout says which page it was on.
            const message = (err as Error).message.split('\n+ actual')[0];
            failures.push(message.includes(one.path) ? message : `${one.path}: ${message}`);
          }
        }
        if (pending.length) this.test!.title += ` (not yet translated, not walked: ${pending.join(', ')})`;
        if (failures.length) assert.fail(`${failures.length} of ${paths.length - pending.length} pages show English:\n\n${failures.join('\n\n')}`);
      });
    });
  }

  // In a suite of its own, so it runs after both walks (mocha runs a suite's tests before its child suites).
  describe('the whole walk', () => {
    it('logged no error, and the browsers saw no console error or failed request', () => {
      const errors = lines.filter((l) => Number(l.level) >= 50);
      assert.deepEqual(errors, []);
      for (const b of browsers) b.check();
    });
  });
});
