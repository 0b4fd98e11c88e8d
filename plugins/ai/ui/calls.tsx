// The AI call log (owners and admins): every provider tried, newest first, with tokens, latency,
// outcome and the estimated cost; filtered by robot, provider and outcome (in the URL, so a view can
// be linked).
import { ErrorBanner, LiveNote, Page, Table, Time, useApi, useLiveApi, useQueryParam } from 'plinth/plugin/ui';
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

const SOURCE: Record<CallRow['source'], string> = { message: 'robot message', try: 'try it', workflow: 'workflow' };

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
      title="AI call log"
      actions={
        <>
          <LiveNote open={log.live} fallback={`Live updates are reconnecting: checked every ${POLL_MS / 1000} s.`} />
          <button type="button" class="secondary" onClick={log.reload} disabled={log.loading}>
            Refresh
          </button>
        </>
      }
    >
      <div class="inline-form" role="group" aria-label="Filters" style={{ flexWrap: 'wrap' }}>
        <Filter
          id="calls-robot"
          label="Robot"
          name="robot"
          value={robotId}
          all="All robots"
          options={(robotList ?? []).map((r) => ({ value: r.robotId, label: r.name }))}
        />
        <Filter
          id="calls-provider"
          label="Provider"
          name="provider"
          value={provider}
          all="All providers"
          options={providerNames.map((n) => ({ value: n, label: n }))}
        />
        <Filter
          id="calls-outcome"
          label="Outcome"
          name="outcome"
          value={outcome}
          all="All outcomes"
          options={OUTCOMES.map((o) => ({ value: o, label: o.replace(/_/g, ' ') }))}
        />
      </div>
      <ErrorBanner error={log.error ?? robots.error ?? providers.error} />
      <section class="card" aria-label="AI calls">
        <Table
          rows={data?.list ?? []}
          rowKey={(c) => c.id}
          caption="Provider calls, newest first"
          empty={
            !data
              ? log.error
                ? 'Not loaded.'
                : 'Loading…'
              : filtered
                ? 'No calls match.'
                : 'No AI calls yet. They appear when robots answer messages, or when you try a reply.'
          }
          columns={[
            { label: 'Time', value: (c) => <Time value={c.createdAt} /> },
            { label: 'Robot', value: (c) => robotName(robotList, c.robotId) },
            { label: 'Source', value: (c) => SOURCE[c.source] ?? c.source },
            { label: 'Provider', value: (c) => <code>{c.provider}</code> },
            { label: 'Model', value: (c) => c.model ?? '—' },
            { label: 'Tokens in', value: (c) => c.tokensIn.toLocaleString(), class: 'num' },
            { label: 'Tokens out', value: (c) => c.tokensOut.toLocaleString(), class: 'num' },
            { label: 'Latency', value: (c) => duration(c.latencyMs), class: 'num' },
            { label: 'Outcome', value: (c) => <Badge value={c.outcome} /> },
            { label: 'Error', value: (c) => (c.error ? <span class="error-text">{c.error}</span> : '—') },
            { label: 'Cost', value: (c) => (data ? formatCost(c.cost, data.currency) : '—'), class: 'num' },
          ]}
        />
        <Pager total={data?.total} page={page} pageSize={PAGE_SIZE} nouns={['call', 'calls']} />
        {data ? (
          <p class="muted" style={{ margin: '0.5rem 0 0', fontSize: '0.9rem' }}>
            Costs are estimates from the per-model prices in the server's config (<code>settings.ai.prices</code>); a model without a price costs nothing here.
          </p>
        ) : null}
      </section>
    </Page>
  );
}
