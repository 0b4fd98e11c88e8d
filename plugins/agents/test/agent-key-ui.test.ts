import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { sha256 } from 'plinth/plugin';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { launchBrowser, type TestBrowser, signIn } from '../../../test/helpers/browser.js';

// The Agents page's "key for an agent" in a browser: a preset instead of ticking scopes, the key in
// the client snippet once, then listed on API keys with exactly the preset's scopes. Needs dist/ui.

describe('agents UI: a key for an agent (browser)', () => {
  let t: TestApp;
  let owner: Actor;
  let browser: TestBrowser;
  let page: Page;
  const snippet = () => page.getByRole('figure', { name: 'client configuration' }).innerText();
  const presets = async () =>
    Object.fromEntries(
      (await t.request('GET', '/agents/key-presets', { headers: owner.headers })).body.presets.map((p: { id: string; scopes: string[] }) => [p.id, p.scopes]),
    );

  before(async () => {
    t = await createTestApp({ plugins: ['auth', 'licensing', 'mail', 'agents'] });
    owner = await registerOwner(t, 'agent-key-ui');
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

  it('an owner makes a read-only key with one click: the snippet holds the real key, shown once', async () => {
    await signIn(page, owner);
    await page.getByRole('navigation', { name: 'Admin sections' }).waitFor();
    await page.goto('/admin/agents');
    await page.getByRole('heading', { name: 'A key for an agent' }).waitFor();
    assert.match(await snippet(), /"Authorization": "Bearer mf_…"/);
    await page.getByLabel('Name').fill('claude desktop');
    await page.getByRole('radio', { name: /Read only/ }).check();
    await page.getByRole('button', { name: 'Make the key' }).click();
    await page.getByRole('heading', { name: 'Key "claude desktop" made' }).waitFor();

    const raw = /"Bearer (mf_[A-Za-z0-9_-]+)"/.exec(await snippet())?.[1];
    assert.ok(raw, await snippet());
    const row = await t.app.db('auth_api_keys').where('name', 'claude desktop').first();
    assert.equal(row.key_hash, sha256(raw), 'the snippet holds the key that was made');
    assert.equal(row.tenant_id, owner.tenantId);
    const expected = (await presets()).read_only;
    assert.deepEqual(JSON.parse(row.scopes), expected);
    assert.ok(expected.length > 0 && expected.every((s: string) => s.endsWith(':read')));

    // Reloading forgets it: the placeholder again, the key nowhere on the page.
    await page.reload();
    await page.getByRole('heading', { name: 'A key for an agent' }).waitFor();
    assert.match(await snippet(), /"Authorization": "Bearer mf_…"/);
    assert.ok(!(await page.content()).includes(raw));
  });

  it('"everything my plan allows", then the key is listed on API keys with exactly the preset’s scopes; custom leads there', async () => {
    await page.getByLabel('Name').fill('all of it');
    await page.getByRole('radio', { name: /Everything my plan allows/ }).check();
    await page.getByRole('button', { name: 'Make the key' }).click();
    await page.getByRole('heading', { name: 'Key "all of it" made' }).waitFor();
    const everything = (await presets()).everything as string[];
    assert.ok(everything.includes('licenses:manage') && !everything.some((s) => s.startsWith('platform:')));
    assert.deepEqual(JSON.parse((await t.app.db('auth_api_keys').where('name', 'all of it').first()).scopes), everything);

    await page.getByRole('link', { name: 'API keys' }).first().click();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    const listed = page.getByRole('row').filter({ hasText: 'all of it' });
    await listed.waitFor();
    assert.ok((await listed.innerText()).includes(everything.join(', ')), await listed.innerText());
    const readOnly = page.getByRole('row').filter({ hasText: 'claude desktop' });
    assert.ok((await readOnly.innerText()).includes((await presets()).read_only.join(', ')));
  });
});
