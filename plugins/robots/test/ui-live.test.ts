// Issue 40, "Not live where it claims to be", for the robots and ai pages in a real browser: the Robots
// list shows a robot activated (and removed) while it is open; a robot's page shows a reported message
// in its details and in its chart at once, the two agreeing; the AI call log shows a call as it is
// logged. Each change comes within two seconds and by the live stream: with the page's clock run a
// minute ahead the list is not fetched again while the stream is open. With the stream down the list
// polls slowly instead. Needs the UI bundle in dist/ui: `npm test` builds it first; alone, `npm run build`.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { PASSWORD, registerOwner, type Actor } from '../../../test/helpers/actors.js';
import { launchBrowser, signIn, type TestBrowser } from '../../../test/helpers/browser.js';
import { assertNoPolling, bars, logGets, until, waitLive, WITHIN } from '../../../test/helpers/live-page.js';
import { activate, bearer, device, newCodes, robotsApp, type RobotsApp } from '../../../test/helpers/robots.js';

describe('robots and ai pages follow the live stream (browser)', () => {
  let t: RobotsApp;
  let browser: TestBrowser;
  let page: Page;
  let owner: Actor;

  before(async () => {
    t = await robotsApp({ extraPlugins: ['ai'] });
    owner = await registerOwner(t, 'live-ui');
    const consent = await t.request('PATCH', '/api/v2/tenant/settings', { body: { ai_consent_enabled: true }, headers: owner.headers });
    assert.equal(consent.status, 200, consent.text);
    browser = await launchBrowser(t.url);
    page = browser.page;
    // The page's timers run when the test says (assertNoPolling); until then time flows as usual.
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

  const robotRow = (name: string) => page.getByRole('row').filter({ hasText: name });

  it('the Robots list shows a robot activated while it is open, and drops it when removed, without polling', async () => {
    const gets = logGets(page, '/workbot/api/robots');
    await page.goto('/admin/robots');
    await page.getByRole('heading', { name: 'Robots', level: 1 }).waitFor();
    await waitLive(page);
    await page.getByText('No robots yet').waitFor();
    await assertNoPolling(page, gets);

    const [code] = await newCodes(t, owner);
    const robot = await activate(t, code, { ...device('live-phone-1'), model: 'Live Phone' });
    await robotRow('Robot Live Phone').waitFor({ timeout: WITHIN });
    assert.ok(gets.count >= 1, 'fetched again because of the event');
    await assertNoPolling(page, gets);

    const removed = await t.wb('DELETE', `/api/robots/${robot.robotId}`, { headers: owner.headers });
    assert.equal(removed.status, 200, removed.text);
    await robotRow('Robot Live Phone').waitFor({ state: 'detached', timeout: WITHIN });
    await page.getByText('No robots yet').waitFor({ timeout: WITHIN });
    gets.stop();
  });

  it("a robot's page: a reported message shows in its details and its chart at once, and they agree", async () => {
    const [code] = await newCodes(t, owner);
    const robot = await activate(t, code, { ...device('live-phone-2'), model: 'Chart Phone' });
    const stats = logGets(page, `/workbot/api/robots/${robot.robotId}/statistics`);
    await page.goto(`/admin/robots?robot=${robot.robotId}`);
    const details = page.getByRole('region', { name: 'Details' });
    const activity = page.getByRole('region', { name: 'Last 30 days' });
    const chart = page.getByRole('list', { name: /^Messages reported per day/ });
    await activity.getByText('0 messages reported').waitFor();
    await waitLive(page);
    await assertNoPolling(page, stats);

    const messagesFact = () => details.locator('dt:text-is("Messages") + dd').textContent();
    for (const spoken of ['Is the shop open?', 'And tomorrow?']) {
      const res = await t.wb('POST', '/api/robot/messages', { body: { robotId: robot.robotId, spoken }, headers: bearer(robot.token) });
      assert.equal(res.status, 200, res.text);
    }
    await until('the details', messagesFact, '2');
    await activity.getByText('2 messages reported').waitFor({ timeout: WITHIN });
    // The chart's bars add up to what the details say, and today's bar holds them.
    const shown = await bars(chart);
    assert.equal(
      shown.reduce((n, [, v]) => n + v, 0),
      2,
    );
    assert.equal(shown.at(-1)?.[1], 2, "today's bar");
    await assertNoPolling(page, stats);
    stats.stop();
  });

  it('the AI call log shows a call as it is logged, without polling', async () => {
    const calls = logGets(page, '/workbot/api/ai/calls');
    await page.goto('/admin/ai/calls');
    await page.getByRole('heading', { name: 'AI call log', level: 1 }).waitFor();
    await waitLive(page);
    await assertNoPolling(page, calls);
    // The robot's two messages were answered already (its AI is the builtin responder): a try adds one more call.
    const tries = page
      .getByRole('table', { name: /^Provider calls/ })
      .getByRole('row')
      .filter({ hasText: 'Try' });
    await page
      .getByRole('table', { name: /^Provider calls/ })
      .getByRole('row')
      .nth(1)
      .waitFor();
    const before = await tries.count();
    const asked = await t.wb('POST', '/api/ai/try', { body: { text: 'When do you open?', provider: 'builtin' }, headers: owner.headers });
    assert.equal(asked.status, 200, asked.text);
    await until('tries in the call log', () => tries.count(), before + 1);
    await assertNoPolling(page, calls);
    calls.stop();
  });

  it('with the stream down the list polls slowly instead, and says so', async () => {
    await page.route('**/admin/api/live', (route) => route.abort());
    browser.allow(/GET \/admin\/api\/live: net::/);
    const gets = logGets(page, '/workbot/api/robots');
    await page.goto('/admin/robots');
    await page.getByText('Live updates are reconnecting').waitFor();
    gets.reset();
    await page.clock.runFor(5_000);
    await until('GETs of the list while the stream is down', async () => gets.count >= 1, true);
    await page.unroute('**/admin/api/live');
    gets.stop();
  });
});

describe('the live stream of the new kinds keeps tenants apart', () => {
  let t: RobotsApp;
  before(async () => {
    t = await robotsApp({ extraPlugins: ['ai'] });
  });
  after(() => t?.close());

  it("a robot activated or removed, and an AI call, reach only their tenant's stream", async () => {
    const { openLive } = await import('../../../test/helpers/live.js');
    const a = await registerOwner(t, 'live-kinds-a');
    const b = await registerOwner(t, 'live-kinds-b');
    for (const who of [a, b]) {
      const res = await t.request('PATCH', '/api/v2/tenant/settings', { body: { ai_consent_enabled: true }, headers: who.headers });
      assert.equal(res.status, 200, res.text);
    }
    const pageA = await openLive(t.url, a.headers);
    const pageB = await openLive(t.url, b.headers);
    try {
      const [code] = await newCodes(t, a);
      const robot = await activate(t, code);
      assert.deepEqual((await pageA.next((e) => e.kind === 'robot.changed')).data, { robotId: robot.robotId, change: 'activated' });
      const asked = await t.wb('POST', '/api/ai/try', { body: { text: 'hi', provider: 'builtin', robotId: robot.robotId }, headers: a.headers });
      assert.equal(asked.status, 200, asked.text);
      assert.deepEqual((await pageA.next((e) => e.kind === 'ai.call')).data, { robotId: robot.robotId });
      const removed = await t.wb('DELETE', `/api/robots/${robot.robotId}`, { headers: a.headers });
      assert.equal(removed.status, 200, removed.text);
      await pageA.next((e) => e.kind === 'robot.changed' && e.data.change === 'removed');
      // B's own robot comes next: by the time B hears it, A's events would have come before it.
      const [codeB] = await newCodes(t, b);
      const robotB = await activate(t, codeB);
      await pageB.next((e) => e.kind === 'robot.changed' && e.data.robotId === robotB.robotId);
      assert.deepEqual(
        pageB.events.filter((e) => e.data.robotId === robot.robotId || e.kind === 'ai.call'),
        [],
        "B's stream never carries A's robot or calls",
      );
    } finally {
      pageA.close();
      pageB.close();
    }
  });
});
