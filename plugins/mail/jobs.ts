import type { PlinthContainer } from '../../core/container.js';
import type { JobSpec } from '../../core/plugins/contract.js';
import type { MailSettings } from './config.js';

const services = (c: { container: PlinthContainer }) => c.container.resolve('mailServices');

/** Scheduled mail going out, expired mailboxes going away, and old sent mail and sessions pruned. */
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
];
