import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Clock } from 'plinth/plugin';
import { mergeConfig } from 'plinth/plugin';
import type { LoginBody } from '../../../test/helpers/actors.js';
import { createTestApp, type Reply, type TestApp } from '../../../test/helpers/app.js';

/** The seed's face (000/001): everything of the auth plugin is under it. */
export const BASE = '/api/v2';

/** The first superadmin, created at start from settings.auth.admin. */
export const ADMIN = { email: 'root@plinth.test', password: 'Operator-pass-for-tests-42' };

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export interface AuthAppOptions {
  /** Merged over the defaults below (settings.auth). */
  auth?: Record<string, unknown>;
  clock?: Clock;
  overrides?: Record<string, unknown>;
}

/**
 * An app with only the auth plugin. Per-IP budgets are raised (every test request comes from
 * 127.0.0.1); a test about a limit sets it small on its own app.
 */
export function authApp(options: AuthAppOptions = {}): Promise<TestApp> {
  const defaults = {
    admin: ADMIN,
    // The progressive delay in milliseconds, not seconds: tests guess far more often than a person would.
    limits: { loginPerIpPerMinute: 1000, refreshPerIpPerMinute: 1000, mailRequestsPerIpPerHour: 1000, loginDelayInitialMs: 1, loginDelayMaxMs: 8 },
    sms: { perIpPerHour: 1000 },
  };
  return createTestApp({
    plugins: ['auth'],
    settings: { auth: mergeConfig(defaults, options.auth ?? {}) },
    clock: options.clock,
    overrides: options.overrides as never,
  });
}

export type Headers = Record<string, string>;

export const bearer = (token: string): Headers => ({ authorization: `Bearer ${token}` });

/** A request to the auth face. */
export function api<T = any>(t: TestApp, method: string, path: string, options: { body?: unknown; headers?: Headers; raw?: string } = {}): Promise<Reply<T>> {
  return t.request<T>(method, `${BASE}${path}`, options);
}

export const strongPassword = () => `Tr0ub4dor&${randomBytes(4).toString('hex')}`;

/** The login endpoint itself (its raw reply; with extra headers): the shared actors sign in through it too. */
export async function login(t: TestApp, email: string, password: string, headers: Headers = {}): Promise<LoginBody> {
  const res = await api<LoginBody>(t, 'POST', '/auth/login', { body: { email, password }, headers });
  assert.equal(res.status, 200, `login ${email}: ${res.text}`);
  return res.body;
}

export const loginAdmin = (t: TestApp) => login(t, ADMIN.email, ADMIN.password);

export interface MailRow {
  id: number;
  to: string[];
  subject: string;
  text: string;
  raw: string;
}

const toRow = (r: Record<string, unknown>): MailRow => ({
  id: Number(r.id),
  to: JSON.parse(String(r.to)),
  subject: String(r.subject),
  text: String(r.text ?? ''),
  raw: String(r.raw),
});

/** Mails to `to` with an id above `afterId`, oldest first. */
export async function mailsTo(t: TestApp, to: string, afterId = 0): Promise<MailRow[]> {
  const rows = await t.app.db('core_mail_outbox').where('id', '>', afterId).orderBy('id');
  return rows.map(toRow).filter((m) => m.to.includes(to));
}

/** The newest outbox id: take it before an action, then wait for mail after it. */
export async function lastMailId(t: TestApp): Promise<number> {
  const row = await t.app.db('core_mail_outbox').max({ id: 'id' }).first();
  return Number(row?.id ?? 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Mail is sent in the background after the reply, so this polls (bounded) for the newest mail to
 * `to` after `afterId` whose subject matches.
 */
export async function waitForMail(t: TestApp, to: string, options: { afterId?: number; subject?: RegExp; timeoutMs?: number } = {}): Promise<MailRow> {
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  for (;;) {
    const found = (await mailsTo(t, to, options.afterId ?? 0)).filter((m) => !options.subject || options.subject.test(m.subject));
    if (found.length) return found[found.length - 1];
    if (Date.now() > deadline) assert.fail(`no mail to ${to}${options.subject ? ` matching ${options.subject}` : ''} after id ${options.afterId ?? 0}`);
    await sleep(25);
  }
}

/**
 * Asserts that no mail to `to` arrives after `afterId`. Background sends finish within a few
 * milliseconds; this waits a bounded while to be sure nothing was merely late.
 */
export async function assertNoMail(t: TestApp, to: string, afterId: number, waitMs = 400): Promise<void> {
  await sleep(waitMs);
  const found = await mailsTo(t, to, afterId);
  assert.deepEqual(
    found.map((m) => m.subject),
    [],
    `expected no mail to ${to}`,
  );
}

/** The link in a mail (the first http(s) URL) and its `token` parameter. */
export function linkOf(mail: MailRow): { url: URL; token: string } {
  const match = /https?:\/\/\S+/.exec(mail.text);
  assert.ok(match, `no link in mail: ${mail.text}`);
  const url = new URL(match[0]);
  const token = url.searchParams.get('token');
  assert.ok(token, `no token in link ${url}`);
  return { url, token };
}

/** Polls until `check` passes (bounded): for rows written after the reply. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(25);
    }
  }
}

export async function auditRows(t: TestApp, action: string, filter: Record<string, unknown> = {}): Promise<Array<Record<string, any>>> {
  return t.app
    .db('auth_audit_logs')
    .where({ action, ...filter })
    .orderBy('id');
}

export async function eventRows(t: TestApp, name: string): Promise<Array<Record<string, any>>> {
  const rows = await t.app.db('core_events').where('name', name).orderBy('id');
  return rows.map((r: Record<string, unknown>) => ({ ...r, payload: JSON.parse(String(r.payload)) }));
}

/** An HS256 JWT with arbitrary header and claims (for forged-token tests). */
export function forgeJwt(header: Record<string, unknown>, claims: Record<string, unknown>, secret: string | null): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${enc(header)}.${enc(claims)}`;
  if (secret === null) return `${input}.`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** The claims of a JWT, unverified. */
export const claimsOf = (jwt: string): Record<string, any> => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));

export const sha256Hex = /^[0-9a-f]{64}$/;

/**
 * A request through node:http, which (unlike fetch) sends the Host header it is given: for
 * checking that nothing builds links from a hostile Host.
 */
export function rawRequest(
  t: TestApp,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Headers } = {},
): Promise<{ status: number; body: any }> {
  const url = new URL(`${t.url}${BASE}${path}`);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}), ...options.headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
