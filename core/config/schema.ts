import { backupSettingsSchema, type BackupSettings } from '../backup/settings.js';
import { alertsSettingsSchema, type AlertsSettings } from '../alerts/settings.js';

/** What `core.retention` (core/retention.ts) deletes, and how much at a time. */
export interface RetentionSettings {
  /** Delivered events (and their handled records) are kept this many days; dead and pending ones until acted on. */
  deliveredEventDays: number;
  /** Finished runs kept per job, newest first. */
  jobRunsPerJob: number;
  /** Mails of the core mailer's outbox (resets, verifications, alerts) are kept this many days. */
  mailOutboxDays: number;
  /** Rows deleted per statement, each its own short transaction, so no lock is held for long. */
  batchSize: number;
}

export interface CoreConfig {
  server: {
    host: string;
    port: number;
    /**
     * Base URL people reach the server at; links in mail are built from it, never from the Host header.
     * Unset in config: `http://localhost:<port>`, the port actually served.
     */
    publicUrl: string;
    /** Trust X-Forwarded-For / X-Forwarded-Proto only when a proxy is in front. */
    trustProxy: boolean;
    bodyLimit: string;
    shutdownTimeoutMs: number;
    /**
     * Check every JSON reply against the schema its route documents (a mismatch is a 500 naming the
     * route and the field): for tests and development, so /openapi.json cannot drift from the code.
     */
    checkReplies: boolean;
    /**
     * Hold each error a route throws to the codes /openapi.json lists for it (RouteOptions.errors and
     * what its declaration implies): an undeclared status and code is a 500 naming the route and the code.
     */
    checkErrorCodes: boolean;
    /**
     * Seconds of an idle event loop after which one memory-reducing collection gives the heap back
     * (idle-heap.ts; the idle RSS in docs/performance.md); 0: never.
     */
    reduceHeapAfterIdleSeconds: number;
  };
  smtp: { host: string; port: number };
  dataDir: string;
  database: { url: string | null; poolMax: number; preparedStatements: boolean };
  /** `namespace` prefixes every Redis channel and key; null = `plinth:<deployment id>` (from the database). */
  redis: { url: string | null; namespace: string | null };
  /** `format`: `auto` = readable lines on a terminal, JSON lines otherwise. */
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'; format: 'auto' | 'pretty' | 'json' };
  /** Enabled plugins, by folder name, in any order (dependsOn decides the order). */
  plugins: string[];
  /** Folders searched for plugins, relative to the code root. */
  pluginDirs: string[];
  /**
   * `onFailure`: a plugin that cannot load (not installed, incompatible, throws on import) stops the
   * boot (`stop`), or is skipped with a warning and shown as failed on the System page (`skip`).
   * `allow`: when set, the only npm packages and folders (as written in `plugins`) that may load;
   * built-in plugins always may.
   */
  pluginLoading: { onFailure: 'stop' | 'skip'; allow: string[] | null };
  /** Each plugin's section, validated by that plugin's configSchema. */
  settings: Record<string, Record<string, unknown>>;
  rateLimit: { store: 'memory' | 'database' | 'redis'; points: number; durationSeconds: number };
  events: {
    pollIntervalMs: number;
    batchSize: number;
    maxAttempts: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
    jitterRatio: number;
    /** How long a dispatcher holds a batch it delivers (renewed every third of it); another instance takes a dead one's batch over after it. */
    leaseSeconds: number;
  };
  scheduler: { enabled: boolean; leaseSeconds: number };
  retention: RetentionSettings;
  backup: BackupSettings;
  alerts: AlertsSettings;
  mailer: { smtpUrl: string | null; from: string };
  ui: { enabled: boolean };
  /**
   * `GET /metrics` (Prometheus): `token` is what a scraper sends as `Authorization: Bearer <token>`;
   * an API key with `platform:metrics` also reads it. With neither, /metrics is a 404.
   */
  metrics: { token: string | null };
}

