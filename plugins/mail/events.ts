import type { EventSpec } from 'plinth/plugin';

export const mailEvents = {
  'mail.received': {
    version: 1,
    description: 'A message was stored in a mailbox (SMTP or /receive)',
    schema: {
      type: 'object',
      required: ['email_id', 'mailbox', 'sender', 'subject'],
      properties: {
        email_id: { type: 'integer' },
        mailbox: { type: 'string' },
        mailbox_id: { type: 'integer' },
        sender: { type: 'string' },
        subject: { type: 'string' },
        verification_code: { type: ['string', 'null'] },
        message_id: { type: ['string', 'null'] },
      },
    },
  },
  'mail.forward_requested': {
    version: 1,
    description: 'Internal: a stored message is due to be forwarded (retried until it goes)',
    schema: { type: 'object', required: ['email_id', 'mailbox_id'], properties: { email_id: { type: 'integer' }, mailbox_id: { type: 'integer' } } },
  },
  'mail.sent': {
    version: 1,
    description: 'A message left through the mailer (now or at its scheduled time)',
    schema: {
      type: 'object',
      required: ['sent_id', 'from', 'recipients'],
      properties: {
        sent_id: { type: 'string' },
        from: { type: 'string' },
        recipients: { type: 'array', items: { type: 'string' } },
        subject: { type: 'string' },
      },
    },
  },
} as const satisfies Record<string, EventSpec>;
