import type { Cradle } from 'plinth/plugin';
import type { IncomingMessage } from 'node:http';
import type { MailSettings } from '../config.js';
import { Emails } from './emails.js';
import { Ingest } from './ingest.js';
import { InlinePreparer, ParsePool } from './parse-pool.js';
import { Mailboxes } from './mailboxes.js';
import { MailDomains } from './domains.js';
import { SmtpReceiver } from './smtp-receiver.js';
import { smtpMetrics } from './smtp-metrics.js';
import { Sender } from './sender.js';
import { Forwarder } from './forwarder.js';
import { MailAuth } from './mail-auth.js';
import { CodeWaiter } from './code-waiter.js';
import { DEFAULT_MAILBOX_LIMIT } from './mailboxes.js';
import { MailErrors } from './errors.js';

export type MailDeps = Pick<
  Cradle,
  | 'db'
  | 'clock'
  | 'logger'
  | 'events'
  | 'pubsub'
  | 'usage'
  | 'mailer'
  | 'config'
  | 'rateLimits'
  | 'passwords'
  | 'adminLogin'
  | 'authUsers'
  | 'tenants'
  | 'live'
  | 'metricsRegistry'
>;

export type MailServices = ReturnType<typeof createMailServices>;

export function createMailServices(d: MailDeps, settings: MailSettings) {
  const domains = new MailDomains({ db: d.db, clock: d.clock, settings, publicUrl: d.config.server.publicUrl, tenants: () => d.tenants });
  // The admin pages follow mailboxes and sent mail as they change (live channel; a tenant's burst is one nudge a second).
  const mailboxChanged = (tenantId: string | null) => d.live.nudge(tenantId, 'mail.mailbox');
  const mailboxes = new Mailboxes({ db: d.db, clock: d.clock, settings, usage: d.usage, domains, pubsub: d.pubsub, logger: d.logger, changed: mailboxChanged });
  const preparer = settings.smtp.parseWorkers > 0 ? new ParsePool({ settings, logger: d.logger }) : new InlinePreparer(settings);
  const ingest = new Ingest({
    db: d.db,
    clock: d.clock,
    logger: d.logger,
    events: d.events,
    mailboxes,
    preparer,
    pubsub: () => d.pubsub,
    live: () => d.live,
  });
  const emails = new Emails({ db: d.db, mailboxes, ingest, maxWaitsPerCaller: settings.longPollMaxPerPrincipal, clock: d.clock });
  const receiver: SmtpReceiver = new SmtpReceiver({
    settings,
    ingest,
    mailboxes,
    logger: d.logger,
    metrics: smtpMetrics(d.metricsRegistry, () => receiver.openSessions()),
  });
  d.metricsRegistry.longPolls('mail_wait', () => emails.waitsHeld());
  const sender = new Sender({
    db: d.db,
    clock: d.clock,
    events: d.events,
    mailer: () => d.mailer,
    mailboxes,
    usage: d.usage,
    changed: (tenantId) => d.live.nudge(tenantId, 'mail.sent'),
  });
  const forwarder = new Forwarder({ db: d.db, mailer: () => d.mailer });
  // The auth plugin's services are read per call through the container (mail depends on auth).
  const auth = new MailAuth({
    db: d.db,
    clock: d.clock,
    rateLimits: d.rateLimits,
    guestPassword: settings.guestPassword,
    passwords: () => d.passwords,
    platform: () => d.adminLogin,
    users: () => d.authUsers,
  });

  /** A user's mail rights (the seed's mailbox_limit and can_send), with the defaults when unset. */
  async function userRights(userId: string): Promise<{ mailbox_limit: number; can_send: boolean }> {
    const row = await d.db('mail_user_settings').where('user_id', userId).first();
    return { mailbox_limit: row ? Number(row.mailbox_limit) : DEFAULT_MAILBOX_LIMIT, can_send: Boolean(row?.can_send) };
  }

  async function setUserRights(userId: string, tenantId: string | null, patch: { mailbox_limit?: number; can_send?: boolean }): Promise<void> {
    const current = await userRights(userId);
    await d
      .db('mail_user_settings')
      .insert({ user_id: userId, tenant_id: tenantId, ...current, ...patch, updated_at: d.clock.now().toISOString() })
      .onConflict('user_id')
      .merge({ ...patch, updated_at: d.clock.now().toISOString() });
  }

  /** Reads a request body as bytes, refusing (413) past the limit without keeping the rest. */
  async function readRaw(req: IncomingMessage, limit: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > limit) throw MailErrors.messageTooLarge(limit);
      chunks.push(chunk);
    }
    if (!bytes) throw MailErrors.rawMessageEmpty();
    return Buffer.concat(chunks, bytes);
  }

  /** For other plugins (agents), as `mailCodes` in the container. */
  const codes = new CodeWaiter({ emails, mailboxes });

  return { domains, mailboxes, preparer, ingest, emails, receiver, sender, forwarder, auth, codes, userRights, setUserRights, readRaw };
}