/** Defaults live here; `default: {}` on a section lets ajv fill its keys when the section is absent. */
export const coreConfigSchema: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  required: [
    'server',
    'smtp',
    'dataDir',
    'database',
    'redis',
    'log',
    'plugins',
    'pluginDirs',
    'settings',
    'rateLimit',
    'events',
    'scheduler',
    'retention',
    'backup',
    'alerts',
    'mailer',
    'ui',
    'metrics',
  ],
  properties: {
    server: {
      type: 'object',
      additionalProperties: false,
      // publicUrl has no default here: when absent, loadConfig derives it from the port served.
      required: ['host', 'port', 'trustProxy', 'bodyLimit', 'shutdownTimeoutMs', 'checkReplies'],
      properties: {
        host: { type: 'string', default: '0.0.0.0' },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 3000 },
        publicUrl: { type: 'string', format: 'uri' },
        trustProxy: { type: 'boolean', default: false },
        bodyLimit: { type: 'string', pattern: '^[0-9]+(b|kb|mb)$', default: '1mb' },
        shutdownTimeoutMs: { type: 'integer', minimum: 0, default: 10000 },
        checkReplies: { type: 'boolean', default: false },
        checkErrorCodes: { type: 'boolean', default: false },
        reduceHeapAfterIdleSeconds: { type: 'integer', minimum: 0, default: 30 },
      },
      default: {},
    },
    smtp: {
      type: 'object',
      additionalProperties: false,
      required: ['host', 'port'],
      properties: {
        host: { type: 'string', default: '0.0.0.0' },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 2525 },
      },
      default: {},
    },
    dataDir: { type: 'string', minLength: 1, default: './data' },
    database: {
      type: 'object',
      additionalProperties: false,
      required: ['url', 'poolMax', 'preparedStatements'],
      properties: {
        url: { type: 'string', nullable: true, pattern: '^(postgres(ql)?://|sqlite:|file:)', default: null },
        poolMax: { type: 'integer', minimum: 1, default: 10 },
        preparedStatements: { type: 'boolean', default: true },
      },
      default: {},
    },
    redis: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: {
        url: { type: 'string', nullable: true, pattern: '^rediss?://', default: null },
        namespace: { type: 'string', nullable: true, pattern: '^[A-Za-z0-9_.:-]{1,64}$', default: null },
      },
      default: {},
    },
    log: {
      type: 'object',
      additionalProperties: false,
      required: ['level', 'format'],
      properties: {
        level: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
        format: { type: 'string', enum: ['auto', 'pretty', 'json'], default: 'auto' },
      },
      default: {},
    },
    // A built-in's or pluginDirs folder's name, an npm package (`plinth-plugin-x`, `@acme/plinth-crm`) or a folder (`./extensions/crm`).
    plugins: {
      type: 'array',
      items: { type: 'string', pattern: '^(?:(?:\\.{1,2})?/.+|(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*)$' },
      uniqueItems: true,
      default: [],
    },
    pluginDirs: { type: 'array', items: { type: 'string' }, default: ['plugins'] },
    pluginLoading: {
      type: 'object',
      additionalProperties: false,
      properties: {
        onFailure: { type: 'string', enum: ['stop', 'skip'], default: 'stop' },
        allow: { type: ['array', 'null'], items: { type: 'string' }, default: null },
      },
      default: {},
    },
    settings: {
      type: 'object',
      required: [],
      additionalProperties: { type: 'object', required: [] },
      default: {},
    },
    rateLimit: {
      type: 'object',
      additionalProperties: false,
      required: ['store', 'points', 'durationSeconds'],
      properties: {
        store: { type: 'string', enum: ['memory', 'database', 'redis'], default: 'memory' },
        points: { type: 'integer', minimum: 1, default: 600 },
        durationSeconds: { type: 'integer', minimum: 1, default: 60 },
      },
      default: {},
    },
    events: {
      type: 'object',
      additionalProperties: false,
      required: ['pollIntervalMs', 'batchSize', 'maxAttempts', 'backoffBaseMs', 'backoffMaxMs', 'jitterRatio', 'leaseSeconds'],
      properties: {
        pollIntervalMs: { type: 'integer', minimum: 10, default: 1000 },
        batchSize: { type: 'integer', minimum: 1, default: 100 },
        maxAttempts: { type: 'integer', minimum: 1, default: 10 },
        backoffBaseMs: { type: 'integer', minimum: 1, default: 1000 },
        backoffMaxMs: { type: 'integer', minimum: 1, default: 3600000 },
        // Retries spread by ±this share of their delay, so failures do not retry in lockstep.
        jitterRatio: { type: 'number', minimum: 0, maximum: 1, default: 0.2 },
        leaseSeconds: { type: 'integer', minimum: 1, maximum: 3600, default: 30 },
      },
      default: {},
    },
    scheduler: {
      type: 'object',
      additionalProperties: false,
      required: ['enabled', 'leaseSeconds'],
      properties: {
        enabled: { type: 'boolean', default: true },
        leaseSeconds: { type: 'integer', minimum: 1, default: 30 },
      },
      default: {},
    },
    retention: {
      type: 'object',
      additionalProperties: false,
      required: ['deliveredEventDays', 'jobRunsPerJob', 'mailOutboxDays', 'batchSize'],
      properties: {
        deliveredEventDays: { type: 'integer', minimum: 1, maximum: 3650, default: 7 },
        jobRunsPerJob: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 200 },
        mailOutboxDays: { type: 'integer', minimum: 1, maximum: 3650, default: 30 },
        batchSize: { type: 'integer', minimum: 1, maximum: 100_000, default: 1000 },
      },
      default: {},
    },
    backup: backupSettingsSchema,
    alerts: alertsSettingsSchema,
    mailer: {
      type: 'object',
      additionalProperties: false,
      required: ['smtpUrl', 'from'],
      properties: {
        smtpUrl: { type: 'string', nullable: true, pattern: '^smtps?://', default: null },
        from: { type: 'string', minLength: 3, default: 'Plinth <no-reply@localhost>' },
      },
      default: {},
    },
    ui: {
      type: 'object',
      additionalProperties: false,
      required: ['enabled'],
      properties: { enabled: { type: 'boolean', default: true } },
      default: {},
    },
    metrics: {
      type: 'object',
      additionalProperties: false,
      required: ['token'],
      // Long enough that guessing it is hopeless (it is compared in constant time all the same).
      properties: { token: { type: 'string', nullable: true, minLength: 16, maxLength: 512, pattern: '^[\\x21-\\x7e]+$', default: null } },
      default: {},
    },
  },
};
