import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { iso, type Clock } from 'plinth/plugin';
import { reserveIds, WriteSet } from 'plinth/plugin';
import { GroupCommit } from 'plinth/plugin';
import type { EventBus } from 'plinth/plugin';
import type { EventToEmit } from 'plinth/plugin';
import type { LiveHub } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import type { PubSub } from 'plinth/plugin';
import type { DeliveryMailbox, Mailboxes } from './mailboxes.js';
import type { MessagePreparer } from './parse-pool.js';
import type { Prepared } from './prepare-message.js';
import { MailErrors } from './errors.js';

export interface StoredEmail {
  id: number;
  mailbox_id: number;
  address: string;
  tenant_id: string | null;
}

interface Pending {
  mailboxes: DeliveryMailbox[];
  raw: Buffer;
  message: Prepared;
}

/** A message's stored rows, and whether the broadcast to other instances went with them (see announce). */
interface Written {
  stored: StoredEmail[];
  broadcast: boolean;
}

const STORED_CHANNEL = 'mail.stored';
/** Ids of at most 10 digits: a broadcast of about 6 KB at most, under PostgreSQL's 8,000-byte NOTIFY. */
const MAILBOX_IDS_A_BROADCAST = 500;

/** The "stored" broadcasts for these mailboxes, from this instance. */
function broadcasts(mailboxIds: number[], instance: string): Array<{ instance: string; mailbox_ids: number[] }> {
  const chunks = [];
  for (let i = 0; i < mailboxIds.length; i += MAILBOX_IDS_A_BROADCAST) chunks.push({ instance, mailbox_ids: mailboxIds.slice(i, i + MAILBOX_IDS_A_BROADCAST) });
  return chunks;
}

/** What Ingest is built from, passed by name. */
export interface IngestDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  events: EventBus;
  mailboxes: Mailboxes;
  /** Parses and prepares each message (worker threads, or inline). */
  preparer: MessagePreparer;
  /** Fan-out between instances: mail stored by another instance (another MX) wakes long-polls here. */
  pubsub: () => PubSub | null;
  /** The admin pages' live channel: a tenant's pages (the Overview) hear that mail arrived. */
  live: () => Pick<LiveHub, 'nudge'> | null;
}

/**
 * Stores received mail: one row per recipient mailbox plus the raw bytes, and a `mail.received`
 * event, in one transaction — before the SMTP 250 or the /receive reply is sent. Messages that
 * arrive while a transaction is being written share the next one (group commit): with
 * synchronous=FULL every commit is an fsync, so one per message would cap ingest at the disk.
 */
export class Ingest {
  /** Messages arriving while a transaction is written share the next one. */
  private readonly batches: GroupCommit<Pending, Written>;
  private readonly waiters = new Set<(mailboxId: number) => void>();

  /** Long-polls listening for mail on this instance (tests wait for theirs to be in). */
  get waiting(): number {
    return this.waiters.size;
  }
  /** Tells this instance's own "stored" broadcasts apart from other instances'. */
  private readonly instance = randomUUID();
  private listening: Promise<void> | null = null;
  /** Mailboxes that got mail this turn of the event loop, not yet broadcast to other instances. */
  private unannounced: Set<number> | null = null;

  constructor(private readonly deps: IngestDeps) {
    this.batches = new GroupCommit({
      db: deps.db,
      logger: deps.logger,
      write: (trx, batch) => this.write(trx, batch),
      maxBatch: 64,
      // Not oneStatement: on PostgreSQL the lock on the batch's mailboxes, taken with their ids (write), must hold till the COMMIT.
      // The BEGIN goes with that statement and the COMMIT with the rows' (pg-trip.ts): two round trips a batch.
      name: 'received mail',
    });
  }

