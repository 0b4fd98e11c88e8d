// Helpers for the account, API-key, tenant and superadmin tests: a real app with the auth plugin,
// owners from /auth/register, and the database rows the tests look at.
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import { createTestApp, type Reply, type TestApp } from '../../../test/helpers/app.js';
import type { TestDatabase } from '../../../test/helpers/database.js';
import { type Actor, login } from '../../../test/helpers/actors.js';
import type { AuthServices } from '../services/index.js';
import { authServices } from '../services/own.js';

export const API = '/api/v2';
export const ADMIN = { email: 'operator@plinth.test', password: 'Operator-pass-2026!' };
export const UA = 'plinth-admin-tests/1.0';

export interface AuthApp extends TestApp {
  db: Knex;
  services: AuthServices;
  /** `request` under /api/v2. */
  api<T = any>(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string>; raw?: string }): Promise<Reply<T>>;
}

/** Generous limits: these tests log in and register far more often than a person would. */
const LIMITS = { loginPerIpPerMinute: 10_000, loginFailuresPerAccount: 1_000, refreshPerIpPerMinute: 10_000, mailRequestsPerIpPerHour: 10_000 };

export interface AuthAppOptions {
  clock?: Clock;
  settings?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  database?: TestDatabase;
  /** settings.auth.admin; `null` leaves it unset (env or the generated admin@localhost). Default ADMIN. */
  admin?: { email: string | null; password: string | null } | null;
}

export async function startAuthApp(options: AuthAppOptions = {}): Promise<AuthApp> {
  const admin = options.admin === undefined ? ADMIN : options.admin;
  const t = await createTestApp({
    plugins: ['auth'],
    clock: options.clock,
    env: options.env,
    logger: options.logger,
    database: options.database,
    settings: { auth: { ...(admin ? { admin } : {}), limits: LIMITS, ...(options.settings ?? {}) } },
  });
  const app = t as AuthApp;
  app.db = t.app.db;
  app.services = authServices.of(t.app);
  // Every request carries a fixed User-Agent (the shared actors' sign-ups and logins too), so audit rows can be asserted.
  const request = t.request.bind(t);
  app.request = (method, path, opts = {}) => request(method, path, { ...opts, headers: { 'user-agent': UA, ...(opts.headers ?? {}) } });
  app.api = (method, path, opts) => app.request(method, `${API}${path}`, opts);
  return app;
}

export const loginAdmin = (t: AuthApp) => login(t, ADMIN.email, ADMIN.password);

export const apiKeyHeaders = (raw: string) => ({ 'x-api-key': raw, 'user-agent': UA });

export async function createKey(
  t: AuthApp,
  actor: Actor,
  scopes: string[],
  extra: Record<string, unknown> = {},
): Promise<{ id: string; raw: string; body: any }> {
  const res = await t.api('POST', '/api-keys', { headers: actor.headers, body: { name: `key-${Math.random().toString(36).slice(2, 8)}`, scopes, ...extra } });
  assert.equal(res.status, 201, res.text);
  return { id: res.body.id, raw: res.body.raw_key, body: res.body };
}

export function auditRows(t: AuthApp, where: Record<string, unknown> = {}): Promise<Array<Record<string, any>>> {
  return t.db('auth_audit_logs').where(where).orderBy('id');
}

export async function eventRows(t: AuthApp, name: string): Promise<Array<Record<string, any>>> {
  const rows = await t.db('core_events').where('name', name).orderBy('id');
  return rows.map((r: Record<string, any>) => ({ ...r, payload: JSON.parse(r.payload) }));
}

export const count = async (q: Knex.QueryBuilder): Promise<number> => Number(((await q.count({ n: '*' })) as Array<{ n: number | string }>)[0].n);

/** Asserts a `{detail, code}` error (and returns the body). */
export function assertError(res: Reply, status: number, code?: string | RegExp): any {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text}`);
  assert.equal(typeof res.body?.detail, 'string', res.text);
  if (code instanceof RegExp) assert.match(res.body.code, code);
  else if (code) assert.equal(res.body.code, code, res.text);
  return res.body;
}

/** Asserts a FastAPI-style 422 and returns its `loc`s joined by dots. */
export function assertValidation(res: Reply): string[] {
  assert.equal(res.status, 422, `expected 422, got ${res.status}: ${res.text}`);
  assert.equal(res.body.code, 'validation_error');
  assert.ok(Array.isArray(res.body.detail) && res.body.detail.length > 0, res.text);
  for (const d of res.body.detail) {
    assert.ok(Array.isArray(d.loc), res.text);
    assert.equal(typeof d.msg, 'string');
    assert.equal(typeof d.type, 'string');
  }
  return res.body.detail.map((d: { loc: string[] }) => d.loc.join('.'));
}

export const DAY = 86_400_000;
export const MISSING_ID = '00000000-0000-4000-8000-000000000000';
