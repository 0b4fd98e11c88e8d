import nodemailer, { type Transporter } from 'nodemailer';
import type { Knex } from 'knex';
import { iso, type Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { CoreConfig } from './config/schema.js';

export interface OutgoingMail {
  to: string | string[];
  /** An address, or `{ name, address }` (nodemailer quotes the name safely). */
  subject: string;
  text?: string;
  html?: string;
  from?: string | { name: string; address: string };
  replyTo?: string;
  headers?: Record<string, string>;
}

export interface SentMail {
  id: number;
  messageId: string | null;
  status: 'stored' | 'sent' | 'failed';
}

/**
 * Outbound mail through nodemailer. With `mailer.smtpUrl` set it relays over SMTP; otherwise the
 * message is built as real MIME and kept in `core_mail_outbox`, where the UI and tests read it.
 * Every message is recorded either way.
 */
export class Mailer {
  private readonly builder: Transporter;
  private readonly relay: Transporter | null;

  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly settings: CoreConfig['mailer'],
  ) {
    // Mail may carry user content: nodemailer must never read local files or fetch URLs for it.
    const safety = { disableFileAccess: true, disableUrlAccess: true };
    this.builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows', ...safety });
    this.relay = settings.smtpUrl ? nodemailer.createTransport(settings.smtpUrl, safety) : null;
  }

  get transport(): 'smtp' | 'outbox' {
    return this.relay ? 'smtp' : 'outbox';
  }

  async send(mail: OutgoingMail): Promise<SentMail> {
    const message = { ...mail, from: mail.from ?? this.settings.from };
    const built = await this.builder.sendMail(message);
    const raw = (built.message as Buffer).toString('utf8');
    let status: SentMail['status'] = 'stored';
    let error: string | null = null;
    if (this.relay) {
      try {
        await this.relay.sendMail({ envelope: built.envelope, raw });
        status = 'sent';
      } catch (err) {
        status = 'failed';
        error = (err as Error).message;
        this.logger.error({ err, to: mail.to }, 'SMTP relay refused a message');
      }
    }
    const [row] = await this.db('core_mail_outbox')
      .insert({
        message_id: built.messageId ?? null,
        from: typeof message.from === 'string' ? message.from : `${message.from.name} <${message.from.address}>`,
        to: JSON.stringify(Array.isArray(mail.to) ? mail.to : [mail.to]),
        subject: mail.subject,
        text: mail.text ?? null,
        html: mail.html ?? null,
        raw,
        transport: this.transport,
        status,
        error,
        created_at: iso(this.clock.now()),
      })
      .returning('id');
    const id = Number(typeof row === 'object' ? (row as { id: number }).id : row);
    return { id, messageId: built.messageId ?? null, status };
  }

  /** Newest first; `to` filters by one recipient address. */
  async outbox(options: { to?: string; limit?: number } = {}): Promise<Array<Record<string, unknown>>> {
    const q = this.db('core_mail_outbox').orderBy('id', 'desc').limit(options.limit ?? 50);
    if (options.to) q.where('to', 'like', `%${JSON.stringify(options.to).slice(1, -1)}%`);
    const rows = await q;
    return rows.map((r: Record<string, unknown>) => ({ ...r, to: JSON.parse(String(r.to)) }));
  }

  close(): void {
    this.relay?.close();
  }
}
