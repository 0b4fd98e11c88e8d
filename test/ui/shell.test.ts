import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, screenshot, type TestBrowser } from '../helpers/browser.js';
import { activeHref, navGroups } from '../../core/ui/shell/nav.js';
import type { Me, Meta } from '../../core/ui/shell/types.js';

// The shell's rough edges, as a person meets them: the login page loads with no failed request and
// no console error (the shell learns "not signed in" from /admin/api/meta's `me: null`, not a 401);
// the admin pages have an icon (no favicon 404); on a phone-sized screen the nav folds behind a Menu
// button. Needs the UI bundle in dist/ui: `npm test` builds it first (pretest); alone, run `npm run build`.

describe('admin UI shell (browser): login, favicon, narrow screens', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  const nav = () => page.getByRole('navigation', { name: 'Admin sections' });

  before(async () => {
    t = await createTestApp();
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

  it('a visitor gets the login page with no failed request and no console error', async () => {
    const meta = page.waitForResponse((res) => new URL(res.url()).pathname === '/admin/api/meta');
    await page.goto('/admin');
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    const answer = await meta;
    assert.equal(answer.status(), 200);
    assert.equal((await answer.json()).me, null);
    assert.deepEqual(browser.problems, []); // console errors, answers >= 400, failed requests
    await screenshot(page, 'shell-login');
  });

  it('meta answers 200 with me: null also for a session cookie that is not (or no longer) valid', async () => {
    for (const cookie of ['plinth_session=not-a-session', 'plinth_session=']) {
      const res = await t.request('GET', '/admin/api/meta', { headers: { cookie } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.me, null);
    }
  });

  it('the page links an SVG icon that is served (no favicon 404)', async () => {
    const href = await page.locator('link[rel="icon"]').getAttribute('href');
    assert.equal(href, '/admin/assets/favicon.svg');
    const icon = await page.request.get(href);
    assert.equal(icon.status(), 200);
    assert.match(icon.headers()['content-type'] ?? '', /^image\/svg\+xml/);
    assert.match(await icon.text(), /^<svg /);
    assert.deepEqual(browser.problems, []);
  });

  it('a signed-in load learns who is signed in from meta, still with nothing failed', async () => {
    await page.getByLabel('Email').fill('admin@example.test');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await nav().waitFor();
    const meta = page.waitForResponse((res) => new URL(res.url()).pathname === '/admin/api/meta');
    await page.reload();
    await nav().getByRole('link', { name: 'Notes' }).waitFor();
    assert.equal((await (await meta).json()).me?.roles?.includes('superadmin'), true);
    assert.deepEqual(browser.problems, []); // console errors, answers >= 400, failed requests
  });

  it('on a 390 px screen the nav is folded behind a Menu button that opens and closes it', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/admin/system');
    const heading = page.getByRole('heading', { name: 'System', level: 1 });
    await heading.waitFor();
    const menu = page.getByRole('button', { name: 'Menu' });
    assert.equal(await menu.isVisible(), true);
    assert.equal(await menu.getAttribute('aria-expanded'), 'false');
    assert.equal(await nav().isVisible(), false, 'the nav is folded');
    // The page's title is on the first screen, not pushed below the whole nav.
    const box = await heading.boundingBox();
    assert.ok(box && box.y < 200, `the heading is at y=${box?.y}`);
    await screenshot(page, 'shell-narrow');

    await menu.click();
    assert.equal(await menu.getAttribute('aria-expanded'), 'true');
    await nav().getByRole('link', { name: 'Notes' }).waitFor();
    await screenshot(page, 'shell-narrow-menu');
    await nav().getByRole('link', { name: 'Notes' }).click();
    await page.getByRole('heading', { name: 'Notes', level: 1 }).waitFor();
    await nav().waitFor({ state: 'hidden' }); // choosing a page folds the nav again
    assert.equal(await menu.getAttribute('aria-expanded'), 'false');

    await page.setViewportSize({ width: 1280, height: 800 });
    assert.equal(await menu.isVisible(), false, 'a wide screen has no Menu button');
    assert.equal(await nav().isVisible(), true);
  });

  it('ran without script errors', () => {
    assert.deepEqual(browser.problems, []);
  });
});

describe('admin UI nav: a page with a parent (no browser)', () => {
  const meta: Meta = {
    version: '0.0.0',
    login: true,
    me: null,
    plugins: [
      {
        name: 'flows',
        script: null,
        pages: [
          { path: '', title: 'Flows' },
          { path: 'edit', title: 'Flow editor', parent: '' },
        ],
      },
    ],
  };
  const me: Me = { id: 'u1', kind: 'user', name: null, roles: ['owner'], tenant_id: 't1' };

  it('is not listed in the nav, but can be opened; its parent is highlighted while it is open', () => {
    assert.deepEqual(
      navGroups(me, meta).flatMap((g) => g.entries.map((e) => e.title)),
      ['Overview', 'Flows'],
    );
    const all = navGroups(me, meta, { listed: false }).flatMap((g) => g.entries);
    const editor = all.find((e) => e.href === '/admin/flows/edit');
    assert.equal(editor?.title, 'Flow editor');
    assert.equal(activeHref(editor, '/admin/flows/edit'), '/admin/flows');
    const flows = all.find((e) => e.href === '/admin/flows');
    assert.equal(activeHref(flows, '/admin/flows'), '/admin/flows');
  });
});
