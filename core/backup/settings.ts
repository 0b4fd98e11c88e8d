/** Where an S3-compatible destination keeps backups, beside the local folder. */
export interface S3Destination {
  bucket: string;
  /** Prepended to each backup's name, e.g. `plinth/`. */
  prefix: string;
  region: string;
  /** An S3-compatible server's URL (MinIO, R2, Wasabi, a local test server); null = AWS. */
  endpoint: string | null;
  /** Path-style addressing (`endpoint/bucket/key`), which most S3-compatible servers need. */
  forcePathStyle: boolean;
  /** Null: the SDK's own chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, ~/.aws, an instance role). */
  accessKeyId: string | null;
  secretAccessKey: string | null;
}

export interface BackupSettings {
  /** The folder backups are written to (and listed from); null = `<dataDir>/backups`. */
  dir: string | null;
  /** When the `core.backup` job takes one (cron, UTC); null or `off` = never on a schedule. */
  schedule: string | null;
  /** How many backups each destination keeps, newest first; older ones are deleted after a new one succeeds. */
  keep: number;
  s3: S3Destination | null;
}

export const backupSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['dir', 'schedule', 'keep', 's3'],
  properties: {
    dir: { type: 'string', nullable: true, minLength: 1, default: null },
    // Five or six cron fields, or `off` (what the environment can say: PLINTH_BACKUP_SCHEDULE=off).
    schedule: { type: 'string', nullable: true, pattern: '^(off|\\S+( \\S+){4,5})$', default: '30 2 * * *' },
    keep: { type: 'integer', minimum: 1, maximum: 1000, default: 7 },
    s3: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: ['bucket', 'prefix', 'region', 'endpoint', 'forcePathStyle', 'accessKeyId', 'secretAccessKey'],
      properties: {
        bucket: { type: 'string', minLength: 3, maxLength: 63 },
        prefix: { type: 'string', maxLength: 200, pattern: '^(|[^/].*)$', default: '' },
        region: { type: 'string', minLength: 1, default: 'us-east-1' },
        endpoint: { type: 'string', nullable: true, format: 'uri', default: null },
        forcePathStyle: { type: 'boolean', default: false },
        accessKeyId: { type: 'string', nullable: true, default: null },
        secretAccessKey: { type: 'string', nullable: true, default: null },
      },
      default: null,
    },
  },
  default: {},
} as const;
