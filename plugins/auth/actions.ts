import type { ActionCall } from 'plinth/plugin';
import type { PluginContext } from 'plinth/plugin';
import type { AuthSettings } from './config.js';
import type { PublicUser, TenantRole } from './services/types.js';
import { AuthErrors } from './services/errors.js';
import { authServices } from './services/own.js';

interface NotifyInput {
  user_id?: string;
  role?: TenantRole;
  subject: string;
  text: string;
}

/** At most this many users are mailed by one call (a role of a big tenant). */
const MAX_RECIPIENTS = 50;

/**
 * Actions other plugins (workflows) run in a tenant: `auth.notify_user` emails one user of the
 * tenant (by id) or every active user with a role (e.g. the owners), through the core mailer.
 * Users of other tenants are never found; suspended users and users without an email are skipped.
 */
export const authActions = {
  'auth.notify_user': {
    description: 'Email a user of the tenant (by user_id) or every active user with a role',
    input: {
      type: 'object',
      additionalProperties: false,
      required: ['subject', 'text'],
      anyOf: [{ required: ['user_id'] }, { required: ['role'] }],
      properties: {
        // Editors offer the tenant's active users by name (authRefs below).
        user_id: { type: 'string', format: 'uuid', 'x-plinth-ref': 'user', description: 'A user of the tenant' },
        role: { enum: ['owner', 'admin', 'member'] },
        subject: { type: 'string', minLength: 1, maxLength: 998, pattern: '^[^\\r\\n]*$' },
        text: { type: 'string', minLength: 1, maxLength: 100_000 },
      },
    },
    output: {
      type: 'object',
      required: ['sent', 'recipients'],
      properties: { sent: { type: 'integer' }, recipients: { type: 'array', items: { type: 'string' } } },
    },
    async run(input: NotifyInput, call: ActionCall, c: PluginContext<AuthSettings>) {
      const { users } = authServices.of(c);
      let found: PublicUser[];
      if (input.user_id) {
        found = [await users.get(input.user_id, { tenantId: call.tenantId })];
      } else {
        found = (await users.list({ tenant_id: call.tenantId, role: input.role, status: 'active' }, { page: 1, page_size: MAX_RECIPIENTS })).items;
      }
      const recipients = found.filter((u) => u.status === 'active' && u.email).map((u) => u.email!);
      if (!recipients.length) throw AuthErrors.noRecipient(input.user_id ? `user ${input.user_id}` : `role ${input.role}`);
      const mailer = c.container.resolve('mailer');
      // One message per user: recipients never see each other's addresses.
      for (const to of recipients) await mailer.send({ to, subject: input.subject, text: input.text });
      return { sent: recipients.length, recipients };
    },
  },
};

/** The tenant's active users a reference (`"x-plinth-ref": "user"`, e.g. auth.notify_user's user_id) may name. */
export const authRefs = {
  user: {
    plural: 'users',
    async list(tenantId: string, c: PluginContext<AuthSettings>) {
      const { users } = authServices.of(c);
      const page = await users.list({ tenant_id: tenantId, status: 'active' }, { page: 1, page_size: 200 });
      return page.items.map((u) => ({ id: u.id, name: u.full_name || u.email || u.id, detail: u.email ? `${u.email} (${u.role})` : u.role }));
    },
  },
};
