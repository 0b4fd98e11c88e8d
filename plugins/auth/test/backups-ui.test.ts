// The Backups page in a real browser (needs the UI bundle: `npm run build`): a superadmin backs up
// now, sees the new row, downloads it, deletes it through the confirm dialog; a failed scheduled
// backup is an error banner until one succeeds.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { BACKUP_CREATED } from 'plinth/plugin';
import { packageVersion } from 'plinth/plugin';
import { sha256OfFile } from 'plinth/plugin';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { launchBrowser, screenshot, signIn, type TestBrowser } from '../../../test/helpers/browser.js';

const ADMIN = { email: 'operator@plinth.test', password: 'Operator-pass-for-backups-42' };

describe('auth admin UI: Backups (browser)', function () {
  this.timeout(60_000);
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let name = '';
  const dir = () => t.app.container.resolve('backups').local.where;
  const heading = (text: string) => page.getByRole('heading', { name: text, level: 1 }).waitFor();
  const row = (text: string) => page.getByRole('row').filter({ hasText: text });

  before(async () => {
    t = await createTestApp({ plugins: ['auth'], settings: { auth: { admin: ADMIN } } });
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

  it('a superadmin opens Backups: no backups yet, the schedule, the folder and how to restore', async () => {
    await signIn(page, ADMIN);
    await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Backups' }).click();
    await heading('Backups');
    await page.getByText('No backups yet.').waitFor();
    const settings = page.getByRole('region', { name: 'How backups are taken' });
    await settings.getByText('30 2 * * *').waitFor();
    await settings.getByText(dir()).waitFor();
    const restore = page.getByRole('region', { name: 'How to restore' });
    for (const words of ['npm run plinth -- restore FILE', '--force', '--same-deployment', 'pg_restore']) await restore.getByText(words).first().waitFor();
  });

  it('Back up now: the button is busy, then the new backup is a row (when, size, where, version, database)', async () => {
    // Held in its last step (telling the hooks) until the page has shown it busy.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const hooks = t.app.container.resolve('hooks');
    hooks.on(BACKUP_CREATED, 'ui-test', () => gate);
    try {
      await page.getByRole('button', { name: 'Back up now' }).click();
      assert.ok(await page.getByRole('button', { name: 'Backing up…' }).isDisabled());
    } finally {
      release();
      hooks.removeOwner('ui-test');
    }
    const notice = page.getByRole('status').filter({ hasText: 'Backed up:' });
    await notice.waitFor();
    name = /plinth-backup-\S+\.tar\.gz/.exec((await notice.textContent()) ?? '')?.[0] ?? '';
    assert.ok(fs.existsSync(path.join(dir(), name)), `${name} is in the folder`);
    await page.getByRole('button', { name: 'Back up now' }).waitFor();
    const cells = await row('new').getByRole('cell').allTextContents();
    assert.match(cells[1], /^\d+(\.\d)? (bytes|KiB|MiB)$/);
    assert.deepEqual(cells.slice(2, 5), ['Folder', packageVersion, t.database.url ? 'PostgreSQL' : 'SQLite']);
    await screenshot(page, 'auth-backups');
  });

  it('Download serves the archive under its name', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: `Download ${name}` }).click()]);
    assert.equal(download.suggestedFilename(), name);
    assert.equal(await sha256OfFile(await download.path()), await sha256OfFile(path.join(dir(), name)));
  });

  it('Delete asks in a dialog; confirming removes the row and the file', async () => {
    await page.getByRole('button', { name: `Delete ${name}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this backup?' });
    await dialog.getByText(name).waitFor();
    await dialog.getByRole('button', { name: 'Delete backup' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('No backups yet.').waitFor();
    assert.ok(!fs.existsSync(path.join(dir(), name)));
  });

  it('a failed scheduled backup is an error banner until a backup succeeds', async () => {
    // The folder replaced by a file: the next backup cannot be written there.
    fs.rmSync(dir(), { recursive: true, force: true });
    fs.writeFileSync(dir(), 'not a folder');
    assert.equal(await t.app.scheduler.runNow('core.backup'), 'failed');
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /The last backup failed \(scheduled, .*\): .*(EEXIST|ENOTDIR)/ })
      .waitFor();
    await page.getByRole('alert').filter({ hasText: 'The backups could not be listed' }).waitFor();

    fs.rmSync(dir());
    await page.getByRole('button', { name: 'Back up now' }).click();
    await page.getByRole('status').filter({ hasText: 'Backed up:' }).waitFor();
    await row('new').waitFor();
    assert.equal(await page.getByRole('alert').count(), 0);
  });
});
