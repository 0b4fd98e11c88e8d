import type { Knex } from 'knex';
import type { Mailer } from 'plinth/plugin';
import { FORWARDED_HEADER } from './prepare-message.js';

export interface ForwarderDeps {
  db: Knex;
  mailer: () => Mailer;
}

/**
 * Forwards received mail to a mailbox's `forward_to` through the core mailer. Runs as a durable
 * `mail.received` handler (retried, after commit). Loop protection: a message that already went
 * through a Plinth forward (it carries our header) is never forwarded again.
 */
export class Forwarder {
  constructor(private readonly deps: ForwarderDeps) {}

  async forward(emailId: number): Promise<'forwarded' | 'skipped'> {
    const row = await this.deps
      .db('mail_emails as e')
      .join('mail_mailboxes as m', 'm.id', 'e.mailbox_id')
      .where('e.id', emailId)
      .first('e.*', 'm.address', 'm.forward_to');
    if (!row?.forward_to || row.forwarded || row.forward_to === row.address) return 'skipped';
    const original = row.sender_name ? `${row.sender_name} <${row.sender}>` : row.sender;
    const result = await this.deps.mailer().send({
      from: { name: `${row.sender_name || row.sender} via Plinth`, address: row.address },
      replyTo: row.sender || undefined,
      to: row.forward_to,
      subject: row.subject,
      ...(row.text_content ? { text: row.text_content } : {}),
      ...(row.html_content ? { html: row.html_content } : {}),
      headers: { [FORWARDED_HEADER]: row.address, 'X-Original-From': original },
    });
    // The mailer records a refused relay instead of throwing; throw so the event is retried later.
    if (result.status === 'failed') throw new Error(`forwarding message ${emailId} to ${row.forward_to} failed: the relay refused it`);
    await this.deps.db('mail_emails').where('id', emailId).update({ forwarded: true });
    return 'forwarded';
  }
}
