// The public test helper (`plinth/plugin/testing`): a plugin's own tests start a real Plinth with the
// plugin enabled, on a fresh database (SQLite in a temporary folder, or a new PostgreSQL database when
// DATABASE_URL names a PostgreSQL server), and call it over HTTP as a chosen principal.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, type Plinth } from '../app.js';
import type { Clock } from '../clock.js';
import { mergeConfig } from '../config/load.js';
import { type AdminLoginProvider, SESSION_COOKIE, type AuthStrategy, type Principal } from '../http/auth.js';

export interface StartPlinthOptions {
  /** Config `plugins`: the plugin under test (its folder, e.g. `path.resolve('.')`) and any built-ins it needs. */
  plugins: string[];
  /** Each plugin's settings, by plugin name. */
  settings?: Record<string, Record<string, unknown>>;
  /** Any other config, merged over the test defaults. */
  config?: Record<string, unknown>;
  clock?: Clock;
  /** `DATABASE_URL` (a PostgreSQL server: a fresh database is made on it) or the default, SQLite. */
  databaseUrl?: string;
}

export interface TestReply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface TestPrincipal {
  id?: string;
  tenantId?: string | null;
  roles?: string[];
  scopes?: string[] | '*';
}

export interface PlinthTestServer {
  app: Plinth;
  /** The server's address: http://127.0.0.1:<port>. */
  url: string;
  /** The knex of the server's database, to assert what a request changed. */
  db: Plinth['db'];
  request<T = any>(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string>; as?: TestPrincipal }): Promise<TestReply<T>>;
  /** Headers that authenticate a request as this principal (a tenant member with every scope by default). */
  as(principal?: TestPrincipal): Record<string, string>;
  /** An admin UI session cookie (name, value) for a browser: a superadmin unless told otherwise. */
  adminCookie(principal?: TestPrincipal): { name: string; value: string };
  /** Stops the server and drops its database. */
  close(): Promise<void>;
}

const TOKEN_PREFIX = 'plinth-test.';

async function freshDatabase(databaseUrl: string | undefined): Promise<{ url: string | null; dataDir: string; drop(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-plugin-test-'));
  if (!databaseUrl || !/^postgres(ql)?:/.test(databaseUrl))
    return { url: null, dataDir, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  const { default: pg } = await import('pg');
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const name = `plinth_plugin_test_${randomBytes(6).toString('hex')}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dataDir,
    async drop() {
      await run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts Plinth with the given plugins on a fresh, migrated database, listening on a free loopback port. */
export async function startPlinth(options: StartPlinthOptions): Promise<PlinthTestServer> {
  const database = await freshDatabase(options.databaseUrl ?? process.env.DATABASE_URL);
  const overrides = mergeConfig(
    {
      server: { port: 0, host: '127.0.0.1', publicUrl: 'http://plinth.test', checkReplies: true },
      smtp: { port: 0, host: '127.0.0.1' },
      dataDir: database.dataDir,
      database: { url: database.url },
      log: { level: process.env.PLINTH_TEST_LOG ?? 'silent' },
      plugins: options.plugins,
      settings: options.settings ?? {},
      alerts: { schedule: 'off' },
    },
    options.config ?? {},
  );
  let app: Plinth;
  try {
    app = await createApp({ overrides: overrides as never, clock: options.clock, env: {} });
  } catch (err) {
    await database.drop().catch(() => undefined);
    throw err;
  }
  // Principals by token: the test says who calls, without an accounts plugin.
  const principals = new Map<string, Principal>();
  const mint = (p: TestPrincipal, fallback: Principal): string => {
    const token = `${TOKEN_PREFIX}${randomBytes(12).toString('hex')}`;
    principals.set(token, { ...fallback, ...p, kind: 'user', name: p.id ?? fallback.id } as Principal);
    return token;
  };
  const strategy: AuthStrategy = {
    name: 'plinth.testing',
    authenticate(req) {
      const bearer = req.headers.authorization?.startsWith(`Bearer ${TOKEN_PREFIX}`) ? req.headers.authorization.slice(7) : null;
      const token = bearer ?? req.cookie(SESSION_COOKIE);
      return token ? (principals.get(token) ?? null) : null;
    },
  };
  app.container.resolve('auth').add(strategy);
  if (!app.container.hasRegistration('adminLogin')) {
    const { asValue } = await import('awilix');
    const login: AdminLoginProvider = {
      async login() {
        throw new Error('plinth/plugin/testing signs in with adminCookie()');
      },
    };
    app.container.register({ adminLogin: asValue(login) });
  }
  try {
    await app.start();
  } catch (err) {
    await app.stop().catch(() => undefined);
    await database.drop().catch(() => undefined);
    throw err;
  }
  const member: Principal = { kind: 'user', id: 'test-user', tenantId: 'test-tenant', roles: ['member'], scopes: '*' };
  const superadmin: Principal = { kind: 'user', id: 'test-admin', tenantId: null, roles: ['superadmin'], scopes: '*' };
  const as = (p: TestPrincipal = {}) => ({ authorization: `Bearer ${mint(p, member)}` });
  return {
    app,
    url: app.url,
    db: app.db,
    as,
    adminCookie: (p = {}) => ({ name: SESSION_COOKIE, value: mint(p, superadmin) }),
    async request(method, urlPath, { body, headers = {}, as: who } = {}) {
      const res = await fetch(`${app.url}${urlPath}`, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(who ? as(who) : {}), ...headers },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: the text it is
      }
      return { status: res.status, headers: res.headers, body: parsed as never, text };
    },
    async close() {
      await app.stop();
      await database.drop();
    },
  };
}
