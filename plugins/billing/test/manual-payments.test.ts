// Issue 40, "Billing without Stripe", over the API on a real database (SQLite, or PostgreSQL with
// DATABASE_URL): the operator records payments that extend a tenant's paid-through date; a customer
// reads them and asks for another plan, which reaches the operator as an alert and a mail through a
// real SMTP relay, and is approved (the plan changes, once) or declined with a reason. Customers can
// neither record payments nor see another tenant's rows; every change leaves an audit row.
import assert from 'node:assert/strict';
import { simpleParser } from 'mailparser';
import { type Actor, addUser, login, registerOwner } from '../../../test/helpers/actors.js';
import type { TenantSection } from 'plinth/plugin';
import { createTestApp } from '../../../test/helpers/app.js';
import { startRelay } from '../../../test/helpers/smtp-relay.js';
import { requestAlertKey } from '../services/manual.js';
import { assertError, assertValidation, count, eventRows, MISSING_ID, type BillingApp } from './metering-helpers.js';

const ADMIN = { email: 'operator@manual-billing.test', password: 'Operator-pass-for-manual-42' };
const LIMITS = { loginPerIpPerMinute: 10_000, loginFailuresPerAccount: 1_000, refreshPerIpPerMinute: 10_000, mailRequestsPerIpPerHour: 10_000 };

const PAYMENT = { amount: 4900, currency: 'USD', method: 'bank_transfer', period_start: '2026-12-01', period_end: '2026-12-31', reference: 'TRX-1001' };

