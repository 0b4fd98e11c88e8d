import { type ActionCall, withRefs } from 'plinth/plugin';
import type { PluginContext } from 'plinth/plugin';
import type { MailSettings } from './config.js';
import type { SendInput } from './services/sender.js';
import { sendBody } from './routes/send-schemas.js';
import { MailErrors } from './services/errors.js';
import { mailServices } from './services/own.js';

/**
 * Actions other plugins (workflows) run in a tenant: `mail.send` sends from one of the tenant's
 * mailboxes through the same sender, and with the same input, as POST /mail/api/send (its checks,
 * metering and mail.sent; `scheduledAt` holds it until then), acting with the tenant admin's
 * rights over mailboxes.
 */
export const mailActions = {
  'mail.send': {
    description: 'Send a message from one of the tenant’s mailboxes',
    // POST /mail/api/send's body; editors offer the tenant's mailboxes as the sender (`from`).
    input: withRefs(sendBody, { from: 'mailbox' }),
    output: { type: 'object', required: ['id', 'status'], properties: { id: { type: 'string' }, status: { enum: ['sent', 'scheduled'] } } },
    async run(input: SendInput, call: ActionCall, c: PluginContext<MailSettings>) {
      const { sender } = mailServices.of(c);
      const sent = await sender.send({ role: 'admin', tenantId: call.tenantId, userId: call.actor ?? 'action' }, input);
      // The relay refused it: fail the attempt (the step may retry) rather than report success.
      if (sent.status === 'failed') throw MailErrors.relayRefused(sent.id);
      return sent;
    },
  },
};

/**
 * The tenant's mailboxes a reference (`"x-plinth-ref": "mailbox"`, e.g. mail.send's sender) may
 * name, by address: the ones an action acting as the tenant's admin may send from and read.
 */
export const mailRefs = {
  mailbox: {
    plural: 'mailboxes',
    async list(tenantId: string, c: PluginContext<MailSettings>) {
      const { mailboxes } = mailServices.of(c);
      const list = await mailboxes.list({ role: 'admin', tenantId, userId: 'refs' }, { limit: 500, offset: 0 });
      return list.map((m) => ({ id: m.address, name: m.address }));
    },
  },
};
