import type { Transporter } from 'nodemailer';
import type { Knex } from 'knex';
import { iso, type Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { CoreConfig } from './config/schema.js';
import { AppError } from './errors.js';
import { readStoredRelay, relayLocks, smtpOptions, type RelayLocks } from './mailer-relay.js';
import { pageOffset, toPage, type Page, type PageRequest } from './http/pagination.js';
import { CoreErrors } from './core-errors.js';

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

/** A row of the outbox as the admin API shows it; bodies only on `read`. */
export interface OutboxMail {
  id: number;
  message_id: string | null;
  from: string;
  to: string[];
  subject: string;
  transport: 'outbox' | 'smtp';
  status: SentMail['status'];
  error: string | null;
  created_at: string;
  text?: string | null;
  html?: string | null;
}

const LIST_COLUMNS = ['id', 'message_id', 'from', 'to', 'subject', 'transport', 'status', 'error', 'created_at'];

const toMail = (row: Record<string, unknown>): OutboxMail => ({ ...(row as unknown as OutboxMail), id: Number(row.id), to: JSON.parse(String(row.to)) });

export interface SentMail {
  id: number;
  messageId: string | null;
  status: 'stored' | 'sent' | 'failed';
  /** The relay's words when it failed. */
  error?: string;
}

export interface MailerDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  config: CoreConfig;
}

/**
 * Outbound mail through nodemailer. With a relay (`mailer.smtpUrl`, else the one set on the Settings
 * page, kept in the database) it relays over SMTP; otherwise the message is built as real MIME and
 * kept in `core_mail_outbox`, where the UI and tests read it. Every message is recorded either way.
 */
export class Mailer {
  /** nodemailer (~100 module files) is loaded with the first outgoing mail, not at boot. */
  private loading: Promise<{ nodemailer: typeof import('nodemailer').default; builder: Transporter }> | null = null;
  /** The relay transport, made again when its settings change. */
  private current: { key: string; relay: Transporter } | null = null;
  private readonly locks: RelayLocks;
  /** Told after a row of the outbox is written or changes (the Outgoing mail page follows it live). */
  private readonly watchers = new Set<() => void>();

  constructor(private readonly deps: MailerDeps) {
    this.locks = relayLocks(deps.config);
  }

  /** Calls `fn` after each outbox row written or changed here (never with the row: a page reads it again). */
  watch(fn: () => void): void {
    this.watchers.add(fn);
  }

  private told(): void {
    for (const fn of this.watchers) {
      try {
        fn();
      } catch (err) {
        this.deps.logger.warn({ err }, 'an outbox watcher failed');
      }
    }
  }

  private get settings(): CoreConfig['mailer'] {
    return this.deps.config.mailer;
  }

  // Mail may carry user content: nodemailer must never read local files or fetch URLs for it.
  private static readonly safety = { disableFileAccess: true, disableUrlAccess: true };

  private library() {
    this.loading ??= import('nodemailer').then(({ default: nodemailer }) => ({
      nodemailer,
      builder: nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows', ...Mailer.safety }),
    }));
    return this.loading;
  }

  /**
   * The relay and sender in effect now: the config's, else the database's. Read for each mail (one
   * row by key), so a change made on any instance applies to the next mail on all of them.
   */
  private async settingsNow(): Promise<{ relay: string | Record<string, unknown> | null; from: string }> {
    const stored = this.locks.connection && this.locks.from ? null : await readStoredRelay(this.deps.db);
    return {
      relay: this.settings.smtpUrl ?? (stored ? smtpOptions(stored) : null),
      from: this.locks.from ? this.settings.from : (stored?.from ?? this.settings.from),
    };
  }

  private async transports(): Promise<{ builder: Transporter; relay: Transporter | null; from: string }> {
    const [{ nodemailer, builder }, now] = await Promise.all([this.library(), this.settingsNow()]);
    if (!now.relay) return { builder, relay: null, from: now.from };
    const key = JSON.stringify(now.relay);
    if (this.current?.key !== key) {
      this.current?.relay.close();
      const relay =
        typeof now.relay === 'string' ? nodemailer.createTransport(now.relay, Mailer.safety) : nodemailer.createTransport({ ...now.relay, ...Mailer.safety });
      this.current = { key, relay };
    }
    return { builder, relay: this.current.relay, from: now.from };
  }

  /** Where new mail goes now: through a relay, or kept in the outbox. */
  async transportNow(): Promise<'smtp' | 'outbox'> {
    return (await this.settingsNow()).relay ? 'smtp' : 'outbox';
  }

