// The core's own cards on a superadmin's overview: open alerts, requests and errors, and the event
// outbox, each reading what the System page and /metrics read. The last backup is the auth plugin's
// card: its Backups page is where the operator acts on it, and the core names no plugin's page.
import type { PlinthContainer } from '../container.js';
import type { CardMessage, CardTone, OverviewCard } from './card.js';
import { counted } from './helpers.js';

export const SYSTEM_PAGE = '/admin/system';

/** What the overview needs of the alerts service (core/alerts), read only when it is registered. */
interface OpenAlerts {
  list(options: {
    open?: boolean;
    limit?: number;
  }): Promise<Array<{ id: number; severity: string; summary: string; raised_at: string; message: CardMessage | null }>>;
}

/** What the overview needs of the metrics (core/observability/metrics.ts `metricsRegistry`), when registered. */
interface MetricsRegistryLike {
  registry: {
    getSingleMetric(name: string): { get(): Promise<{ values: Array<{ value: number; labels: Record<string, unknown>; metricName?: string }> }> } | undefined;
  };
}

/** The HTTP histogram whose `_count` series count requests by status class (core/observability/core-metrics.ts). */
const HTTP_DURATION = 'plinth_http_request_duration_seconds';

/** Open alerts, the most severe first: the System page lists them with their details. */
async function alertsCard(container: PlinthContainer): Promise<OverviewCard | null> {
  if (!container.hasRegistration('alerts')) return null;
  const open = await container.resolve<OpenAlerts>('alerts').list({ open: true });
  const critical = open.filter((a) => a.severity === 'critical').length;
  const tone: CardTone = critical ? 'alert' : open.length ? 'warn' : 'ok';
  const sorted = [...open].sort((a, b) => Number(b.severity === 'critical') - Number(a.severity === 'critical') || b.raised_at.localeCompare(a.raised_at));
  return {
    id: 'core.alerts',
    title: 'Open alerts',
    value: open.length,
    unit: open.length === 1 ? 'alert' : 'alerts',
    note: open.length ? `${critical} critical` : 'Nothing needs you now',
    href: SYSTEM_PAGE,
    tone,
    items: sorted.slice(0, 8).map((a) => ({
      label: a.summary,
      tone: a.severity === 'critical' ? 'alert' : 'warn',
      href: SYSTEM_PAGE,
      ...(a.message && { messages: { label: a.message } }),
    })),
    messages: {
      title: { id: 'shell.overview.alerts.title' },
      unit: { id: 'shell.overview.alerts.unit', values: { count: open.length } },
      note: open.length ? { id: 'shell.overview.alerts.note', values: { critical } } : { id: 'shell.overview.alerts.none' },
    },
  };
}

/**
 * Requests this instance answered since it started, by status class, from the metrics' HTTP
 * histogram (prom-client counts each observation in `_count`): no second counter of its own.
 */
async function requestsCard(container: PlinthContainer): Promise<OverviewCard | null> {
  if (!container.hasRegistration('metricsRegistry')) return null;
  const metric = container.resolve<MetricsRegistryLike>('metricsRegistry').registry.getSingleMetric(HTTP_DURATION);
  if (!metric) return null;
  const byClass = new Map<string, number>();
  for (const v of (await metric.get()).values) {
    if (v.metricName !== `${HTTP_DURATION}_count`) continue;
    const cls = String(v.labels.status_class ?? '');
    byClass.set(cls, (byClass.get(cls) ?? 0) + v.value);
  }
  const total = [...byClass.values()].reduce((a, b) => a + b, 0);
  const errors = byClass.get('5xx') ?? 0;
  const refused = byClass.get('4xx') ?? 0;
  return {
    id: 'core.requests',
    title: 'Requests',
    value: total,
    unit: total === 1 ? 'request' : 'requests',
    note: `${counted(errors, 'server error')}, ${refused.toLocaleString('en')} refused (4xx), since this instance started`,
    // No admin page shows requests: the figures are this instance's /metrics (Prometheus keeps their history).
    tone: errors ? 'warn' : 'ok',
    items: [...byClass]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([cls, n]) => ({ label: cls, value: n, ...(cls === '5xx' && n ? { tone: 'alert' as const } : {}) })),
    messages: {
      title: { id: 'shell.overview.requests.title' },
      unit: { id: 'shell.overview.requests.unit', values: { count: total } },
      note: { id: 'shell.overview.requests.note', values: { errors, refused } },
    },
  };
}

/** Events waiting for their handlers, and dead ones (the System page replays them). */
async function outboxCard(container: PlinthContainer): Promise<OverviewCard> {
  const { pending, dead } = await container.resolve('events').backlog();
  return {
    id: 'core.outbox',
    title: 'Event outbox',
    value: pending,
    unit: 'pending',
    note: counted(dead, 'dead event'),
    href: SYSTEM_PAGE,
    tone: dead ? 'alert' : 'ok',
    messages: {
      title: { id: 'shell.overview.outbox.title' },
      unit: { id: 'shell.overview.outbox.unit' },
      note: { id: 'shell.overview.outbox.note', values: { dead } },
    },
  };
}

/** A source of cards the overview runs on its own (its failure is one error card). */
export interface CardSource {
  /** Names the source in logs and on its error card. */
  name: string;
  title: string;
  /** The title's message, for its error card: a plugin's is its nav group's name (`<plugin>.nav.group`). */
  titleMessage: CardMessage;
  run(): Promise<OverviewCard[]>;
}

const one = (name: string, title: string, read: () => Promise<OverviewCard | null>): CardSource => ({
  name,
  title,
  titleMessage: { id: `shell.overview.${name.replace(/^core\./, '')}.title` },
  run: async () => {
    const card = await read();
    return card ? [card] : [];
  },
});

/** The core's cards: alerts go first (what needs the operator now), the health cards after the plugins'. */
export function coreSources(container: PlinthContainer): { head: CardSource[]; tail: CardSource[] } {
  return {
    head: [one('core.alerts', 'Open alerts', () => alertsCard(container))],
    tail: [one('core.requests', 'Requests', () => requestsCard(container)), one('core.outbox', 'Event outbox', () => outboxCard(container))],
  };
}
