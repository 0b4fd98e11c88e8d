import type { Knex } from 'knex';
import { iso, type Clock } from './clock.js';
import { settingSource, type SettingSource } from './config/load.js';
import type { CoreConfig } from './config/schema.js';

/** How the relay's connection is protected: implicit TLS (usually 465), STARTTLS required (587), or none (a trusted network only). */
export type RelayTls = 'none' | 'starttls' | 'tls';

/**
 * The outgoing-mail relay an operator set on the Settings page. It is kept in the database (core_kv),
 * not in one instance's memory, so every instance reads the same relay; the mailer reads it for each
 * mail, so a change applies to the next mail everywhere without a restart.
 */
export interface StoredRelay {
  host: string | null;
  port: number;
  tls: RelayTls;
  user: string | null;
  password: string | null;
  from: string | null;
}

export const NO_RELAY: StoredRelay = { host: null, port: 587, tls: 'starttls', user: null, password: null, from: null };

const KEY = 'mailer.relay';

export async function readStoredRelay(db: Knex): Promise<StoredRelay> {
  const row = await db('core_kv').where('key', KEY).first('value');
  if (!row) return { ...NO_RELAY };
  try {
    return { ...NO_RELAY, ...(JSON.parse(String(row.value)) as Partial<StoredRelay>) };
  } catch {
    return { ...NO_RELAY };
  }
}

export async function writeStoredRelay(db: Knex, clock: Clock, relay: StoredRelay): Promise<void> {
  await db('core_kv')
    .insert({ key: KEY, value: JSON.stringify(relay), created_at: iso(clock.now()) })
    .onConflict('key')
    .merge(['value']);
}

/**
 * The parts of the relay the config or the environment gives (null: the Settings page may change
 * it): the connection is `mailer.smtpUrl` (PLINTH_MAILER_SMTP_URL), the sender `mailer.from` (PLINTH_MAILER_FROM).
 */
export interface RelayLocks {
  connection: SettingSource | null;
  from: SettingSource | null;
}

export const relayLocks = (config: CoreConfig): RelayLocks => ({
  // A config object not made by loadConfig (a caller's own) has no sources: a URL in it still wins, so it is locked.
  connection: config.mailer.smtpUrl ? (settingSource(config, 'mailer.smtpUrl') ?? 'config') : null,
  from: settingSource(config, 'mailer.from'),
});

/** Where each locked part is set, in the operator's words. */
export const LOCK_NAMES = {
  connection: { config: 'mailer.smtpUrl in the config', environment: 'PLINTH_MAILER_SMTP_URL in the environment' },
  from: { config: 'mailer.from in the config', environment: 'PLINTH_MAILER_FROM in the environment' },
} as const;

/** nodemailer's SMTP options for a stored relay; bounded waits, so a wrong host or port fails in seconds, not minutes. */
export function smtpOptions(relay: StoredRelay): Record<string, unknown> | null {
  if (!relay.host) return null;
  return {
    host: relay.host,
    port: relay.port,
    secure: relay.tls === 'tls',
    requireTLS: relay.tls === 'starttls',
    ignoreTLS: relay.tls === 'none',
    ...(relay.user ? { auth: { user: relay.user, pass: relay.password ?? '' } } : {}),
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  };
}

/** The connection an smtp(s):// URL names, to show it (its password only as set or not). */
export function describeSmtpUrl(url: string): Pick<StoredRelay, 'host' | 'port' | 'tls' | 'user'> & { password_set: boolean } {
  const u = new URL(url);
  const tls: RelayTls = u.protocol === 'smtps:' ? 'tls' : /^(true|1)$/i.test(u.searchParams.get('requireTLS') ?? '') ? 'starttls' : 'none';
  return {
    host: u.hostname || null,
    port: u.port ? Number(u.port) : tls === 'tls' ? 465 : 587,
    tls,
    user: u.username ? decodeURIComponent(u.username) : null,
    password_set: u.password !== '',
  };
}

/** What GET /api/admin/mailer shows: the relay in effect, where each part comes from, never the password. */
export interface RelayView {
  transport: 'smtp' | 'outbox';
  host: string | null;
  port: number;
  tls: RelayTls;
  user: string | null;
  password_set: boolean;
  from: string;
  locked: RelayLocks;
}

export function relayView(config: CoreConfig, stored: StoredRelay): RelayView {
  const locks = relayLocks(config);
  const connection = locks.connection && config.mailer.smtpUrl ? describeSmtpUrl(config.mailer.smtpUrl) : { ...stored, password_set: Boolean(stored.password) };
  return {
    transport: connection.host ? 'smtp' : 'outbox',
    host: connection.host,
    port: connection.port,
    tls: connection.tls,
    user: connection.user,
    password_set: connection.password_set,
    from: locks.from ? config.mailer.from : (stored.from ?? config.mailer.from),
    locked: locks,
  };
}

const noBreaks = '^[^\\r\\n]*$';

/** A change on the Settings page: only the fields sent change; `password` '' keeps the one kept, null removes it. */
export const relayPatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    host: { type: 'string', nullable: true, minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9._:\\[\\]-]+$' },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    tls: { type: 'string', enum: ['none', 'starttls', 'tls'] },
    user: { type: 'string', nullable: true, minLength: 1, maxLength: 320, pattern: noBreaks },
    password: { type: 'string', nullable: true, maxLength: 1000, pattern: noBreaks },
    from: { type: 'string', nullable: true, minLength: 3, maxLength: 320, pattern: '^[^\\r\\n]*@[^\\r\\n]*$' },
  },
} as const;

export type RelayPatch = Partial<{ host: string | null; port: number; tls: RelayTls; user: string | null; password: string | null; from: string | null }>;

export const CONNECTION_FIELDS = ['host', 'port', 'tls', 'user', 'password'] as const;

/** The stored relay with the patch applied, and the names of the fields it changed (a password only as "password"). */
export function applyRelayPatch(stored: StoredRelay, patch: RelayPatch): { next: StoredRelay; changed: string[] } {
  const next = { ...stored };
  const changed: string[] = [];
  for (const field of ['host', 'port', 'tls', 'user', 'from'] as const) {
    if (patch[field] === undefined || patch[field] === stored[field]) continue;
    (next as Record<string, unknown>)[field] = patch[field];
    changed.push(field);
  }
  if (patch.password !== undefined && patch.password !== '' && patch.password !== stored.password) {
    next.password = patch.password;
    changed.push('password');
  }
  return { next, changed };
}
