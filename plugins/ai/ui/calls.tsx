// The AI call log (owners and admins): every provider tried, newest first, with tokens, latency,
// outcome and the estimated cost; filtered by robot, provider and outcome (in the URL, so a view can
// be linked).
import { ErrorBanner, formatNumber, LiveNote, Page, Table, Time, t, tx, useApi, useLiveApi, useQueryParam } from 'plinth/plugin/ui';
import {
  Badge,
  BASE,
  duration,
  fieldStyle,
  formatCost,
  OUTCOMES,
  Pager,
  pageNumber,
  robotName,
  setFilter,
  useRobots,
  withQuery,
  type List,
  type ProviderRow,
  type Reply,
} from './shared.js';

/** One row of GET /api/ai/calls. */
interface CallRow {
  id: number;
  robotId: string | null;
  messageId: string | null;
  source: 'message' | 'try' | 'workflow';
  provider: string;
  model: string | null;
  tokensIn: number;
  tokensOut: number;
  latencyMs: number;
  outcome: string;
  error: string | null;
  cost: number;
  createdAt: string;
}

const PAGE_SIZE = 25;

function Filter(props: { id: string; label: string; name: string; value: string; all: string; options: Array<{ value: string; label: string }> }) {
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => setFilter(props.name, e.currentTarget.value)} style={fieldStyle}>
        <option value="">{props.all}</option>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** While the live channel is down. */
const POLL_MS = 15_000;

export function CallsPage() {
  const robotId = useQueryParam('robot') ?? '';
  const provider = useQueryParam('provider') ?? '';
  const outcome = useQueryParam('outcome') ?? '';
  const page = pageNumber(useQueryParam('page'));
  // Calls show as robots make them (the live channel), the filter's robot's only when one is chosen.
  const log = useLiveApi<Reply<List<CallRow> & { currency: string }>>(
    withQuery(`${BASE}/ai/calls`, { page, pageSize: PAGE_SIZE, robotId, provider, outcome }),
    'ai.call',
    {
      pollMs: POLL_MS,
      when: (_kind, data) => !robotId || data.robotId === robotId,
    },
  );
  const robots = useRobots();
  const providers = useApi<Reply<List<ProviderRow>>>(`${BASE}/ai/providers`);
  const robotList = robots.data?.data.list;
  // Rows wait for the robot list (or its failure), so a row never shows a robot's id before its name.
  const data = robotList || robots.error ? log.data?.data : undefined;
  const providerNames = ['builtin', ...(providers.data?.data.list ?? []).map((p) => p.name)];
  if (provider && !providerNames.includes(provider)) providerNames.push(provider); // a provider deleted since
  const filtered = Boolean(robotId || provider || outcome);

  return (
    <Page
      title={t('ai.calls.title')}
      actions={
        <>
          <LiveNote open={log.live} fallback={t('ai.live.polling', { seconds: POLL_MS / 1000 })} />
          <button type="button" class="secondary" onClick={log.reload} disabled={log.loading}>
            {t('ai.refresh')}
          </button>
        </>
      }
    >
      <div class="inline-form" role="group" aria-label={t('ai.filters')} style={{ flexWrap: 'wrap' }}>
        <Filter
          id="calls-robot"
          label={t('ai.calls.robot')}
          name="robot"
          value={robotId}
          all={t('ai.calls.allRobots')}
          options={(robotList ?? []).map((r) => ({ value: r.robotId, label: r.name }))}
        />
        <Filter
          id="calls-provider"
          label={t('ai.calls.provider')}
          name="provider"
          value={provider}
          all={t('ai.calls.allProviders')}
          options={providerNames.map((n) => ({ value: n, label: n === 'builtin' ? t('ai.calls.builtin') : n }))}
        />
        <Filter
          id="calls-outcome"
          label={t('ai.calls.outcome')}
          name="outcome"
          value={outcome}
          all={t('ai.calls.allOutcomes')}
          options={OUTCOMES.map((o) => ({ value: o, label: t('ai.badge', { value: o, label: o.replace(/_/g, ' ') }) }))}
        />
      </div>
      <ErrorBanner error={log.error ?? robots.error ?? providers.error} />
      <section class="card" aria-label={t('ai.calls.section')}>
        <Table
          rows={data?.list ?? []}
          rowKey={(c) => c.id}
          caption={t('ai.calls.caption')}
          empty={!data ? (log.error ? t('ai.notLoaded') : t('ai.loading')) : filtered ? t('ai.calls.noMatch') : t('ai.calls.empty')}
          columns={[
            { label: t('ai.calls.col.time'), value: (c) => <Time value={c.createdAt} /> },
            { label: t('ai.calls.col.robot'), value: (c) => robotName(robotList, c.robotId) },
            { label: t('ai.calls.col.source'), value: (c) => t('ai.calls.source', { source: c.source }) },
            { label: t('ai.calls.col.provider'), value: (c) => <code>{c.provider}</code> },
            { label: t('ai.calls.col.model'), value: (c) => c.model ?? '—' },
            { label: t('ai.calls.col.tokensIn'), value: (c) => formatNumber(c.tokensIn), class: 'num' },
            { label: t('ai.calls.col.tokensOut'), value: (c) => formatNumber(c.tokensOut), class: 'num' },
            { label: t('ai.calls.col.latency'), value: (c) => duration(c.latencyMs), class: 'num' },
            { label: t('ai.calls.col.outcome'), value: (c) => <Badge value={c.outcome} /> },
            { label: t('ai.calls.col.error'), value: (c) => (c.error ? <span class="error-text">{c.error}</span> : '—') },
            { label: t('ai.calls.col.cost'), value: (c) => (data ? formatCost(c.cost, data.currency) : '—'), class: 'num' },
          ]}
        />
        <Pager total={data?.total} page={page} pageSize={PAGE_SIZE} count={(count) => t('ai.calls.count', { count })} />
        {data ? (
          <p class="muted" style={{ margin: '0.5rem 0 0', fontSize: '0.9rem' }}>
            {tx('ai.calls.costs', { code: (text: string) => <code>{text}</code> })}
          </p>
        ) : null}
      </section>
    </Page>
  );
}
