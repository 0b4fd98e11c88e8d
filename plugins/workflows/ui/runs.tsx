// Run history: the tenant's runs newest first, filtered by workflow, status and trigger (in the URL);
// one run at ?run=<id> with its trigger payload and each step's input, output, status, error,
// attempts and timings. Both refresh themselves while a run is pending or running. Owners and
// admins re-run a run (the same payload, the workflow's current version) or run a workflow now.
import { useEffect, useState } from 'preact/hooks';
import { api, ErrorBanner, LiveNote, Page, Table, Time, useApi, useLive, useQueryParam } from 'plinth/plugin/ui';
import {
  Badge,
  BASE,
  duration,
  editHref,
  fieldStyle,
  go,
  JsonBlock,
  PAGES,
  Pager,
  pageNumber,
  RUN_STATUSES,
  RunNowDialog,
  runDuration,
  runHref,
  setFilter,
  useAction,
  useCanManage,
  withQuery,
  type PageOf,
  type RunDetail,
  type RunStep,
  type RunSummary,
  type StartReply,
  type Workflow,
} from './shared.js';
import { RunsChart } from './runs-chart.js';

const PAGE_SIZE = 25;
const ACTIVE = ['pending', 'running'];

/** Reloads every `ms` while `active`: runs move on their own. */
function usePolling(active: boolean, reload: () => void, ms: number) {
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(reload, ms);
    return () => clearInterval(timer);
  }, [active, reload, ms]);
}

/** The tenant's workflows by id (for names and the filter), up to the API's page limit. */
const useWorkflows = () => useApi<PageOf<Workflow>>(`${BASE}?page_size=200`);

function RunsList() {
  const workflowId = useQueryParam('workflow') ?? '';
  const status = useQueryParam('status') ?? '';
  const trigger = useQueryParam('trigger') ?? '';
  const page = pageNumber(useQueryParam('page'));
  const canManage = useCanManage();
  const workflows = useWorkflows();
  const runs = useApi<PageOf<RunSummary>>(withQuery(`${BASE}/runs`, { workflow_id: workflowId, status, trigger_type: trigger, page, page_size: PAGE_SIZE }));
  const [runNow, setRunNow] = useState(false);
  const byId = new Map((workflows.data?.items ?? []).map((w) => [w.id, w]));
  const selected = workflowId ? byId.get(workflowId) : undefined;
  // A run ending anywhere shows at once (live channel); polling covers runs in progress while it is down.
  const live = useLive('workflow.', () => runs.reload());
  usePolling(!live && Boolean(runs.data?.items.some((r) => ACTIVE.includes(r.status))), runs.reload, 1500);

  const actions = (
    <>
      {selected && canManage ? (
        <button type="button" disabled={!selected.enabled} title={selected.enabled ? undefined : 'Enable it first'} onClick={() => setRunNow(true)}>
          Run now
        </button>
      ) : null}
      <button type="button" class="secondary" onClick={runs.reload}>
        Refresh
      </button>
    </>
  );

  return (
    <Page title={selected ? `Runs of “${selected.name}”` : 'Workflow runs'} actions={actions}>
      {runNow && selected ? <RunNowDialog workflow={selected} onClose={() => setRunNow(false)} /> : null}
      {selected ? null : <RunsChart />}
      <section class="card" aria-labelledby="runs-title">
        <h2 id="runs-title">Run history</h2>
        <p style={{ margin: '0 0 0.75rem' }}>
          <LiveNote open={live} fallback="Live updates are reconnecting: runs in progress are checked every few seconds." />
        </p>
        <div class="inline-form" role="group" aria-label="Filters">
          <div class="grow">
            <label for="runs-workflow">Workflow</label>
            <select id="runs-workflow" value={workflowId} onChange={(e) => setFilter('workflow', e.currentTarget.value)} style={fieldStyle}>
              <option value="">All workflows</option>
              {workflows.data?.items.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.name}
                </option>
              ))}
              {workflowId && workflows.data && !selected ? <option value={workflowId}>{workflowId}</option> : null}
            </select>
          </div>
          <div>
            <label for="runs-status">Status</label>
            <select id="runs-status" value={status} onChange={(e) => setFilter('status', e.currentTarget.value)} style={fieldStyle}>
              <option value="">Any status</option>
              {RUN_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="runs-trigger">Started by</label>
            <select id="runs-trigger" value={trigger} onChange={(e) => setFilter('trigger', e.currentTarget.value)} style={fieldStyle}>
              <option value="">Anything</option>
              {['event', 'cron', 'webhook', 'manual', 'rerun'].map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </div>
        </div>
        <ErrorBanner error={runs.error ?? workflows.error} />
        <Table
          caption="Runs, newest first"
          rows={runs.data?.items ?? []}
          rowKey={(r) => r.id}
          empty={runs.loading && !runs.data ? 'Loading…' : workflowId || status || trigger ? 'No runs match.' : 'No runs yet.'}
          columns={[
            {
              label: 'Run',
              value: (r) => (
                <a href={runHref(r.id)} aria-label={`Run ${r.id}`}>
                  #{r.id}
                </a>
              ),
            },
            { label: 'Workflow', value: (r) => byId.get(r.workflow_id)?.name ?? <code>{r.workflow_id.slice(0, 8)}</code> },
            { label: 'Version', value: (r) => String(r.version), class: 'num' },
            { label: 'Started by', value: (r) => r.trigger.type },
            { label: 'Status', value: (r) => <Badge value={r.status} /> },
            {
              label: 'Reason',
              value: (r) => (r.reason ? <span title={r.reason}>{r.reason.length > 100 ? `${r.reason.slice(0, 100)}…` : r.reason}</span> : '—'),
            },
            { label: 'Created', value: (r) => <Time value={r.created_at} /> },
            { label: 'Took', value: (r) => runDuration(r), class: 'num' },
          ]}
        />
        <Pager total={runs.data?.total} page={page} pageSize={PAGE_SIZE} nouns={['run', 'runs']} />
      </section>
    </Page>
  );
}

