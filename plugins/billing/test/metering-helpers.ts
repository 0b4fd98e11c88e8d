// Helpers for the metering tests (subscription, plans, usage, meter, periods, metered): a real app
// with auth + billing over real HTTP, tenant owners from /auth/register, and the rows to look at.
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { createTestApp, type Reply, type TestApp } from '../../../test/helpers/app.js';
import type { TestDatabase } from '../../../test/helpers/database.js';
import type { BillingServices } from '../services/index.js';
import type { Meter } from '../services/usage-meter.js';
import { login, type Actor } from '../../../test/helpers/actors.js';
import { billingServices } from '../services/own.js';

export const API = '/api/v2';
export const ADMIN = { email: 'operator@billing.test', password: 'Operator-pass-2026!' };
export const DAY = 86_400_000;
export const MISSING_ID = '00000000-0000-4000-8000-000000000000';

/** Generous limits: these tests register and log in far more often than a person would. */
const LIMITS = { loginPerIpPerMinute: 10_000, loginFailuresPerAccount: 1_000, refreshPerIpPerMinute: 10_000, mailRequestsPerIpPerHour: 10_000 };

export interface BillingApp extends TestApp {
  db: Knex;
  billing: BillingServices;
  /** The container's `usage`: the billing Meter. */
  meter: Meter;
  /** `request` under /api/v2. */
  api<T = any>(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string> }): Promise<Reply<T>>;
}

export interface BillingAppOptions {
  clock?: Clock;
  database?: TestDatabase;
  /** Beside auth and billing (e.g. 'example'). */
  extraPlugins?: string[];
  billing?: Record<string, unknown>;
  start?: boolean;
}

export async function startBillingApp(options: BillingAppOptions = {}): Promise<BillingApp> {
  const t = await createTestApp({
    plugins: ['auth', 'billing', ...(options.extraPlugins ?? [])],
    clock: options.clock,
    database: options.database,
    start: options.start,
    settings: { auth: { admin: ADMIN, limits: LIMITS }, ...(options.billing ? { billing: options.billing } : {}) },
  });
  const app = t as BillingApp;
  app.db = t.app.db;
  app.billing = billingServices.of(t.app);
  app.meter = t.app.container.resolve('usage').provided as Meter;
  app.api = (method, path, opts = {}) => t.request(method, `${API}${path}`, opts);
  return app;
}

export const loginAdmin = (t: BillingApp) => login(t, ADMIN.email, ADMIN.password);

let seq = 0;
export async function createKey(t: BillingApp, actor: Actor, scopes: string[]): Promise<{ id: string; raw: string }> {
  const res = await t.api('POST', '/api-keys', { headers: actor.headers, body: { name: `key-${++seq}`, scopes } });
  assert.equal(res.status, 201, res.text);
  return { id: res.body.id, raw: res.body.raw_key };
}

export const count = async (q: Knex.QueryBuilder): Promise<number> => Number(((await q.count({ n: '*' })) as Array<{ n: number | string }>)[0].n);

export async function eventRows(t: BillingApp, name: string, where: Record<string, unknown> = {}): Promise<Array<Record<string, any>>> {
  const rows = await t
    .db('core_events')
    .where({ name, ...where })
    .orderBy('id');
  return rows.map((r: Record<string, any>) => ({ ...r, payload: JSON.parse(r.payload) }));
}

/** The tenant's billing_usage rows as { metric/period_key: used }. */
export async function usageRows(t: BillingApp, tenantId: string): Promise<Record<string, number>> {
  const rows: Array<{ metric: string; period_key: string; used: number | string }> = await t.db('billing_usage').where('tenant_id', tenantId);
  return Object.fromEntries(rows.map((r) => [`${r.metric}/${r.period_key}`, Number(r.used)]));
}

/** Asserts a `{detail, code}` error and returns the body. */
export function assertError(res: Reply, status: number, code?: string): any {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text}`);
  assert.equal(typeof res.body?.detail, 'string', res.text);
  if (code) assert.equal(res.body.code, code, res.text);
  return res.body;
}

/** Asserts a 422 validation error and returns its `loc`s joined by dots. */
export function assertValidation(res: Reply): string[] {
  assert.equal(res.status, 422, `expected 422, got ${res.status}: ${res.text}`);
  assert.equal(res.body.code, 'validation_error', res.text);
  assert.ok(Array.isArray(res.body.detail) && res.body.detail.length > 0, res.text);
  return res.body.detail.map((d: { loc: Array<string | number> }) => d.loc.join('.'));
}

/** Sets a tenant's limit overrides through the superadmin API. */
export async function setOverrides(t: BillingApp, admin: Actor, tenantId: string, limits: Record<string, number | null>): Promise<any> {
  const res = await t.api('PUT', `/admin/tenants/${tenantId}/limit-overrides`, { headers: admin.headers, body: { limits } });
  assert.equal(res.status, 200, res.text);
  return res.body;
}

/** Settles every promise and splits them into fulfilled count and rejections. */
export async function settle(promises: Array<Promise<unknown>>): Promise<{ ok: number; errors: unknown[] }> {
  const results = await Promise.allSettled(promises);
  return {
    ok: results.filter((r) => r.status === 'fulfilled').length,
    errors: results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason),
  };
}
