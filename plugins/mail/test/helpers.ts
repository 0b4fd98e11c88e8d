// Helpers for the mail plugin's tests: a real app (auth + mail, optionally billing) with the SMTP
// receiver on a free port, owners from /api/v2/auth/register, members through the auth service,
// real mail through nodemailer, and the rows the tests look at.
import assert from 'node:assert/strict';
import net from 'node:net';
import type { Knex } from 'knex';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import type { Clock } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import { createTestApp, type Reply, type TestApp } from '../../../test/helpers/app.js';
import type { TestDatabase } from '../../../test/helpers/database.js';
import { type Actor, login } from '../../../test/helpers/actors.js';

export const MAIL = '/mail';
export const API = '/api/v2';
export const ADMIN = { email: 'operator@plinth.test', password: 'Operator-pass-2026!' };
export const DOMAIN = 'mail.test';
export const AUTO_DOMAIN = 'auto.test';
export const HOUR = 3_600_000;

/** Generous limits: these tests register and log in far more often than a person would. */
const LIMITS = { loginPerIpPerMinute: 10_000, loginFailuresPerAccount: 1_000, refreshPerIpPerMinute: 10_000, mailRequestsPerIpPerHour: 10_000 };

export interface MailApp extends TestApp {
  db: Knex;
  smtpPort: number;
  /** `request` under /mail. */
  mail<T = any>(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string>; raw?: string }): Promise<Reply<T>>;
  /** `request` under /api/v2. */
  api<T = any>(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string> }): Promise<Reply<T>>;
}

export interface MailAppOptions {
  clock?: Clock;
  database?: TestDatabase;
  /** settings.mail, merged over the two test domains. */
  mail?: Record<string, unknown>;
  /** settings.auth, merged over the admin and limits. */
  auth?: Record<string, unknown>;
  billing?: boolean;
  /** A logger of the test's own (to read what was logged). */
  logger?: Logger;
}

export async function startMailApp(options: MailAppOptions = {}): Promise<MailApp> {
  const t = await createTestApp({
    plugins: options.billing ? ['auth', 'billing', 'mail'] : ['auth', 'mail'],
    clock: options.clock,
    database: options.database,
    logger: options.logger,
    settings: {
      auth: { admin: ADMIN, limits: LIMITS, ...(options.auth ?? {}) },
      mail: { domains: [{ name: DOMAIN }, { name: AUTO_DOMAIN, createOnFirstMail: true }], ...(options.mail ?? {}) },
    },
  });
  const app = t as MailApp;
  app.db = t.app.db;
  app.smtpPort = t.app.container.resolve('smtpPort');
  app.mail = (method, path, opts = {}) => t.request(method, `${MAIL}${path}`, opts);
  app.api = (method, path, opts = {}) => t.request(method, `${API}${path}`, opts);
  return app;
}

export const loginAdmin = (t: MailApp) => login(t, ADMIN.email, ADMIN.password);

let seq = 0;
/** A unique label per call (addresses, local parts), so tests never collide. */
export const unique = (label = 'x') => `${label}${process.pid}n${++seq}`;

/** POST /mail/api/create: a mailbox with a chosen name; returns its address. */
export async function createMailbox(t: MailApp, actor: Pick<Actor, 'headers'>, local = unique('box'), domainIndex = 0): Promise<string> {
  const res = await t.mail('POST', '/api/create', { headers: actor.headers, body: { local, domainIndex } });
  assert.equal(res.status, 200, `create ${local}: ${res.text}`);
  return res.body.email;
}

export function transport(t: MailApp, extra: Record<string, unknown> = {}) {
  return nodemailer.createTransport({ host: '127.0.0.1', port: t.smtpPort, secure: false, ignoreTLS: true, ...extra } as any);
}

/** Sends one message over real SMTP on its own connection. */
export async function send(t: MailApp, message: Mail.Options) {
  const tr = transport(t);
  try {
    return await tr.sendMail({ from: 'Sender <sender@outside.test>', ...message });
  } finally {
    tr.close();
  }
}

/**
 * The exact bytes of `message` as they go over the wire (to compare with /download): built with
 * CRLF line ends, since the SMTP client turns any bare LF into CRLF as it sends.
 */
export function compose(message: Mail.Options): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    new MailComposer({ from: 'Sender <sender@outside.test>', newline: '\r\n', ...message } as any)
      .compile()
      .build((err: Error | null, buf: Buffer) => (err ? reject(err) : resolve(buf)));
  });
}

/** Sends pre-built bytes with an explicit envelope (what arrives is exactly `raw`). */
export async function sendRaw(t: MailApp, raw: Buffer | string, to: string | string[], from = 'sender@outside.test') {
  const tr = transport(t);
  try {
    return await tr.sendMail({ envelope: { from, to }, raw });
  } finally {
    tr.close();
  }
}

/** The rejection of a send that must fail. */
export async function sendFails(
  promise: Promise<unknown>,
): Promise<Error & { responseCode?: number; code?: string; response?: string; rejectedErrors?: any[] }> {
  try {
    await promise;
  } catch (err) {
    return err as any;
  }
  assert.fail('the send was expected to be refused');
}

export const count = async (q: Knex.QueryBuilder): Promise<number> => Number(((await q.count({ n: '*' })) as Array<{ n: number | string }>)[0].n);

export async function rowCounts(t: MailApp): Promise<{ emails: number; raw: number }> {
  return { emails: await count(t.db('mail_emails')), raw: await count(t.db('mail_raw')) };
}

/** Mail in a mailbox as the API lists it (newest first). */
export async function inbox(t: MailApp, actor: Pick<Actor, 'headers'>, address: string): Promise<any[]> {
  const res = await t.mail('GET', `/api/emails?mailbox=${encodeURIComponent(address)}&limit=50`, { headers: actor.headers });
  assert.equal(res.status, 200, res.text);
  return res.body;
}

/** Asserts a `{error, code}` reply (and returns the body). */
export function assertError(res: Reply, status: number, code?: string): any {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text}`);
  assert.equal(typeof res.body?.error, 'string', res.text);
  if (code) assert.equal(res.body.code, code, res.text);
  return res.body;
}

export async function eventRows(t: MailApp, name: string): Promise<Array<Record<string, any>>> {
  const rows = await t.db('core_events').where('name', name).orderBy('id');
  return rows.map((r: Record<string, any>) => ({ ...r, payload: typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload }));
}

/**
 * A bare SMTP client over a socket, for what nodemailer will not do (a DATA stream without a
 * SIZE declaration). Returns every reply line, in order.
 */
export async function smtpDialog(port: number, commands: Array<string | Buffer>): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1');
  const replies: string[] = [];
  let buffer = '';
  let waiting: (() => void) | null = null;
  socket.on('data', (chunk) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 2);
      if (/^\d{3} /.test(line)) {
        replies.push(line);
        waiting?.();
      }
    }
  });
  const next = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`SMTP reply timeout after ${replies.join(' | ')}`)), 10_000);
      const check = () => {
        if (replies.length >= n) {
          clearTimeout(timer);
          waiting = null;
          resolve();
        }
      };
      waiting = check;
      check();
    });
  await next(1); // banner
  for (const command of commands) {
    const expected = replies.length + 1;
    socket.write(command);
    await next(expected);
  }
  socket.end();
  return replies;
}
