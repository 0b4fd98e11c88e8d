// Longer than most: one feature end-to-end, the AI admin UI in a real browser, page after page on one app and one session.
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { launchBrowser, screenshot, type TestBrowser } from '../../../test/helpers/browser.js';
import { registerOwner } from '../../../test/helpers/actors.js';
import { FakeProvider } from './fake-providers.js';
import { aiApp, bearer, setProvider, type Owner, type RobotsApp } from './helpers.js';
import { authServices } from '../../auth/services/own.js';

// The ai plugin's admin pages in a real browser, signed in as a tenant owner (the admin UI's session
// cookie is accepted by /workbot/api/*): knowledge-base entries added in the editor (English and
// Chinese) come back from the "try it" box through the builtin responder, with the entry that
// matched; consent off is explained and turned on from the page; a provider added on the providers
// page (the official openai SDK against a local fake) answers, after a 503 falls through to builtin;
// the call log shows each call with tokens and cost; a member sees the knowledge base read-only.
// Needs the UI bundle in dist/ui: `npm test` builds it first (pretest); alone, run `npm run build`.

const OWNER = { email: 'olga@ai-ui.test', password: 'Owner-pass-for-ai-ui-42', name: 'Olga Owner' };
const MEMBER = { email: 'mia@ai-ui.test', password: 'Member-pass-for-ai-ui-42' };
const HOURS = { question: 'What are your opening hours?', answer: 'We are open 9:00–18:00, Monday to Friday.', keywords: 'hours, open' };
const RETURNS = { question: '怎么退货？', answer: '30天内可以无理由退货。', keywords: '退货' };
const CONSENT_OFF = 'AI processing is off for this tenant: turn on ai_consent_enabled in the tenant settings first';
const FALLBACK = 'Sorry, we will get back to you within a day.';

