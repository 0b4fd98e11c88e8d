import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { isEmailAddress } from 'plinth/plugin';
import type { EventBus } from 'plinth/plugin';
import type { Mailer } from 'plinth/plugin';
import type { UsageMeter } from 'plinth/plugin';
import type { MailboxScope } from './access.js';
import type { Mailboxes } from './mailboxes.js';
import { MailErrors } from './errors.js';

export interface SendInput {
  from: string;
  fromName?: string;
  to: string | string[];
  subject: string;
  html?: string;
  text?: string;
  scheduledAt?: string;
}

const MAX_RECIPIENTS = 50;

const toView = (r: Record<string, any>) => ({
  id: Number(r.id),
  resend_id: r.public_id,
  from_addr: r.from_addr,
  recipients: JSON.parse(r.recipients).join(', '),
  subject: r.subject,
  html_content: r.html_content,
  text_content: r.text_content,
  status: r.status,
  scheduled_at: r.scheduled_at,
  sent_at: r.sent_at,
  error: r.error,
  created_at: r.created_at,
});

/** What Sender is built from, passed by name. */
export interface SenderDeps {
  db: Knex;
  clock: Clock;
  events: EventBus;
  mailer: () => Mailer;
  mailboxes: Mailboxes;
  usage: UsageMeter;
  /** Told of a tenant (null: none) whose sent mail changed, once committed (the admin pages' live channel); never throws. */
  changed?: (tenantId: string | null) => void;
}

/**
 * Outgoing mail from a mailbox the caller may use, through the core mailer (SMTP relay or local
 * outbox). Scheduled sends wait in `mail_sent` until the job picks them up; until then they can
 * be re-scheduled or canceled. Each recipient counts against `emails_sent_per_month`.
 */
export class Sender {
  constructor(private readonly deps: SenderDeps) {}

  async canSend(scope: MailboxScope): Promise<boolean> {
    if (scope.role === 'mailbox') return false;
    if (scope.role !== 'user') return true;
    const row = await this.deps.db('mail_user_settings').where('user_id', scope.userId).first('can_send');
    return Boolean(row?.can_send);
  }

