// The last 30 days of runs as pictures: every run started (whatever its status, so a day's bar counts
// the runs the history below lists for it) and those that failed, were stopped or were blocked, per
// day (GET /workflows/runs/daily). It follows the same live events as the history.
import { BarChart, ErrorBanner, formatDate, t, useLiveApi, viewerTimeZone } from 'plinth/plugin/ui';
import { BASE } from './shared.js';

interface DailyRuns {
  days: Array<{ date: string; runs: Record<string, number> }>;
}

const DAYS = 30;
const dayLabel = (date: string) => formatDate(`${date}T00:00:00Z`, { day: 'numeric', month: 'short', timeZone: 'UTC' });

const OUTCOMES: Array<{ title: string; statuses: string[] }> = [
  { title: 'workflows.runsChart.started', statuses: ['pending', 'running', 'succeeded', 'failed', 'stopped', 'blocked'] },
  { title: 'workflows.runsChart.failed', statuses: ['failed', 'stopped', 'blocked'] },
];

/** While the live channel is down. */
const POLL_MS = 15_000;

export function RunsChart() {
  // Days of the browser's time zone, as the history below shows its times.
  const daily = useLiveApi<DailyRuns>(`${BASE}/runs/daily?days=${DAYS}&tz=${encodeURIComponent(viewerTimeZone())}`, 'workflow.', { pollMs: POLL_MS });
  const days = daily.data?.days;
  const total = days?.reduce((sum, d) => sum + Object.values(d.runs).reduce((a, b) => a + b, 0), 0) ?? 0;
  return (
    <section class="card" aria-labelledby="runs-chart-title">
      <h2 id="runs-chart-title">{t('workflows.runsChart.title', { days: DAYS })}</h2>
      <ErrorBanner error={daily.error} />
      {!days ? (
        <p class="muted" role="status">
          {daily.loading ? t('workflows.loading') : t('workflows.runsChart.none')}
        </p>
      ) : total === 0 ? (
        <p class="muted">{t('workflows.runsChart.empty', { days: DAYS })}</p>
      ) : (
        OUTCOMES.map((o) => (
          <BarChart
            key={o.title}
            title={t(o.title, { days: DAYS })}
            bars={days.map((d) => ({
              label: dayLabel(d.date),
              tick: String(Number(d.date.slice(8))),
              value: o.statuses.reduce((sum, s) => sum + (d.runs[s] ?? 0), 0),
            }))}
          />
        ))
      )}
    </section>
  );
}
