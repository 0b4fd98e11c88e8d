// The last 30 days of runs as pictures: runs that succeeded and runs that failed (or were stopped),
// per day (GET /workflows/runs/daily).
import { BarChart, ErrorBanner, useApi } from 'plinth/plugin/ui';
import { BASE } from './shared.js';

interface DailyRuns {
  days: Array<{ date: string; runs: Record<string, number> }>;
}

const DAYS = 30;
const dayLabel = (date: string) => new Date(`${date}T00:00:00Z`).toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });

const OUTCOMES: Array<{ title: string; statuses: string[] }> = [
  { title: 'Runs succeeded per day', statuses: ['succeeded'] },
  { title: 'Runs failed or stopped per day', statuses: ['failed', 'stopped'] },
];

export function RunsChart() {
  const daily = useApi<DailyRuns>(`${BASE}/runs/daily?days=${DAYS}`);
  const days = daily.data?.days;
  const total = days?.reduce((sum, d) => sum + Object.values(d.runs).reduce((a, b) => a + b, 0), 0) ?? 0;
  return (
    <section class="card" aria-labelledby="runs-chart-title">
      <h2 id="runs-chart-title">Last {DAYS} days</h2>
      <ErrorBanner error={daily.error} />
      {!days ? (
        <p class="muted" role="status">
          {daily.loading ? 'Loading…' : 'No runs to show.'}
        </p>
      ) : total === 0 ? (
        <p class="muted">No workflow ran in the last {DAYS} days.</p>
      ) : (
        OUTCOMES.map((o) => (
          <BarChart
            key={o.title}
            title={`${o.title}, last ${DAYS} days`}
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
