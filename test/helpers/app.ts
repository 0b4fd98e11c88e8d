import { createApp, type Plinth } from '../../core/app.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { mergeConfig, type DeepPartial } from '../../core/config/load.js';
import type { CoreConfig } from '../../core/config/schema.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestAppOptions {
  plugins?: string[];
  settings?: Record<string, Record<string, unknown>>;
  overrides?: DeepPartial<CoreConfig> & Record<string, unknown>;
  clock?: Clock;
  /** Share another test app's database (two instances on one database). */
  database?: TestDatabase;
  /** Call start() (listen on a free port); default true. */
  start?: boolean;
  env?: NodeJS.ProcessEnv;
  /** A logger of the test's own (e.g. pino on a stream the test reads). */
  logger?: Logger;
}

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface TestApp {
  app: Plinth;
  database: TestDatabase;
  get url(): string;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<Reply<T>>;
  /** Stops the app and drops its database (unless it was borrowed). */
  close(): Promise<void>;
}

export type RequestOptions = { body?: unknown; headers?: Record<string, string>; raw?: string };

/** One HTTP request to a running server (a test app, or a spawned process): JSON in, the body parsed when it is JSON. */
export async function requestTo<T = any>(base: string, method: string, path: string, { body, headers = {}, raw }: RequestOptions = {}): Promise<Reply<T>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: raw ?? (body !== undefined ? JSON.stringify(body) : undefined),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** A server this test did not build in-process (a spawned `plinth start`), addressed like a TestApp. */
export type Server = Pick<TestApp, 'url' | 'request'>;

export const server = (url: string): Server => ({ url, request: (method, path, options) => requestTo(url, method, path, options) });

/**
 * Registration defaults to `verify` (sign-in after the emailed link). Most suites register an
 * owner and sign in at once to test something else, so the harness opens registration unless a
 * test sets `settings.auth.registration` itself (the registration tests do, for each mode).
 */
function withOpenRegistration(plugins: string[], settings: Record<string, Record<string, unknown>>): Record<string, Record<string, unknown>> {
  if (!plugins.includes('auth') || settings.auth?.registration !== undefined) return settings;
  return { ...settings, auth: { ...(settings.auth ?? {}), registration: 'open' } };
}

/**
 * The second-factor policy defaults to `superadmins` (a superadmin without a factor reaches only the
 * set-up). Most suites sign in as the first superadmin to test something else, so the harness turns
 * the policy off unless a test sets `settings.auth.mfa.require` itself (the policy's tests do).
 */
function withoutMfaPolicy(plugins: string[], settings: Record<string, Record<string, unknown>>): Record<string, Record<string, unknown>> {
  const mfa = settings.auth?.mfa as Record<string, unknown> | undefined;
  if (!plugins.includes('auth') || mfa?.require !== undefined) return settings;
  return { ...settings, auth: { ...(settings.auth ?? {}), mfa: { ...(mfa ?? {}), require: 'none' } } };
}

/** Builds a real app on a fresh migrated database, listening on a free loopback port. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const overrides = mergeConfig(
    {
      server: { port: 0, host: '127.0.0.1', publicUrl: 'http://plinth.test', checkReplies: true },
      smtp: { port: 0, host: '127.0.0.1' },
      dataDir: database.dataDir,
      database: { url: database.url },
      log: { level: process.env.PLINTH_TEST_LOG ?? 'silent' },
      plugins: options.plugins ?? ['example'],
      pluginDirs: ['plugins', 'test/fixtures/plugins'],
      settings: withoutMfaPolicy(options.plugins ?? [], withOpenRegistration(options.plugins ?? [], options.settings ?? {})),
      events: { pollIntervalMs: 50, backoffBaseMs: 20, backoffMaxMs: 200, jitterRatio: 0 },
      // The every-minute core.alerts job would mail and emit into suites about something else (a dead
      // event a test made on purpose); the alerts suites switch it on (test/helpers/alerts.ts).
      alerts: { schedule: 'off' },
    },
    (options.overrides ?? {}) as Record<string, unknown>,
  );
  let app: Plinth;
  try {
    app = await createApp({ overrides: overrides as never, clock: options.clock, env: options.env ?? {}, logger: options.logger });
    if (options.start !== false) await app.start();
  } catch (err) {
    // A boot that fails (tests of bad config do this on purpose) must not leave its database behind.
    if (!options.database) await database.drop().catch(() => undefined);
    throw err;
  }
  return {
    app,
    database,
    get url() {
      return app.url;
    },
    request: (method, path, options) => requestTo(app.url, method, path, options),
    async close() {
      await app.stop();
      if (!options.database) await database.drop();
    },
  };
}

/** Credentials for the example plugin's test strategy. */
export const testAuth = (id: string, tenant: string, roles: string[] = ['member'], scopes: string[] | '*' = '*') => ({
  authorization: `Test ${id};${tenant};${roles.join(',')};${scopes === '*' ? '*' : scopes.join(',')}`,
});
