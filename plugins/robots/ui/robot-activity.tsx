// A robot's last 30 days as a picture: messages its phone reported per day (the seed's statistics,
// GET /api/robots/{robotId}/statistics), with the AI calls and their cost over the period beside it.
import { BarChart, ErrorBanner, useApi } from '../../../core/ui/kit/index.js';
import { BASE, type Reply } from './shared.js';

interface RobotStatistics {
  totalMessages: number;
  totalAICalls: number | null;
  aiCost: number | null;
  messagesByDay: Array<{ date: string; messageCount: number }>;
}

const DAYS = 30;
const DAY = 86_400_000;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);
const dayLabel = (date: string) => new Date(`${date}T00:00:00Z`).toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** Every day of the range, zero where nothing was reported (the statistics list only days with messages). */
export function dailyBars(byDay: RobotStatistics['messagesByDay'], end: number, days = DAYS) {
  const counts = new Map(byDay.map((d) => [d.date, d.messageCount]));
  return Array.from({ length: days }, (_, i) => {
    const date = isoDay(end - (days - 1 - i) * DAY);
    return { label: dayLabel(date), tick: String(Number(date.slice(8))), value: counts.get(date) ?? 0 };
  });
}

export function RobotActivity(props: { robotId: string }) {
  const end = Date.now();
  const range = `startDate=${isoDay(end - (DAYS - 1) * DAY)}&endDate=${isoDay(end)}`;
  const stats = useApi<Reply<RobotStatistics>>(`${BASE}/robots/${encodeURIComponent(props.robotId)}/statistics?${range}`);
  const data = stats.data?.data;
  return (
    <section class="card" aria-labelledby="robot-activity-title">
      <h2 id="robot-activity-title">Last {DAYS} days</h2>
      <ErrorBanner error={stats.error} />
      {data ? (
        <>
          <p class="muted">
            {data.totalMessages.toLocaleString()} message{data.totalMessages === 1 ? '' : 's'} reported
            {data.totalAICalls === null ? '' : `; ${data.totalAICalls.toLocaleString()} AI call${data.totalAICalls === 1 ? '' : 's'}`}
            {data.aiCost === null || !data.totalAICalls ? '' : ` costing ${data.aiCost.toLocaleString(undefined, { maximumFractionDigits: 4 })}`}.
          </p>
          <BarChart title={`Messages reported per day, last ${DAYS} days`} bars={dailyBars(data.messagesByDay, end)} />
        </>
      ) : (
        <p class="muted" role="status">
          {stats.loading ? 'Loading…' : 'No statistics.'}
        </p>
      )}
    </section>
  );
}
