// Mail received per day over the last 30 days, in the mailboxes the signed-in person sees
// (GET /mail/api/stats/received-daily), following the live channel as the list beside it does.
import { BarChart, ErrorBanner, formatDate, t, useLiveApi, viewerTimeZone } from 'plinth/plugin/ui';
import { BASE } from './shared.js';

const DAYS = 30;
/** While the live channel is down. */
const POLL_MS = 30_000;
const dayLabel = (date: string) => formatDate(`${date}T00:00:00Z`, { day: 'numeric', month: 'short', timeZone: 'UTC' });

export function ReceivedChart() {
  const daily = useLiveApi<{ days: Array<{ date: string; received: number }> }>(
    `${BASE}/stats/received-daily?days=${DAYS}&tz=${encodeURIComponent(viewerTimeZone())}`,
    'mail.received',
    {
      pollMs: POLL_MS,
      platform: true,
    },
  );
  const days = daily.data?.days;
  return (
    <section class="card" aria-labelledby="received-title">
      <h2 id="received-title">{t('mail.chart.title', { days: DAYS })}</h2>
      <ErrorBanner error={daily.error} />
      {days ? (
        <BarChart
          title={t('mail.chart.label', { days: DAYS })}
          bars={days.map((d) => ({ label: dayLabel(d.date), tick: String(Number(d.date.slice(8))), value: d.received }))}
        />
      ) : (
        <p class="muted" role="status">
          {daily.loading ? t('mail.loading') : t('mail.chart.empty')}
        </p>
      )}
    </section>
  );
}
