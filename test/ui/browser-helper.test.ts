import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';

// The browser helper every UI test uses records what a person (or the console) would see go wrong:
// answers >= 400, requests that fail (not those a navigation aborts), console errors and uncaught
// exceptions, each naming the test; a refusal the test provokes is declared and then must come.

describe('test browser: problems are recorded, expected refusals declared', () => {
  let t: TestApp;
  let browser: TestBrowser;
  const fetchIn = (b: TestBrowser, path: string, method = 'GET') =>
    b.page.evaluate(async ([p, m]) => (await fetch(p, { method: m, headers: { accept: 'application/json' } })).status, [path, method] as const);

  before(async () => {
    t = await createTestApp();
  });
  after(async () => t?.close());
  beforeEach(async () => {
    browser = await launchBrowser(t.url);
    await browser.page.goto('/admin');
    await browser.page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
  });
  afterEach(async () => {
    // Each test closes (and checks) its own browser; this one only tidies after a failure.
    await browser.close().catch(() => undefined);
  });

  it('records an unexpected 4xx with its method, path, query and the test during which it came; close() throws on it', async function () {
    assert.equal(await fetchIn(browser, '/admin/api/no-such-thing?x=1'), 404);
    const during = this.test?.fullTitle();
    assert.deepEqual(browser.problems, [`404 GET /admin/api/no-such-thing?x=1 (during "${during}")`]);
    await assert.rejects(browser.close(), /the browser saw 1 problem\(s\):\n {2}404 GET \/admin\/api\/no-such-thing\?x=1/);
  });

  it('a declared refusal is not a problem; one more of it is', async () => {
    browser.expectRefusal({ status: 401, method: 'POST', path: '/admin/api/login' });
    const login = () =>
      browser.page.evaluate(
        async () =>
          (
            await fetch('/admin/api/login', {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ email: 'admin@example.test', password: 'wrong' }),
            })
          ).status,
      );
    assert.equal(await login(), 401);
    assert.deepEqual(browser.problems, []);
    assert.equal(await login(), 401);
    assert.equal(browser.problems.length, 1);
    assert.match(browser.problems[0], /^401 POST \/admin\/api\/login \(during/);
    await assert.rejects(browser.close(), /1 problem/);
  });

  it('a declared refusal that never came is a problem when the browser closes', async () => {
    browser.expectRefusal({ status: 409, path: /^\/example\/notes/ });
    assert.deepEqual(browser.problems, []);
    await assert.rejects(browser.close(), /expected 1× 409 \* \/\^\\\/example\\\/notes\/, saw 0/);
  });

  it('console errors and uncaught exceptions are problems; an allowed console message is not', async () => {
    browser.allow(/^provoked on purpose$/);
    await browser.page.evaluate(() => {
      console.error('provoked on purpose');
      console.error('something broke');
      setTimeout(() => {
        throw new Error('boom');
      });
    });
    await browser.page.waitForTimeout(100);
    const problems = browser.problems.map((p) => p.replace(/ \(during "[^"]*"\)$/, ''));
    assert.deepEqual(problems.sort(), ['console: something broke', 'uncaught: boom']);
    await assert.rejects(browser.close(), /2 problem/);
  });

  it('a request a navigation aborts is not a problem; a request that cannot connect is', async () => {
    // The live stream (signed in) never ends; leaving the page cuts it short: net::ERR_ABORTED.
    await browser.page.evaluate(async () => {
      const body = JSON.stringify({ email: 'admin@example.test', password: 'correct horse battery' });
      await fetch('/admin/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const live = await fetch('/admin/api/live');
      void live.body?.getReader().read();
    });
    await browser.page.goto('/admin/system');
    await browser.page.getByRole('heading', { name: 'System', level: 1 }).waitFor();
    assert.deepEqual(browser.problems, []);
    await browser.page.route('**/nothing-listens', (route) => route.abort('connectionrefused'));
    await browser.page.evaluate(() => fetch('/nothing-listens').catch(() => undefined));
    assert.equal(browser.problems.length, 1, browser.problems.join('\n'));
    assert.match(browser.problems[0], /^request failed: GET \/nothing-listens: net::ERR_/);
    await assert.rejects(browser.close(), /1 problem/);
  });

  it('closes without complaint when nothing went wrong', async () => {
    assert.equal(await fetchIn(browser, '/admin/api/meta'), 200);
    await browser.close();
  });
});
