import type { UiPage } from '../../plugins/contract.js';
import type { OutboxMail } from '../../mailer.js';
import type { Alert } from '../../alerts/alerts.js';

/** GET /admin/api/meta */
export interface Meta {
  version: string;
  login: boolean;
  /** Who is signed in, or null for a visitor (the shell's one probe; no 401 needed). */
  me: Me | null;
  plugins: Array<{ name: string; pages: UiPage[]; script: string | null }>;
}

/** GET /admin/api/me */
export interface Me {
  id: string;
  kind: string;
  name: string | null;
  /** The language they chose (core/languages.ts); null: the browser's decides. */
  language?: string | null;
  roles: string[];
  tenant_id: string | null;
  /** A page to go through before any other (a second factor the server's policy requires): the shell sends the user there. */
  required_step?: { href: string; reason: string } | null;
  /** The admin pages (hrefs) this person may open, by role, scope and plan (meta only; core/http/page-access.ts). */
  pages?: string[];
}

/** What a job run did (core/scheduler.ts JobReport): rows deleted per table, for the prune jobs. */
export interface JobRunReport {
  deleted: Record<string, number>;
  batches?: number;
  slowestBatchMs?: number;
}

export interface JobRun {
  status: string;
  started_at: string;
  finished_at: string | null;
  trigger: string;
  error: string | null;
  /** Null for a run that reported nothing (a job that deletes nothing) or is still running. */
  report: JobRunReport | null;
}

/** GET /admin/api/system (superadmin) */
export interface SystemInfo {
  version: string;
  database: string;
  plugins: Array<{
    name: string;
    version: string | null;
    base: string | null;
    dependsOn: string[];
    source: 'built-in' | 'npm' | 'folder';
    pluginApi: string | null;
    state: 'running' | 'failed';
    error: string | null;
  }>;
  /** The plugin API version this Plinth provides. */
  plugin_api: string;
  migrations: Array<{ name: string; migration_time: string | number | null }>;
  jobs: Array<{ job: string; schedule: string; last: JobRun | null }>;
  outbox: {
    pending: number;
    delivered: number;
    dead: number;
    dead_events: Array<{ id: number; name: string; attempts: number; last_error: string | null; created_at: string }>;
  };
  storage: {
    tables: Array<{ table: string; rows: number }>;
    database_bytes: number | null;
  };
  backups: {
    last_success: BackupOutcome | null;
    last_failure: BackupOutcome | null;
    destinations: Array<{ location: string; where: string }>;
  };
  /** The open alerts (critical first) and the 20 cleared last (core/alerts). */
  alerts: { open: AlertView[]; recently_cleared: AlertView[] };
}

/** An alert as GET /admin/api/alerts and the System page show it (core/alerts/alerts.ts). */
export type AlertView = Alert;

/** A backup taken or failed (core/backup/backups.ts). */
export interface BackupOutcome {
  at: string;
  trigger: string;
  name: string | null;
  bytes: number | null;
  error: string | null;
}

/** A mail of the core outbox, as the API shows it (the mailer's own type). */
export type { OutboxMail };

/** GET /api/admin/outbox: the core pager, and how mail leaves (`outbox` = no relay configured). */
export interface OutboxPageData {
  items: OutboxMail[];
  total: number;
  page: number;
  page_size: number;
  pages: number;
  transport: 'outbox' | 'smtp';
}
