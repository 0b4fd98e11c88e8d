import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createTestApp, testAuth, type TestApp } from '../helpers/app.js';
import { launchBrowser, screenshot, type TestBrowser } from '../helpers/browser.js';
import { navGroups } from '../../core/ui/shell/nav.js';
import type { Me, Meta } from '../../core/ui/shell/types.js';

// Needs the UI bundle in dist/ui: `npm test` builds it first (pretest); alone, run `npm run build`.

describe('admin UI (browser)', () => {
  let t: TestApp;
  let browser: TestBrowser;

  before(async () => {
    t = await createTestApp();
    browser = await launchBrowser(t.url);
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
    }
  });

  it('serves the enabled plugin bundle', async () => {
    const res = await t.request('GET', '/admin/assets/plugins/example.js');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /javascript/);
  });

  it('shows the login screen to a visitor', async () => {
    const { page } = browser;
    await page.goto('/admin');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Email').waitFor();
    await page.getByLabel('Password').waitFor();
    assert.equal(await page.getByRole('navigation').count(), 0);
    await screenshot(page, 'admin-login');
  });

  it('shows the server message on a wrong password', async () => {
    const { page } = browser;
    await page.getByLabel('Email').fill('admin@example.test');
    await page.getByLabel('Password').fill('wrong password');
    browser.expectRefusal({ status: 401, method: 'POST', path: '/admin/api/login' });
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal((await alert.textContent())?.trim(), 'wrong email or password');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it('signs in and shows the nav with the Overview, the core pages (System, Outgoing mail, Settings) and the plugin pages', async () => {
    const { page } = browser;
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const nav = page.getByRole('navigation', { name: 'Admin sections' });
    await nav.waitFor();
    assert.deepEqual(await nav.getByRole('link').allTextContents(), ['Overview', 'System', 'Outgoing mail', 'Settings', 'Notes']);
    assert.equal(await page.getByRole('alert').count(), 0);
    await page.waitForURL('**/admin/overview'); // a superadmin lands on the Overview
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    // The example plugin's card (its `overview` provider): the notes of every tenant, none yet, linked to its page.
    const notes = page.getByRole('region', { name: 'Notes', exact: true });
    assert.equal(await notes.locator('.overview-number').textContent(), '0');
    assert.equal(await notes.getByRole('link').getAttribute('href'), '/admin/example');
  });

  it('links the API reference from the top bar: /docs opens in a new tab and renders the core’s operations', async () => {
    const { page } = browser;
    const link = page.locator('header.topbar').getByRole('link', { name: 'API reference' });
    assert.equal(await link.getAttribute('href'), '/docs');
    const [docs] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
    await docs.locator('.opblock-tag[data-tag="core"]').waitFor({ timeout: 30_000 });
    assert.equal(new URL(docs.url()).pathname, '/docs');
    await docs.close();
  });

  it('shows plugins, migrations, jobs and the outbox on the System page', async () => {
    const { page } = browser;
    // Facts to show: one delivered event, one dead event, one job run.
    await t.request('POST', '/example/notes', { body: { title: 'from the API' }, headers: testAuth('u1', 't1') });
    await t.app.events.flush();
    const now = new Date().toISOString();
    await t.app.db('core_events').insert({
      name: 'example.note.created',
      version: 1,
      tenant_id: 't1',
      payload: JSON.stringify({ id: 99, title: 'lost' }),
      status: 'dead',
      attempts: 5,
      available_at: now,
      last_error: 'handler exploded',
      created_at: now,
    });
    assert.equal(await t.app.scheduler.runNow('example.tick'), 'succeeded');
    // And what a prune job deleted: two outgoing mails past retention.mailOutboxDays.
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const mail = { from: 'p@x.test', to: '[]', subject: 'old', raw: 'raw', transport: 'outbox', status: 'stored', created_at: old };
    await t.app.db('core_mail_outbox').insert([mail, mail]);
    assert.equal(await t.app.scheduler.runNow('core.retention'), 'succeeded');
    // A backup taken, then one that fails (its folder is a file now): the failure is the alert.
    const backups = t.app.container.resolve('backups');
    const taken = await backups.create({ trigger: 'manual' });
    fs.renameSync(backups.local.where, `${backups.local.where}.moved`);
    fs.writeFileSync(backups.local.where, 'not a folder');
    assert.equal(await t.app.scheduler.runNow('core.backup'), 'failed');
    fs.rmSync(backups.local.where);
    fs.renameSync(`${backups.local.where}.moved`, backups.local.where);

    await page.goto('/admin/system'); // a fresh load: the page shown after sign-in predates these facts
    await page.getByRole('heading', { name: 'System', level: 1 }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'System' }).getAttribute('aria-current'), 'page');

    const plugins = page.getByRole('region', { name: 'Plugins' });
    const pluginRow = plugins.getByRole('row').filter({ hasText: 'example' });
    await pluginRow.waitFor();
    // Name, source (test/fixtures/plugins is a pluginDirs folder, not plugins/), version, plugin API range (none declared), state, base, dependencies.
    assert.deepEqual(await pluginRow.getByRole('cell').allTextContents(), ['example', 'folder', '1.0.0', '—', 'running', '/example', '—']);

    const migrations = page.getByRole('region', { name: 'Applied migrations' });
    await migrations.getByText('core/20261121120000_core_tables', { exact: true }).waitFor();
    await migrations.getByText('example/20261121130000_example_tables', { exact: true }).waitFor();

    const job = page.getByRole('region', { name: 'Jobs' }).getByRole('row').filter({ hasText: 'example.tick' });
    const cells = await job.getByRole('cell').allTextContents();
    assert.equal(cells[0], 'example.tick');
    assert.equal(cells[1], '*/5 * * * *');
    assert.equal(cells[2], 'succeeded');
    assert.notEqual(cells[3], '—', 'shows when the run started');
    assert.equal(cells[5], 'manual');
    assert.equal(cells[7], '—', 'example.tick deletes nothing');
    const retention = page.getByRole('region', { name: 'Jobs' }).getByRole('row').filter({ hasText: 'core.retention' });
    const deleted = retention.getByRole('cell').nth(7);
    assert.equal(await deleted.textContent(), '2 core_mail_outbox', 'the tables it deleted rows from');
    assert.match((await deleted.locator('[title]').getAttribute('title')) ?? '', /^core_events: 0\n.*core_mail_outbox: 2\n.*1 batch, the slowest [\d.]+ ms$/s);

    const backupRegion = page.getByRole('region', { name: 'Backups' });
    assert.match((await backupRegion.getByRole('alert').textContent()) ?? '', /The last backup failed \(.*, schedule\): .*backups/);
    assert.match((await backupRegion.textContent()) ?? '', new RegExp(`Last backup: .*\\(manual\\), ${taken.name.replaceAll('.', '\\.')}`));

    const outbox = page.getByRole('region', { name: 'Event outbox' });
    const stats = await outbox
      .locator('dl > div')
      .evaluateAll((els) => els.map((el) => [el.querySelector('dt')?.textContent, el.querySelector('dd')?.textContent]));
    assert.deepEqual(stats, [
      ['Pending', '0'],
      ['Delivered', '1'],
      ['Dead', '1'],
    ]);
    const dead = outbox.getByRole('row').filter({ hasText: 'handler exploded' });
    assert.match((await dead.textContent()) ?? '', /example\.note\.created/);

    const storage = page.getByRole('region', { name: 'Storage' });
    await storage.getByText(/Database size: \d/).waitFor();
    await storage.getByText(/what each deleted on its last run is in the Jobs table/).waitFor();
    const eventsRow = storage.getByRole('row').filter({ has: page.getByText('core_events', { exact: true }) });
    assert.deepEqual(await eventsRow.getByRole('cell').allTextContents(), ['core_events', '2']);
    await screenshot(page, 'admin-system');

    // Replay the dead event: it is pending again, then delivered by the outbox.
    await dead.getByRole('button', { name: 'Replay' }).click();
    await outbox.getByRole('row').filter({ hasText: 'handler exploded' }).waitFor({ state: 'detached' });
    const replayed = await t.app
      .db('core_events')
      .where('last_error', null)
      .andWhere('payload', JSON.stringify({ id: 99, title: 'lost' }))
      .first('status');
    assert.ok(['pending', 'delivered'].includes(replayed.status), replayed.status);
  });

  it('creates a note on the Notes page', async () => {
    const { page } = browser;
    await page.getByRole('navigation').getByRole('link', { name: 'Notes' }).click();
    await page.getByRole('heading', { name: 'Notes', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin/example');
    await page.getByText('No notes yet.').waitFor(); // the API note belongs to tenant t1, not to this admin

    await page.getByLabel('Title').fill('Buy milk');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByRole('cell', { name: 'Buy milk', exact: true }).waitFor();
    assert.equal(await page.getByLabel('Title').inputValue(), '');

    const rows = await t.app.db('example_notes').where('title', 'Buy milk').select('tenant_id', 'title');
    assert.deepEqual(rows, [{ tenant_id: 'none', title: 'Buy milk' }]);
    await screenshot(page, 'admin-notes');
  });

  it('shows a not-found view for an unknown page', async () => {
    const { page } = browser;
    for (const path of ['/admin/nope', '/admin/example/missing']) {
      await page.goto(path);
      await page.getByRole('heading', { name: 'Page not found' }).waitFor();
      await page.getByRole('navigation', { name: 'Admin sections' }).waitFor();
    }
  });

  it('signs out back to the login screen', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal((await page.request.get('/admin/api/me')).status(), 401);
  });

  it('ran without script errors or CSP violations', () => {
    assert.deepEqual(browser.problems, []);
  });
});

