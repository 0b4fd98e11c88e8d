import type { Registry } from 'prom-client';
import type { Clock } from '../clock.js';

/** Cumulative counts since the process started: everything counted, and the bad part of it (5xx, refusals). */
export interface Counts {
  total: number;
  bad: number;
}

/** Counts over a window, and the bad share of them (0 when nothing was counted). */
export interface WindowCounts extends Counts {
  rate: number;
}

export interface WindowedRateDeps {
  read: () => Counts | Promise<Counts>;
  clock: Clock;
}

/**
 * A rate over the last window from cumulative counters: each `over()` samples the counters, and
 * the counts since the newest sample at least a window old (or since the process started) are the
 * window's. The samples are this instance's: in a deployment of several instances the rate is the
 * one of the instance that evaluates (a fair sample behind a load balancer); Prometheus, scraping
 * every instance's /metrics, sees them all.
 */
export class WindowedRate {
  private readonly samples: Array<{ at: number; counts: Counts }>;

  constructor(private readonly deps: WindowedRateDeps) {
    // Counters start at zero with the process.
    this.samples = [{ at: deps.clock.now().getTime(), counts: { total: 0, bad: 0 } }];
  }

  async over(windowMs: number): Promise<WindowCounts> {
    const now = this.deps.clock.now().getTime();
    const current = await this.deps.read();
    while (this.samples.length > 1 && this.samples[1].at <= now - windowMs) this.samples.shift();
    // Counters that went back (a registry reset) count from zero.
    const base = current.total < this.samples[0].counts.total ? { total: 0, bad: 0 } : this.samples[0].counts;
    this.samples.push({ at: now, counts: current });
    const total = current.total - base.total;
    const bad = Math.max(0, current.bad - base.bad);
    return { total, bad, rate: total > 0 ? bad / total : 0 };
  }
}

type Labels = Record<string, string | number>;

/**
 * Reads a counter family, or a histogram's `_count` series, of a prom-client registry: the sum of
 * every series, and of those `isBad` picks. A family nobody declared reads as nothing counted.
 */
export function registryCounts(registry: Registry, family: string, isBad: (labels: Labels) => boolean): () => Promise<Counts> {
  return async () => {
    const metric = registry.getSingleMetric(family);
    if (!metric) return { total: 0, bad: 0 };
    const values = (await metric.get()).values as Array<{ value: number; labels: Labels; metricName?: string }>;
    // A histogram's series are its buckets, sum and count: the count is what was observed.
    const histogram = values.some((v) => v.metricName === `${family}_count`);
    const counted = histogram ? values.filter((v) => v.metricName === `${family}_count`) : values;
    let total = 0;
    let bad = 0;
    for (const v of counted) {
      total += v.value;
      if (isBad(v.labels)) bad += v.value;
    }
    return { total, bad };
  };
}
