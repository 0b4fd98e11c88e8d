// The robots plugin's test harness, here because the suites of the plugins that run over robots
// (ai, agents, workflows) use it too: a real app (auth + licensing + robots) over real HTTP,
// activation codes from the admin endpoint, and a real WebSocket client (the `ws` package) that
// records every frame it receives. Owners and members are the shared actors (./actors.ts).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import type { Clock } from '../../core/clock.js';
import { addUser, login, registerOwner } from './actors.js';
import { createTestApp, server, type Reply, type Server, type TestApp } from './app.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { robotsServices } from '../../plugins/robots/services/own.js';

export interface Owner {
  id: string;
  tenantId: string;
  token: string;
  headers: Record<string, string>;
}

export const W = '/workbot';
export const ADMIN = { email: 'root@robots.test', password: 'Operator-pass-for-robots-42' };
const AUTH_LIMITS = { loginPerIpPerMinute: 10_000, loginFailuresPerAccount: 1_000, refreshPerIpPerMinute: 10_000, mailRequestsPerIpPerHour: 10_000 };

export interface RobotsApp extends TestApp {
  wb<T = any>(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string>; raw?: string }): Promise<Reply<T>>;
}

/** What the HTTP helpers below need of an app: its WorkBot face. */
export type WorkBot = Pick<RobotsApp, 'wb'>;

/** A spawned `plinth start` serving WorkBot at `url` (robots tests with real processes). */
export function workbotServer(url: string): Server & WorkBot {
  const s = server(url);
  return { ...s, wb: (method, path, opts) => s.request(method, `${W}${path}`, opts) };
}

export async function robotsApp(
  options: {
    robots?: Record<string, unknown>;
    extraPlugins?: string[];
    overrides?: Record<string, unknown>;
    settings?: Record<string, Record<string, unknown>>;
    database?: TestDatabase;
    clock?: Clock;
  } = {},
): Promise<RobotsApp> {
  const t = (await createTestApp({
    plugins: ['auth', ...(options.extraPlugins ?? []), 'licensing', 'robots'],
    settings: {
      ...(options.settings ?? {}),
      // Merged, not replaced: a test's settings.auth (e.g. registration) keeps the known superadmin.
      auth: { admin: ADMIN, limits: AUTH_LIMITS, sms: { perIpPerHour: 1000 }, ...(options.settings?.auth ?? {}) },
      licensing: { verifyPerIpPerMinute: 100_000, verifyPerCodePerMinute: 100_000 },
      robots: { requestsPerMinute: 100_000, ...(options.robots ?? {}) },
    },
    overrides: options.overrides as never,
    database: options.database,
    clock: options.clock,
  })) as RobotsApp;
  t.wb = (method, path, opts) => t.request(method, `${W}${path}`, opts);
  return t;
}

/**
 * A robots app whose settings.robots.homeTenant names a tenant `prepare` makes: the setting is
 * checked at boot, so a first app on the same database makes the tenant, then the real one starts.
 * Tokens carry over (the signing secret is in the database).
 */
export async function robotsAppWithHome<T>(
  homeTenant: string | ((prepared: T) => string),
  prepare: (first: RobotsApp) => Promise<T>,
  options: NonNullable<Parameters<typeof robotsApp>[0]> = {},
): Promise<{ t: RobotsApp; prepared: T }> {
  const database = await createTestDatabase();
  let prepared: T;
  try {
    const first = await robotsApp({ ...options, database });
    try {
      prepared = await prepare(first);
    } finally {
      await first.close(); // a borrowed database stays
    }
  } catch (err) {
    await database.drop();
    throw err;
  }
  const setting = typeof homeTenant === 'function' ? homeTenant(prepared!) : homeTenant;
  const t = await robotsApp({ ...options, database, robots: { ...(options.robots ?? {}), homeTenant: setting } }).catch(async (err) => {
    await database.drop();
    throw err;
  });
  const close = t.close.bind(t);
  t.close = async () => {
    await close();
    await database.drop();
  };
  return { t, prepared };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * Codes the operator issued into the owner's tenant, bound to the owner (so the robots are theirs).
 * Through the service: over HTTP only WorkBot's home admins make codes, and only in the home tenant.
 */
export async function newCodes(t: TestApp, owner: Owner, count = 1, boundUserId: string = owner.id): Promise<string[]> {
  const codes = robotsServices.of(t.app).codes;
  const made = await codes.generate({ tenantId: owner.tenantId, count, validityPeriod: 365, boundUserId });
  return made.codes.map((c) => c.code);
}

/** Codes over HTTP (POST /api/admin/activation-codes) by a superadmin or a home admin. */
export async function adminCodes(t: WorkBot, admin: Owner, count = 1, body: Record<string, unknown> = {}): Promise<string[]> {
  const res = await t.wb('POST', '/api/admin/activation-codes', { body: { count, ...body }, headers: admin.headers });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.code, 0);
  return res.body.data.codes.map((c: { code: string }) => c.code);
}

/** The id of WorkBot's home tenant (the operator tenant unless settings.robots.homeTenant says otherwise). */
export const homeTenantId = (t: TestApp) => robotsServices.of(t.app).home.id();

/** The superadmin of robotsApp (settings.auth.admin), signed in. */
export const superadmin = (t: Pick<Server, 'request'>): Promise<Owner> => login(t, ADMIN.email, ADMIN.password);

/** An owner or admin (not superadmin) of WorkBot's home tenant: a WorkBot admin. */
export async function homeAdmin(t: TestApp, label = 'home-admin', role: 'admin' | 'owner' = 'admin'): Promise<Owner> {
  return addUser(t, await homeTenantId(t), role, { label });
}