describe('billing without Stripe: manual payments and plan-change requests (API)', () => {
  let t: BillingApp;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let admin: Actor;
  let owner: Actor;
  let member: Actor;
  let other: Actor;

  before(async () => {
    relay = await startRelay();
    const app = await createTestApp({
      plugins: ['auth', 'billing'],
      settings: { auth: { admin: ADMIN, limits: LIMITS } },
      overrides: { mailer: { smtpUrl: relay.url } },
    });
    t = app as BillingApp;
    t.db = app.app.db;
    t.api = (method, path, opts = {}) => app.request(method, `/api/v2${path}`, opts);
    admin = await login(t, ADMIN.email, ADMIN.password);
    owner = await registerOwner(t, 'owner', { tenantName: 'Hand-paid shop' });
    member = await addUser(t, owner.tenantId, 'member');
    other = await registerOwner(t, 'other', { tenantName: 'Other shop' });
  });
  after(async () => {
    await t?.close();
    await relay?.close();
  });

  const auditRows = (action: string, targetId?: string) =>
    t
      .db('auth_audit_logs')
      .where({ action, ...(targetId ? { target_id: targetId } : {}) })
      .orderBy('id');
  const record = (tenantId: string, body: Record<string, unknown>, who: Actor = admin) =>
    t.api('POST', `/admin/tenants/${tenantId}/payments`, { headers: who.headers, body });
  const ask = (who: Actor, body: Record<string, unknown>) => t.api('POST', '/billing/plan-change-requests', { headers: who.headers, body });

  describe('payments', () => {
    it('the operator records one: 201 with the row, the paid-through date set in the database, an event and an audit row', async () => {
      const res = await record(owner.tenantId, PAYMENT);
      assert.equal(res.status, 201, res.text);
      const { payment, paid_through } = res.body;
      assert.equal(paid_through, '2026-12-31');
      assert.deepEqual(
        [payment.tenant_id, payment.amount, payment.currency, payment.method, payment.period_start, payment.period_end, payment.reference, payment.plan_id],
        [owner.tenantId, 4900, 'usd', 'bank_transfer', '2026-12-01', '2026-12-31', 'TRX-1001', 'free'],
      );
      const row = await t.db('billing_payments').where('id', payment.id).first();
      assert.equal(Number(row.amount), 4900);
      assert.equal(row.recorded_by, admin.id);
      assert.equal((await t.db('billing_subscriptions').where('tenant_id', owner.tenantId).first()).paid_through, '2026-12-31');

      await t.app.events.flush();
      const events = (await eventRows(t, 'billing.payment.recorded')).filter((e) => e.payload.payment_id === payment.id);
      assert.equal(events.length, 1);
      assert.equal(events[0].tenant_id, owner.tenantId, "the tenant's workflows may act on it");
      assert.deepEqual([events[0].payload.amount, events[0].payload.currency, events[0].payload.paid_through], [4900, 'usd', '2026-12-31']);

      const audit = await auditRows('admin.tenant.payment_recorded', payment.id);
      assert.equal(audit.length, 1);
      assert.deepEqual([audit[0].tenant_id, audit[0].actor_id, audit[0].target_type], [owner.tenantId, admin.id, 'payment']);
      assert.equal(JSON.parse(audit[0].details).amount, 4900);
    });

    it('a later period extends the paid-through date; an earlier one (a late payment for a past month) leaves it', async () => {
      const later = await record(owner.tenantId, { ...PAYMENT, period_start: '2027-01-01', period_end: '2027-03-31', method: 'cash', reference: undefined });
      assert.equal(later.status, 201, later.text);
      assert.equal(later.body.paid_through, '2027-03-31');
      const earlier = await record(owner.tenantId, { ...PAYMENT, period_start: '2026-10-01', period_end: '2026-10-31', currency: 'eur', amount: 1 });
      assert.equal(earlier.status, 201, earlier.text);
      assert.equal(earlier.body.paid_through, '2027-03-31');
      assert.equal((await t.db('billing_subscriptions').where('tenant_id', owner.tenantId).first()).paid_through, '2027-03-31');
      assert.equal((await auditRows('admin.tenant.payment_recorded').where('tenant_id', owner.tenantId)).length, 3);
    });

    it('both sides see them: the operator per tenant, the owner and a member their own, newest first, with paid_through on the subscription', async () => {
      const operator = await t.api('GET', `/admin/tenants/${owner.tenantId}/payments`, { headers: admin.headers });
      assert.equal(operator.status, 200, operator.text);
      assert.equal(operator.body.paid_through, '2027-03-31');
      assert.deepEqual(
        operator.body.items.map((p: { period_end: string }) => p.period_end),
        ['2026-10-31', '2027-03-31', '2026-12-31'],
      );
      for (const who of [owner, member]) {
        const own = await t.api('GET', '/billing/payments', { headers: who.headers });
        assert.equal(own.status, 200, own.text);
        assert.deepEqual(own.body, operator.body);
        const one = await t.api('GET', `/billing/payments/${own.body.items[0].id}`, { headers: who.headers });
        assert.equal(one.status, 200, one.text);
        assert.deepEqual(one.body, own.body.items[0]);
      }
      assert.equal((await t.api('GET', '/billing/subscription', { headers: owner.headers })).body.paid_through, '2027-03-31');
      assert.equal((await t.api('GET', `/admin/tenants/${owner.tenantId}/subscription`, { headers: admin.headers })).body.paid_through, '2027-03-31');
      const none = await t.api('GET', '/billing/payments', { headers: other.headers });
      assert.deepEqual(none.body, { paid_through: null, items: [] });
      assert.equal((await t.api('GET', '/billing/subscription', { headers: other.headers })).body.paid_through, null);
    });

    it('a customer cannot record a payment, not even for their own tenant (403), nor list another tenant’s (403); nothing is written', async () => {
      const before = await count(t.db('billing_payments'));
      for (const who of [owner, member, other]) {
        assertError(await record(owner.tenantId, PAYMENT, who), 403);
        assertError(await t.api('GET', `/admin/tenants/${owner.tenantId}/payments`, { headers: who.headers }), 403);
      }
      assert.equal((await t.api('POST', `/api/v2/admin/tenants/${owner.tenantId}/payments`, { body: PAYMENT })).status, 404, 'the prefix is once');
      assertError(await t.request('POST', `/api/v2/admin/tenants/${owner.tenantId}/payments`, { body: PAYMENT }), 401);
      assert.equal(await count(t.db('billing_payments')), before);
      assert.equal((await t.db('billing_subscriptions').where('tenant_id', other.tenantId).first())?.paid_through ?? null, null);
    });

    it("another tenant's payment is a 404 to a customer, as one that never was", async () => {
      const [mine] = (await t.api('GET', '/billing/payments', { headers: owner.headers })).body.items;
      const theirs = assertError(await t.api('GET', `/billing/payments/${mine.id}`, { headers: other.headers }), 404);
      const missing = assertError(await t.api('GET', `/billing/payments/${MISSING_ID}`, { headers: other.headers }), 404);
      assert.equal(theirs.code, missing.code);
      assert.ok(!JSON.stringify(theirs).includes('4900'));
      assertValidation(await t.api('GET', '/billing/payments/not-a-uuid', { headers: other.headers }));
    });

    it('amounts and periods are validated: 422 naming the field, nothing written', async () => {
      const before = await count(t.db('billing_payments'));
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ ...PAYMENT, amount: 0 }, 'body.amount'],
        [{ ...PAYMENT, amount: -500 }, 'body.amount'],
        [{ ...PAYMENT, amount: 49.5 }, 'body.amount'],
        [{ ...PAYMENT, amount: '4900' }, 'body.amount'],
        [{ ...PAYMENT, amount: 1e16 }, 'body.amount'],
        [{ ...PAYMENT, currency: 'dollars' }, 'body.currency'],
        [{ ...PAYMENT, currency: 'xqq' }, 'body.currency'],
        [{ ...PAYMENT, method: 'bitcoin' }, 'body.method'],
        [{ ...PAYMENT, period_end: '2026-11-30' }, 'body.period_end'],
        [{ ...PAYMENT, period_end: '2026-12-01' }, 'body.period_end'],
        [{ ...PAYMENT, period_start: '2026-02-30' }, 'body.period_start'],
        [{ ...PAYMENT, period_start: '0202-12-01' }, 'body.period_start'],
        [{ ...PAYMENT, period_end: "2026-12-31'; drop table billing_payments; --" }, 'body.period_end'],
        [{ ...PAYMENT, reference: 'x'.repeat(201) }, 'body.reference'],
        [{ ...PAYMENT, tenant_id: other.tenantId }, 'body.tenant_id'],
      ];
      for (const [body, field] of cases) {
        const locs = assertValidation(await record(owner.tenantId, body));
        assert.ok(locs.includes(field), `${JSON.stringify(body)} → ${locs}`);
      }
      const { amount: _a, ...noAmount } = PAYMENT;
      assert.ok(assertValidation(await record(owner.tenantId, noAmount)).includes('body.amount'));
      assertError(await record(MISSING_ID, PAYMENT), 404);
      assertValidation(await record('not-a-tenant', PAYMENT));
      assert.equal(await count(t.db('billing_payments')), before);
      assert.equal((await t.db('billing_subscriptions').where('tenant_id', owner.tenantId).first()).paid_through, '2027-03-31');
    });
  });

  describe('plan-change requests', () => {
    let requestId: string;

    it('a member may not ask (403); the owner asks for Pro: 201 open, an event, an audit row', async () => {
      assertError(await ask(member, { plan_id: 'pro' }), 403);
      const res = await ask(owner, { plan_id: 'pro', billing_cycle: 'yearly', message: 'We need more keys for the spring season.' });
      assert.equal(res.status, 201, res.text);
      requestId = res.body.id;
      assert.deepEqual(
        [res.body.status, res.body.tenant_id, res.body.from_plan_id, res.body.plan_id, res.body.billing_cycle, res.body.reason],
        ['open', owner.tenantId, 'free', 'pro', 'yearly', null],
      );
      assert.equal((await t.db('billing_plan_requests').where('id', requestId).first()).requested_by, owner.id);
      await t.app.events.flush();
      const events = (await eventRows(t, 'billing.plan_change.requested')).filter((e) => e.payload.request_id === requestId);
      assert.equal(events.length, 1);
      assert.equal(events[0].tenant_id, owner.tenantId);
      assert.equal((await auditRows('billing.plan_change.requested', requestId)).length, 1);
    });

    it('it reaches the operator: an open alert (the Overview and System page list it) and a mail through the relay', async () => {
      const [alert] = await t.db('core_alerts').where('key', requestAlertKey(owner.tenantId)).whereNull('cleared_at');
      assert.ok(alert, 'an open alert');
      assert.match(alert.summary, /Hand-paid shop.*Free.*Pro/);
      const overview = await t.request('GET', '/admin/api/overview', { headers: admin.headers });
      assert.equal(overview.status, 200, overview.text);
      const requests = overview.body.cards.find((c: { id: string }) => c.id === 'billing.plan_requests');
      assert.deepEqual([requests.value, requests.tone, requests.href], [1, 'warn', `/admin/billing/tenant?tenant=${owner.tenantId}`]);
      assert.deepEqual(requests.items, [
        {
          label: 'Hand-paid shop',
          value: 'Free → Pro',
          href: `/admin/billing/tenant?tenant=${owner.tenantId}`,
          tone: 'warn',
          // The seeded plans' names, said in the viewer's language; the tenant's name is data.
          messages: {
            value: {
              id: 'billing.overview.requests.item',
              values: { from: { id: 'billing.seed.free.name', text: 'Free' }, to: { id: 'billing.seed.pro.name', text: 'Pro' } },
            },
          },
        },
      ]);
      const customerView = await t.request('GET', '/admin/api/overview', { headers: owner.headers });
      assert.ok(!customerView.body.cards.some((c: { id: string }) => c.id === 'billing.plan_requests'), 'the operator’s card only');
      const card = overview.body.cards.find((c: { id: string }) => c.id === 'core.alerts');
      const item = card.items.find((i: { label: string }) => i.label.includes('Hand-paid shop'));
      assert.ok(item, JSON.stringify(card));
      assert.deepEqual(item.messages.label, { id: 'billing.alert.planRequest', values: { tenant: 'Hand-paid shop', from: 'Free', to: 'Pro' } });

      await t.app.events.flush();
      const parsed = await Promise.all(relay.received.map(async (m) => ({ to: m.to, mail: await simpleParser(m.raw) })));
      const mails = parsed.filter((m) => m.mail.subject?.startsWith('[Plinth warning] Plan change requested: tenant "Hand-paid shop"'));
      assert.equal(mails.length, 1, parsed.map((m) => m.mail.subject).join('\n'));
      assert.deepEqual(mails[0].to, [ADMIN.email]);
      assert.equal(mails[0].mail.subject, '[Plinth warning] Plan change requested: tenant "Hand-paid shop" asks to move from Free to Pro');
      const text = mails[0].mail.text ?? '';
      assert.match(text, /spring season/);
      assert.match(text, new RegExp(`/admin/billing/tenant\\?tenant=${owner.tenantId}`));
    });

    it('one open request at a time (409 request_open, also when two are sent at once); a plan not on offer is a 404', async () => {
      assertError(await ask(owner, { plan_id: 'business' }), 409, 'request_open');
      assertError(await ask(owner, { plan_id: 'operator' }), 404, 'plan_not_found');
      assertError(await ask(other, { plan_id: 'operator' }), 404, 'plan_not_found');
      assertError(await ask(other, { plan_id: 'nope' }), 404, 'plan_not_found');
      assertError(await ask(other, { plan_id: 'free' }), 409, 'already_on_plan');
      assert.ok(assertValidation(await ask(other, { plan_id: 'pro', billing_cycle: 'weekly' })).includes('body.billing_cycle'));
      assert.ok(assertValidation(await ask(other, { plan_id: 'pro', message: 'x'.repeat(1001) })).includes('body.message'));

      const both = await Promise.all([ask(other, { plan_id: 'pro' }), ask(other, { plan_id: 'business' })]);
      assert.deepEqual(both.map((r) => r.status).sort(), [201, 409], both.map((r) => r.text).join('\n'));
      assert.equal(await count(t.db('billing_plan_requests').where({ tenant_id: other.tenantId, status: 'open' })), 1);
      assert.equal(await count(t.db('billing_plan_requests').where({ tenant_id: owner.tenantId })), 1);
    });

    it("the operator's tenant page has billing's section: plan, paid-through date, the open request and the latest payments", async () => {
      const page = await t.api('GET', `/admin/tenants/${owner.tenantId}/sections`, { headers: admin.headers });
      assert.equal(page.status, 200, page.text);
      assertError(await t.api('GET', `/admin/tenants/${owner.tenantId}/sections`, { headers: owner.headers }), 403);
      const sections: TenantSection[] = page.body.sections;
      const billing = sections.find((x) => x.id === 'billing.plan');
      assert.ok(billing, JSON.stringify(sections));
      const facts = Object.fromEntries((billing.facts ?? []).map((f) => [f.label, f.value]));
      assert.equal(facts.Plan, 'Free (monthly)');
      assert.equal(facts['Paid through'], '2027-03-31');
      assert.match(String(facts['Plan-change request']), /^open: Free → Pro, yearly/);
      assert.equal(billing.href, `/admin/billing/tenant?tenant=${owner.tenantId}`);
      assert.deepEqual(
        billing.table?.rows.map((r) => r[1]),
        ['0.01 EUR', '49.00 USD', '49.00 USD'],
      );
      assert.equal(billing.table?.total, 3);
      const [operator] = (await t.app.container.resolve('tenantParts').sections(admin.tenantId)).filter((x) => x.id === 'billing.plan');
      const operatorFacts = Object.fromEntries((operator.facts ?? []).map((f) => [f.label, f.value]));
      assert.deepEqual([operatorFacts['Paid through'], operatorFacts['Plan-change request']], ['no payment recorded', 'none open']);
      assert.deepEqual(operator.table?.rows, []);
    });

    it("a customer sees their own requests only; another tenant's is a 404 to read or withdraw, and forbidden to resolve", async () => {
      const mine = await t.api('GET', '/billing/plan-change-requests', { headers: member.headers });
      assert.equal(mine.status, 200, mine.text);
      assert.deepEqual(
        mine.body.items.map((r: { id: string }) => r.id),
        [requestId],
      );
      const theirs = assertError(await t.api('GET', `/billing/plan-change-requests/${requestId}`, { headers: other.headers }), 404);
      assert.ok(!JSON.stringify(theirs).includes('spring'));
      assertError(await t.api('POST', `/billing/plan-change-requests/${requestId}/withdraw`, { headers: other.headers }), 404);
      for (const who of [owner, other]) {
        assertError(await t.api('POST', `/admin/tenants/${owner.tenantId}/plan-change-requests/${requestId}/approve`, { headers: who.headers }), 403);
        assertError(
          await t.api('POST', `/admin/tenants/${owner.tenantId}/plan-change-requests/${requestId}/decline`, { headers: who.headers, body: { reason: 'no' } }),
          403,
        );
      }
      // The operator names the request under its own tenant only.
      assertError(await t.api('POST', `/admin/tenants/${other.tenantId}/plan-change-requests/${requestId}/approve`, { headers: admin.headers }), 404);
      assert.equal((await t.db('billing_plan_requests').where('id', requestId).first()).status, 'open');
      assert.equal((await t.db('billing_subscriptions').where('tenant_id', owner.tenantId).first()).plan_id, 'free');
    });

    it('approve: the tenant is on Pro, yearly; approving again changes nothing (one event, one audit row); the alert clears', async () => {
      const url = `/admin/tenants/${owner.tenantId}/plan-change-requests/${requestId}/approve`;
      const first = await t.api('POST', url, { headers: admin.headers });
      assert.equal(first.status, 200, first.text);
      assert.deepEqual([first.body.status, first.body.resolved_by], ['approved', admin.id]);
      const sub = await t.db('billing_subscriptions').where('tenant_id', owner.tenantId).first();
      assert.deepEqual([sub.plan_id, sub.billing_cycle, sub.provider, sub.paid_through], ['pro', 'yearly', 'manual', '2027-03-31']);
      assert.equal((await t.api('GET', '/billing/subscription', { headers: owner.headers })).body.plan_id, 'pro', 'the limits cache follows');

      const again = await t.api('POST', url, { headers: admin.headers });
      assert.equal(again.status, 200, again.text);
      assert.deepEqual(again.body, first.body);
      const both = await Promise.all([t.api('POST', url, { headers: admin.headers }), t.api('POST', url, { headers: admin.headers })]);
      assert.deepEqual(
        both.map((r) => r.status),
        [200, 200],
      );

      await t.app.events.flush();
      assert.equal((await eventRows(t, 'billing.plan_change.resolved')).filter((e) => e.payload.request_id === requestId).length, 1);
      const changed = (await eventRows(t, 'billing.subscription.changed')).filter((e) => e.tenant_id === owner.tenantId);
      assert.equal(changed.length, 1);
      assert.deepEqual([changed[0].payload.previous_plan_id, changed[0].payload.plan_id], ['free', 'pro']);
      assert.equal((await auditRows('admin.tenant.plan_change_approved', requestId)).length, 1);
      const [alert] = await t.db('core_alerts').where('key', requestAlertKey(owner.tenantId));
      assert.ok(alert.cleared_at, 'the alert is cleared');
      const overview = await t.request('GET', '/admin/api/overview', { headers: admin.headers });
      const requests = overview.body.cards.find((c: { id: string }) => c.id === 'billing.plan_requests');
      assert.ok(!requests.items.some((i: { label: string }) => i.label === 'Hand-paid shop'), JSON.stringify(requests));

      assertError(
        await t.api('POST', `/admin/tenants/${owner.tenantId}/plan-change-requests/${requestId}/decline`, { headers: admin.headers, body: { reason: 'late' } }),
        409,
        'request_resolved',
      );
    });

    it('decline with a reason: the customer reads it, the plan stays; a reason is required; the customer may ask again', async () => {
      const [open] = (await t.api('GET', '/billing/plan-change-requests', { headers: other.headers })).body.items;
      const url = `/admin/tenants/${other.tenantId}/plan-change-requests/${open.id}/decline`;
      assert.ok(assertValidation(await t.api('POST', url, { headers: admin.headers, body: {} })).includes('body.reason'));
      assert.ok(assertValidation(await t.api('POST', url, { headers: admin.headers, body: { reason: '   ' } })).includes('body.reason'));
      const res = await t.api('POST', url, { headers: admin.headers, body: { reason: 'Business needs a signed contract first.' } });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual([res.body.status, res.body.reason], ['declined', 'Business needs a signed contract first.']);
      const again = await t.api('POST', url, { headers: admin.headers, body: { reason: 'something else' } });
      assert.deepEqual(again.body, res.body, 'declining again changes nothing');
      assert.equal((await auditRows('admin.tenant.plan_change_declined', open.id)).length, 1);
      assertError(
        await t.api('POST', `/admin/tenants/${other.tenantId}/plan-change-requests/${open.id}/approve`, { headers: admin.headers }),
        409,
        'request_resolved',
      );

      const seen = await t.api('GET', `/billing/plan-change-requests/${open.id}`, { headers: other.headers });
      assert.deepEqual([seen.body.status, seen.body.reason], ['declined', 'Business needs a signed contract first.']);
      assert.equal((await t.db('billing_subscriptions').where('tenant_id', other.tenantId).first()).plan_id, 'free');
      assert.ok((await t.db('core_alerts').where('key', requestAlertKey(other.tenantId)).first()).cleared_at);

      const next = await ask(other, { plan_id: 'pro' });
      assert.equal(next.status, 201, next.text);
      const withdrawn = await t.api('POST', `/billing/plan-change-requests/${next.body.id}/withdraw`, { headers: other.headers });
      assert.equal(withdrawn.status, 200, withdrawn.text);
      assert.equal(withdrawn.body.status, 'withdrawn');
      assert.equal((await auditRows('billing.plan_change.withdrawn', next.body.id)).length, 1);
      assert.equal(await count(t.db('core_alerts').where('key', requestAlertKey(other.tenantId)).whereNull('cleared_at')), 0);
    });

    it('the routes are in /openapi.json', async () => {
      const spec = (await t.request('GET', '/openapi.json')).body;
      for (const path of [
        '/api/v2/admin/tenants/{id}/payments',
        '/api/v2/admin/tenants/{id}/plan-change-requests/{requestId}/approve',
        '/api/v2/billing/plan-change-requests',
        '/api/v2/billing/payments/{paymentId}',
      ]) {
        assert.ok(spec.paths[path], `${path} in ${Object.keys(spec.paths).filter((p) => p.includes('billing') || p.includes('payments'))}`);
      }
    });
  });

  describe('deleting a tenant', () => {
    it('its payments and requests go with it, and the alert of its open request clears', async () => {
      const victim = await registerOwner(t, 'victim');
      assert.equal((await record(victim.tenantId, PAYMENT)).status, 201);
      assert.equal((await ask(victim, { plan_id: 'pro' })).status, 201);
      const preview = await t.api('GET', `/admin/tenants/${victim.tenantId}/deletion`, { headers: admin.headers });
      assert.equal(preview.status, 200, preview.text);
      const billing = preview.body.goes.find((p: { plugin: string }) => p.plugin === 'billing');
      assert.deepEqual(billing?.rows, [
        { label: 'payment', count: 1 },
        { label: 'plan-change request', count: 1 },
      ]);
      const del = await t.api('DELETE', `/admin/tenants/${victim.tenantId}`, { headers: admin.headers });
      assert.equal(del.status, 204, del.text);
      await t.app.events.flush();
      assert.equal(await count(t.db('billing_payments').where('tenant_id', victim.tenantId)), 0);
      assert.equal(await count(t.db('billing_plan_requests').where('tenant_id', victim.tenantId)), 0);
      assert.equal(await count(t.db('core_alerts').where('key', requestAlertKey(victim.tenantId)).whereNull('cleared_at')), 0);
    });
  });
});
