import type { Knex } from 'knex';
import type { Counter } from 'prom-client';
import { isAppError, type AppError } from './errors.js';
import type { Principal } from './http/auth.js';

/**
 * A metric a plugin meters. Counters reset each period (per month, or per day); gauges count
 * things that exist (robots, mailboxes) and go down when one is removed.
 */
export interface MetricSpec {
  kind: 'counter' | 'gauge';
  /** Counters only: the period their limit applies to. */
  period?: 'month' | 'day';
  /** The key under `usage` in the subscription view, e.g. `messages_this_month`. */
  usageKey?: string;
  /** What is counted, plural and lower case as in a sentence ("4 of 5 mailboxes in use"); the metric's name when absent. */
  unit?: string;
  description?: string;
}

export interface MetricInfo extends MetricSpec {
  name: string;
  plugins: string[];
}

/** One consume of a batch (`consumeEach`). */
export interface UsageItem {
  tenantId: string;
  metric: string;
  /** Default 1. */
  n?: number;
}

/**
 * What metering plugins call, always through the container (`usage`). The core registers an
 * unmetered one; the billing plugin replaces it with plans and limits.
 */
export interface UsageMeter {
  /**
   * Takes `n` of `metric` for the tenant, or throws (402) past the limit. Pass the caller's
   * transaction to stay atomic with its change, and the principal acting when there is one: a
   * superadmin's consume counts but is never refused (the operator is not held to plans).
   */
  consume(tenantId: string, metric: string, n?: number, trx?: Knex.Transaction, actor?: Principal | null): Promise<void>;
  /**
   * Several consumes in the caller's transaction, each checked against its limit on its own (a
   * batch of writes that share one commit): one result per item, null when taken, the error
   * `consume` would have thrown when refused (the others are still taken).
   */
  consumeEach(items: ReadonlyArray<UsageItem>, trx: Knex.Transaction): Promise<Array<AppError | null>>;
  /** Gives back `n` of a gauge (a robot deleted, a key revoked). */
  release(tenantId: string, metric: string, n?: number, trx?: Knex.Transaction): Promise<void>;
}

/** Without billing: everything is free and unlimited. */
export const unmetered: UsageMeter = {
  async consume() {},
  async consumeEach(items) {
    return items.map(() => null);
  },
  async release() {},
};

/**
 * The container's `usage`: one object every plugin holds from the start, forwarding to the meter
 * a plugin provides (billing) or to `unmetered`. Plugins registered before billing therefore need
 * no late binding, and nothing re-registers a core name.
 */
export class UsageFacade implements UsageMeter {
  private meter: UsageMeter = unmetered;

  /** `refusals`: the metrics' count of usage-limit refusals (402), by metric. */
  constructor(private readonly refusals: Counter<'metric'> | null = null) {}

  /** Called once by the plugin that meters (billing), while registering. */
  provide(meter: UsageMeter): void {
    this.meter = meter;
  }

  /** The meter provided, or `unmetered`. */
  get provided(): UsageMeter {
    return this.meter;
  }

  consume(tenantId: string, metric: string, n?: number, trx?: Knex.Transaction, actor?: Principal | null): Promise<void> {
    const consumed = this.meter.consume(tenantId, metric, n, trx, actor);
    if (!this.refusals) return consumed;
    return consumed.catch((err: unknown) => {
      if (isLimit(err)) this.refusals!.inc({ metric });
      throw err;
    });
  }

  async consumeEach(items: ReadonlyArray<UsageItem>, trx: Knex.Transaction): Promise<Array<AppError | null>> {
    const results = await this.meter.consumeEach(items, trx);
    if (this.refusals) for (const [i, err] of results.entries()) if (isLimit(err)) this.refusals.inc({ metric: items[i].metric });
    return results;
  }

  release(tenantId: string, metric: string, n?: number, trx?: Knex.Transaction): Promise<void> {
    return this.meter.release(tenantId, metric, n, trx);
  }
}

const isLimit = (err: unknown): boolean => isAppError(err) && err.code === 'usage_limit_reached';

/** Merges a plugin's metric declarations into the catalogue; two plugins may meter one metric if they agree on it. */
export function declareMetrics(catalog: Map<string, MetricInfo>, plugin: string, metrics: Record<string, MetricSpec>): void {
  for (const [name, spec] of Object.entries(metrics)) {
    if (spec.kind === 'counter' && !spec.period) throw new Error(`plugin "${plugin}" declares counter metric "${name}" without a period`);
    const known = catalog.get(name);
    if (known && (known.kind !== spec.kind || known.period !== spec.period)) {
      throw new Error(
        `plugin "${plugin}" declares metric "${name}" as ${spec.kind}/${spec.period ?? '-'}, but "${known.plugins[0]}" declared it as ` +
          `${known.kind}/${known.period ?? '-'}`,
      );
    }
    catalog.set(name, known ? { ...known, plugins: [...known.plugins, plugin] } : { name, ...spec, plugins: [plugin] });
  }
}
