import type { MetricInfo } from 'plinth/plugin';
import { lazy } from 'plinth/plugin';
import { addMonths, GAUGE_KEY } from './periods.js';

/**
 * How a limit is told to a person. A gauge counts what exists now (mailboxes, API keys): it has no
 * period and frees up only when something is removed. A counter counts per month or day and
 * starts again with the next period, which the words name.
 */
export interface UsageWords {
  kind: 'counter' | 'gauge';
  /** What is counted, e.g. "mailboxes". */
  unit: string;
  /** "in November 2026", "on 2026-11-23"; null for a gauge. */
  period_label: string | null;
  /** When the next period starts (YYYY-MM-DD, UTC); null for a gauge, which never resets. */
  resets_on: string | null;
  /** "4 of 5 mailboxes in use", "16 of 20 robot messages used in November 2026". */
  summary: string;
  /** What frees room: "upgrade the plan or remove some", "upgrade the plan or wait for the next period (from 2026-12-01)". */
  advice: string;
}

/** Made on first use: building an Intl formatter loads ICU data (~20 ms at boot otherwise). */
const month = lazy(() => new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' }));

/** The period a counter's key names, in words, and the day the next one starts. */
function periodOf(key: string): { label: string; next: string } {
  if (key.length === 7) {
    const start = new Date(`${key}-01T00:00:00.000Z`);
    return { label: `in ${month().format(start)}`, next: addMonths(start, 1).toISOString().slice(0, 10) };
  }
  const day = new Date(`${key}T00:00:00.000Z`);
  return { label: `on ${key}`, next: new Date(day.getTime() + 86_400_000).toISOString().slice(0, 10) };
}

/** The words for `used` of `limit` of a metric in the period `key` (GAUGE_KEY for a gauge). */
export function usageWords(spec: MetricInfo, key: string, used: number, limit: number): UsageWords {
  const unit = spec.unit ?? spec.name;
  if (spec.kind === 'gauge' || key === GAUGE_KEY) {
    const summary = `${used} of ${limit} ${unit} in use`;
    return { kind: 'gauge', unit, period_label: null, resets_on: null, summary, advice: 'upgrade the plan or remove some' };
  }
  const { label, next } = periodOf(key);
  return {
    kind: 'counter',
    unit,
    period_label: label,
    resets_on: next,
    summary: `${used} of ${limit} ${unit} used ${label}`,
    advice: `upgrade the plan or wait for the next period (from ${next})`,
  };
}
