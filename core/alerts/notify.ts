import type { PlatformEvent } from '../events/outbox.js';
import type { Hooks } from '../hooks/hooks.js';
import type { Logger } from '../logger.js';
import type { Mailer } from '../mailer.js';
import { type Alert, ALERT_HOOKS, type Alerts } from './alerts.js';
import type { AlertsSettings } from './settings.js';

type AlertPayload = Omit<Alert, 'notified_at'>;

/** What AlertMail is built from, passed by name. */
export interface AlertMailDeps {
  alerts: Alerts;
  hooks: Hooks;
  logger: Logger;
  /** The core mailer, resolved at the first mail (nodemailer loads then). */
  mailer: () => Mailer;
  settings: AlertsSettings['notify'];
  /** server.publicUrl, read when a mail is written (it is settled once the server listens). */
  publicUrl: () => string;
}

const line = (label: string, value: string) => `${`${label}:`.padEnd(10)}${value}`;

/** The details as `name: value` lines (objects as JSON), for people reading the mail. */
function detailLines(details: Record<string, unknown>): string[] {
  return Object.entries(details).map(([k, v]) => `  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
}

/**
 * Mails each raising and each clearing once, through the core mailer (without a relay it stays in
 * the outbox the Outgoing mail page shows), to the superadmins and `alerts.notify.emails`. It runs
 * as the handler of `core.alert.raised` / `core.alert.cleared`: the durable outbox retries a mail
 * that failed, and the alert row records that it went out, so a redelivered event sends no second one.
 */
export class AlertMail {
  constructor(private readonly deps: AlertMailDeps) {}

  /** The addresses told: the superadmins' (the `core.alerts.recipients` filter) and the configured ones, once each. */
  async recipients(alert: AlertPayload): Promise<string[]> {
    const { superadmins, emails } = this.deps.settings;
    const operators = superadmins ? await this.deps.hooks.applyFilters<string[]>(ALERT_HOOKS.recipients, [], { alert }) : [];
    const seen = new Map<string, string>();
    for (const address of [...operators, ...emails]) if (!seen.has(address.toLowerCase())) seen.set(address.toLowerCase(), address);
    return [...seen.values()];
  }

  async handle(event: PlatformEvent<AlertPayload>, what: 'raised' | 'cleared'): Promise<void> {
    const alert = event.payload;
    if (await this.deps.alerts.wasNotified(alert.id, what)) return;
    const to = await this.recipients(alert);
    if (!to.length) {
      this.deps.logger.warn({ alert: alert.key }, 'alert not mailed: no recipients (no superadmin with an email, alerts.notify.emails empty)');
      return;
    }
    await this.deps.mailer().send({ to, subject: this.subject(alert, what), text: this.text(alert, what) });
    await this.deps.alerts.markNotified(alert.id, what);
  }

  private subject(alert: AlertPayload, what: 'raised' | 'cleared'): string {
    return what === 'raised' ? `[Plinth ${alert.severity}] ${alert.summary}` : `[Plinth cleared] ${alert.summary}`;
  }

  private text(alert: AlertPayload, what: 'raised' | 'cleared'): string {
    const base = this.deps.publicUrl().replace(/\/+$/, '');
    return [
      what === 'raised' ? alert.summary : `Cleared: ${alert.summary}`,
      '',
      line('Alert', `${alert.key} (${alert.severity})`),
      ...(alert.host ? [line('Host', alert.host)] : []),
      line('Raised', alert.raised_at),
      ...(alert.cleared_at ? [line('Cleared', alert.cleared_at)] : []),
      ...(Object.keys(alert.details).length ? ['Details:', ...detailLines(alert.details)] : []),
      '',
      `Open alerts and the recently cleared ones: ${base}/admin/system`,
      '',
      `You get this mail as a superadmin of ${base} (alerts.notify.superadmins) or because your address is in alerts.notify.emails.`,
    ].join('\n');
  }
}
