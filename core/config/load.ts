import fs from 'node:fs';
import path from 'node:path';
import { createAjv, runOnce, toFieldErrors } from '../validation.js';
import { coreConfigSchema, type CoreConfig } from './schema.js';

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** Startup configuration problems: one line, naming the key, the value and what was expected. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadConfigOptions {
  /** Folder holding config/default.json; defaults to the project root. */
  root: string;
  env?: NodeJS.ProcessEnv;
  /** Applied last; tests use it to point at a fresh data dir, a free port, a fixture plugin. */
  overrides?: DeepPartial<CoreConfig> & Record<string, unknown>;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge where arrays and scalars from `top` replace those of `base`. */
export function mergeConfig(base: Json, top: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(top)) {
    if (value === undefined) continue;
    out[key] = isObject(value) && isObject(out[key]) ? mergeConfig(out[key] as Json, value) : value;
  }
  return out;
}

function readJsonFile(file: string): Json {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`config file ${file} cannot be read: ${(err as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isObject(parsed)) throw new Error('the top level must be an object');
    return parsed;
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

export const splitList = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Sets `value` at a dotted path, creating objects on the way. */
export function setPath(target: Json, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {};
    node = node[key] as Json;
  }
  node[keys[keys.length - 1]] = value;
}

/** Core env vars. Plugins declare their own (PLINTH_MAIL_DOMAINS, …) in their manifest. */
const CORE_ENV: Array<[string, string, 'list'?]> = [
  ['PORT', 'server.port'],
  ['PLINTH_HOST', 'server.host'],
  ['PLINTH_PUBLIC_URL', 'server.publicUrl'],
  ['PLINTH_TRUST_PROXY', 'server.trustProxy'],
  ['PLINTH_CHECK_REPLIES', 'server.checkReplies'],
  ['PLINTH_CHECK_ERROR_CODES', 'server.checkErrorCodes'],
  ['PLINTH_REDUCE_HEAP_AFTER_IDLE', 'server.reduceHeapAfterIdleSeconds'],
  ['SMTP_PORT', 'smtp.port'],
  ['DATABASE_URL', 'database.url'],
  ['PLINTH_DATA_DIR', 'dataDir'],
  ['REDIS_URL', 'redis.url'],
  ['PLINTH_REDIS_NAMESPACE', 'redis.namespace'],
  ['PLINTH_LOG_LEVEL', 'log.level'],
  ['PLINTH_LOG_FORMAT', 'log.format'],
  ['PLINTH_PLUGINS', 'plugins', 'list'],
  ['PLINTH_PLUGIN_ON_FAILURE', 'pluginLoading.onFailure'],
  ['PLINTH_PLUGIN_ALLOW', 'pluginLoading.allow', 'list'],
  ['PLINTH_RATE_LIMIT_STORE', 'rateLimit.store'],
  ['PLINTH_MAILER_SMTP_URL', 'mailer.smtpUrl'],
  ['PLINTH_MAILER_FROM', 'mailer.from'],
  ['PLINTH_BACKUP_DIR', 'backup.dir'],
  ['PLINTH_BACKUP_SCHEDULE', 'backup.schedule'],
  ['PLINTH_BACKUP_KEEP', 'backup.keep'],
  ['PLINTH_BACKUP_S3_BUCKET', 'backup.s3.bucket'],
  ['PLINTH_BACKUP_S3_PREFIX', 'backup.s3.prefix'],
  ['PLINTH_BACKUP_S3_REGION', 'backup.s3.region'],
  ['PLINTH_BACKUP_S3_ENDPOINT', 'backup.s3.endpoint'],
  ['PLINTH_METRICS_TOKEN', 'metrics.token'],
  ['PLINTH_ALERTS_EMAILS', 'alerts.notify.emails', 'list'],
  ['PLINTH_ALERTS_SCHEDULE', 'alerts.schedule'],
];

function envLayer(env: NodeJS.ProcessEnv): Json {
  const layer: Json = {};
  for (const [name, dotted, kind] of CORE_ENV) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    setPath(layer, dotted, kind === 'list' ? splitList(raw) : raw);
  }
  return layer;
}

const ajv = createAjv({ coerceTypes: true, ...runOnce });
const validateCore = ajv.compile(coreConfigSchema);

/** Formats the first failing field as `key = value: expected …`. */
export function describeConfigErrors(errors: ReturnType<typeof toFieldErrors>, data: unknown, prefix = ''): string {
  const first = errors[0];
  const lookup = first.path
    .slice(prefix ? prefix.length + 1 : 0)
    .split('.')
    .filter(Boolean);
  let value: unknown = data;
  // Arrays too: `plugins.0` names an item of the plugins list.
  for (const key of lookup) value = typeof value === 'object' && value !== null ? (value as Json)[key] : undefined;
  const shown = value === undefined ? '(missing)' : JSON.stringify(value);
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return `invalid config: ${first.path} = ${shown}: ${first.message}${more}`;
}

/** Where a setting's value came from, when not from its default: a config file (or the caller's overrides) or the environment. */
export type SettingSource = 'config' | 'environment';

const sources = new WeakMap<CoreConfig, Map<string, SettingSource>>();

/** Each dotted path a layer sets, and whether it sets a value there (null is none: the default again). */
function leafPaths(layer: Json, prefix = ''): Array<[string, boolean]> {
  return Object.entries(layer).flatMap(([key, value]): Array<[string, boolean]> => {
    const dotted = prefix ? `${prefix}.${key}` : key;
    if (isObject(value)) return leafPaths(value, dotted);
    return value === undefined ? [] : [[dotted, value !== null]];
  });
}

/**
 * Whether a setting was given by a config file or the environment (null: it has its default). A
 * setting an operator may also change at runtime (the mail relay, in the database) is locked when given here.
 */
export const settingSource = (config: CoreConfig, dotted: string): SettingSource | null => sources.get(config)?.get(dotted) ?? null;

export function loadConfig(options: LoadConfigOptions): CoreConfig {
  const env = options.env ?? process.env;
  let raw: Json = {};
  const given = new Map<string, SettingSource>();
  const layer = (values: Json, source: SettingSource) => {
    for (const [dotted, set] of leafPaths(values)) {
      if (set) given.set(dotted, source);
      else given.delete(dotted);
    }
    raw = mergeConfig(raw, values);
  };
  const defaultFile = path.join(options.root, 'config', 'default.json');
  if (fs.existsSync(defaultFile)) layer(readJsonFile(defaultFile), 'config');
  const localFile = path.join(options.root, 'config', 'local.json');
  if (fs.existsSync(localFile)) layer(readJsonFile(localFile), 'config');
  if (env.PLINTH_CONFIG) layer(readJsonFile(path.resolve(options.root, env.PLINTH_CONFIG)), 'config');
  layer(envLayer(env), 'environment');
  if (options.overrides) layer(options.overrides as Json, 'config');

  if (!validateCore(raw)) {
    throw new ConfigError(describeConfigErrors(toFieldErrors(validateCore.errors), raw));
  }
  const config = raw as unknown as CoreConfig;
  sources.set(config, given);
  config.dataDir = path.resolve(options.root, config.dataDir);
  if (config.server.publicUrl) config.server.publicUrl = config.server.publicUrl.replace(/\/+$/, '');
  else derivePublicUrl(config, config.server.port);
  return config;
}

/** Configs whose publicUrl was not configured but derived from the port (so it follows the port). */
const derived = new WeakSet<CoreConfig>();

/**
 * Without a configured publicUrl, people reach the server on this machine at the port it serves.
 * Port 0 (pick a free one) is settled when the server listens: `Plinth.listen` calls this again.
 */
export function derivePublicUrl(config: CoreConfig, port: number): void {
  if (config.server.publicUrl && !derived.has(config)) return;
  config.server.publicUrl = `http://localhost:${port}`;
  derived.add(config);
}
