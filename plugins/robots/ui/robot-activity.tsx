// A robot's last 30 days as a picture: messages its phone reported per day (the seed's statistics,
// GET /api/robots/{robotId}/statistics), with the AI calls and their cost over the period beside it;
// with the ai plugin enabled, its AI calls and their cost per day too (the ai plugin's
// GET /workbot/api/ai/calls/daily, asked over HTTP: robots never imports ai's files).
import { ApiError, BarChart, ErrorBanner, formatDate, formatNumber, pluginEnabled, t, useLiveApi, viewerTimeZone } from 'plinth/plugin/ui';
import { BASE, type Reply } from './shared.js';

interface RobotStatistics {
  startDate: string;
  totalMessages: number;
  totalAICalls: number | null;
  aiCost: number | null;
  messagesByDay: Array<{ date: string; messageCount: number }>;
}

const DAYS = 30;
/** While the live channel is down. */
const POLL_MS = 15_000;
const DAY = 86_400_000;
const pad = (n: number) => String(n).padStart(2, '0');
/** The browser's calendar date `back` days before today (the chart's days are the browser's, as its lists' times are). */
const localDay = (back: number) => {
  const d = new Date();
  d.setDate(d.getDate() - back);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};
const dayLabel = (date: string) => formatDate(`${date}T00:00:00Z`, { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** Every day from `first` (YYYY-MM-DD), zero where nothing was reported (the statistics list only days with messages). */
export function dailyBars(byDay: RobotStatistics['messagesByDay'], first: string, days = DAYS) {
  const counts = new Map(byDay.map((d) => [d.date, d.messageCount]));
  const start = Date.parse(`${first}T00:00:00Z`);
  return Array.from({ length: days }, (_, i) => {
    const date = new Date(start + i * DAY).toISOString().slice(0, 10);
    return { label: dayLabel(date), tick: String(Number(date.slice(8))), value: counts.get(date) ?? 0 };
  });
}

/** GET /workbot/api/ai/calls/daily (the ai plugin, beside seed 004). */
interface AiCallsDaily {
  currency: string;
  days: Array<{ date: string; calls: number; failed: number; cost: number }>;
}

/** A cost as money, to a ten-thousandth (an AI call costs a fraction of a cent). */
const money = (currency: string) => (value: number) => {
  try {
    return formatNumber(value, { style: 'currency', currency, maximumFractionDigits: 4 });
  } catch {
    return `${formatNumber(value, { maximumFractionDigits: 4 })} ${currency}`;
  }
};

/** The robot's AI calls per day and what they cost (shown only when the ai plugin is enabled). */
function AiCalls(props: { robotId: string }) {
  // Follows the ai plugin's live `ai.call` events of this robot, as the call log does.
  const daily = useLiveApi<Reply<AiCallsDaily>>(
    `${BASE}/ai/calls/daily?robotId=${encodeURIComponent(props.robotId)}&days=${DAYS}&tz=${encodeURIComponent(viewerTimeZone())}`,
    'ai.call',
    {
      pollMs: POLL_MS,
      when: (_kind, data) => data.robotId === props.robotId,
    },
  );
  const data = daily.data?.data;
  // A plan without AI replies: say so quietly rather than as an error.
  if (daily.error instanceof ApiError && daily.error.status === 403) return <p class="muted">{daily.error.message}</p>;
  if (!data) return <ErrorBanner error={daily.error} />;
  const bar = (d: AiCallsDaily['days'][number], value: number) => ({ label: dayLabel(d.date), tick: String(Number(d.date.slice(8))), value });
  const failed = data.days.reduce((n, d) => n + d.failed, 0);
  return (
    <>
      <BarChart title={t('robots.activity.aiCallsChart', { days: DAYS })} bars={data.days.map((d) => bar(d, d.calls))} />
      <BarChart
        title={t('robots.activity.aiCostChart', { days: DAYS, currency: data.currency })}
        bars={data.days.map((d) => bar(d, d.cost))}
        format={money(data.currency)}
      />
      {failed ? <p class="muted">{t('robots.activity.aiFailed', { count: failed })}</p> : null}
    </>
  );
}

export function RobotActivity(props: { robotId: string }) {
  const first = localDay(DAYS - 1);
  const range = `startDate=${first}&endDate=${localDay(0)}&timeZone=${encodeURIComponent(viewerTimeZone())}`;
  // The same live events as the details beside it (a message reported), so the two never disagree.
  const stats = useLiveApi<Reply<RobotStatistics>>(`${BASE}/robots/${encodeURIComponent(props.robotId)}/statistics?${range}`, 'robot.', {
    pollMs: POLL_MS,
    when: (_kind, data) => data.robotId === props.robotId,
  });
  const data = stats.data?.data;
  return (
    <section class="card" aria-labelledby="robot-activity-title">
      <h2 id="robot-activity-title">{t('robots.activity.title', { days: DAYS })}</h2>
      <ErrorBanner error={stats.error} />
      {data ? (
        <>
          <p class="muted">
            {data.totalAICalls === null
              ? t('robots.activity.summary', { messages: data.totalMessages })
              : data.aiCost === null || !data.totalAICalls
                ? t('robots.activity.summaryCalls', { messages: data.totalMessages, calls: data.totalAICalls })
                : t('robots.activity.summaryCost', {
                    messages: data.totalMessages,
                    calls: data.totalAICalls,
                    cost: formatNumber(data.aiCost, { maximumFractionDigits: 4 }),
                  })}
          </p>
          <BarChart title={t('robots.activity.messagesChart', { days: DAYS })} bars={dailyBars(data.messagesByDay, data.startDate)} />
          {pluginEnabled('ai') ? <AiCalls robotId={props.robotId} /> : null}
        </>
      ) : (
        <p class="muted" role="status">
          {stats.loading ? t('robots.activity.loading') : t('robots.activity.none')}
        </p>
      )}
    </section>
  );
}
