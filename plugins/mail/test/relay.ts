// Helpers for the sending / forwarding / roles tests: a local SMTP sink (smtp-server) that plays
// the outside relay, an app whose core mailer relays through it, and cookie sessions from
// /mail/api/login.
import assert from 'node:assert/strict';
import net from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Clock } from 'plinth/plugin';
import { createTestApp, type Reply } from '../../../test/helpers/app.js';
import { ADMIN, API, AUTO_DOMAIN, DOMAIN, MAIL, type MailApp } from './helpers.js';

export interface SinkMessage {
  from: string;
  to: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

export interface Sink {
  port: number;
  url: string;
  messages: SinkMessage[];
  /** While true, every recipient is refused (550). */
  refuse: boolean;
  /** Resolves once `n` messages have arrived (or rejects after `ms`). */
  waitFor(n: number, ms?: number): Promise<SinkMessage[]>;
  close(): Promise<void>;
}

export async function startSink(): Promise<Sink> {
  const messages: SinkMessage[] = [];
  const sink: Partial<Sink> = { messages, refuse: false };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    onRcptTo(_address, _session, cb) {
      if (sink.refuse) return cb(Object.assign(new Error('relay refused'), { responseCode: 550 }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        // The auth plugin's own notices (verification mail to the test people) are not what the tests look at.
        if (session.envelope.rcptTo.every((r) => r.address.endsWith('@people.test'))) return cb();
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          parsed: await simpleParser(raw),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as net.AddressInfo).port;
  return Object.assign(sink, {
    port,
    url: `smtp://127.0.0.1:${port}`,
    async waitFor(n: number, ms = 10_000) {
      const until = Date.now() + ms;
      while (messages.length < n) {
        if (Date.now() > until) throw new Error(`the sink got ${messages.length} of ${n} messages`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as Sink;
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export const ROOT_TOKEN = 'root-token-for-mail-tests-0123456789';
export const GUEST_PASSWORD = 'Guest-pass-2026';
const LIMITS = { loginPerIpPerMinute: 10_000, loginFailuresPerAccount: 1_000, refreshPerIpPerMinute: 10_000, mailRequestsPerIpPerHour: 10_000 };

/** Like helpers.startMailApp, with the core mailer relaying to `smtpUrl`, the root token and a guest password. */
export async function startRelayApp(
  options: { smtpUrl?: string | null; smtpPort?: number; clock?: Clock; billing?: boolean; guest?: boolean; mail?: Record<string, unknown> } = {},
): Promise<MailApp> {
  const t = await createTestApp({
    plugins: options.billing ? ['auth', 'billing', 'mail'] : ['auth', 'mail'],
    clock: options.clock,
    settings: {
      auth: { admin: ADMIN, limits: LIMITS, rootToken: ROOT_TOKEN },
      mail: {
        domains: [{ name: DOMAIN }, { name: AUTO_DOMAIN, createOnFirstMail: true }],
        ...(options.guest === false ? {} : { guestPassword: GUEST_PASSWORD }),
        ...(options.mail ?? {}),
      },
    },
    overrides: {
      mailer: { smtpUrl: options.smtpUrl ?? null },
      scheduler: { enabled: false },
      ...(options.smtpPort ? { smtp: { port: options.smtpPort, host: '127.0.0.1' } } : {}),
    } as never,
  });
  const app = t as MailApp;
  app.db = t.app.db;
  app.smtpPort = t.app.container.resolve('smtpPort');
  app.mail = (method, path, opts = {}) => t.request(method, `${MAIL}${path}`, opts);
  app.api = (method, path, opts = {}) => t.request(method, `${API}${path}`, opts);
  return app;
}

/** The `name=value` pairs of a reply's Set-Cookie headers (cleared ones left out). */
export function cookiesOf(res: Reply): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .filter((c) => !c.endsWith('='))
    .join('; ');
}

/** POST /mail/api/login; returns the reply and the cookie header for the session. */
export async function mailLogin(t: MailApp, username: string, password: string): Promise<{ res: Reply; headers: Record<string, string> }> {
  const res = await t.mail('POST', '/api/login', { body: { username, password } });
  return { res, headers: { cookie: cookiesOf(res) } };
}

export async function mailLoginOk(t: MailApp, username: string, password: string): Promise<Record<string, string>> {
  const { res, headers } = await mailLogin(t, username, password);
  assert.equal(res.status, 200, `mail login ${username}: ${res.text}`);
  assert.ok(headers.cookie, 'a session cookie is set');
  return headers;
}
