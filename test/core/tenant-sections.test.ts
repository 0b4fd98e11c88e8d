// The operator's tenant page in the viewer's language (issue 40): every word a built-in plugin's
// section writes (a title, a fact's label and words value, a column, a cell of fixed words) and every
// row label of the deletion's list comes with a message in a catalogue whose English reads as the
// server's English, for a tenant with a row in each section (members, an API key, a robot, a mailbox,
// a license, a payment and an open plan-change request).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TenantDeletion, TenantSection } from '../../core/overview/tenant.js';
import { type Actor, addUser, login, registerOwner } from '../helpers/actors.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { assertMessageReads } from '../helpers/card-words.js';

const PLUGINS = ['auth', 'licensing', 'robots', 'mail', 'ai', 'workflows', 'agents', 'billing'];
const ADMIN = { email: 'operator@tenant-sections.test', password: 'Operator-pass-for-sections-42' };
const LIMITS = { loginPerIpPerMinute: 10_000, loginFailuresPerAccount: 1_000, refreshPerIpPerMinute: 10_000, mailRequestsPerIpPerHour: 10_000 };
const PAYMENT = { amount: 4900, currency: 'USD', method: 'bank_transfer', period_start: '2026-12-01', period_end: '2026-12-31', reference: 'TRX-1' };

/** Each word of a section has its message, reading as the server's English. */
function assertSectionWords(s: TenantSection): void {
  assertMessageReads(s.title, s.messages?.title, `${s.id}: its title`);
  for (const fact of s.facts ?? []) {
    assertMessageReads(fact.label, fact.messages?.label, `${s.id}: a fact's label`);
    if (fact.messages?.value) assertMessageReads(String(fact.value), fact.messages.value, `${s.id}: ${fact.label}'s value`);
  }
  const table = s.table;
  if (!table) return;
  table.columns.forEach((column, i) => assertMessageReads(column, table.messages?.columns?.[i], `${s.id}: a column`));
  table.rows.forEach((row, r) =>
    row.forEach((cell, i) => {
      const message = table.messages?.cells?.[r]?.[i];
      if (message) assertMessageReads(String(cell), message, `${s.id}: a ${table.columns[i]} cell`);
    }),
  );
}

describe("the tenant page's sections in the viewer's language", () => {
  let t: TestApp;
  let root: Actor;
  let owner: Actor;
  const api = (method: string, path: string, who: Actor, body?: unknown) => t.request(method, `/api/v2${path}`, { headers: who.headers, body });

  before(async () => {
    t = await createTestApp({ plugins: PLUGINS, settings: { auth: { admin: ADMIN, limits: LIMITS } } });
    root = await login(t, ADMIN.email, ADMIN.password);
    owner = await registerOwner(t, 'owner', { email: 'owner@sections.test', fullName: 'Olga Owner', tenantName: 'Sections Ltd' });
    await addUser(t, owner.tenantId, 'member', { email: 'member@sections.test' });
    assert.equal((await api('POST', '/api-keys', owner, { name: 'ci', scopes: ['users:read'] })).status, 201);
    const db = t.app.db;
    const now = new Date().toISOString();
    await db('robots_robots').insert({
      robot_id: 'robot_s',
      robot_uuid: randomUUID(),
      tenant_id: owner.tenantId,
      name: 'Front door',
      created_at: now,
      updated_at: now,
    });
    await db('mail_mailboxes').insert({ tenant_id: owner.tenantId, address: 'box@mail.test', domain: 'mail.test', created_at: now });
    await db('licensing_licenses').insert({
      license_id: 'LIC-SECTIONS',
      tenant_id: owner.tenantId,
      activation_code: 'CODE-S',
      plan: 'custom',
      device_cap: 2,
      issued_at: now,
      created_at: now,
      updated_at: now,
    });
    const paid = await api('POST', `/admin/tenants/${owner.tenantId}/payments`, root, PAYMENT);
    assert.equal(paid.status, 201, paid.text);
    const asked = await api('POST', '/billing/plan-change-requests', owner, { plan_id: 'pro', billing_cycle: 'yearly' });
    assert.equal(asked.status, 201, asked.text);
  });
  after(() => t?.close());

  it('every built-in section says its words by a message that reads as its English', async () => {
    const res = await api('GET', `/admin/tenants/${owner.tenantId}/sections`, root);
    assert.equal(res.status, 200, res.text);
    const sections = res.body.sections as TenantSection[];
    const ids = sections.map((s) => s.id);
    for (const id of ['auth.members', 'auth.api-keys', 'auth.audit', 'robots.robots', 'mail.mailboxes', 'licensing.licenses', 'billing.plan']) {
      assert.ok(ids.includes(id), `a section ${id} among ${ids.join(', ')}`);
    }
    for (const s of sections) {
      assert.ok(!s.error, `${s.id}: ${s.error}`);
      assertSectionWords(s);
    }
    const billing = sections.find((s) => s.id === 'billing.plan');
    assert.match(String(billing?.facts?.find((f) => f.label === 'Plan-change request')?.value), /^open: .* → Pro, yearly/);
  });

  it("every row of the deletion's list has a message reading as its label", async () => {
    const res = await api('GET', `/admin/tenants/${owner.tenantId}/deletion`, root);
    assert.equal(res.status, 200, res.text);
    const goes = res.body.goes as TenantDeletion[];
    assert.ok(goes.length >= 5, JSON.stringify(goes));
    for (const p of goes) for (const row of p.rows) assertMessageReads(row.label, row.message, `${p.plugin}: a deletion row`);
  });
});
