// Devices bound per day over the last 30 days (GET /license/api/admin/activations/daily).
import { BarChart, ErrorBanner, useApi } from 'plinth/plugin/ui';
import { BASE } from './shared.js';

const DAYS = 30;
const dayLabel = (date: string) => new Date(`${date}T00:00:00Z`).toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });

export function ActivationsChart() {
  const daily = useApi<{ days: Array<{ date: string; activations: number }> }>(`${BASE}/activations/daily?days=${DAYS}`);
  const days = daily.data?.days;
  return (
    <section class="card" aria-labelledby="activations-title">
      <h2 id="activations-title">Activations, last {DAYS} days</h2>
      <ErrorBanner error={daily.error} />
      {days ? (
        <BarChart
          title={`Devices activated per day, last ${DAYS} days`}
          bars={days.map((d) => ({ label: dayLabel(d.date), tick: String(Number(d.date.slice(8))), value: d.activations }))}
        />
      ) : (
        <p class="muted" role="status">
          {daily.loading ? 'Loading…' : 'No activations to show.'}
        </p>
      )}
    </section>
  );
}
