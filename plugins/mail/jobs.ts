import type { PlinthContainer } from 'plinth/plugin';
import type { JobSpec } from 'plinth/plugin';
import type { MailSettings } from './config.js';
import { mailServices } from './services/own.js';

const services = (c: { container: PlinthContainer }) => mailServices.of(c);

/** Scheduled mail going out, expired mailboxes going away, and old sent mail, sessions and unexpiring mailboxes' mail pruned. */
export const mailJobs: JobSpec<MailSettings>[] = [
  {
    name: 'send-scheduled',
    schedule: '* * * * *',
    async run(c) {
      const sent = await services(c).sender.sendDue();
      if (sent) c.logger.info({ sent }, 'scheduled mail sent');
    },
  },
  {
    name: 'expire-mailboxes',
    schedule: '*/10 * * * *',
    catchUp: true,
    async run(c) {
      const removed = await services(c).mailboxes.expireDue();
      if (removed) c.logger.info({ removed }, 'expired mailboxes removed');
      // Their mail went with them (ON DELETE CASCADE); the count of mailboxes is the run's report.
      return { deleted: { mail_mailboxes: removed } };
    },
  },
  {
    name: 'prune-sent',
    schedule: '53 3 * * *',
    catchUp: true,
    async run(c, info) {
      const now = info.scheduledFor.toISOString();
      const before = new Date(info.scheduledFor.getTime() - c.settings.sentRetentionDays * 86_400_000).toISOString();
      const retention = c.container.resolve('retention');
      await retention.deleteInBatches('mail_sent', 'id', (q) => q.whereIn('status', ['sent', 'failed', 'canceled']).andWhere('updated_at', '<', before));
      await retention.deleteInBatches('mail_sessions', 'id', (q) => q.where('expires_at', '<', now));
    },
  },
  {
    // A mailbox's mail goes with the mailbox when it expires. Mailboxes made before every mailbox had
    // a lifetime have no expiry: their mail is bounded by age instead (the raw message goes with it).
    name: 'prune-emails',
    schedule: '57 3 * * *',
    catchUp: true,
    async run(c, info) {
      const before = new Date(info.scheduledFor.getTime() - c.settings.emailRetentionDays * 86_400_000).toISOString();
      await c.container
        .resolve('retention')
        .deleteInBatches('mail_emails', 'id', (q) =>
          q.where('received_at', '<', before).whereIn('mailbox_id', (m) => m.select('id').from('mail_mailboxes').whereNull('expires_at')),
        );
    },
  },
];
