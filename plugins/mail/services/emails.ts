import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { pageQuery, type PageRequest } from 'plinth/plugin';
import { countPerDay, zonedDays } from 'plinth/plugin';
import type { MailboxScope } from './access.js';
import type { Ingest } from './ingest.js';
import type { Mailboxes } from './mailboxes.js';
import { parseHeaders, whereContains, type SearchField } from './email-views.js';
import { MailErrors } from './errors.js';

const SUMMARY = ['e.id', 'e.sender', 'e.subject', 'e.received_at', 'e.is_read', 'e.preview', 'e.verification_code'];

const summary = (r: Record<string, any>) => ({ ...r, id: Number(r.id), is_read: r.is_read ? 1 : 0 });

/** What Emails is built from, passed by name. */
export interface EmailsDeps {
  db: Knex;
  mailboxes: Mailboxes;
  ingest: Ingest;
  /** Concurrent waits per caller on this instance. */
  maxWaitsPerCaller: number;
  clock: Clock;
}

/** Reading stored mail, always through the mailboxes the caller may see. */
export class Emails {
  /** Long-polls in progress per caller: each holds a socket and a listener, so one token may not hold thousands. */
  private readonly waiting = new Map<string, number>();

  constructor(private readonly deps: EmailsDeps) {}

  private visible(scope: MailboxScope) {
    const q = this.deps.db('mail_emails as e').join('mail_mailboxes as m', 'm.id', 'e.mailbox_id');
    if (scope.role === 'mailbox') return q.where('m.id', scope.mailboxId ?? -1);
    if (scope.role !== 'strictAdmin') q.where('m.tenant_id', scope.tenantId);
    if (scope.role === 'user') q.where('m.owner_user_id', scope.userId);
    return q;
  }

  /**
   * Mail received per day of `timeZone` (the viewer's, as the pages show times) over the last
   * `days` days (today included) in the mailboxes the caller may see, every day listed with zeros:
   * the mailboxes page's chart. Mail that expired with its mailbox is gone from it.
   */
  async receivedPerDay(scope: MailboxScope, days: number, timeZone = 'UTC') {
    const span = zonedDays(this.deps.clock.now(), days, timeZone);
    const counts = new Map((await countPerDay(this.deps.db, this.visible(scope), 'e.received_at', span)).map((r) => [r.date, r.n]));
    return span.map(({ date }) => ({ date, received: counts.get(date) ?? 0 }));
  }

  async list(scope: MailboxScope, address: string, options: { limit: number; since?: number }) {
    const mailbox = await this.deps.mailboxes.get(scope, address);
    const q = this.deps.db('mail_emails as e').where('e.mailbox_id', mailbox.id).orderBy('e.id', 'desc').limit(options.limit).select(SUMMARY);
    if (options.since !== undefined) q.where('e.id', '>', options.since);
    return (await q).map(summary);
  }

  async batch(scope: MailboxScope, ids: number[]) {
    const rows = await this.visible(scope)
      .whereIn('e.id', ids)
      .orderBy('e.id', 'desc')
      .select([...SUMMARY, 'e.recipients']);
    return rows.map(({ recipients, ...r }: Record<string, any>) => ({ ...summary(r), to_addrs: JSON.parse(recipients).join(', ') }));
  }

  async get(scope: MailboxScope, id: number) {
    const row = await this.visible(scope).where('e.id', id).first('e.*', 'm.address as mailbox');
    if (!row) throw MailErrors.emailNotFound(id);
    if (!row.is_read) await this.deps.db('mail_emails').where('id', id).update({ is_read: true });
    return {
      id: Number(row.id),
      mailbox: row.mailbox,
      sender: row.sender,
      sender_name: row.sender_name,
      to_addrs: JSON.parse(row.recipients).join(', '),
      subject: row.subject,
      verification_code: row.verification_code,
      content: row.text_content ?? '',
      html_content: row.html_content ?? '',
      attachments: JSON.parse(row.attachments),
      size: row.size,
      message_id: row.message_id,
      received_at: row.received_at,
      is_read: 1,
    };
  }