describe('admin UI with the example plugin disabled', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ plugins: [] });
  });
  after(async () => t?.close());

  it('lists no plugin and does not serve its bundle', async () => {
    const meta = await t.request('GET', '/admin/api/meta');
    assert.equal(meta.status, 200);
    assert.deepEqual(meta.body.plugins, []);
    assert.equal(meta.body.login, false);
    assert.equal((await t.request('GET', '/admin/assets/plugins/example.js')).status, 404);
    assert.equal((await t.request('GET', '/admin/assets/shell.js')).status, 200);
  });
});

describe('admin UI nav (no browser)', () => {
  const meta: Meta = {
    version: '0.0.0',
    login: true,
    me: null,
    plugins: [
      {
        name: 'example',
        script: '/admin/assets/plugins/example.js',
        pages: [
          { path: '', title: 'Notes' },
          { path: 'settings', title: 'Settings', roles: ['admin'] },
        ],
      },
      { name: 'ops', script: null, pages: [{ path: '', title: 'Ops', roles: ['superadmin'] }] },
    ],
  };
  const me = (roles: string[]): Me => ({ id: 'u1', kind: 'user', name: null, roles, tenant_id: 't1' });
  const titles = (roles: string[]) => navGroups(me(roles), meta).flatMap((g) => g.entries.map((e) => `${e.title} ${e.href}`));

  it('gives a superadmin the Overview, the core pages (System, Outgoing mail, Settings), then every plugin page', () => {
    assert.deepEqual(titles(['superadmin']), [
      'Overview /admin/overview',
      'System /admin/system',
      'Outgoing mail /admin/outgoing-mail',
      'Settings /admin/settings',
      'Notes /admin/example',
      'Settings /admin/example/settings',
      'Ops /admin/ops',
    ]);
  });

  it('hides the core pages and the pages whose roles the user lacks (tenant roles are ranked); everyone has the Overview first', () => {
    assert.deepEqual(titles(['member']), ['Overview /admin/overview', 'Notes /admin/example']);
    assert.deepEqual(titles(['owner']), ['Overview /admin/overview', 'Notes /admin/example', 'Settings /admin/example/settings']);
  });
});
