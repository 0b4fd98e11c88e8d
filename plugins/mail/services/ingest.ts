import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { ParsedMail } from 'mailparser';
import type SanitizeHtml from 'sanitize-html';
import type { Clock } from '../../../core/clock.js';
import { GroupCommit } from '../../../core/db/group-commit.js';
import { AppError } from '../../../core/errors.js';
import type { EventBus } from '../../../core/events/outbox.js';
import type { EventToEmit } from '../../../core/events/payloads.js';
import type { Logger } from '../../../core/logger.js';
import type { PubSub } from '../../../core/pubsub.js';
import type { MailSettings } from '../config.js';
import { extractVerificationCode } from './code-extractor.js';
import { htmlRenderer } from './mail-text.js';
import type { Mailboxes, Mailbox } from './mailboxes.js';

export interface StoredEmail {
  id: number;
  mailbox_id: number;
  address: string;
}

/** What is stored of a parsed message, worked out before it joins a transaction (no CPU work inside one). */
interface Prepared {
  messageId: string | null;
  sender: string;
  senderName: string;
  recipients: string[];
  subject: string;
  preview: string;
  text: string;
  html: string | null;
  code: string | null;
  attachments: Array<{ filename: string | null; content_type: string; size: number; content_id: string | null }>;
  forwarded: boolean;
}

interface Pending {
  mailboxes: Mailbox[];
  raw: Buffer;
  message: Prepared;
}

const FORWARDED_HEADER = 'x-plinth-forwarded';

/**
 * Received HTML is hostile until proven otherwise: scripts, event handlers, forms, frames and
 * javascript: URLs are removed before it is stored for display (the raw message keeps the original).
 */
interface MailLibraries {
  simpleParser: typeof import('mailparser').simpleParser;
  sanitizeHtml: typeof SanitizeHtml;
  compileHtmlToText: typeof import('html-to-text').compile;
}
let libraries: Promise<MailLibraries> | null = null;

/** mailparser, sanitize-html and html-to-text are loaded with the first message, not at boot (memory, boot time). */
export function mailLibraries(): Promise<MailLibraries> {
  libraries ??= Promise.all([import('mailparser'), import('sanitize-html'), import('html-to-text')]).then(([m, s, h]) => ({
    simpleParser: m.simpleParser,
    sanitizeHtml: s.default,
    compileHtmlToText: h.compile,
  }));
  return libraries;
}

let renderer: Promise<(html: string) => string> | null = null;

/**
 * The text a message is read by (stored as `content`, previewed, searched for a code): its
 * text/plain part, or else its HTML rendered with cell and block boundaries kept (mail-text.ts).
 */
export async function messageText(parsed: ParsedMail, settings: MailSettings): Promise<string> {
  const text = parsed.text ?? '';
  if (text.trim() || typeof parsed.html !== 'string') return text;
  renderer ??= mailLibraries().then((l) => htmlRenderer(l.compileHtmlToText, settings.maxHtmlBytes));
  return (await renderer)(parsed.html);
}

export function sanitizeMailHtml(html: string, sanitizeHtml: typeof SanitizeHtml): string {
  return sanitizeHtml(html, {
    allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'font', 'center', 'span', 'div'],
    allowedAttributes: {
      '*': ['style', 'align', 'width', 'height', 'bgcolor', 'color', 'dir', 'title'],
      a: ['href', 'name', 'target', 'rel'],
      img: ['src', 'alt', 'width', 'height'],
      font: ['face', 'size', 'color'],
      td: ['colspan', 'rowspan', 'valign'],
      th: ['colspan', 'rowspan', 'valign'],
    },
    allowedSchemes: ['http', 'https', 'mailto', 'cid', 'data'],
    allowedSchemesByTag: { img: ['http', 'https', 'cid', 'data'] },
    allowProtocolRelative: false,
    transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }) },
  });
}
const STORED_CHANNEL = 'mail.stored';

