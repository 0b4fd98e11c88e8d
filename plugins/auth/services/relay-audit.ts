import type { Hooks } from 'plinth/plugin';
import { MAILER_RELAY_CHANGED, MAILER_RELAY_TESTED, type RelayChanged, type RelayTested } from 'plinth/plugin';
import type { AuditLog } from './audit.js';

const target = { type: 'mail_relay', id: 'outgoing' };

/**
 * The operator's changes to the outgoing-mail relay (the core's Settings page) in the audit log, with
 * who made them: the fields changed (a password only by name), and each test mail with its outcome.
 */
export function auditRelayChanges(hooks: Hooks, audit: AuditLog): void {
  hooks.on<RelayChanged>(MAILER_RELAY_CHANGED, 'auth', async ({ actor, meta, changed }) => {
    await audit.record({ action: 'mailer.relay.updated', actor, target, meta, details: { changed } });
  });
  hooks.on<RelayTested>(MAILER_RELAY_TESTED, 'auth', async ({ actor, meta, to, ok, error }) => {
    await audit.record({ action: 'mailer.relay.tested', actor, target, meta, details: { to, ok, error } });
  });
}
