import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../logger.js';

/**
 * The Prometheus metrics of one Plinth instance (`GET /metrics`, core/http/metrics-route.ts),
 * through prom-client. One registry per instance, never prom-client's global one: tests run many
 * apps in one process, and each instance's numbers are its own. In the container as
 * `metricsRegistry` (the name `metrics` is billing's usage-metric catalogue).
 *
 * Families are declared once, at boot, by the core and by each plugin in its own code:
 *
 *   const sent = c.container.resolve('metricsRegistry').counter({ name: 'plinth_mail_sent_total', help: '…', labels: ['outcome'] });
 *
 * Names follow Prometheus' conventions, checked here so a wrong one stops the boot: `plinth_<area>_<what>_<unit>`,
 * counters end in `_total`, histograms in `_seconds` or `_bytes`. Labels take few values only (a
 * route template, an outcome, a job name), never an id, an address, a raw path or a tenant, so
 * label names that invite those are refused.
 */

export type LabelValues<L extends string> = Partial<Record<L, string | number>>;

interface FamilySpec<L extends string> {
  name: string;
  help: string;
  labels?: readonly L[];
}

export interface HistogramSpec<L extends string> extends FamilySpec<L> {
  /** Upper bounds; seconds by default (1 ms … 30 s), give bytes buckets for a `_bytes` histogram. */
  buckets?: number[];
}

export interface GaugeSpec<L extends string> extends FamilySpec<L> {
  /**
   * Reads the values at scrape time (a queue's length, a file's size): `set` them on the gauge. A
   * collect that throws leaves the family empty for that scrape (logged), never fails the scrape.
   */
  collect?: (gauge: Gauge<L>) => Promise<void> | void;
}

/** Seconds: from a millisecond (a cached lookup) to half a minute (a slow provider, a long job). */
export const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds, for HTTP requests (Prometheus' client defaults): 5 ms … 10 s, few buckets since every route has its own series. */
export const HTTP_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds, for work that takes long (job runs, backups, delivery lag): up to an hour. */
export const LONG_SECONDS_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600];
/** Bytes: 1 KiB … 64 MiB, by fours. */
export const BYTES_BUCKETS = [1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

const NAME = /^plinth_[a-z][a-z0-9_]*[a-z0-9]$/;
const LABEL = /^[a-z][a-z0-9_]*$/;
/** Label names whose values would be unbounded (one series per user, request or address). */
const UNBOUNDED_LABELS = new Set(['id', 'user', 'user_id', 'tenant', 'tenant_id', 'email', 'address', 'ip', 'path', 'url', 'token', 'key']);

type Family = Counter<string> | Gauge<string> | Histogram<string>;

export class MetricsError extends Error {
  override name = 'MetricsError';
}

export class Metrics {
  readonly registry = new Registry();
  private defaultsOn = false;
  private readonly longPollSources = new Map<string, () => number>();

  constructor(private readonly logger: Logger) {
    this.gauge({
      name: 'plinth_http_long_polls_held',
      help: 'Requests held open on this instance waiting for something to happen (long-polls, live streams), by kind',
      labels: ['kind'],
      collect: (g) => {
        for (const [kind, held] of this.longPollSources) g.set({ kind }, held());
      },
    });
  }

  /**
   * A kind of request held open (a mail long-poll, an admin page's live stream) and how to count
   * those held now: read at scrape time, so holding one costs nothing.
   */
  longPolls(kind: string, held: () => number): void {
    if (this.longPollSources.has(kind)) throw new MetricsError(`long-polls of kind "${kind}" are already counted`);
    this.longPollSources.set(kind, held);
  }

  counter<L extends string = never>(spec: FamilySpec<L>): Counter<L> {
    this.check(spec, 'counter');
    if (!spec.name.endsWith('_total')) throw new MetricsError(`metric ${spec.name}: a counter's name ends in _total`);
    return new Counter({ name: spec.name, help: spec.help, labelNames: spec.labels ?? [], registers: [this.registry] });
  }

  histogram<L extends string = never>(spec: HistogramSpec<L>): Histogram<L> {
    this.check(spec, 'histogram');
    if (!/_(seconds|bytes)$/.test(spec.name)) throw new MetricsError(`metric ${spec.name}: a histogram's name ends in its unit, _seconds or _bytes`);
    return new Histogram({
      name: spec.name,
      help: spec.help,
      labelNames: spec.labels ?? [],
      buckets: spec.buckets ?? SECONDS_BUCKETS,
      registers: [this.registry],
    });
  }

  gauge<L extends string = never>(spec: GaugeSpec<L>): Gauge<L> {
    this.check(spec, 'gauge');
    if (spec.name.endsWith('_total')) throw new MetricsError(`metric ${spec.name}: _total is for counters`);
    const read = spec.collect;
    const logger = this.logger;
    return new Gauge<L>({
      name: spec.name,
      help: spec.help,
      labelNames: spec.labels ?? [],
      registers: [this.registry],
      ...(read && {
        async collect(this: Gauge<L>) {
          try {
            await read(this);
          } catch (err) {
            this.reset();
            logger.warn({ err, metric: spec.name }, 'a metric could not be read for this scrape');
          }
        },
      }),
    });
  }

  /** The exposition in Prometheus' text format (version 0.0.4), with its content type. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    this.nodeDefaults();
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  /**
   * Node's process metrics (CPU, memory, heap, handles, GC, event-loop lag) from prom-client's
   * defaults, added at the first scrape: they start an event-loop monitor and a GC observer that
   * run for the rest of the process, which an instance nobody scrapes (a test's) should not pay for.
   */
  private nodeDefaults(): void {
    if (this.defaultsOn) return;
    this.defaultsOn = true;
    collectDefaultMetrics({ register: this.registry });
    // Gauges named like counters (promtool's lint refuses them); each is the sum of the gauge of the same name without _total.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) this.registry.removeSingleMetric(name);
  }

  private check(spec: FamilySpec<string>, kind: string): void {
    if (!NAME.test(spec.name)) throw new MetricsError(`metric ${spec.name}: a name is plinth_<area>_<what>[_<unit>], lower case with underscores`);
    const known = this.registry.getSingleMetric(spec.name) as Family | undefined;
    if (known) throw new MetricsError(`metric ${spec.name} is already declared (a ${kind} cannot declare it again)`);
    for (const label of spec.labels ?? []) {
      if (!LABEL.test(label)) throw new MetricsError(`metric ${spec.name}: label "${label}" is not lower case with underscores`);
      if (UNBOUNDED_LABELS.has(label)) throw new MetricsError(`metric ${spec.name}: label "${label}" would take a value per user or request`);
    }
  }
}

const STATUS_CLASSES = ['1xx', '1xx', '2xx', '3xx', '4xx', '5xx'];
/** An HTTP status as its class, `2xx` … `5xx`: a bounded label. Every request asks: no string is built. */
export const statusClass = (status: number): string => STATUS_CLASSES[Math.min(5, Math.max(1, Math.floor(status / 100)))];

/** Seconds since `started` (a `performance.now()`). */
export const secondsSince = (started: number): number => (performance.now() - started) / 1000;
