/**
 * The temp-mail face's sending schemas (seed 003 §邮件发送). `sendBody` is also the input of the
 * `mail.send` action (actions.ts): one message, one schema, whether a client or a workflow sends it.
 */
import { arrayOf, body, int, nullable, reply, str } from 'plinth/plugin';
import { email, seedTime } from './schemas.js';

/** One message from a mailbox the caller may use; `scheduledAt` in the future holds it until then. */
export const sendBody = body(
  {
    from: { ...email, description: 'A mailbox the sender may use' },
    fromName: { type: 'string', maxLength: 200, pattern: '^[^\\r\\n<>"]*$' },
    to: {
      oneOf: [
        { type: 'string', minLength: 3, maxLength: 5000 },
        { type: 'array', minItems: 1, maxItems: 50, items: email },
      ],
    },
    subject: { type: 'string', maxLength: 998, pattern: '^[^\\r\\n]*$' },
    html: { type: 'string', maxLength: 1_000_000 },
    text: { type: 'string', maxLength: 1_000_000 },
    scheduledAt: { type: 'string', format: 'date-time' },
  },
  ['from', 'to', 'subject'],
);
export const sendBatchBody = { type: 'array', minItems: 1, maxItems: 100, items: sendBody };

/** A sent record's number (nine digits at most: it fits a 32-bit column) or its message id. */
export const sentIdParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^([1-9]\\d{0,8}|msg_[0-9a-f]{24})$' } } };
export const sentQuery = {
  type: 'object',
  required: ['from'],
  properties: { from: email, limit: { type: 'integer', minimum: 1, maximum: 50, default: 20 } },
};
export const rescheduleBody = body({ status: { const: 'canceled' }, scheduledAt: { type: 'string', format: 'date-time' } }, [], { minProperties: 1 });

/** What one send came to: held for later, handed to the relay, or refused by it. */
const sendStatus = { enum: ['scheduled', 'sent', 'failed'] };
/** A sent record's life: scheduled → sending → sent | failed, or canceled while scheduled. */
const sentStatus = { enum: ['scheduled', 'sending', 'sent', 'failed', 'canceled'] };

/** `id` is the message id (the seed's resend id), `msg_…`. */
export const sent = reply({ id: str, status: sendStatus });
export const sendReply = reply({ success: { const: true }, id: str, status: sendStatus });
/** One result per message, in order: its id, or the error a single send would have answered. */
export const sendBatchReply = reply({
  success: { type: 'boolean' },
  result: arrayOf({ anyOf: [sent, reply({ error: str, code: str }, ['code'])] }),
});

const sentFields = {
  id: int,
  resend_id: str,
  recipients: str,
  subject: str,
  status: sentStatus,
  scheduled_at: nullable(seedTime),
  sent_at: nullable(seedTime),
  error: nullable(str),
  created_at: seedTime,
};
const sentDetail = { ...sentFields, from_addr: str, html_content: nullable(str), text_content: nullable(str) };

export const sentListReply = arrayOf(reply(sentFields));
export const sentReply = reply(sentDetail);
export const sendStatusReply = reply({ id: str, status: sentStatus, scheduled_at: nullable(seedTime), sent_at: nullable(seedTime), error: nullable(str) });
export const rescheduledReply = reply({ success: { const: true }, ...sentDetail });
