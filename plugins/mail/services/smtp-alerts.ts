import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import type { Registry } from 'prom-client';
import type { AlertCheck } from 'plinth/plugin';
import { type Counts, registryCounts, WindowedRate } from 'plinth/plugin';
import type { Clock } from 'plinth/plugin';
import type { CoreConfig } from 'plinth/plugin';
import type { MailSettings } from '../config.js';

/** What the SMTP conditions read, passed by name. */
export interface SmtpAlertDeps {
  settings: MailSettings;
  config: CoreConfig;
  clock: Clock;
  /** The instance's metrics registry (the receiver counts there), null when metrics are not wired. */
  registry: () => Registry | null;
  /** The certificate the receiver serves for STARTTLS (PEM), null when STARTTLS is off. */
  served: () => Buffer | null;
}

const DAY = 86_400_000;

/**
 * What the receiver refused (recipients at RCPT, messages at the end of DATA, connections at
 * connect) against what it took, from its metric families (smtp-metrics.ts).
 */
function smtpCounts(registry: () => Registry | null): () => Promise<Counts> {
  return async () => {
    const r = registry();
    if (!r) return { total: 0, bad: 0 };
    const messages = await registryCounts(r, 'plinth_smtp_messages_total', (l) => l.outcome === 'refused')();
    const recipients = await registryCounts(r, 'plinth_smtp_recipients_refused_total', () => true)();
    const connections = await registryCounts(r, 'plinth_smtp_sessions_total', (l) => l.outcome === 'refused')();
    const refused = messages.bad + recipients.total + connections.bad;
    return { total: messages.total + recipients.total + connections.bad, bad: refused };
  };
}

/** `smtp.refusals`: at least minRefusals refusals over the window, and at least refusalRate of every answer. */
function refusalAlert(d: SmtpAlertDeps): AlertCheck {
  const rate = new WindowedRate({ read: smtpCounts(d.registry), clock: d.clock });
  return async () => {
    const { refusalRate, minRefusals } = d.settings.alerts;
    const minutes = d.config.alerts.thresholds.rateWindowMinutes;
    const window = await rate.over(minutes * 60_000);
    if (window.bad < minRefusals || window.rate < refusalRate) return [];
    const percent = (window.rate * 100).toFixed(1);
    return [
      {
        key: 'smtp.refusals',
        severity: 'warning',
        summary: `The SMTP receiver refused ${percent} % of what it was sent in the last ${minutes} minutes (${window.bad} of ${window.total})`,
        details: { refused: window.bad, answered: window.total, rate: window.rate, window_minutes: minutes, refusalRate, minRefusals },
        message: { id: 'mail.alert.refusals', values: { percent, minutes, bad: String(window.bad), total: String(window.total) } },
      },
    ];
  };
}

/**
 * `smtp.certificate`: the STARTTLS certificate the receiver serves ends within alerts.certDays
 * (critical once it has ended). A renewed file on disk is served from the next start: the alert
 * says so, and clears once the served certificate is the new one.
 */
function certificateAlert(d: SmtpAlertDeps): AlertCheck {
  return async () => {
    const pem = d.served();
    if (!pem) return [];
    const cert = new X509Certificate(pem);
    const notAfter = new Date(cert.validTo);
    const daysLeft = (notAfter.getTime() - d.clock.now().getTime()) / DAY;
    if (daysLeft > d.settings.alerts.certDays) return [];
    const file = d.settings.smtp.tlsCertFile!;
    const onDisk = await fs.promises.readFile(file).catch(() => null);
    const renewed = onDisk !== null && !onDisk.equals(pem) && new Date(new X509Certificate(onDisk).validTo) > notAfter;
    const when = daysLeft <= 0 ? `ended on ${notAfter.toISOString()}` : `ends in ${Math.ceil(daysLeft)} days (${notAfter.toISOString()})`;
    return [
      {
        key: 'smtp.certificate',
        severity: daysLeft <= 0 ? 'critical' : 'warning',
        summary: `The SMTP receiver's STARTTLS certificate ${when}${renewed ? '; a renewed one is in its file: restart to serve it' : ''}`,
        details: { file, subject: cert.subject, not_after: notAfter.toISOString(), days_left: Math.floor(daysLeft), renewed_on_disk: renewed },
        message: {
          id: 'mail.alert.certificate',
          values: {
            state: daysLeft <= 0 ? 'ended' : 'ending',
            days: Math.ceil(daysLeft),
            at: notAfter.toISOString(),
            renewed: renewed ? 'yes' : 'no',
          },
        },
      },
    ];
  };
}

/** The mail plugin's alert conditions, by name (registered with the core's `alerts` in register()). */
export function smtpAlerts(d: SmtpAlertDeps): Record<string, AlertCheck> {
  return { 'smtp.refusals': refusalAlert(d), 'smtp.certificate': certificateAlert(d) };
}
