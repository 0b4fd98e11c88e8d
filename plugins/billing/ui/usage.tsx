// What the billing pages say about usage, true to each metric's kind: a gauge counts what exists now
// ("3 of 5 mailboxes in use now") and has no history by day; a counter counts what was used in its
// period and is charted by day. Limits no enabled plugin meters (kind null) are left out.
import { BarChart, formatDate, formatList, t, Table, tOr } from 'plinth/plugin/ui';
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

/**
 * "mailboxes" for max_mailboxes: the catalogue's words for a metric it knows, else the unit its plugin
 * declares (English), else its name in words.
 */
export const unitOf = (m: Pick<MetricUsage, 'metric' | 'unit'>) => tOr(`billing.metric.${m.metric}.unit`, m.unit ?? metricLabel(m.metric).toLowerCase());

/** What the number means for the metric's kind: "in use now", "this month", "today" (a select in the messages). */
const when = (m: Pick<MetricUsage, 'kind' | 'period'>) => (m.kind === 'gauge' ? 'gauge' : m.period === 'day' ? 'day' : 'month');

/** What a counter counts, without its period: "Emails sent" for emails_sent_per_month. */
const countedBy = (metric: string) => tOr(`billing.metric.${metric}.counted`, metricLabel(metric).replace(/ per (month|day)$/, ''));

/** "3 of 5 mailboxes in use now", "2 robots in use now (no limit)". */
export const gaugeSentence = (m: MetricUsage): string =>
  m.limit === null
    ? t('billing.usage.gaugeNoLimit', { used: m.used, unit: unitOf(m) })
    : t('billing.usage.gauge', { used: m.used, limit: m.limit, unit: unitOf(m) });

/** The limits something counts (a limit no enabled plugin meters would read "0 of N" forever). */
export const metered = (metrics: readonly MetricUsage[] | undefined) => (metrics ?? []).filter((m) => m.kind !== null);

/** "1 of 5 in use now" with a bar that turns amber near the limit and red at it; "3 this month · unlimited" without one. */
export function UsageBar(props: MetricUsage) {
  const { metric, used, limit } = props;
  if (limit === null) return <span>{t('billing.usage.unlimited', { used, when: when(props) })}</span>;
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
        aria-label={t('billing.usage.meter', { metric: metricLabel(metric) })}
        style={{ width: '9rem' }}
      />
      <span>{t('billing.usage.bar', { used, limit, when: when(props) })}</span>
    </span>
  );
}

/** Limits against usage, one row per metered metric. */
export function UsageList(props: { rows: readonly MetricUsage[]; empty?: string }) {
  return (
    <Table
      rows={metered(props.rows)}
      rowKey={(r) => r.metric}
      empty={props.empty ?? t('billing.usage.noLimits')}
      columns={[
        { label: t('billing.usage.col.metric'), value: (r) => <MetricName metric={r.metric} /> },
        { label: t('billing.usage.col.used'), value: (r) => <UsageBar {...r} /> },
      ]}
    />
  );
}

const dayName = (date: string) => formatDate(`${date}T00:00:00Z`, { day: 'numeric', month: 'short', timeZone: 'UTC' });

/**
 * This month: the gauges as what is in use now, then one chart per counter used this month (by day);
 * counters nothing used yet are named in one line, so the card never says "nothing" while things are in use.
 */
export function UsageByDay(props: { current?: CurrentUsage; daily?: DailyUsage; loading: boolean }) {
  const { current, daily } = props;
  if (!current || !daily) return <p class="muted">{t(props.loading ? 'billing.loading' : 'billing.usage.noUsage')}</p>;
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
            {t('billing.usage.inUseNow')}
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
          title={t('billing.usage.perDay', { what: countedBy(m.metric), month })}
          bars={daily.days.map((d) => ({ label: dayName(d.date), tick: String(Number(d.date.slice(8))), value: d.usage[m.metric] ?? 0 }))}
        />
      ))}
      {idle.length ? <p class="muted">{t('billing.usage.idleThisMonth', { units: formatList(idle.map(unitOf)), month })}</p> : null}
      {!gauges.length && !counters.length ? <p class="muted">{t('billing.usage.nothingMetered')}</p> : null}
    </>
  );
}

const shortMonth = (period: string) => formatDate(`${period}-01T00:00:00Z`, { month: 'short', timeZone: 'UTC' });

/**
 * Each counter month by month (oldest first), for the counters used in the window; those never used
 * are named in one line. Gauges have no history (they count what exists now).
 */
export function UsageHistoryCharts(props: { current?: CurrentUsage; history?: UsageHistory; loading: boolean }) {
  const { current, history } = props;
  if (!current || !history) return <p class="muted">{t(props.loading ? 'billing.loading' : 'billing.usage.noHistory')}</p>;
  const months = [...history.months].reverse();
  const counters = current.metrics.filter((m) => m.kind === 'counter');
  const used = (metric: string) => months.some((m) => (m.usage[metric] ?? 0) > 0);
  const idle = counters.filter((m) => !used(m.metric));
  return (
    <>
      {counters
        .filter((m) => used(m.metric))
        .map((m) => (
          <BarChart
            key={m.metric}
            title={t('billing.usage.perMonth', { what: countedBy(m.metric), count: months.length })}
            bars={months.map((month) => ({ label: monthName(month.period), tick: shortMonth(month.period), value: month.usage[m.metric] ?? 0 }))}
          />
        ))}
      {idle.length ? <p class="muted">{t('billing.usage.idleInWindow', { units: formatList(idle.map(unitOf)), count: months.length })}</p> : null}
      {counters.length ? null : <p class="muted">{t('billing.usage.nothingCounted')}</p>}
    </>
  );
}