/** One step of a run: what went in, what came out, how it went. */
function StepCard(props: { step: RunStep }) {
  const s = props.step;
  const output = s.output as { status?: unknown } | null;
  const httpStatus = s.action === 'http.request' && output && typeof output === 'object' && typeof output.status === 'number' ? output.status : null;
  const title = `Step ${s.index + 1}: ${s.id}`;
  return (
    <section class="card" aria-label={title}>
      <h3 style={{ margin: '0 0 0.5rem', fontSize: '1rem' }}>
        {title} <span class="muted">({s.action})</span> <Badge value={s.status} />
      </h3>
      <dl class="facts">
        <dt>Attempts</dt>
        <dd>{s.attempts}</dd>
        <dt>Started</dt>
        <dd>
          <Time value={s.started_at} />
        </dd>
        <dt>Finished</dt>
        <dd>
          <Time value={s.finished_at} />
        </dd>
        <dt>Took</dt>
        <dd>{duration(s.duration_ms)}</dd>
        {httpStatus !== null ? (
          <>
            <dt>Response status</dt>
            <dd>{httpStatus}</dd>
          </>
        ) : null}
        {s.error ? (
          <>
            <dt>Error</dt>
            <dd class="error-text">{s.error}</dd>
          </>
        ) : null}
      </dl>
      <div class="form-row" style={{ marginTop: '0.5rem' }}>
        <div>
          <h4 style={{ margin: '0.5rem 0 0', fontSize: '0.9rem' }}>Input (rendered)</h4>
          <JsonBlock value={s.input} label={`Input of step ${s.index + 1}`} />
        </div>
        <div>
          <h4 style={{ margin: '0.5rem 0 0', fontSize: '0.9rem' }}>Output</h4>
          <JsonBlock value={s.output ?? undefined} label={`Output of step ${s.index + 1}`} />
        </div>
      </div>
      {s.history.length > 1 || s.history.some((h) => h.error) ? (
        <Table
          caption="Attempts"
          rows={s.history}
          rowKey={(h, i) => `${h.attempt}-${i}`}
          columns={[
            { label: 'Attempt', value: (h) => String(h.attempt), class: 'num' },
            { label: 'Started', value: (h) => <Time value={h.started_at} /> },
            { label: 'Finished', value: (h) => (h.finished_at ? <Time value={h.finished_at} /> : 'never (interrupted)') },
            {
              label: 'Took',
              value: (h) => (h.finished_at ? duration(new Date(h.finished_at).getTime() - new Date(h.started_at).getTime()) : '—'),
              class: 'num',
            },
            { label: 'Error', value: (h) => (h.error ? <span class="error-text">{h.error}</span> : '—') },
          ]}
        />
      ) : null}
    </section>
  );
}

/** A workflow's name (a link to its editor for those who may edit), its id until known. */
function WorkflowName(props: { id: string; link: boolean }) {
  const workflow = useApi<Workflow>(`${BASE}/${props.id}`);
  const name = workflow.data?.name;
  if (!name) return <code>{props.id}</code>;
  return props.link ? <a href={editHref(props.id)}>{name}</a> : <span>{name}</span>;
}

