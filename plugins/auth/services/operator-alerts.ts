import type { Knex } from 'knex';
import { type Alert, ALERT_HOOKS } from 'plinth/plugin';
import type { Hooks } from 'plinth/plugin';
import type { AuditLog } from './audit.js';
import type { Tenants } from './tenants.js';

/** What operatorAlerts is given, by name. */
export interface OperatorAlertsDeps {
  db: Knex;
  audit: AuditLog;
  tenants: Pick<Tenants, 'operatorId'>;
}

/** Every active superadmin's address: who the core's alerts are mailed to (alerts.notify.superadmins). */
export async function superadminEmails(db: Knex): Promise<string[]> {
  return (await db('auth_users').where({ is_superadmin: true, status: 'active' }).whereNotNull('email').orderBy('created_at').pluck('email')) as string[];
}

const audited = (a: Alert) => ({ target: { type: 'alert', id: String(a.id) }, details: { key: a.key, severity: a.severity, summary: a.summary } });

/**
 * The auth plugin's side of the core's alerts (core/alerts): it knows the operators, so it answers
 * the core's two seams — who is mailed (`core.alerts.recipients`: the superadmins) and whose
 * workflows see the alert events (`core.alerts.tenant`: the operator tenant) — and records each
 * raising and clearing in the audit log, by the system.
 */
export function operatorAlerts(hooks: Hooks, { db, audit, tenants }: OperatorAlertsDeps): void {
  hooks.addFilter<string[]>(ALERT_HOOKS.recipients, 'auth', async (list) => [...list, ...(await superadminEmails(db))]);
  hooks.addFilter<string | null>(ALERT_HOOKS.tenant, 'auth', async (tenant) => tenant ?? (await tenants.operatorId()));
  hooks.on<Alert>(ALERT_HOOKS.raised, 'auth', (a) => audit.record({ action: 'alert.raised', ...audited(a) }));
  hooks.on<Alert>(ALERT_HOOKS.cleared, 'auth', (a) => audit.record({ action: 'alert.cleared', ...audited(a) }));
}
