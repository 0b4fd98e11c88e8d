// The operator's tenant page in a real browser (needs the UI bundle: `npm run build`): Tenants and
// Users name tenants (no ids) and link their pages; a tenant's page shows every plugin's section;
// rename, suspend and unsuspend; the operator's own tenant offers neither Suspend nor Delete; Delete
// lists what goes, by plugin, and after it the tenant's rows are gone (the other tenant's stay).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { type Actor, addUser, registerOwner } from '../../../test/helpers/actors.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { launchBrowser, screenshot, signIn, type TestBrowser } from '../../../test/helpers/browser.js';

const ADMIN = { email: 'operator@plinth.test', password: 'Operator-pass-for-tenants-42' };

describe('auth admin UI: a tenant page, rename, suspend, delete (browser)', function () {
  this.timeout(90_000);
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let alpha: Actor;
  let beta: Actor;
  const db = () => t.app.db;
  const n = async (table: string, where: Record<string, unknown>) =>
    Number(((await db()(table).where(where).count({ n: '*' })) as Array<{ n: number | string }>)[0].n);
  const heading = (text: string) => page.getByRole('heading', { name: text, level: 1 }).waitFor();
  const row = (text: string) => page.getByRole('row').filter({ hasText: text });
  const openTenants = async () => {
    await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Tenants', exact: true }).click();
    await heading('Tenants');
  };

  async function seed(tenantId: string, tag: string) {
    const now = new Date().toISOString();
    await db()('robots_robots').insert({
      robot_id: `robot_${tag}`,
      robot_uuid: randomUUID(),
      tenant_id: tenantId,
      name: `Robot ${tag}`,
      created_at: now,
      updated_at: now,
    });
    await db()('mail_mailboxes').insert({ tenant_id: tenantId, address: `box-${tag}@mail.test`, domain: 'mail.test', created_at: now });
    await db()('licensing_licenses').insert({
      license_id: `LIC-${tag.toUpperCase().padEnd(8, 'X').slice(0, 8)}`,
      tenant_id: tenantId,
      activation_code: `CODE-${tag}`,
      plan: 'yearly',
      device_cap: 2,
      issued_at: now,
      created_at: now,
      updated_at: now,
    });
  }

  before(async () => {
    t = await createTestApp({ plugins: ['auth', 'licensing', 'robots', 'mail'], settings: { auth: { admin: ADMIN } } });
    alpha = await registerOwner(t, 'owner', { email: 'owner@alpha.test', fullName: 'Alice Alpha', tenantName: 'Alpha Corp' });
    await addUser(t, alpha.tenantId, 'member', { email: 'member@alpha.test' });
    beta = await registerOwner(t, 'owner', { email: 'owner@beta.test', fullName: 'Bob Beta', tenantName: 'Beta GmbH' });
    await seed(alpha.tenantId, 'alpha');
    await seed(beta.tenantId, 'beta');
    browser = await launchBrowser(t.url);
    page = browser.page;
    await signIn(page, ADMIN);
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
    }
  });

  it('Tenants lists names that link to their pages, no ids; no Suspend on the operator’s own tenant', async () => {
    await openTenants();
    const headers = await page.getByRole('columnheader').allTextContents();
    assert.ok(!headers.includes('Id'), headers.join(', '));
    for (const id of [alpha.tenantId, beta.tenantId]) assert.equal(await page.getByText(id.slice(0, 8)).count(), 0);
    await row('Alpha Corp').getByRole('button', { name: 'Suspend Alpha Corp' }).waitFor();
    const operator = row('operator');
    await operator.waitFor();
    assert.equal(await operator.getByRole('button').count(), 0, 'no action on the operator tenant');
  });

  it('Users shows each user’s tenant by name, linked to its page; no Suspend on one’s own row', async () => {
    await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Users', exact: true }).click();
    await heading('Users');
    const member = row('member@alpha.test');
    await member.getByRole('link', { name: 'Alpha Corp' }).waitFor();
    assert.equal(await member.getByText(alpha.tenantId.slice(0, 8)).count(), 0);
    await member.getByRole('button', { name: 'Suspend' }).waitFor();
    const own = row(ADMIN.email);
    await own.getByRole('button', { name: /^Sessions/ }).waitFor();
    assert.equal(await own.getByRole('button', { name: 'Suspend' }).count(), 0, 'no Suspend on one’s own row');
    await member.getByRole('link', { name: 'Alpha Corp' }).click();
    await heading('Alpha Corp');
  });

  it("a tenant's page: owner and members, API keys, robots, mailboxes, licenses, recent audit; nothing of another tenant", async () => {
    for (const title of ['Owner and members', 'API keys', 'Robots', 'Mailboxes', 'Licenses', 'Recent audit']) {
      await page.getByRole('heading', { name: title, level: 2 }).waitFor();
    }
    const members = page.getByRole('region', { name: 'Owner and members' });
    await members.getByRole('cell', { name: 'member@alpha.test' }).waitFor();
    await members.getByText('owner@alpha.test').first().waitFor();
    await page.getByRole('region', { name: 'Robots' }).getByRole('cell', { name: 'Robot alpha' }).waitFor();
    await page.getByRole('region', { name: 'Mailboxes' }).getByRole('cell', { name: 'box-alpha@mail.test' }).waitFor();
    await page.getByRole('region', { name: 'Licenses' }).getByRole('cell', { name: 'LIC-ALPHAXXX' }).waitFor();
    assert.equal(await page.getByText('beta', { exact: false }).count(), 0);
    await screenshot(page, 'tenant-page');
  });

  it('rename, suspend and unsuspend from the page; each is in the database and the audit log', async () => {
    await page.getByLabel('Name', { exact: true }).fill('Alpha Holdings');
    await page.getByRole('button', { name: 'Rename' }).click();
    await heading('Alpha Holdings');
    assert.equal((await db()('auth_tenants').where('id', alpha.tenantId).first()).name, 'Alpha Holdings');

    await page.getByRole('button', { name: 'Suspend', exact: true }).click();
    await page.getByRole('button', { name: 'Unsuspend' }).waitFor();
    assert.equal((await db()('auth_tenants').where('id', alpha.tenantId).first()).status, 'suspended');
    await page.getByRole('button', { name: 'Unsuspend' }).click();
    await page.getByRole('button', { name: 'Suspend', exact: true }).waitFor();
    assert.equal((await db()('auth_tenants').where('id', alpha.tenantId).first()).status, 'active');

    const details = (await db()('auth_audit_logs').where({ action: 'admin.tenant.updated', target_id: alpha.tenantId }).orderBy('id')).map((a: any) =>
      JSON.parse(a.details),
    );
    assert.deepEqual(details, [
      { name: 'Alpha Holdings', previous_name: 'Alpha Corp' },
      { status: 'suspended', previous_status: 'active' },
      { status: 'active', previous_status: 'suspended' },
    ]);
  });

  it('the operator’s own tenant page offers neither Suspend nor Delete', async () => {
    await openTenants();
    await row('operator').getByRole('link').click();
    await page.getByRole('heading', { name: 'Owner and members', level: 2 }).waitFor();
    await page.getByRole('button', { name: 'Rename' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Suspend' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Delete…' }).count(), 0);
  });

  it('Delete lists what goes by plugin, asks for the name, then the tenant and its rows are gone; the other tenant’s stay', async () => {
    await openTenants();
    await row('Alpha Holdings').getByRole('link', { name: 'Alpha Holdings' }).click();
    await heading('Alpha Holdings');
    await page.getByRole('button', { name: 'Delete…' }).click();
    const dialog = page.getByRole('dialog');
    const goes = dialog.getByRole('list', { name: 'What goes' });
    await goes.waitFor();
    const lines = await goes.getByRole('listitem').allTextContents();
    // Kinds with nothing to delete are left out.
    const expected = [/^Auth: 2 users, \d+ sessions?$/, /^Licensing: 1 license$/, /^Robots: 1 robot$/, /^Mail: 1 mailbox$/];
    assert.equal(lines.length, expected.length, lines.join(' | '));
    for (const line of expected)
      assert.ok(
        lines.some((l) => line.test(l)),
        `${line} in ${lines.join(' | ')}`,
      );
    // Without the name typed, nothing is deleted.
    await dialog.getByRole('button', { name: 'Delete tenant' }).click();
    await dialog.getByText('Type the tenant’s name to confirm.').waitFor();
    assert.equal(await n('auth_tenants', { id: alpha.tenantId }), 1);
    await dialog.getByLabel('Type “Alpha Holdings” to confirm').fill('Alpha Holdings');
    await dialog.getByRole('button', { name: 'Delete tenant' }).click();
    await page.getByRole('status').filter({ hasText: '“Alpha Holdings” and everything listed were deleted.' }).waitFor();

    for (const [table, where] of [
      ['auth_tenants', { id: alpha.tenantId }],
      ['auth_users', { tenant_id: alpha.tenantId }],
      ['robots_robots', { tenant_id: alpha.tenantId }],
      ['mail_mailboxes', { tenant_id: alpha.tenantId }],
      ['licensing_licenses', { tenant_id: alpha.tenantId }],
    ] as const) {
      assert.equal(await n(table, where), 0, table);
    }
    for (const table of ['robots_robots', 'mail_mailboxes', 'licensing_licenses']) assert.equal(await n(table, { tenant_id: beta.tenantId }), 1, table);
    await page.getByRole('link', { name: '← All tenants' }).click();
    await heading('Tenants');
    await row('Beta GmbH').waitFor();
    assert.equal(await row('Alpha Holdings').count(), 0);
  });
});