function RunView(props: { runId: number }) {
  const run = useApi<RunDetail>(`${BASE}/runs/${props.runId}`);
  const canManage = useCanManage();
  const r = run.data;
  const rerun = useAction();
  // This run ending shows at once (live channel); polling covers it only while the stream is down.
  const live = useLive('workflow.', (_kind, data) => {
    if (data.runId === props.runId) run.reload();
  });
  usePolling(!live && Boolean(r && ACTIVE.includes(r.status)), run.reload, 1000);

  const again = () =>
    rerun.run(async () => {
      const reply = await api<StartReply>(`${BASE}/runs/${props.runId}/rerun`, { method: 'POST' });
      if (reply.run_id !== null) go(runHref(reply.run_id));
    });

  const actions = (
    <>
      {r && canManage ? (
        <button type="button" class="secondary" disabled={rerun.busy} onClick={again}>
          Re-run
        </button>
      ) : null}
      <button type="button" class="secondary" onClick={run.reload}>
        Refresh
      </button>
    </>
  );

  return (
    <Page title={`Run #${props.runId}`} actions={actions}>
      <p style={{ marginTop: 0 }}>
        <a href={PAGES.runs}>All runs</a>
        {r ? (
          <>
            {' · '}
            <a href={withQuery(PAGES.runs, { workflow: r.workflow_id })}>Runs of this workflow</a>
          </>
        ) : null}
        {r && ACTIVE.includes(r.status) ? (
          <>
            {' · '}
            <LiveNote open={live} fallback="Live updates are reconnecting: this run is checked every second." />
          </>
        ) : null}
      </p>
      <ErrorBanner error={run.error ?? rerun.error} />
      {!r ? (
        run.loading ? (
          <p class="muted">Loading…</p>
        ) : null
      ) : (
        <>
          <section class="card" aria-label="Run summary">
            <dl class="facts">
              <dt>Workflow</dt>
              <dd>
                <WorkflowName id={r.workflow_id} link={Boolean(canManage)} />
              </dd>
              <dt>Version</dt>
              <dd>{r.version}</dd>
              <dt>Status</dt>
              <dd>
                <Badge value={r.status} />
                {ACTIVE.includes(r.status) ? <span class="muted"> (this page refreshes itself)</span> : null}
              </dd>
              {r.reason ? (
                <>
                  <dt>Reason</dt>
                  <dd class={r.status === 'failed' || r.status === 'blocked' ? 'error-text' : undefined}>{r.reason}</dd>
                </>
              ) : null}
              <dt>Started by</dt>
              <dd>
                {r.trigger.type}
                {r.trigger.key ? (
                  <>
                    {' '}
                    <code class="muted">{r.trigger.key}</code>
                  </>
                ) : null}
                {r.rerun_of ? (
                  <>
                    {' '}
                    (re-run of <a href={runHref(r.rerun_of)}>#{r.rerun_of}</a>)
                  </>
                ) : null}
              </dd>
              <dt>Created</dt>
              <dd>
                <Time value={r.created_at} />
              </dd>
              <dt>Started</dt>
              <dd>
                <Time value={r.started_at} />
              </dd>
              <dt>Finished</dt>
              <dd>
                <Time value={r.finished_at} />
              </dd>
              <dt>Took</dt>
              <dd>{runDuration(r)}</dd>
              {r.next_at && r.status === 'running' ? (
                <>
                  <dt>Resumes</dt>
                  <dd>
                    <Time value={r.next_at} />
                  </dd>
                </>
              ) : null}
              {r.depth > 1 ? (
                <>
                  <dt>Caused by</dt>
                  <dd>a chain of {r.depth - 1} other workflow run(s)</dd>
                </>
              ) : null}
            </dl>
          </section>
          <section class="card" aria-labelledby="payload-title">
            <h2 id="payload-title">Trigger payload</h2>
            <JsonBlock value={r.trigger_payload} label="Trigger payload as JSON" />
          </section>
          <h2>Steps</h2>
          {r.steps.length ? (
            r.steps.map((s) => <StepCard key={s.index} step={s} />)
          ) : (
            <p class="muted">{r.status === 'blocked' ? 'Blocked: no step ran.' : 'No step has started yet.'}</p>
          )}
        </>
      )}
    </Page>
  );
}

/** /admin/workflows/runs: the history, or one run at ?run=<id>. */
export function RunsPage() {
  const run = Number(useQueryParam('run'));
  return Number.isInteger(run) && run > 0 ? <RunView key={run} runId={run} /> : <RunsList />;
}
