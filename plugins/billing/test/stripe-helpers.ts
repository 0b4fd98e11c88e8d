// Shared by the stripe-*.test.ts files: a real app (auth + billing) whose Stripe adapter talks to
// the local fake (test/helpers/fake-stripe.ts), owners from /auth/register, the superadmin from
// settings.auth.admin, and the rows the tests look at.
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { createTestApp, type Reply, type TestApp } from '../../../test/helpers/app.js';
import type { FakeStripe } from '../../../test/helpers/fake-stripe.js';
import { type Actor, login } from '../../../test/helpers/actors.js';

export const API = '/api/v2';
export const ADMIN = { email: 'billing-operator@plinth.test', password: 'Operator-pass-2026!' };
export const PUBLIC_URL = 'http://plinth.test';

/** Generous auth limits: these tests register and log in more often than a person would. */
const LIMITS = { loginPerIpPerMinute: 10_000, loginFailuresPerAccount: 1_000, refreshPerIpPerMinute: 10_000, mailRequestsPerIpPerHour: 10_000 };

export interface BillingApp extends TestApp {
  db: Knex;
  api<T = any>(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string>; raw?: string }): Promise<Reply<T>>;
}

/** An app with auth + billing; with `fake`, Stripe is configured against it, else payments are off. */
export async function startBillingApp(fake: FakeStripe | null, billing: Record<string, unknown> = {}): Promise<BillingApp> {
  const t = await createTestApp({
    plugins: ['auth', 'billing'],
    settings: {
      auth: { admin: ADMIN, limits: LIMITS },
      billing: { ...(fake ? { stripe: fake.settings } : {}), ...billing },
    },
  });
  const app = t as BillingApp;
  app.db = t.app.db;
  app.api = (method, path, options = {}) => t.request(method, `${API}${path}`, options);
  return app;
}

export const loginAdmin = (t: BillingApp) => login(t, ADMIN.email, ADMIN.password);

/** Asserts a `{detail, code}` error and returns the body. */
export function assertError(res: Reply, status: number, code?: string): any {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text}`);
  assert.equal(typeof res.body?.detail, 'string', res.text);
  if (code) assert.equal(res.body.code, code, res.text);
  return res.body;
}

export const count = async (q: Knex.QueryBuilder): Promise<number> => Number(((await q.count({ n: '*' })) as Array<{ n: number | string }>)[0].n);

export async function subscriptionRow(t: BillingApp, tenantId: string): Promise<Record<string, any>> {
  const row = await t.db('billing_subscriptions').where('tenant_id', tenantId).first();
  assert.ok(row, `no billing_subscriptions row for ${tenantId}`);
  return {
    ...row,
    cancel_at_period_end: Boolean(row.cancel_at_period_end),
    stripe_event_created: row.stripe_event_created === null ? null : Number(row.stripe_event_created),
  };
}

export async function planRow(t: BillingApp, id: string): Promise<Record<string, any>> {
  const row = await t.db('billing_plans').where('id', id).first();
  assert.ok(row, `no plan ${id}`);
  return row;
}

/** billing.subscription.changed events of one tenant, oldest first, payloads parsed. */
export async function changedEvents(t: BillingApp, tenantId: string): Promise<Array<Record<string, any>>> {
  const rows = await t.db('core_events').where({ name: 'billing.subscription.changed', tenant_id: tenantId }).orderBy('id');
  return rows.map((r: Record<string, any>) => ({ ...r, payload: JSON.parse(r.payload) }));
}

export async function stripeEventRows(t: BillingApp): Promise<Array<Record<string, any>>> {
  const rows = await t.db('billing_stripe_events').orderBy('processed_at').orderBy('id');
  return rows.map((r: Record<string, any>) => ({ ...r, created: Number(r.created) }));
}

/** Syncs every plan to the fake as the superadmin (so checkouts have prices). */
export async function syncAll(t: BillingApp, admin: Actor): Promise<Record<string, any>> {
  const res = await t.api('POST', '/admin/plans/stripe-sync-all', { headers: admin.headers });
  assert.equal(res.status, 200, res.text);
  return Object.fromEntries(res.body.synced.map((p: Record<string, any>) => [p.id, p]));
}

/**
 * An owner goes through checkout for a plan and pays: POST /billing/checkout, the fake completes
 * the session (customer + subscription), and Stripe's checkout.session.completed is delivered.
 */
export async function subscribeThroughCheckout(
  t: BillingApp,
  fake: FakeStripe,
  owner: Actor,
  planId = 'pro',
  cycle: 'monthly' | 'yearly' = 'monthly',
  created?: number,
) {
  const checkout = await t.api('POST', '/billing/checkout', { headers: owner.headers, body: { plan_id: planId, billing_cycle: cycle } });
  assert.equal(checkout.status, 200, checkout.text);
  const paid = fake.completeCheckout(checkout.body.session_id);
  const event = fake.event('checkout.session.completed', paid.session, created ? { created } : {});
  const delivery = await fake.deliver(t, event);
  assert.equal(delivery.status, 200, delivery.text);
  assert.equal(delivery.body.outcome, 'applied', delivery.text);
  return { ...paid, event, checkout: checkout.body };
}
