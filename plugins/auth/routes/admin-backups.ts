// Backups for the operator (superadmin, /api/v2/admin/backups): list, take one now, download,
// delete. A backup holds every password hash and signing key, so each of these is in the audit log
// with who did it; scheduled (and CLI) backups reach it through the core's backup hooks.
import { BACKUP_CREATED, BACKUP_FAILED, type BackupTrigger, type Backups } from 'plinth/plugin';
import type { BackupLocation } from 'plinth/plugin';
import { isAppError } from 'plinth/plugin';
import type { Hooks } from 'plinth/plugin';
import { requireRole } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import type { AuditLog } from '../services/audit.js';
import { backupListReply, backupParams, newBackupReply } from './schemas.js';
import { meta, principalOf } from './shared.js';
import type { AuthErrorCode } from '../api.js';

export interface BackupRouteDeps {
  backups: Backups;
  audit: AuditLog;
  /** backup.schedule as configured (`off` or null: not scheduled). */
  schedule: string | null;
  keep: number;
}

type Params = { location: BackupLocation; name: string };

const target = (name: string) => ({ type: 'backup', id: name });

export function adminBackupRoutes(r: PluginRouter<AuthErrorCode>, d: BackupRouteDeps): void {
  const superadmin = [requireRole('superadmin')];
  const { backups, audit } = d;

  r.get(
    '/admin/backups',
    {
      summary: 'Backups in every destination, newest first, with the schedule and the last success and failure',
      guards: superadmin,
      schema: { responses: { 200: { description: 'The backups and how they are taken', schema: backupListReply } } },
    },
    async () => {
      // A destination that cannot be listed (the folder is a file, the bucket refuses) must not hide why backups fail.
      const [listed, status] = await Promise.all([
        backups.list().then(
          (items) => ({ items, error: null }),
          (err: Error) => ({ items: [], error: err.message }),
        ),
        backups.status(),
      ]);
      return {
        items: listed.items.map((b) => ({
          name: b.name,
          location: b.location,
          bytes: b.bytes,
          created_at: b.createdAt,
          database: b.database,
          plinth_version: b.plinthVersion,
        })),
        destinations: backups.destinations(),
        schedule: d.schedule && d.schedule !== 'off' ? d.schedule : null,
        keep: d.keep,
        last_success: status.lastSuccess,
        last_failure: status.lastFailure,
        list_error: listed.error,
      };
    },
  );

  r.post(
    '/admin/backups',
    {
      errors: { 409: ['backup_in_progress'] },
      summary: 'Take a backup now (to every destination; each then keeps the newest backup.keep)',
      description:
        'Answers when the backup is written. 409 backup_in_progress while this instance takes one; 503 tool_missing on PostgreSQL without pg_dump on the PATH.',
      guards: superadmin,
      schema: { responses: { 201: { description: 'The backup taken', schema: newBackupReply } } },
    },
    async (ctx) => {
      const actor = await principalOf(ctx);
      let taken: Awaited<ReturnType<Backups['create']>>;
      try {
        taken = await backups.create({ trigger: 'manual' });
      } catch (err) {
        // One already running is refused before anything is tried: nothing failed.
        if (!(isAppError(err) && err.code === 'backup_in_progress')) {
          await audit.record({ action: 'backup.failed', actor, meta: meta(ctx), details: { trigger: 'manual', error: (err as Error).message } });
        }
        throw err;
      }
      const { name, bytes, locations } = taken;
      await audit.record({ action: 'backup.created', actor, target: target(name), meta: meta(ctx), details: { trigger: 'manual', bytes, locations } });
      ctx.status = 201;
      return { name, bytes, locations, created_at: taken.manifest.createdAt };
    },
  );

  r.get<unknown, Params>(
    '/admin/backups/:location/:name',
    {
      errors: { 404: ['not_found'] },
      summary: 'Download a backup (application/gzip, as an attachment)',
      description: 'The archive holds every password hash and signing key: each download is in the audit log.',
      guards: superadmin,
      schema: {
        params: backupParams,
        responses: { 200: { description: 'The archive (Content-Disposition: attachment; filename=<name>)', contentType: 'application/gzip' } },
      },
    },
    async (ctx, { params }) => {
      const actor = await principalOf(ctx);
      const { stream, bytes } = await backups.read(params.name, params.location);
      try {
        // Recorded before a byte is sent: a download nobody can account for must not happen.
        await audit.record({ action: 'backup.downloaded', actor, target: target(params.name), meta: meta(ctx), details: { location: params.location, bytes } });
      } catch (err) {
        stream.destroy();
        throw err;
      }
      ctx.type = 'application/gzip';
      ctx.set('Content-Disposition', `attachment; filename="${params.name}"`);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = stream;
      ctx.length = bytes;
    },
  );

  r.delete<unknown, unknown, Params>(
    '/admin/backups/:location/:name',
    {
      errors: { 404: ['not_found'] },
      summary: 'Delete a backup from one destination',
      guards: superadmin,
      schema: { params: backupParams, responses: { 204: { description: 'Deleted' } } },
    },
    async (ctx, { params }) => {
      const actor = await principalOf(ctx);
      await backups.remove(params.name, params.location);
      await audit.record({ action: 'backup.deleted', actor, target: target(params.name), meta: meta(ctx), details: { location: params.location } });
      ctx.status = 204;
    },
  );
}

interface Created {
  trigger: BackupTrigger;
  name: string;
  bytes: number;
  locations: BackupLocation[];
}
interface Failed {
  trigger: BackupTrigger;
  error: string;
}

/**
 * Backups nobody asked for through the API (the `core.backup` job, `plinth backup`) in the audit
 * log, by the system. A backup taken through POST /admin/backups is recorded there, with its actor.
 */
export function auditBackupOutcomes(hooks: Hooks, audit: AuditLog): void {
  hooks.on<Created>(BACKUP_CREATED, 'auth', async ({ trigger, name, bytes, locations }) => {
    if (trigger !== 'manual') await audit.record({ action: 'backup.created', target: target(name), details: { trigger, bytes, locations } });
  });
  hooks.on<Failed>(BACKUP_FAILED, 'auth', async ({ trigger, error }) => {
    if (trigger !== 'manual') await audit.record({ action: 'backup.failed', details: { trigger, error } });
  });
}
