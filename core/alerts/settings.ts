/**
 * `alerts` in the config: when the conditions are evaluated, the core's thresholds and who is told.
 * Plugins keep the thresholds of their own conditions in their settings (settings.mail.alerts, settings.ai.alerts).
 */
export interface AlertsSettings {
  /** When the `core.alerts` job evaluates every condition (cron, UTC); `off`: never (raise() still works). */
  schedule: string;
  thresholds: {
    /** More dead events than this raise `events.dead` (0: any dead event). */
    deadEvents: number;
    /** A job whose last N finished runs all failed raises `jobs.failing:<job>`. */
    jobFailuresInARow: number;
    /** The database past this many bytes on disk raises `database.size`; null: never. */
    databaseBytes: number | null;
    /** Less free space than this on the data folder's file system raises `disk.free` (0: not by bytes). */
    diskFreeBytes: number;
    /** …or less than this share of it free, in percent (0: not by share). */
    diskFreePercent: number;
    /** The share of HTTP responses that were 5xx over the window that raises `http.5xx`… */
    http5xxRate: number;
    /** …once at least this many 5xx were answered in it (one error is not an alert). */
    http5xxMin: number;
    /** The window rates are counted over (HTTP 5xx here, SMTP refusals in the mail plugin), in minutes. */
    rateWindowMinutes: number;
  };
  /** Who gets the mail of each raising and clearing. */
  notify: {
    /** Every active superadmin with an email (through the `core.alerts.recipients` filter: the auth plugin knows them). */
    superadmins: boolean;
    /** Further addresses (env PLINTH_ALERTS_EMAILS, comma-separated). */
    emails: string[];
  };
  /** Cleared alerts are kept this many days (the System page shows the recent ones). */
  keepDays: number;
}

const GIB = 1024 * 1024 * 1024;

export const alertsSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['schedule', 'thresholds', 'notify', 'keepDays'],
  properties: {
    schedule: { type: 'string', pattern: '^(off|\\S+( \\S+){4,5})$', default: '* * * * *' },
    thresholds: {
      type: 'object',
      additionalProperties: false,
      required: ['deadEvents', 'jobFailuresInARow', 'databaseBytes', 'diskFreeBytes', 'diskFreePercent', 'http5xxRate', 'http5xxMin', 'rateWindowMinutes'],
      properties: {
        deadEvents: { type: 'integer', minimum: 0, default: 0 },
        jobFailuresInARow: { type: 'integer', minimum: 1, maximum: 1000, default: 3 },
        databaseBytes: { type: 'integer', nullable: true, minimum: 0, default: 10 * GIB },
        diskFreeBytes: { type: 'integer', minimum: 0, default: GIB },
        diskFreePercent: { type: 'number', minimum: 0, maximum: 100, default: 5 },
        http5xxRate: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.05 },
        http5xxMin: { type: 'integer', minimum: 1, default: 20 },
        rateWindowMinutes: { type: 'integer', minimum: 1, maximum: 1440, default: 5 },
      },
      default: {},
    },
    notify: {
      type: 'object',
      additionalProperties: false,
      required: ['superadmins', 'emails'],
      properties: {
        superadmins: { type: 'boolean', default: true },
        emails: { type: 'array', items: { type: 'string', format: 'email' }, uniqueItems: true, default: [] },
      },
      default: {},
    },
    keepDays: { type: 'integer', minimum: 1, maximum: 3650, default: 90 },
  },
  default: {},
} as const;