  /** Resolves once stored (durably); rejects if the write failed (the sender gets a 4xx and retries). */
  private async store(mailboxes: DeliveryMailbox[], raw: Buffer, message: Prepared): Promise<StoredEmail[]> {
    const { stored, broadcast } = await this.batches.submit({ mailboxes, raw, message }).catch((err: unknown) => {
      this.deps.logger.error({ err }, 'storing received mail failed');
      throw err;
    });
    this.announce(stored, broadcast);
    // Coalesced per tenant (at most one a second): a burst of mail costs the pages one reload.
    // Mail of a platform mailbox (no tenant) reaches superadmins' pages only.
    for (const tenantId of new Set(stored.map((s) => s.tenant_id))) this.deps.live()?.nudge(tenantId ?? null, 'mail.received');
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
      const bus = this.deps.pubsub();
      if (!bus || bus.kind === 'memory') return;
      await bus.subscribe(STORED_CHANNEL, (m) => {
        if (m.instance === this.instance || !Array.isArray(m.mailbox_ids)) return;
        for (const id of m.mailbox_ids) this.notify(Number(id));
      });
    })().catch((err) => {
      this.deps.logger.warn({ err }, 'could not listen for mail stored by other instances');
      this.listening = null;
    });
    return this.listening;
  }

  private notify(mailboxId: number): void {
    for (const fn of this.waiters) {
      try {
        fn(mailboxId);
      } catch (err) {
        this.deps.logger.warn({ err }, 'a new-mail listener failed');
      }
    }
  }

  /**
   * Wakes long-polls here at once, and on other instances unless the broadcast went with the rows
   * (broadcastOnCommit): one for the mailboxes of every message stored in this turn of the event
   * loop (a batch's messages are answered together).
   */
  private announce(stored: StoredEmail[], broadcast: boolean): void {
    const mailboxIds = new Set(stored.map((s) => s.mailbox_id));
    for (const id of mailboxIds) this.notify(id);
    const bus = this.deps.pubsub();
    if (broadcast || !bus) return;
    if (this.unannounced) {
      for (const id of mailboxIds) this.unannounced.add(id);
      return;
    }
    const ids = (this.unannounced = mailboxIds);
    setImmediate(() => {
      this.unannounced = null;
      for (const chunk of broadcasts([...ids], this.instance))
        bus.publish(STORED_CHANNEL, chunk).catch((err) => this.deps.logger.warn({ err }, 'could not tell other instances about stored mail'));
    });
  }

  /**
   * Adds the broadcast to other instances to the batch's writes, where the pub/sub can send it at
   * their commit (PostgreSQL's NOTIFY: no statement, transaction or WAL flush of its own). True too
   * where there is no other instance to tell (in-process pub/sub). False where it cannot (Redis):
   * announce publishes it once the batch is durable.
   */
  private broadcastOnCommit(writes: WriteSet, mailboxIds: number[]): boolean {
    const bus = this.deps.pubsub();
    if (!bus || bus.kind === 'memory') return true;
    return broadcasts(mailboxIds, this.instance).every((chunk) => bus.publishOnCommit(writes, STORED_CHANNEL, chunk));
  }

  /**
   * A batch's rows, whatever its size: the emails (one row per recipient mailbox), their raw bytes,
   * one touch per mailbox, the events and the broadcast to other instances where it can go with
   * them, each one multi-row write, and all of them one statement on PostgreSQL (WriteSet), the
   * emails' ids taken first for the rows that refer to them. Returns what was stored per message, in
   * the batch's order.
   */
  private async write(trx: Knex.Transaction, batch: Pending[]): Promise<Written[]> {
    const now = iso(this.deps.clock.now());
    const deliveries = batch.flatMap(({ mailboxes, raw, message }, item) => mailboxes.map((mailbox) => ({ item, mailbox, raw, m: message })));
    const touched = [...new Set(deliveries.map((d) => d.mailbox.id))];
    // Taken outside the batch's one statement on PostgreSQL: an id a failed batch took is skipped, as a failed insert's is.
    // The mailboxes locked first: another instance's batch for one of them waits for this one's commit, so a
    // mailbox's mail commits in id order and a long-poll's `since` never skips a lower id that committed late.
    const ids = await reserveIds(trx, 'mail_emails', deliveries.length, { table: 'mail_mailboxes', ids: touched });
    const writes = new WriteSet();
    // Under SQLite's bound-variable limit (16 columns a row) and PostgreSQL's, whatever the batch.
    for (let i = 0; i < deliveries.length; i += 200) {
      const chunk = deliveries.slice(i, i + 200);
      writes.insert(
        'mail_emails',
        chunk.map(({ mailbox, raw, m }, j) => this.emailRow(ids[i + j], mailbox, raw, m, now)),
      );
      writes.insert(
        'mail_raw',
        chunk.map(({ raw }, j) => ({ email_id: ids[i + j], raw })),
      );
    }
    // To the second, as the faces show it: a mailbox's row is written once a second at most, not once a batch.
    const second = `${now.slice(0, 19)}.000Z`;
    const mailboxIds = touched.map(() => '?').join(', ');
    writes.query(`UPDATE mail_mailboxes SET last_received_at = ? WHERE id IN (${mailboxIds}) AND (last_received_at IS NULL OR last_received_at < ?)`, [
      second,
      ...touched,
      second,
    ]);
    this.deps.events.stageMany(
      writes,
      deliveries.flatMap(({ mailbox, m }, i) => this.receivedEvents(ids[i], mailbox, m)),
    );
    const broadcast = this.broadcastOnCommit(writes, touched);
    // On PostgreSQL with the COMMIT: a batch is two round trips, the ids (with the BEGIN) and this.
    await writes.runBeforeCommit(trx);
    const written: Written[] = batch.map(() => ({ stored: [], broadcast }));
    deliveries.forEach(({ item, mailbox }, i) =>
      written[item].stored.push({ id: ids[i], mailbox_id: mailbox.id, address: mailbox.address, tenant_id: mailbox.tenant_id }),
    );
    return written;
  }

  private emailRow(id: number, mailbox: DeliveryMailbox, raw: Buffer, m: Prepared, now: string) {
    return {
      id,
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
  private receivedEvents(id: number, mailbox: DeliveryMailbox, m: Prepared): Array<EventToEmit<'mail.received' | 'mail.forward_requested'>> {
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
  async receive(raw: Buffer, rcptTo: string[], envelopeFrom: string, known?: Map<string, DeliveryMailbox>): Promise<StoredEmail[]> {
    const mailboxes = await this.recipientMailboxes(rcptTo, known);
    return this.store(mailboxes, raw, await this.deps.preparer.prepare(raw, envelopeFrom));
  }

  /**
   * POST /receive without ?to=: the recipients are the message's own (Delivered-To or X-Original-To,
   * To, Cc), read from the one parse that also prepares it for storage (in the parse worker).
   */
  async receiveByHeaders(raw: Buffer, envelopeFrom: string): Promise<StoredEmail[]> {
    const prepared = await this.deps.preparer.prepare(raw, envelopeFrom);
    const mailboxes = await this.recipientMailboxes([...(prepared.deliveredTo ? [prepared.deliveredTo] : []), ...prepared.recipients]);
    return this.store(mailboxes, raw, prepared);
  }

  private async recipientMailboxes(addresses: string[], known?: Map<string, DeliveryMailbox>): Promise<DeliveryMailbox[]> {
    const mailboxes: DeliveryMailbox[] = [];
    for (const address of new Set(addresses.map((a) => a.toLowerCase()))) {
      const mailbox = known?.get(address) ?? (await this.deps.mailboxes.forDelivery(address));
      if (mailbox) mailboxes.push(mailbox);
    }
    if (!mailboxes.length) throw MailErrors.noRecipientMailbox();
    return mailboxes;
  }
}
