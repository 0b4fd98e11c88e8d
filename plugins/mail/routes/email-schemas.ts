/** The temp-mail face's schemas for stored mail (seed 003 §邮件操作) and the raw /receive. */
import { arrayOf, int, nullable, reply, str } from 'plinth/plugin';
import { address, seedTime } from './schemas.js';

export const emailIdParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } };

export const emailsQuery = {
  type: 'object',
  required: ['mailbox'],
  properties: { mailbox: address, limit: { type: 'integer', minimum: 1, maximum: 50, default: 20 } },
};
export const batchQuery = { type: 'object', required: ['ids'], properties: { ids: { type: 'string', pattern: '^\\d+(,\\d+){0,49}$' } } };
/** The longest wait a caller may ask for is a setting (`longPollMaxSeconds`). */
export const waitQuery = (maxSeconds: number) => ({
  type: 'object',
  required: ['mailbox'],
  properties: {
    mailbox: address,
    since: { type: 'integer', minimum: 0, default: 0 },
    timeout: { type: 'integer', minimum: 0, maximum: maxSeconds, default: 25 },
  },
});
export const mailboxQuery = { type: 'object', required: ['mailbox'], properties: { mailbox: address } };

export const summaryFields = {
  id: int,
  sender: str,
  subject: str,
  received_at: seedTime,
  is_read: { enum: [0, 1] },
  preview: str,
  /** The code found in the message (see the README's verification codes), or null. */
  verification_code: nullable(str),
};

/** A message in a mailbox's list (and in a long-poll's answer), newest first. */
export const emailSummary = reply(summaryFields);
export const emailsReply = arrayOf(emailSummary);
/** The seed's batch metadata: the summary and its recipients; the R2 fields are null (raw mail is kept in the database). */
export const batchReply = arrayOf(reply({ ...summaryFields, to_addrs: str, r2_bucket: nullable(str), r2_object_key: nullable(str) }));

const attachment = reply({ filename: nullable(str), content_type: str, size: int, content_id: nullable(str) });

/** One message (reading it marks it read). */
export const emailReply = reply({
  id: int,
  mailbox: str,
  sender: str,
  sender_name: str,
  to_addrs: str,
  subject: str,
  verification_code: nullable(str),
  content: str,
  html_content: str,
  attachments: arrayOf(attachment),
  size: int,
  message_id: nullable(str),
  received_at: seedTime,
  is_read: { const: 1 },
  /** The raw message's link, under this face's base; null on the guest's sample mail (there is none). */
  download: nullable(str),
});

export const emailDeletedReply = reply({ success: { const: true }, deleted: { const: true }, message: str });
export const clearedReply = reply({ success: { const: true }, deletedCount: int });

export const receiveQuery = { type: 'object', properties: { to: { type: 'string', maxLength: 32000 }, from: { type: 'string', maxLength: 320 } } };
/** The message as received: its bytes, up to settings.mail.smtp.maxMessageBytes. */
export const rawMessage = { contentType: 'message/rfc822', schema: { type: 'string', format: 'binary' } };
/** One stored copy per recipient mailbox. */
export const receivedReply = reply({ success: { const: true }, stored: arrayOf(reply({ id: int, mailbox: str })) });