describe('ai admin UI (browser)', () => {
  let t: RobotsApp;
  let browser: TestBrowser;
  let page: Page;
  let owner: Owner;
  let fake: FakeProvider;
  let robotId = '';

  const nav = () => page.getByRole('navigation', { name: 'Admin sections' });
  const heading = (name: string) => page.getByRole('heading', { name, level: 1 }).waitFor();
  const open = async (link: string, title = link) => {
    await nav().getByRole('link', { name: link, exact: true }).click();
    await heading(title);
  };
  const entries = () => page.getByRole('region', { name: 'Knowledge entries' });
  const entryRow = (question: string) =>
    entries()
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: question, exact: true }) });
  const cells = (row: Locator) => row.getByRole('cell').allTextContents();
  const notice = (text: string) => page.getByRole('status').filter({ hasText: text }).waitFor();
  const reply = () => page.getByRole('region', { name: 'Reply' });
  const fact = (name: string) => reply().locator(`dt:text-is("${name}") + dd`);
  const attempts = () => reply().getByRole('table', { name: 'Providers tried, in order' }).locator('tbody tr');
  const callRows = () => page.getByRole('table', { name: 'Provider calls, newest first' }).locator('tbody tr');
  const kb = async (who: Owner = owner) => {
    const res = await t.wb('GET', '/api/ai/knowledge?pageSize=100', { headers: who.headers });
    assert.equal(res.status, 200, res.text);
    return res.body.data.list as Array<Record<string, any>>;
  };

  const signIn = async (email: string, password: string) => {
    await page.goto('/admin');
    await heading('Sign in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await nav().waitFor();
  };

  /** Fills and saves the add/edit dialog of the knowledge base. */
  const saveEntry = async (dialog: Locator, entry: { question?: string; answer?: string; keywords?: string; priority?: string }, button: string) => {
    if (entry.question !== undefined) await dialog.getByLabel('Question', { exact: true }).fill(entry.question);
    if (entry.answer !== undefined) await dialog.getByLabel('Answer', { exact: true }).fill(entry.answer);
    if (entry.keywords !== undefined) await dialog.getByLabel('Keywords (comma-separated)').fill(entry.keywords);
    if (entry.priority !== undefined) await dialog.getByLabel('Priority').fill(entry.priority);
    await dialog.getByRole('button', { name: button, exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
  };

  /** Asks in the "try it" box and waits for the reply. */
  const ask = async (text: string, options: { robot?: string; provider?: string } = {}) => {
    await page.getByLabel('Message', { exact: true }).fill(text);
    await page.getByLabel('Answer as robot (optional)').selectOption(options.robot ?? '');
    await page.getByLabel('Provider first (optional)').selectOption(options.provider ?? '');
    // The previous reply is cleared on the click, before the request goes out.
    await Promise.all([page.waitForResponse((res) => res.url().endsWith('/workbot/api/ai/try')), page.getByRole('button', { name: 'Get a reply' }).click()]);
    await reply().waitFor();
    return (await reply().locator('blockquote').textContent())?.trim();
  };

  before(async () => {
    t = await aiApp({ ai: { prices: { 'local-model': { input: 1000, output: 2000 } }, currency: 'USD' } });
    const reg = await t.request('POST', '/api/v2/auth/register', { body: { email: OWNER.email, password: OWNER.password, full_name: OWNER.name } });
    assert.equal(reg.status, 201, reg.text);
    const login = await t.request('POST', '/api/v2/auth/login', { body: { email: OWNER.email, password: OWNER.password } });
    assert.equal(login.status, 200, login.text);
    owner = { id: login.body.user.id, tenantId: login.body.user.tenant_id, token: login.body.access_token, headers: bearer(login.body.access_token) };
    const robot = await t.wb('POST', '/api/robots', { body: { name: 'Front desk' }, headers: owner.headers });
    assert.equal(robot.status, 200, robot.text);
    robotId = robot.body.data.robotId;
    fake = await new FakeProvider('openai').start();
    browser = await launchBrowser(t.url);
    page = browser.page;
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
      await fake?.close();
    }
  });

  it('signs in as the owner: the four AI pages are in the nav, and the knowledge base is empty', async () => {
    await signIn(OWNER.email, OWNER.password);
    for (const name of ['AI knowledge base', 'Try AI replies', 'AI providers', 'AI call log']) await nav().getByRole('link', { name, exact: true }).waitFor();
    await open('AI knowledge base');
    assert.equal(new URL(page.url()).pathname, '/admin/ai');
    await entries().getByText('No entries yet. Add one, or import a CSV or JSON file.').waitFor();
  });

  it('adds an English and a Chinese entry in the dialog: both are listed and stored', async () => {
    // Another tenant's entry never shows here.
    const other = await registerOwner(t, 'other-tenant');
    const foreign = await t.wb('POST', '/api/ai/knowledge', { body: { question: 'Another tenant’s question', answer: 'Not yours.' }, headers: other.headers });
    assert.equal(foreign.status, 200, foreign.text);

    await page.getByRole('button', { name: 'Add entry' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a knowledge entry' });
    await dialog.getByRole('button', { name: 'Add entry', exact: true }).click();
    assert.equal(await dialog.getByRole('alert').textContent(), 'Write the question.');
    await saveEntry(dialog, HOURS, 'Add entry');
    await notice(`Added “${HOURS.question}”.`);
    await entryRow(HOURS.question).waitFor();
    assert.deepEqual((await cells(entryRow(HOURS.question))).slice(0, 6), [HOURS.question, HOURS.answer, 'hours, open', 'Q&A', '0', 'enabled']);

    await page.getByRole('button', { name: 'Add entry' }).click();
    await saveEntry(page.getByRole('dialog', { name: 'Add a knowledge entry' }), RETURNS, 'Add entry');
    await entryRow(RETURNS.question).waitFor();
    assert.equal(await entries().getByText('Another tenant’s question').count(), 0);

    const stored = await kb();
    assert.deepEqual(
      stored.map((e) => [e.question, e.answer, e.keywords, e.kind, e.enabled]).sort(),
      [
        [HOURS.question, HOURS.answer, ['hours', 'open'], 'faq', true],
        [RETURNS.question, RETURNS.answer, ['退货'], 'faq', true],
      ].sort(),
    );
    await screenshot(page, 'ai-knowledge');
  });

  it('searches and filters by kind (in the URL); edits an entry and deletes one after a confirm', async () => {
    await page.getByLabel('Search questions, answers and keywords').fill('退货');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\?q=/);
    assert.equal(new URL(page.url()).searchParams.get('q'), '退货');
    await entryRow(HOURS.question).waitFor({ state: 'detached' });
    await entryRow(RETURNS.question).waitFor();

    await page.getByLabel('Kind').selectOption('keyword');
    await entries().getByText('No entries match.').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('kind'), 'keyword');
    await page.goto('/admin/ai');
    await entryRow(HOURS.question).waitFor();

    // A third entry, made only to be edited and deleted.
    await page.getByRole('button', { name: 'Add entry' }).click();
    await saveEntry(
      page.getByRole('dialog', { name: 'Add a knowledge entry' }),
      { question: 'Do you ship abroad?', answer: 'Not yet.', keywords: 'ship' },
      'Add entry',
    );
    await entryRow('Do you ship abroad?').getByRole('button', { name: 'Edit “Do you ship abroad?”' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit knowledge entry' });
    assert.equal(await edit.getByLabel('Keywords (comma-separated)').inputValue(), 'ship');
    await edit.getByLabel('Enabled: used to answer messages').uncheck();
    await saveEntry(edit, { answer: 'Not yet, sorry.', priority: '3' }, 'Save entry');
    await notice('Saved “Do you ship abroad?”.');
    await entryRow('Do you ship abroad?').getByRole('cell', { name: 'Not yet, sorry.', exact: true }).waitFor(); // the list reloaded
    assert.deepEqual((await cells(entryRow('Do you ship abroad?'))).slice(1, 6), ['Not yet, sorry.', 'ship', 'Q&A', '3', 'disabled']);

    await entryRow('Do you ship abroad?').getByRole('button', { name: 'Delete “Do you ship abroad?”' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete “Do you ship abroad?”?' });
    await confirm.getByRole('button', { name: 'Delete entry' }).click();
    await confirm.waitFor({ state: 'detached' });
    await entryRow('Do you ship abroad?').waitFor({ state: 'detached' });
    assert.deepEqual((await kb()).map((e) => e.question).sort(), [HOURS.question, RETURNS.question].sort());
  });

  it('imports pasted JSON: the count imported and why a row was refused', async () => {
    await page.getByRole('button', { name: 'Import' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import knowledge entries' });
    await dialog.getByLabel('Format').selectOption('json');
    const rows = [
      { question: 'Can I pay by card?', answer: 'Yes, all major cards.', keywords: ['card', 'pay'] },
      { question: 'No answer here' },
      { question: 'Where is the shop?', answer: '12 Harbour Street.', keywords: ['address'] },
    ];
    await dialog.getByLabel('Entries').fill(JSON.stringify(rows));
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await dialog.getByRole('status').filter({ hasText: 'Imported 2 entries; 1 row was not imported.' }).waitFor();
    const refused = dialog.getByRole('table', { name: 'Rows not imported' }).locator('tbody tr');
    assert.equal(await refused.count(), 1);
    const [entry, why] = await refused.getByRole('cell').allTextContents();
    assert.equal(entry, '2');
    assert.match(why, /answer/);
    assert.equal(await dialog.getByLabel('Entries').inputValue(), '', 'cleared, so the same entries are not imported twice');
    await screenshot(page, 'ai-knowledge-import');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });
    await entryRow('Can I pay by card?').waitFor();
    await entryRow('Where is the shop?').waitFor();
    assert.equal((await kb()).length, 4);
  });

  it('try it, with consent off: the server’s message and a button that turns consent on, then the reply and its entry', async () => {
    await open('Try AI replies');
    const consent = page.getByRole('region', { name: 'AI processing is off for this tenant' });
    await consent.waitFor();
    await page.getByLabel('Message', { exact: true }).fill('when are you open?');
    browser.expectRefusal({ status: 403, method: 'POST', path: '/workbot/api/ai/try' });
    await page.getByRole('button', { name: 'Get a reply' }).click();
    const alert = page.getByRole('form', { name: 'A sample message' }).getByRole('alert');
    await alert.waitFor();
    assert.equal(await alert.textContent(), CONSENT_OFF);
    assert.equal(
      await t.app
        .db('ai_calls')
        .count({ n: '*' })
        .first()
        .then((r) => Number(r?.n)),
      0,
      'no provider was called',
    );
    await screenshot(page, 'ai-try-consent-off');

    await consent.getByRole('button', { name: 'Turn on AI processing' }).click();
    await notice('AI processing is on for this tenant.');
    await consent.waitFor({ state: 'detached' });
    const settings = await t.request('GET', '/api/v2/tenant/settings', { headers: owner.headers });
    assert.equal(settings.body.ai_consent_enabled, true);

    // The question that was refused is asked again.
    await reply().waitFor();
    assert.equal((await reply().locator('blockquote').textContent())?.trim(), HOURS.answer);
    assert.equal(await fact('Answered by').textContent(), 'builtin');
    assert.equal(await fact('Model').textContent(), 'builtin');
    assert.equal(await fact('Tokens in / out').textContent(), '0 / 0');
    await fact('Knowledge entry').getByRole('link', { name: HOURS.question, exact: true }).waitFor();
    assert.match((await fact('Knowledge entry').textContent()) ?? '', /\(#\d+, score \d+\.\d\d\)/);
    assert.equal(await attempts().count(), 1);
    assert.deepEqual(
      (await cells(attempts())).filter((_, i) => i !== 2),
      ['builtin', 'ok', '—'],
    );
    assert.equal(await page.getByRole('form', { name: 'A sample message' }).getByRole('alert').count(), 0);
    await screenshot(page, 'ai-try-english');
  });

  it('try it in Chinese: 我想退货 gets the return policy, answered as the robot', async () => {
    assert.equal(await ask('我想退货', { robot: robotId }), RETURNS.answer);
    await fact('Knowledge entry').getByRole('link', { name: RETURNS.question, exact: true }).waitFor();
    assert.equal(await fact('Answered by').textContent(), 'builtin');
    await screenshot(page, 'ai-try-chinese');
  });

  it('adds a provider (the key is write-only), edits it keeping the key, removes the key, and changes the fallback answer', async () => {
    await open('AI providers');
    await page.getByText('No providers yet: robots answer with the builtin responder. Add one to use a model.').waitFor();
    await page.getByRole('button', { name: 'Add provider' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a provider' });
    await dialog.getByLabel('Name').fill('local');
    await dialog.getByLabel('Base URL').fill(fake.baseUrl);
    await dialog.getByLabel('API key').fill('sk-ui-test-key');
    await dialog.getByLabel('Model').fill('local-model');
    await dialog.getByLabel('Timeout (ms)').fill('5000');
    await dialog.getByRole('button', { name: 'Add provider', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await notice('Saved provider local.');
    const row = page.getByRole('region', { name: 'Providers' }).getByRole('row').filter({ hasText: 'local-model' });
    await row.waitFor(); // the list reloaded
    assert.deepEqual((await cells(row)).slice(0, 9), ['local', 'openai', fake.baseUrl, 'local-model', '5.0 s', '0', 'enabled', 'set', 'this tenant']);
    assert.equal(await page.content().then((html) => html.includes('sk-ui-test-key')), false, 'the key is never shown');
    const stored = async () => t.app.db('ai_providers').where({ tenant_id: owner.tenantId, name: 'local' }).first();
    assert.equal((await stored()).api_key, 'sk-ui-test-key');

    await row.getByRole('button', { name: 'Edit provider local' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit provider local' });
    assert.equal(await edit.getByLabel('API key').inputValue(), '');
    assert.equal(await edit.getByLabel('API key').getAttribute('placeholder'), 'stored: leave empty to keep it');
    await edit.getByLabel('Priority').fill('5');
    await edit.getByRole('button', { name: 'Save provider' }).click();
    await edit.waitFor({ state: 'detached' });
    await row.getByRole('cell', { name: '5', exact: true }).waitFor();
    assert.deepEqual([(await stored()).api_key, Number((await stored()).priority)], ['sk-ui-test-key', 5]);

    // A second provider (through the API), listed after the next save and deleted below.
    await setProvider(t, owner, 'spare', { kind: 'dify', baseUrl: 'http://127.0.0.1:9/v1', enabled: false });
    await row.getByRole('button', { name: 'Edit provider local' }).click();
    await edit.getByLabel('Remove the stored key').check();
    assert.equal(await edit.getByLabel('API key').isDisabled(), true);
    await edit.getByRole('button', { name: 'Save provider' }).click();
    await edit.waitFor({ state: 'detached' });
    await row.getByRole('cell', { name: 'none', exact: true }).waitFor();
    assert.equal((await stored()).api_key, null);

    await page.getByRole('button', { name: 'Delete provider spare' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete provider spare?' });
    await confirm.getByRole('button', { name: 'Delete provider' }).click();
    await confirm.waitFor({ state: 'detached' });
    await notice('Deleted provider spare.');
    assert.equal(await t.app.db('ai_providers').where({ tenant_id: owner.tenantId, name: 'spare' }).first(), undefined);

    const fallback = page.getByRole('textbox', { name: /^Fallback answer/ });
    await fallback.fill(FALLBACK);
    await page.getByRole('button', { name: 'Save answer' }).click();
    await notice('Saved the fallback answer.');
    assert.equal((await t.wb('GET', '/api/ai/settings', { headers: owner.headers })).body.data.fallbackAnswer, FALLBACK);
    await page.getByRole('button', { name: 'Reset to default' }).waitFor();
    await screenshot(page, 'ai-providers');
  });

  it('try it with the provider: a 503 falls through to builtin; then the model answers, with tokens', async () => {
    fake.script = [
      { status: 503, message: 'overloaded' },
      { reply: 'Hello from the local model.', tokensIn: 12, tokensOut: 5 },
    ];
    await open('Try AI replies');
    assert.equal(await ask('when are you open?', { provider: 'local' }), HOURS.answer);
    assert.equal(await attempts().count(), 2);
    const [failed, answered] = [await cells(attempts().nth(0)), await cells(attempts().nth(1))];
    assert.deepEqual([failed[0], failed[1]], ['local', 'error']);
    assert.match(failed[3], /503/);
    assert.deepEqual([answered[0], answered[1], answered[3]], ['builtin', 'ok', '—']);

    assert.equal(await ask('hello there', { provider: 'local' }), 'Hello from the local model.');
    assert.equal(await fact('Answered by').textContent(), 'local');
    assert.equal(await fact('Model').textContent(), 'local-model');
    assert.equal(await fact('Tokens in / out').textContent(), '12 / 5');
    assert.equal(await fact('Knowledge entry').count(), 0);
    assert.equal(fake.received.at(-1)?.body.messages.at(-1).content, 'hello there');

    // Nothing matches: the tenant's fallback answer.
    assert.equal(await ask('xyzzy plugh', { provider: 'builtin' }), FALLBACK);
    await fact('Knowledge entry').getByText('none matched: the fallback answer').waitFor();
  });

  it('the call log lists every call with tokens, latency, outcome and cost; filters by provider and outcome', async () => {
    await open('AI call log');
    await callRows().nth(5).waitFor();
    // The robot's row names it (the page holds rows until the robot list is in; wait for it all the same).
    await callRows().filter({ hasText: 'Front desk' }).waitFor();
    // Newest first: fallback (builtin), local ok, builtin, local error, 我想退货 (builtin, as the robot), when are you open (builtin).
    const all = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => cells(callRows().nth(i))));
    assert.equal(await callRows().count(), 6);
    const pick = (c: string[]) => [c[1], c[2], c[3], c[4], c[5], c[6], c[8]];
    assert.deepEqual(all.map(pick), [
      ['—', 'try it', 'builtin', 'builtin', '0', '0', 'ok'],
      ['—', 'try it', 'local', 'local-model', '12', '5', 'ok'],
      ['—', 'try it', 'builtin', 'builtin', '0', '0', 'ok'],
      ['—', 'try it', 'local', 'local-model', '0', '0', 'error'], // a failed call logs the model it asked for
      ['Front desk', 'try it', 'builtin', 'builtin', '0', '0', 'ok'],
      ['—', 'try it', 'builtin', 'builtin', '0', '0', 'ok'],
    ]);
    assert.match(all[1][10], /^\$0\.022$/, 'the local model’s estimated cost: 12 × 1000 + 5 × 2000 per million tokens');
    assert.match(all[3][9], /503/);
    assert.match(all[0][7], /^\d+ ms$/);
    await screenshot(page, 'ai-calls');

    // Each filter is in the URL; the rows change once the filtered list is in.
    const withText = (text: string) => callRows().filter({ hasText: text });
    await page.getByLabel('Provider', { exact: true }).selectOption('builtin');
    await page.waitForURL(/provider=builtin/);
    await withText('local').first().waitFor({ state: 'detached' });
    assert.deepEqual(await callRows().locator('td:nth-child(4)').allTextContents(), ['builtin', 'builtin', 'builtin', 'builtin']);

    await page.getByLabel('Provider', { exact: true }).selectOption('');
    await page.getByLabel('Outcome').selectOption('error');
    await page.waitForURL(/outcome=error/);
    await withText('builtin').first().waitFor({ state: 'detached' });
    assert.equal(await callRows().count(), 1);
    assert.deepEqual((await cells(callRows().first())).slice(3, 4), ['local']);

    await page.getByLabel('Outcome').selectOption('');
    await page.getByLabel('Robot').selectOption(robotId);
    await page.waitForURL(new RegExp(`robot=${robotId}`));
    await withText('local').first().waitFor({ state: 'detached' });
    assert.equal(await callRows().count(), 1);
    assert.equal((await cells(callRows().first()))[1], 'Front desk');
  });

  it("the robot's page (robots plugin) charts its AI calls and their cost per day, from the ai plugin's API", async () => {
    fake.script = [{ reply: 'Hello from the local model.', tokensIn: 12, tokensOut: 5 }];
    await open('Try AI replies');
    assert.equal(await ask('hello there', { robot: robotId, provider: 'local' }), 'Hello from the local model.');
    const calls = await t.app.db('ai_calls').where({ robot_id: robotId, outcome: 'ok' }).select('cost_micros');
    assert.equal(calls.length, 2, 'the builtin answer asked as the robot before, and this one');

    const daily = page.waitForResponse((res) => new URL(res.url()).pathname === '/workbot/api/ai/calls/daily');
    await page.goto(`/admin/robots?robot=${robotId}`);
    await heading('Front desk');
    // The days of the browser's time zone (the robot page's lists show times in it).
    const zone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    assert.equal(new URL((await daily).url()).search, `?robotId=${robotId}&days=30&tz=${encodeURIComponent(zone)}`);
    const today = new Date().toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
    const perDay = page.getByRole('list', { name: 'AI calls per day, last 30 days' });
    // The chart draws once the reply is in: wait for its last day before counting.
    await perDay.getByRole('listitem').nth(29).waitFor();
    assert.equal(await perDay.getByRole('listitem').count(), 30);
    await perDay.getByRole('listitem', { name: `${today}: 2` }).waitFor();
    const cost = page.getByRole('list', { name: 'AI cost per day (USD), last 30 days' });
    // 12 × 1000 + 5 × 2000 per million tokens: $0.022 (the builtin answer is free).
    await cost.getByRole('listitem', { name: `${today}: $0.022` }).waitFor();
    await page.getByText('2 AI calls costing 0.022').waitFor();
    await screenshot(page, 'robots-ai-calls');
  });

  it('a member sees the knowledge base read-only, and not the owner-only pages', async () => {
    const services = authServices.of(t.app);
    await services.users.create(t.app.db, {
      tenantId: owner.tenantId,
      email: MEMBER.email,
      passwordHash: await services.passwords.hash(MEMBER.password),
      role: 'member',
      fullName: 'Mia Member',
    });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor(); // signed out before the next sign-in
    await signIn(MEMBER.email, MEMBER.password);
    await open('AI knowledge base');
    await entryRow(HOURS.question).waitFor();
    await page.getByText('Only owners and admins can change it.', { exact: false }).waitFor();
    for (const name of ['Try AI replies', 'AI providers', 'AI call log']) assert.equal(await nav().getByRole('link', { name, exact: true }).count(), 0, name);
    for (const name of ['Add entry', 'Import']) assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, name);
    assert.equal(
      await entries()
        .getByRole('button', { name: /^(Edit|Delete) / })
        .count(),
      0,
      'no Edit or Delete',
    );
    assert.equal(await entries().getByRole('columnheader', { name: 'Actions' }).count(), 0);
    await screenshot(page, 'ai-knowledge-member');
  });

  it('ran without script errors or CSP violations', () => {
    assert.deepEqual(browser.problems, []);
  });
});
