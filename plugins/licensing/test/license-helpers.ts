// Helpers for the licensing tests: a real app with auth + licensing over real HTTP, tenant owners
// from /api/v2/auth/register, API keys from /api/v2/api-keys, and the rows to look at.
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import { createTestApp, server, type Reply, type Server, type TestApp } from '../../../test/helpers/app.js';
import type { TestDatabase } from '../../../test/helpers/database.js';
import type { LicensingServices } from '../services/index.js';
import { login, registerOwner, type Actor } from '../../../test/helpers/actors.js';
import { licensingServices } from '../services/own.js';

export const API = '/api/v2';
export const BASE = '/license';
export const ADMIN = { email: 'operator@licensing.test', password: 'Operator-pass-2026!' };
export const DAY = 86_400_000;

/** Seed format, from the alphabet without 0/O and 1/I. */
export const CODE = /^[2-9A-HJ-NP-Z]{5}(-[2-9A-HJ-NP-Z]{5}){2}$/;
export const LICENSE_ID = /^LIC-[2-9A-HJ-NP-Z]{8}$/;
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

/** Generous limits: the tests register, log in and verify far more often than a person would. */
const AUTH_LIMITS = { loginPerIpPerMinute: 10_000, loginFailuresPerAccount: 1_000, refreshPerIpPerMinute: 10_000, mailRequestsPerIpPerHour: 10_000 };

export interface LicensingApp extends TestApp {
  db: Knex;
  services: LicensingServices;
  /** A request under /api/v2 (the auth face). */
  api<T = any>(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string> }): Promise<Reply<T>>;
  /** A request under /license (the seed-002 face). */
  lic<T = any>(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string>; raw?: string }): Promise<Reply<T>>;
}

/** What the HTTP helpers below need of an app: its auth and licensing faces. */
export type LicensingFaces = Pick<LicensingApp, 'request' | 'api' | 'lic'>;

/** A spawned `plinth start` serving auth and licensing at `url` (tests with real processes). */
export function licensingServer(url: string): Server & LicensingFaces {
  const s = server(url);
  return {
    ...s,
    api: (method, path, opts = {}) => s.request(method, `${API}${path}`, opts),
    lic: (method, path, opts = {}) => s.request(method, `${BASE}${path}`, opts),
  };
}

export interface LicensingAppOptions {
  clock?: Clock;
  database?: TestDatabase;
  licensing?: Record<string, unknown>;
  /** Plugins besides auth and licensing (e.g. billing), loaded between them. */
  extraPlugins?: string[];
  logger?: Logger;
}

export async function startLicensingApp(options: LicensingAppOptions = {}): Promise<LicensingApp> {
  const t = await createTestApp({
    plugins: ['auth', ...(options.extraPlugins ?? []), 'licensing'],
    clock: options.clock,
    database: options.database,
    logger: options.logger,
    settings: {
      auth: { admin: ADMIN, limits: AUTH_LIMITS },
      licensing: { verifyPerIpPerMinute: 100_000, verifyPerCodePerMinute: 100_000, ...(options.licensing ?? {}) },
    },
  });
  const app = t as LicensingApp;
  app.db = t.app.db;
  app.services = licensingServices.of(t.app);
  app.api = (method, path, opts = {}) => t.request(method, `${API}${path}`, opts);
  app.lic = (method, path, opts = {}) => t.request(method, `${BASE}${path}`, opts);
  return app;
}

export const loginAdmin = (t: LicensingApp) => login(t, ADMIN.email, ADMIN.password);

let seq = 0;
/** An API key of the actor's, through /api/v2/api-keys; returns the X-API-Key header. */
export async function apiKey(t: LicensingFaces, actor: Actor, scopes: string[] = ['licenses:manage']): Promise<Record<string, string>> {
  const res = await t.api('POST', '/api-keys', { headers: actor.headers, body: { name: `licensing-${++seq}`, scopes } });
  assert.equal(res.status, 201, res.text);
  return { 'X-API-Key': res.body.raw_key };
}

/** A tenant owner and an X-API-Key holding licenses:manage. */
export async function tenantKey(t: LicensingFaces, label = 'owner'): Promise<{ owner: Actor; key: Record<string, string> }> {
  const owner = await registerOwner(t, label);
  return { owner, key: await apiKey(t, owner) };
}

export interface Generated {
  license_id: string;
  activation_code: string;
  email: string;
  plan: string;
  device_cap: number;
  valid_until: string | null;
}

export async function generate(t: LicensingFaces, key: Record<string, string>, body: Record<string, unknown> = {}): Promise<Generated> {
  const res = await t.lic('POST', '/api/admin/generate', { headers: key, body: { plan: 'monthly', email: 'user@example.com', ...body } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.success, true);
  return res.body.license;
}

export function verify(t: LicensingFaces, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Reply> {
  return t.lic('POST', '/api/verify', { body, headers });
}

/** Seed 002's error codes: a closed set, whatever went wrong. */
export const SEED_CODES = ['INVALID_API_KEY', 'INVALID_REQUEST', 'MISSING_LICENSE', 'MISSING_EMAIL', 'INVALID_LICENSE', 'INTERNAL_ERROR', 'NOT_FOUND'];

/**
 * Asserts the seed's failure envelope: `code` (always one of the seed's), the finer `reason` when
 * given (and none when not), and, for verify, isValid false and a timestamp.
 */
export function assertFailure(res: Reply, status: number, code: string, options: { verify?: boolean; reason?: string } = {}): any {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body.success, false, res.text);
  assert.ok(SEED_CODES.includes(res.body.code), `code ${res.body.code} is one of the seed's: ${res.text}`);
  assert.equal(res.body.code, code, res.text);
  if (options.reason !== undefined) assert.equal(res.body.reason, options.reason, res.text);
  assert.equal(typeof res.body.message, 'string');
  if (options.verify) {
    assert.equal(res.body.isValid, false, res.text);
    assert.match(res.body.timestamp, ISO);
  }
  return res.body;
}

export async function licenseRow(t: LicensingApp, licenseId: string): Promise<Record<string, any>> {
  const row = await t.db('licensing_licenses').where('license_id', licenseId).first();
  assert.ok(row, `no row for ${licenseId}`);
  return { ...row, active_devices: Number(row.active_devices), device_cap: Number(row.device_cap) };
}

export async function deviceRows(t: LicensingApp, licenseId: string): Promise<Array<Record<string, any>>> {
  return t
    .db('licensing_devices')
    .join('licensing_licenses', 'licensing_licenses.id', 'licensing_devices.license_pk')
    .where('licensing_licenses.license_id', licenseId)
    .select('licensing_devices.*')
    .orderBy('licensing_devices.id');
}

export async function eventRows(t: LicensingApp, name: string, licenseId?: string): Promise<Array<Record<string, any>>> {
  const rows = await t.db('core_events').where('name', name).orderBy('id');
  return rows
    .map((r: Record<string, any>) => ({ ...r, payload: typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload }))
    .filter((r: Record<string, any>) => !licenseId || r.payload.license_id === licenseId);
}

export const count = async (q: Knex.QueryBuilder): Promise<number> => Number(((await q.count({ n: '*' })) as Array<{ n: number | string }>)[0].n);
