import os from 'node:os';
import { asValue } from 'awilix';
import type { Registry } from 'prom-client';
import type { PlinthContainer } from '../container.js';
import { sqliteFile } from '../db/connection.js';
import { Alerts } from './alerts.js';
import { coreConditions, PER_INSTANCE } from './conditions.js';
import { ALERT_CLEARED, ALERT_RAISED, alertEvents } from './events.js';
import { AlertMail } from './notify.js';
import { type Counts, registryCounts, WindowedRate } from './rates.js';

const NOTHING: Counts = { total: 0, bad: 0 };

/** The instance's prom-client registry (`metricsRegistry`, core/observability), when metrics are wired: what rate conditions read. */
export function promRegistry(container: PlinthContainer): Registry | null {
  return container.hasRegistration('metricsRegistry') ? container.resolve('metricsRegistry').registry : null;
}

/**
 * The alerts, wired (called by core/app.ts once the core's services are registered, before the
 * plugins' register(), so a plugin can add its conditions there): the `alerts` service, the core's
 * conditions, the `core.alerts` job that evaluates them (leased: one instance a tick), the events
 * in the catalogue under plugin `core`, and their handlers that mail each raising and clearing.
 */
export function wireAlerts(container: PlinthContainer): Alerts {
  const { db, clock, logger, events, hooks, config, scheduler, backups, retention, eventCatalog, dialect } = container.cradle;
  const alerts = new Alerts({ db, clock, logger: logger.child({ part: 'alerts' }), events, hooks, host: os.hostname() });
  container.register({ alerts: asValue(alerts) });

  // HTTP answers by status class, from the metrics' request histogram (read at each evaluation).
  const httpCounts = () => {
    const registry = promRegistry(container);
    return registry ? registryCounts(registry, 'plinth_http_request_duration_seconds', (l) => l.status_class === '5xx')() : NOTHING;
  };
  const http = new WindowedRate({ read: httpCounts, clock });
  const sqlite = dialect === 'sqlite' ? sqliteFile(config) : null;
  for (const [name, check] of Object.entries(coreConditions({ db, config, scheduler, backups, retention, sqliteFile: sqlite, http }))) {
    alerts.addCondition(name, check, { perInstance: PER_INSTANCE.has(name) });
  }

  for (const [name, spec] of Object.entries(alertEvents)) eventCatalog.set(name, { ...spec, plugin: 'core' });
  const mail = new AlertMail({
    alerts,
    hooks,
    logger,
    mailer: () => container.resolve('mailer'),
    settings: config.alerts.notify,
    publicUrl: () => config.server.publicUrl,
  });
  events.subscribe(ALERT_RAISED, 'core:alerts.mail', (e) => mail.handle(e as never, 'raised'));
  events.subscribe(ALERT_CLEARED, 'core:alerts.mail', (e) => mail.handle(e as never, 'cleared'));

  const { schedule, keepDays } = config.alerts;
  if (schedule !== 'off') {
    scheduler.add({
      name: 'core.alerts',
      schedule,
      run: async () => {
        await alerts.evaluate();
        // Cleared alerts older than alerts.keepDays go (the System page shows the recent ones).
        const before = new Date(clock.now().getTime() - keepDays * 86_400_000).toISOString();
        await retention.deleteInBatches('core_alerts', 'id', (q) => q.whereNotNull('cleared_at').andWhere('cleared_at', '<', before));
      },
    });
  }
  return alerts;
}