/** The 6-digit code texted to a phone (read from the auth plugin's SMS outbox). */
export async function smsCode(t: RobotsApp, phone: string): Promise<string> {
  const sent = await t.wb('POST', '/api/user/send-sms', { body: { phone } });
  assert.equal(sent.status, 200, sent.text);
  const row = await t.app.db('auth_sms_outbox').where('phone', phone).orderBy('id', 'desc').first();
  const code = /\b(\d{6})\b/.exec(row.body)?.[1];
  assert.ok(code, row.body);
  return code;
}

/**
 * A phone user signed in through the WorkBot SMS login; `role` is the seed's role in the reply.
 * `id` is the user's UUID (what the rest of the platform knows them by), `number` the seed's userId.
 */
export async function phoneLogin(
  t: RobotsApp,
  phone = `+86138${String(randomBytes(4).readUInt32BE() % 100_000_000).padStart(8, '0')}`,
): Promise<Owner & { phone: string; role: string; number: number }> {
  const res = await t.wb('POST', '/api/user/login', { body: { phone, code: await smsCode(t, phone) } });
  assert.equal(res.status, 200, res.text);
  const user = await t.app
    .db('auth_users as u')
    .join('auth_user_numbers as n', 'n.user_id', 'u.id')
    .where('n.number', res.body.data.userId)
    .first('u.id', 'u.tenant_id');
  return {
    id: user.id,
    number: res.body.data.userId,
    tenantId: user.tenant_id,
    token: res.body.data.token,
    headers: bearer(res.body.data.token),
    phone,
    role: res.body.data.role,
  };
}

export const device = (deviceId = `dev-${randomBytes(6).toString('hex')}`) => ({
  deviceId,
  brand: 'Xiaomi',
  model: 'Mi 10',
  os: 'Android',
  osVersion: '13',
  manufacturer: 'Xiaomi',
  network: 'WiFi',
  appVersion: '3.0.1',
  totalMemory: 8192,
  screenResolution: '1080x2400',
});

export interface Activation {
  robotId: string;
  robotUuid: string;
  token: string;
  refreshToken: string;
  expiresAt: string;
  isNewActivation: boolean;
}

export async function activate(t: WorkBot, code: string, deviceInfo = device(), expect = 201): Promise<Activation & { deviceId: string }> {
  const res = await t.wb('POST', '/api/robot-ids/activate', { body: { code, deviceInfo } });
  assert.equal(res.status, expect, res.text);
  assert.equal(res.body.code, expect);
  return { ...res.body.data, deviceId: deviceInfo.deviceId };
}

/** An owner with one activated robot. */
export async function ownerWithRobot(t: RobotsApp, label = 'owner') {
  const owner = await registerOwner(t, label);
  const [code] = await newCodes(t, owner);
  const robot = await activate(t, code);
  return { owner, code, robot };
}

export function sendText(t: WorkBot, owner: Owner, robotId: string, content: string) {
  return t.wb('POST', '/api/robot/send-message', { body: { robotId, type: 'text', titleList: ['Zhang San'], content, atList: [] }, headers: owner.headers });
}

export function result(t: WorkBot, token: string, robotId: string, commandId: string, errorCode = 0) {
  return t.wb('POST', '/api/robot/command-result', {
    body: { robotId, commandId, errorCode, errorReason: '', executionTimeMs: 25, successList: ['Zhang San'], failList: [] },
    headers: bearer(token),
  });
}

export const poll = (t: WorkBot, token: string, robotId?: string) =>
  t.wb('GET', `/api/robot/commands${robotId ? `?robotId=${encodeURIComponent(robotId)}` : ''}`, { headers: bearer(token) });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A robot's socket that keeps every JSON frame it receives. */
export class RobotSocket {
  readonly frames: any[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => this.frames.push(JSON.parse(String(raw))));
  }

  static open(t: Pick<Server, 'url'>, robotId: string, token: string): Promise<RobotSocket> {
    const url = `${t.url.replace(/^http/, 'ws')}${W}/ws?robotId=${encodeURIComponent(robotId)}&token=${encodeURIComponent(token)}`;
    const ws = new WebSocket(url);
    const socket = new RobotSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(socket));
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`handshake refused: ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', reject);
    });
  }

  /** The status of a handshake that must be refused. */
  static async refusedStatus(t: TestApp, robotId: string, token: string): Promise<number> {
    try {
      const s = await RobotSocket.open(t, robotId, token);
      s.ws.close();
      return 101;
    } catch (err) {
      return (err as { status?: number }).status ?? -1;
    }
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  async waitFor(predicate: (f: any) => boolean, count = 1, timeoutMs = 5000): Promise<any[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.filter(predicate);
      if (found.length >= count) return found;
      if (Date.now() > deadline) assert.fail(`expected ${count} matching frame(s), got ${JSON.stringify(this.frames)}`);
      await sleep(10);
    }
  }

  /** Resolves with the close code once the server closes the socket. */
  closed(timeoutMs = 5000): Promise<number> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve(-1);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the socket was not closed')), timeoutMs);
      this.ws.once('close', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  commands(): any[] {
    return this.frames.filter((f) => f.type === 'command');
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

export { sleep };

export async function eventRows(t: TestApp, name: string): Promise<Array<Record<string, any>>> {
  const rows = await t.app.db('core_events').where('name', name).orderBy('id');
  return rows.map((r: Record<string, unknown>) => ({ ...r, payload: JSON.parse(String(r.payload)) }));
}

/** A user's number: the integer userId the WorkBot (and mail) face shows for the user with this UUID. */
export async function userNumber(t: Pick<TestApp, 'app'>, id: string): Promise<number> {
  const row = await t.app.db('auth_user_numbers').where('user_id', id).first('number');
  assert.ok(row, `user ${id} has a number`);
  return Number(row.number);
}

export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;
