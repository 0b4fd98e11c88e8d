// Devices bound per day over the last 30 days (GET /license/api/admin/activations/daily).
import { BarChart, ErrorBanner, formatDate, t, useApi } from 'plinth/plugin/ui';
import { BASE } from './shared.js';

const DAYS = 30;
const dayLabel = (date: string) => formatDate(`${date}T00:00:00Z`, { day: 'numeric', month: 'short', timeZone: 'UTC' });

export function ActivationsChart() {
  const daily = useApi<{ days: Array<{ date: string; activations: number }> }>(`${BASE}/activations/daily?days=${DAYS}`);
  const days = daily.data?.days;
  return (
    <section class="card" aria-labelledby="activations-title">
      <h2 id="activations-title">{t('licensing.chart.title', { days: DAYS })}</h2>
      <ErrorBanner error={daily.error} />
      {days ? (
        <BarChart
          title={t('licensing.chart.label', { days: DAYS })}
          bars={days.map((d) => ({ label: dayLabel(d.date), tick: String(Number(d.date.slice(8))), value: d.activations }))}
        />
      ) : (
        <p class="muted" role="status">
          {daily.loading ? t('licensing.loading') : t('licensing.chart.empty')}
        </p>
      )}
    </section>
  );
}