/**
 * Why the parser refused a message, as a 422: the same bytes always fail the same way, so this is
 * a permanent refusal (SMTP 554 5.6.0), never a "try again".
 */
function malformed(err: unknown, settings: MailSettings): AppError {
  const message = err instanceof Error ? err.message : String(err);
  const reason = /child nodes/i.test(message)
    ? `more than ${settings.smtp.maxMimeParts} MIME parts`
    : /header size/i.test(message)
      ? `a MIME header block over ${settings.smtp.maxHeaderBytes} bytes`
      : `unparsable MIME (${message.slice(0, 200)})`;
  return new AppError(422, 'malformed_message', `malformed message: ${reason}`);
}

/**
 * Parses within a time budget and the MIME limits, with mailparser's known slow paths (text→HTML,
 * links) off. A timeout stays a 503 (the machine may just be busy); a parser error is a 422.
 */
export async function parseMessage(raw: Buffer, settings: MailSettings): Promise<ParsedMail> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError(503, 'parse_timeout', 'the message took too long to parse; try again later')), settings.smtp.parseTimeoutMs);
  });
  try {
    const { simpleParser } = await mailLibraries();
    const parsing = simpleParser(raw, {
      skipTextToHtml: true,
      // HTML-only mail is rendered to text by messageText(), which keeps table cells apart.
      skipHtmlToText: true,
      skipTextLinks: true,
      skipImageLinks: true,
      maxHtmlLengthToParse: settings.maxHtmlBytes,
      maxChildNodes: settings.smtp.maxMimeParts,
      maxHeadSize: settings.smtp.maxHeaderBytes,
    }).catch((err: unknown) => {
      throw malformed(err, settings);
    });
    return await Promise.race([parsing, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What Ingest is built from, passed by name. */
export interface IngestDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  events: EventBus;
  settings: MailSettings;
  mailboxes: Mailboxes;
  /** Fan-out between instances: mail stored by another instance (another MX) wakes long-polls here. */
  pubsub?: () => PubSub | null;
}

/**
 * Stores received mail: one row per recipient mailbox plus the raw bytes, and a `mail.received`
 * event, in one transaction — before the SMTP 250 or the /receive reply is sent. Messages that
 * arrive while a transaction is being written share the next one (group commit): with
 * synchronous=FULL every commit is an fsync, so one per message would cap ingest at the disk.
 */
export class Ingest {
  /** Messages arriving while a transaction is written share the next one. */
  private readonly batches: GroupCommit<Pending, StoredEmail[]>;
  private readonly waiters = new Set<(mailboxId: number) => void>();

  /** Long-polls listening for mail on this instance (tests wait for theirs to be in). */
  get waiting(): number {
    return this.waiters.size;
  }
  /** Tells this instance's own "stored" broadcasts apart from other instances'. */
  private readonly instance = randomUUID();
  private listening: Promise<void> | null = null;

  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly events: EventBus;
  private readonly settings: MailSettings;
  private readonly mailboxes: Mailboxes;
  private readonly pubsub: () => PubSub | null;

  constructor({ db, clock, logger, events, settings, mailboxes, pubsub = () => null }: IngestDeps) {
    this.clock = clock;
    this.logger = logger;
    this.events = events;
    this.settings = settings;
    this.mailboxes = mailboxes;
    this.pubsub = pubsub;
    this.batches = new GroupCommit(db, logger, (trx, batch) => this.write(trx, batch), { maxBatch: 64, name: 'received mail' });
  }

  /** Resolves once stored (durably); rejects if the write failed (the sender gets a 4xx and retries). */
  async store(mailboxes: Mailbox[], raw: Buffer, parsed: ParsedMail, envelopeFrom: string): Promise<StoredEmail[]> {
    const message = this.prepare(parsed, await messageText(parsed, this.settings), envelopeFrom, (await mailLibraries()).sanitizeHtml);
    const stored = await this.batches.submit({ mailboxes, raw, message }).catch((err: unknown) => {
      this.logger.error({ err }, 'storing received mail failed');
      throw err;
    });
    this.announce(stored);
    return stored;
  }

  /** Tells long-polls that a mailbox got mail (after commit), on this instance or another. */
  onStored(fn: (mailboxId: number) => void): () => void {
    this.waiters.add(fn);
    return () => this.waiters.delete(fn);
  }

  /** Subscribes (once) to other instances' "stored" broadcasts; resolves when listening. */
  listen(): Promise<void> {
    this.listening ??= (async () => {
      const bus = this.pubsub();
      if (!bus || bus.kind === 'memory') return;
      await bus.subscribe(STORED_CHANNEL, (m) => {
        if (m.instance === this.instance || !Array.isArray(m.mailbox_ids)) return;
        for (const id of m.mailbox_ids) this.notify(Number(id));
      });
    })().catch((err) => {
      this.logger.warn({ err }, 'could not listen for mail stored by other instances');
      this.listening = null;
    });
    return this.listening;
  }

  private notify(mailboxId: number): void {
    for (const fn of this.waiters) {
      try {
        fn(mailboxId);
      } catch (err) {
        this.logger.warn({ err }, 'a new-mail listener failed');
      }
    }
  }

  /** Wakes long-polls here and on other instances for the mailboxes that got mail. */
  private announce(stored: StoredEmail[]): void {
    const mailboxIds = [...new Set(stored.map((s) => s.mailbox_id))];
    for (const id of mailboxIds) this.notify(id);
    const bus = this.pubsub();
    if (bus && bus.kind !== 'memory') {
      bus
        .publish(STORED_CHANNEL, { instance: this.instance, mailbox_ids: mailboxIds })
        .catch((err) => this.logger.warn({ err }, 'could not tell other instances about stored mail'));
    }
  }

  private prepare(parsed: ParsedMail, text: string, envelopeFrom: string, sanitizeHtml: typeof SanitizeHtml): Prepared {
    const from = parsed.from?.value?.[0];
    const html = typeof parsed.html === 'string' ? sanitizeMailHtml(parsed.html.slice(0, this.settings.maxHtmlBytes), sanitizeHtml) : null;
    const subject = parsed.subject ?? '';
    const code = extractVerificationCode(subject, text);
    // Cut to the columns' sizes and without NUL (PostgreSQL text refuses it): one odd message must
    // never fail the transaction it shares with others.
    const clean = (v: string, max?: number) => (max === undefined ? v : v.slice(0, max)).replace(/\0/g, '');
    return {
      messageId: parsed.messageId ? clean(parsed.messageId, 998) : null,
      sender: clean(from?.address ?? envelopeFrom ?? '', 320),
      senderName: clean(from?.name ?? '', 320),
      recipients: [parsed.to, parsed.cc]
        .flatMap((a) => (Array.isArray(a) ? a : a ? [a] : []))
        .flatMap((a) => a.value.map((v) => clean(v.address ?? '')))
        .filter(Boolean),
      subject: clean(subject, 998),
      preview: clean(text.slice(0, 2000).replace(/\s+/g, ' ').trim(), 200),
      text: clean(text),
      html: html === null ? null : clean(html),
      code,
      attachments: parsed.attachments.map((a) => ({
        filename: a.filename ? clean(a.filename, 255) : null,
        content_type: clean(a.contentType, 255),
        size: a.size,
        content_id: a.cid ? clean(a.cid, 255) : null,
      })),
      forwarded: Boolean(parsed.headers.get(FORWARDED_HEADER)),
    };
  }

  /**
   * A batch's rows, a few statements for the whole batch whatever its size: the emails (one row per
   * recipient mailbox), their raw bytes, one touch per mailbox and the events, each one multi-row
   * insert. Returns what was stored per message, in the batch's order.
   */
  private async write(trx: Knex.Transaction, batch: Pending[]): Promise<StoredEmail[][]> {
    const now = this.clock.now().toISOString();
    const deliveries = batch.flatMap(({ mailboxes, raw, message }, item) => mailboxes.map((mailbox) => ({ item, mailbox, raw, m: message })));
    const ids: number[] = [];
    // Under SQLite's bound-variable limit (15 columns a row) and PostgreSQL's, whatever the batch.
    for (let i = 0; i < deliveries.length; i += 200) {
      const returned = await trx('mail_emails')
        .insert(deliveries.slice(i, i + 200).map(({ mailbox, raw, m }) => this.emailRow(mailbox, raw, m, now)))
        .returning('id');
      // One statement assigns ids in row order (a sequence or SQLite's rowid); sorted, they map back.
      ids.push(...returned.map((row) => Number(typeof row === 'object' ? row.id : row)).sort((a, b) => a - b));
    }
    for (let i = 0; i < deliveries.length; i += 200) {
      await trx('mail_raw').insert(deliveries.slice(i, i + 200).map(({ raw }, j) => ({ email_id: ids[i + j], raw })));
    }
    await trx('mail_mailboxes')
      .whereIn('id', [...new Set(deliveries.map((d) => d.mailbox.id))])
      .update({ last_received_at: now });
    await this.events.emitMany(
      trx,
      deliveries.flatMap(({ mailbox, m }, i) => this.receivedEvents(ids[i], mailbox, m)),
    );
    const stored: StoredEmail[][] = batch.map(() => []);
    deliveries.forEach(({ item, mailbox }, i) => stored[item].push({ id: ids[i], mailbox_id: mailbox.id, address: mailbox.address }));
    return stored;
  }

  private emailRow(mailbox: Mailbox, raw: Buffer, m: Prepared, now: string) {
    return {
      mailbox_id: mailbox.id,
      tenant_id: mailbox.tenant_id,
      message_id: m.messageId,
      sender: m.sender,
      sender_name: m.senderName,
      recipients: JSON.stringify(m.recipients),
      subject: m.subject,
      preview: m.preview,
      text_content: m.text,
      html_content: m.html,
      verification_code: m.code,
      attachments: JSON.stringify(m.attachments),
      size: raw.length,
      forwarded: m.forwarded,
      received_at: now,
    };
  }

  /** mail.received for every delivery; mail.forward_requested only for a forwarding mailbox's mail not already forwarded by a Plinth. */
  private receivedEvents(id: number, mailbox: Mailbox, m: Prepared): Array<EventToEmit<'mail.received' | 'mail.forward_requested'>> {
    const options = { tenantId: mailbox.tenant_id };
    const received: EventToEmit<'mail.received'> = {
      name: 'mail.received',
      payload: {
        email_id: id,
        mailbox: mailbox.address,
        mailbox_id: mailbox.id,
        sender: m.sender,
        subject: m.subject,
        verification_code: m.code,
        message_id: m.messageId,
      },
      options,
    };
    return mailbox.forward_to && !m.forwarded
      ? [received, { name: 'mail.forward_requested', payload: { email_id: id, mailbox_id: mailbox.id }, options }]
      : [received];
  }

  /**
   * The one way in for a whole message (SMTP DATA and POST /receive): resolve, parse, store.
   * `known` holds mailboxes already resolved (at RCPT), so SMTP does not look them up twice.
   */
  async receive(raw: Buffer, rcptTo: string[], envelopeFrom: string, known?: Map<string, Mailbox>): Promise<StoredEmail[]> {
    const mailboxes: Mailbox[] = [];
    for (const address of new Set(rcptTo.map((a) => a.toLowerCase()))) {
      const mailbox = known?.get(address) ?? (await this.mailboxes.forDelivery(address));
      if (mailbox) mailboxes.push(mailbox);
    }
    if (!mailboxes.length) throw new AppError(422, 'no_such_mailbox', 'no recipient of this message has a mailbox here');
    const parsed = await parseMessage(raw, this.settings);
    return this.store(mailboxes, raw, parsed, envelopeFrom);
  }
}

export { FORWARDED_HEADER };