  async send(mail: OutgoingMail): Promise<SentMail> {
    const { builder, relay, from } = await this.transports();
    const message = { ...mail, from: mail.from ?? from };
    const built = await builder.sendMail(message);
    const raw = (built.message as Buffer).toString('utf8');
    let status: SentMail['status'] = 'stored';
    let error: string | null = null;
    if (relay) {
      try {
        await relay.sendMail({ envelope: built.envelope, raw });
        status = 'sent';
      } catch (err) {
        status = 'failed';
        error = (err as Error).message;
        this.deps.logger.error({ err, to: mail.to }, 'SMTP relay refused a message');
      }
    }
    const [row] = await this.deps
      .db('core_mail_outbox')
      .insert({
        message_id: built.messageId ?? null,
        from: typeof message.from === 'string' ? message.from : `${message.from.name} <${message.from.address}>`,
        to: JSON.stringify(Array.isArray(mail.to) ? mail.to : [mail.to]),
        subject: mail.subject,
        text: mail.text ?? null,
        html: mail.html ?? null,
        raw,
        transport: relay ? 'smtp' : 'outbox',
        status,
        error,
        created_at: iso(this.deps.clock.now()),
      })
      .returning('id');
    const id = Number(typeof row === 'object' ? (row as { id: number }).id : row);
    this.told();
    return { id, messageId: built.messageId ?? null, status, ...(error ? { error } : {}) };
  }

  /**
   * A short mail through the relay in effect, to see that it works: the relay's refusal (or why it
   * could not be reached) is a 422 `relay_failed` in its words; no relay at all is 409 `no_relay`.
   */
  async sendTest(to: string): Promise<SentMail> {
    if (!(await this.settingsNow()).relay) throw CoreErrors.noRelay();
    const sent = await this.send({
      to,
      subject: 'Plinth: test mail',
      text: `This is a test mail from Plinth (${this.deps.config.server.publicUrl}), sent from Settings → Outgoing mail relay. The relay works.`,
    });
    if (sent.status !== 'sent') {
      throw CoreErrors.relayFailed(sent.error, sent.id);
    }
    return sent;
  }

  /** Newest first; `to` filters by one recipient address. */
  async outbox(options: { to?: string; limit?: number } = {}): Promise<Array<Record<string, unknown>>> {
    const q = this.deps
      .db('core_mail_outbox')
      .orderBy('id', 'desc')
      .limit(options.limit ?? 50);
    if (options.to) this.whereTo(q, options.to);
    const rows = await q;
    return rows.map((r: Record<string, unknown>) => ({ ...r, to: JSON.parse(String(r.to)) }));
  }

  /** One page of the outbox, newest first, without the bodies (they can be large). */
  async list(page: PageRequest, filter: { to?: string } = {}): Promise<Page<OutboxMail>> {
    const base = () => {
      const q = this.deps.db('core_mail_outbox');
      if (filter.to) this.whereTo(q, filter.to);
      return q;
    };
    const [rows, [{ n }]] = await Promise.all([
      base().orderBy('id', 'desc').limit(page.page_size).offset(pageOffset(page)).select(LIST_COLUMNS),
      base().count({ n: '*' }),
    ]);
    return toPage(rows.map(toMail), n as number, page);
  }

  /** One message with its text and HTML bodies; 404 naming the id when there is none. */
  async read(id: string | number): Promise<OutboxMail> {
    const row = await this.row(id);
    return toMail({ ...Object.fromEntries(LIST_COLUMNS.map((c) => [c, row[c]])), text: row.text, html: row.html });
  }

  /**
   * Sends a kept message (the very bytes first built) through the relay, and records the outcome on
   * its row (sent, or failed with the relay's error). Without a relay there is nowhere to send it:
   * 409, saying how to configure one.
   */
  async resend(id: string | number): Promise<OutboxMail> {
    const row = await this.row(id);
    const { relay } = await this.transports();
    if (!relay) throw CoreErrors.noRelay();
    let status: SentMail['status'] = 'sent';
    let error: string | null = null;
    try {
      await relay.sendMail({ from: String(row.from), to: JSON.parse(String(row.to)), raw: String(row.raw) });
    } catch (err) {
      status = 'failed';
      error = (err as Error).message;
      this.deps.logger.error({ err, id: row.id }, 'SMTP relay refused a message sent again');
    }
    await this.deps.db('core_mail_outbox').where('id', Number(row.id)).update({ status, error, transport: 'smtp' });
    // Like send(): a refusal is an outcome recorded on the row (status failed, the relay's words), not a throw.
    this.told();
    return this.read(Number(row.id));
  }

  private async row(id: string | number): Promise<Record<string, unknown>> {
    // Ids are integers; anything else names no mail (and must not reach the database as a bad cast).
    const numeric = /^[1-9][0-9]{0,9}$/.test(String(id)) ? Number(id) : null;
    const row = numeric !== null && numeric <= 2147483647 ? await this.deps.db('core_mail_outbox').where('id', numeric).first() : undefined;
    if (!row) throw AppError.notFound(`no outgoing mail with id ${JSON.stringify(String(id))}`);
    return row;
  }

  private whereTo(q: Knex.QueryBuilder, address: string): void {
    q.where('to', 'like', `%${JSON.stringify(address).slice(1, -1)}%`);
  }

  close(): void {
    this.current?.relay.close();
  }
}