  /** The message exactly as received. */
  async raw(scope: MailboxScope, id: number): Promise<Buffer> {
    const row = await this.visible(scope).join('mail_raw as r', 'r.email_id', 'e.id').where('e.id', id).first('r.raw');
    if (!row) throw MailErrors.emailNotFound(id);
    return Buffer.isBuffer(row.raw) ? row.raw : Buffer.from(row.raw);
  }

  /** The message's headers in received order, parsed from the raw message (reading them does not mark it read). */
  async headers(scope: MailboxScope, id: number) {
    return parseHeaders(await this.raw(scope, id));
  }

  /**
   * Mail containing `q` (in `field`, or from, to, subject and text), newest first, one page: in one
   * mailbox when `address` is given, else in every mailbox the caller sees.
   */
  async search(scope: MailboxScope, search: { q: string; field: SearchField; address?: string }, page: PageRequest) {
    const q = this.visible(scope);
    if (search.address) q.where('e.mailbox_id', (await this.deps.mailboxes.get(scope, search.address)).id);
    whereContains(q, search.q, search.field);
    return pageQuery(q.orderBy('e.id', 'desc').select([...SUMMARY, 'm.address as mailbox', 'e.recipients']), page, ({ recipients, ...r }) => ({
      ...summary(r),
      to_addrs: JSON.parse(recipients).join(', '),
    }));
  }

  async remove(scope: MailboxScope, id: number): Promise<void> {
    const row = await this.visible(scope).where('e.id', id).first('e.id');
    if (!row) throw MailErrors.emailNotFound(id);
    await this.deps.db('mail_emails').where('id', id).delete();
  }

  async clear(scope: MailboxScope, address: string): Promise<number> {
    const mailbox = await this.deps.mailboxes.get(scope, address);
    return Number(await this.deps.db('mail_emails').where('mailbox_id', mailbox.id).delete());
  }

  /** Long-polls held now, on this instance (the metrics read it when scraped). */
  waitsHeld(): number {
    let n = 0;
    for (const held of this.waiting.values()) n += held;
    return n;
  }

  /**
   * Long-poll: mail newer than `since` as soon as it arrives, or [] at the timeout. Past
   * maxWaitsPerCaller waits at once, 429; the slot is given back however the wait ends.
   */
  async wait(scope: MailboxScope, address: string, since: number, timeoutMs: number, signal: AbortSignal) {
    const caller = `${scope.role}:${scope.userId}`;
    const held = this.waiting.get(caller) ?? 0;
    if (held >= this.deps.maxWaitsPerCaller) {
      throw MailErrors.tooManyWaits(this.deps.maxWaitsPerCaller);
    }
    this.waiting.set(caller, held + 1);
    try {
      return await this.waitFor(scope, address, since, timeoutMs, signal);
    } finally {
      const left = (this.waiting.get(caller) ?? 1) - 1;
      if (left > 0) this.waiting.set(caller, left);
      else this.waiting.delete(caller);
    }
  }

  private async waitFor(scope: MailboxScope, address: string, since: number, timeoutMs: number, signal: AbortSignal) {
    const mailbox = await this.deps.mailboxes.get(scope, address);
    await this.deps.ingest.listen();
    // Listen before the first look, so mail stored while that query runs still wakes us.
    let arrived = false;
    let wake: () => void = () => undefined;
    const off = this.deps.ingest.onStored((id) => {
      if (id !== mailbox.id) return;
      arrived = true;
      wake();
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const now = await this.list(scope, address, { limit: 50, since });
      if (now.length || timeoutMs <= 0 || signal.aborted) return now;
      if (!arrived) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, timeoutMs);
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
      }
      return this.list(scope, address, { limit: 50, since });
    } finally {
      off();
      clearTimeout(timer);
    }
  }
}