  async send(scope: MailboxScope, input: SendInput): Promise<{ id: string; status: string }> {
    if (!(await this.canSend(scope))) throw MailErrors.cannotSend();
    if (!input.html && !input.text) throw MailErrors.bodyMissing();
    const mailbox = await this.deps.mailboxes.get(scope, input.from);
    const recipients = [...new Set((Array.isArray(input.to) ? input.to : input.to.split(',')).map((a) => a.trim().toLowerCase()).filter(Boolean))];
    if (!recipients.length) throw MailErrors.noRecipients();
    // A `to` string is split on commas: each part must be one plain address (no CR/LF, no names, no header tricks).
    const bad = recipients.find((a) => !isEmailAddress(a));
    if (bad !== undefined) throw MailErrors.recipientInvalid(bad);
    if (recipients.length > MAX_RECIPIENTS) throw MailErrors.tooManyRecipients(MAX_RECIPIENTS);
    const now = this.deps.clock.now();
    const scheduled = input.scheduledAt ? new Date(input.scheduledAt) : null;
    if (scheduled && Number.isNaN(scheduled.getTime())) throw MailErrors.scheduleNotADate();
    const later = scheduled !== null && scheduled > now;
    const row = {
      public_id: `msg_${randomBytes(12).toString('hex')}`,
      tenant_id: mailbox.tenant_id,
      user_id: scope.userId,
      mailbox_id: mailbox.id,
      from_addr: mailbox.address,
      from_name: input.fromName ?? null,
      recipients: JSON.stringify(recipients),
      subject: input.subject,
      html_content: input.html ?? null,
      text_content: input.text ?? null,
      status: later ? 'scheduled' : 'sending',
      scheduled_at: later ? scheduled!.toISOString() : null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
    await this.deps.db.transaction(async (trx) => {
      if (mailbox.tenant_id) await this.deps.usage.consume(mailbox.tenant_id, 'emails_sent_per_month', recipients.length, trx, scope.principal);
      await trx('mail_sent').insert(row);
    });
    this.deps.changed?.(row.tenant_id);
    if (later) return { id: row.public_id, status: 'scheduled' };
    return { id: row.public_id, status: await this.deliver(row.public_id) };
  }

  /** Hands one stored message to the mailer; records the outcome and emits mail.sent. */
  async deliver(publicId: string): Promise<string> {
    const row = await this.deps.db('mail_sent').where('public_id', publicId).first();
    if (!row) return 'missing';
    const result = await this.deps.mailer().send({
      from: row.from_name ? { name: row.from_name, address: row.from_addr } : row.from_addr,
      to: JSON.parse(row.recipients),
      subject: row.subject,
      ...(row.html_content ? { html: row.html_content } : {}),
      ...(row.text_content ? { text: row.text_content } : {}),
    });
    const status = result.status === 'failed' ? 'failed' : 'sent';
    await this.deps.db.transaction(async (trx) => {
      await trx('mail_sent')
        .where('id', row.id)
        .update({
          status,
          sent_at: this.deps.clock.now().toISOString(),
          updated_at: this.deps.clock.now().toISOString(),
          error: result.status === 'failed' ? 'the relay refused the message' : null,
        });
      if (status === 'sent')
        await this.deps.events.emit(
          trx,
          'mail.sent',
          { sent_id: row.public_id, from: row.from_addr, recipients: JSON.parse(row.recipients), subject: row.subject },
          { tenantId: row.tenant_id },
        );
    });
    this.deps.changed?.(row.tenant_id);
    return status;
  }

  /** The job: scheduled sends whose time has come. Claimed one by one so two instances never send twice. */
  async sendDue(now: Date = this.deps.clock.now()): Promise<number> {
    const due: Array<{ public_id: string; id: number }> = await this.deps
      .db('mail_sent')
      .where('status', 'scheduled')
      .where('scheduled_at', '<=', now.toISOString())
      .orderBy('scheduled_at')
      .limit(500)
      .select('id', 'public_id');
    let sent = 0;
    for (const d of due) {
      const claimed = await this.deps.db('mail_sent').where({ id: d.id, status: 'scheduled' }).update({ status: 'sending', updated_at: now.toISOString() });
      if (claimed) {
        await this.deliver(d.public_id);
        sent++;
      }
    }
    return sent;
  }

  private visible(scope: MailboxScope) {
    const q = this.deps.db('mail_sent as s');
    if (scope.role === 'mailbox') return q.where('s.mailbox_id', scope.mailboxId ?? -1);
    if (scope.role !== 'strictAdmin') q.where('s.tenant_id', scope.tenantId);
    if (scope.role === 'user') q.where('s.user_id', scope.userId);
    return q;
  }

  async list(scope: MailboxScope, from: string, limit: number) {
    const mailbox = await this.deps.mailboxes.get(scope, from);
    return (await this.visible(scope).where('s.mailbox_id', mailbox.id).orderBy('s.id', 'desc').limit(limit)).map((r: Record<string, any>) => {
      const { html_content: _h, text_content: _t, from_addr: _f, ...rest } = toView(r);
      return rest;
    });
  }

  /** By numeric id or public id (`msg_…`). */
  async get(scope: MailboxScope, id: string) {
    const q = this.visible(scope);
    const row = await (/^\d+$/.test(id) ? q.where('s.id', Number(id)) : q.where('s.public_id', id)).first('s.*');
    if (!row) throw MailErrors.sentNotFound(id);
    return toView(row);
  }

  async remove(scope: MailboxScope, id: string): Promise<void> {
    const found = await this.get(scope, id);
    const tenantId = await this.tenantOf(found.id);
    await this.deps.db('mail_sent').where('id', found.id).delete();
    this.deps.changed?.(tenantId);
  }

  /** The tenant of a sent message (the view leaves it out), for the live channel. */
  private async tenantOf(id: number): Promise<string | null> {
    return ((await this.deps.db('mail_sent').where('id', id).first('tenant_id')) as { tenant_id: string | null } | undefined)?.tenant_id ?? null;
  }

  /** Re-schedules or cancels a send that has not gone yet. */
  async reschedule(scope: MailboxScope, id: string, patch: { status?: 'canceled'; scheduledAt?: string }) {
    const found = await this.get(scope, id);
    if (found.status !== 'scheduled') throw MailErrors.notScheduled(found.status);
    const update: Record<string, unknown> = { updated_at: this.deps.clock.now().toISOString() };
    if (patch.status === 'canceled') update.status = 'canceled';
    if (patch.scheduledAt) {
      const at = new Date(patch.scheduledAt);
      if (Number.isNaN(at.getTime()) || at <= this.deps.clock.now()) throw MailErrors.scheduleNotInFuture();
      update.scheduled_at = at.toISOString();
    }
    const changed = await this.deps.db('mail_sent').where({ id: found.id, status: 'scheduled' }).update(update);
    if (!changed) throw MailErrors.justSent();
    this.deps.changed?.(await this.tenantOf(found.id));
    return this.get(scope, id);
  }
}
