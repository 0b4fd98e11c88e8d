// What the billing pages say about usage, true to each metric's kind: a gauge counts what exists now
// ("3 of 5 mailboxes in use now") and has no history by day; a counter counts what was used in its
// period and is charted by day. Limits no enabled plugin meters (kind null) are left out.
import { BarChart, Table } from 'plinth/plugin/ui';
import { metricLabel, MetricName, monthName } from './shared.js';

/** One metric of GET /usage/current (and GET /admin/tenants/{id}/usage/current). */
export interface MetricUsage {
  metric: string;
  used: number;
  limit: number | null;
  /** What it counts: what exists now (gauge), what was used in its period (counter); null: no enabled plugin meters it. */
  kind: 'gauge' | 'counter' | null;
  period: 'month' | 'day' | null;
  /** Plural, lower case, as in a sentence ("mailboxes"). */
  unit: string | null;
}

export interface CurrentUsage {
  period: string;
  metrics: MetricUsage[];
}

/** GET /usage/daily and GET /admin/tenants/{id}/usage/daily */
export interface DailyUsage {
  month: string;
  days: Array<{ date: string; usage: Record<string, number> }>;
}

/** GET /usage/history and GET /admin/tenants/{id}/usage/history: newest month first. */
export interface UsageHistory {
  months: Array<{ period: string; usage: Record<string, number> }>;
}

/** "mailboxes" for max_mailboxes (its declared unit, else its name in words). */
export const unitOf = (m: Pick<MetricUsage, 'metric' | 'unit'>) => m.unit ?? metricLabel(m.metric).toLowerCase();

/** What the number means for the metric's kind: "in use now", "this month", "today". */
const when = (m: Pick<MetricUsage, 'kind' | 'period'>) => (m.kind === 'gauge' ? 'in use now' : m.period === 'day' ? 'today' : 'this month');

/** "3 of 5 mailboxes in use now", "2 robots in use now (no limit)". */
export function gaugeSentence(m: MetricUsage): string {
  const used = m.used.toLocaleString();
  return m.limit === null ? `${used} ${unitOf(m)} in use now (no limit)` : `${used} of ${m.limit.toLocaleString()} ${unitOf(m)} in use now`;
}

/** The limits something counts (a limit no enabled plugin meters would read "0 of N" forever). */
export const metered = (metrics: readonly MetricUsage[] | undefined) => (metrics ?? []).filter((m) => m.kind !== null);

/** "1 of 5 in use now" with a bar that turns amber near the limit and red at it; "3 this month · unlimited" without one. */
export function UsageBar(props: MetricUsage) {
  const { metric, used, limit } = props;
  if (limit === null) return <span>{`${used.toLocaleString()} ${when(props)} · unlimited`}</span>;
  const max = Math.max(limit, 1);
  return (
    <span style={{ display: 'inline-flex', gap: '0.6rem', alignItems: 'center' }}>
      <meter
        min={0}
        max={max}
        low={max * 0.8}
        high={max * 0.999}
        optimum={0}
        value={Math.min(used, max)}
        aria-label={`${metricLabel(metric)} used`}
        style={{ width: '9rem' }}
      />
      <span>{`${used.toLocaleString()} of ${limit.toLocaleString()} ${when(props)}`}</span>
    </span>
  );
}

/** Limits against usage, one row per metered metric. */
export function UsageList(props: { rows: readonly MetricUsage[]; empty?: string }) {
  return (
    <Table
      rows={metered(props.rows)}
      rowKey={(r) => r.metric}
      empty={props.empty ?? 'No limits on this plan.'}
      columns={[
        { label: 'Metric', value: (r) => <MetricName metric={r.metric} /> },
        { label: 'Used', value: (r) => <UsageBar {...r} /> },
      ]}
    />
  );
}

const dayName = (date: string) => new Date(`${date}T00:00:00Z`).toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** "a, b and c". */
const listed = (words: string[]) => (words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`);

/**
 * This month: the gauges as what is in use now, then one chart per counter used this month (by day);
 * counters nothing used yet are named in one line, so the card never says "nothing" while things are in use.
 */
export function UsageByDay(props: { current?: CurrentUsage; daily?: DailyUsage; loading: boolean }) {
  const { current, daily } = props;
  if (!current || !daily) return <p class="muted">{props.loading ? 'Loading…' : 'No usage to show.'}</p>;
  const gauges = current.metrics.filter((m) => m.kind === 'gauge');
  const counters = current.metrics.filter((m) => m.kind === 'counter');
  const usedOn = (metric: string) => daily.days.some((d) => (d.usage[metric] ?? 0) > 0);
  const charted = counters.filter((m) => usedOn(m.metric));
  const idle = counters.filter((m) => !usedOn(m.metric));
  const month = monthName(daily.month);
  return (
    <>
      {gauges.length ? (
        <section aria-labelledby="in-use-title">
          <h3 id="in-use-title" style={{ fontSize: '1rem', margin: '0 0 0.35rem' }}>
            In use now
          </h3>
          <ul aria-labelledby="in-use-title" style={{ margin: '0 0 1rem', paddingLeft: '1.1rem' }}>
            {gauges.map((m) => (
              <li key={m.metric}>{gaugeSentence(m)}</li>
            ))}
          </ul>
        </section>
      ) : null}
      {charted.map((m) => (
        <BarChart
          key={m.metric}
          title={`${metricLabel(m.metric).replace(/ per (month|day)$/, '')} per day, ${month}`}
          bars={daily.days.map((d) => ({ label: dayName(d.date), tick: String(Number(d.date.slice(8))), value: d.usage[m.metric] ?? 0 }))}
        />
      ))}
      {idle.length ? (
        <p class="muted">
          No {listed(idle.map(unitOf))} counted in {month} yet.
        </p>
      ) : null}
      {!gauges.length && !counters.length ? <p class="muted">No enabled plugin meters anything.</p> : null}
    </>
  );
}

const shortMonth = (period: string) => new Date(`${period}-01T00:00:00Z`).toLocaleDateString(undefined, { month: 'short', timeZone: 'UTC' });

/**
 * Each counter month by month (oldest first), for the counters used in the window; those never used
 * are named in one line. Gauges have no history (they count what exists now).
 */
export function UsageHistoryCharts(props: { current?: CurrentUsage; history?: UsageHistory; loading: boolean }) {
  const { current, history } = props;
  if (!current || !history) return <p class="muted">{props.loading ? 'Loading…' : 'No history to show.'}</p>;
  const months = [...history.months].reverse();
  const counters = current.metrics.filter((m) => m.kind === 'counter');
  const used = (metric: string) => months.some((m) => (m.usage[metric] ?? 0) > 0);
  const span = `last ${months.length} months`;
  return (
    <>
      {counters
        .filter((m) => used(m.metric))
        .map((m) => (
          <BarChart
            key={m.metric}
            title={`${metricLabel(m.metric).replace(/ per (month|day)$/, '')} per month, ${span}`}
            bars={months.map((month) => ({ label: monthName(month.period), tick: shortMonth(month.period), value: month.usage[m.metric] ?? 0 }))}
          />
        ))}
      {counters.some((m) => !used(m.metric)) ? (
        <p class="muted">
          No {listed(counters.filter((m) => !used(m.metric)).map(unitOf))} counted in the {span}.
        </p>
      ) : null}
      {counters.length ? null : <p class="muted">No enabled plugin counts anything by the month (what exists now is under “In use now”).</p>}
    </>
  );
}
