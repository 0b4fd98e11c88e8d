import type { ActionCall } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import type { PluginContext } from 'plinth/plugin';
import type { MailSettings } from './config.js';
import type { SendInput } from './services/sender.js';
import { sendBody } from './routes/send-schemas.js';

/**
 * Actions other plugins (workflows) run in a tenant: `mail.send` sends from one of the tenant's
 * mailboxes through the same sender, and with the same input, as POST /mail/api/send (its checks,
 * metering and mail.sent; `scheduledAt` holds it until then), acting with the tenant admin's
 * rights over mailboxes.
 */
export const mailActions = {
  'mail.send': {
    description: 'Send a message from one of the tenant’s mailboxes',
    input: sendBody,
    output: { type: 'object', required: ['id', 'status'], properties: { id: { type: 'string' }, status: { enum: ['sent', 'scheduled'] } } },
    async run(input: SendInput, call: ActionCall, c: PluginContext<MailSettings>) {
      const { sender } = c.container.resolve('mailServices');
      const sent = await sender.send({ role: 'admin', tenantId: call.tenantId, userId: call.actor ?? 'action' }, input);
      // The relay refused it: fail the attempt (the step may retry) rather than report success.
      if (sent.status === 'failed') throw new AppError(502, 'mail_failed', `the relay refused the message (${sent.id})`);
      return sent;
    },
  },
};
