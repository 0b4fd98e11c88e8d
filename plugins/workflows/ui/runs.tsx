// Run history: the tenant's runs newest first, filtered by workflow, status and trigger (in the URL);
// one run at ?run=<id> with its trigger payload and each step's input, output, status, error,
// attempts and timings. Both refresh themselves while a run is pending or running. Owners and
// admins re-run a run (the same payload, the workflow's current version) or run a workflow now.
import { useEffect, useState } from 'preact/hooks';
import { api, ErrorBanner, LiveNote, Page, Table, Time, t, tx, useApi, useLive, useQueryParam } from 'plinth/plugin/ui';
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
  reasonText,
  RUN_STATUSES,
  RunNowDialog,
  runDuration,
  runHref,
  setFilter,
  statusText,
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
        <button
          type="button"
          disabled={!selected.enabled}
          title={selected.enabled ? undefined : t('workflows.runs.enableFirst')}
          onClick={() => setRunNow(true)}
        >
          {t('workflows.runs.runNow')}
        </button>
      ) : null}
      <button type="button" class="secondary" onClick={runs.reload}>
        {t('workflows.runs.refresh')}
      </button>
    </>
  );

  return (
    <Page title={selected ? t('workflows.runs.titleOf', { name: selected.name }) : t('workflows.runs.title')} actions={actions}>
      {runNow && selected ? <RunNowDialog workflow={selected} onClose={() => setRunNow(false)} /> : null}
      {selected ? null : <RunsChart />}
      <section class="card" aria-labelledby="runs-title">
        <h2 id="runs-title">{t('workflows.runs.history')}</h2>
        <p style={{ margin: '0 0 0.75rem' }}>
          <LiveNote open={live} fallback={t('workflows.runs.liveFallback')} />
        </p>
        <div class="inline-form" role="group" aria-label={t('workflows.runs.filters')}>
          <div class="grow">
            <label for="runs-workflow">{t('workflows.runs.col.workflow')}</label>
            <select id="runs-workflow" value={workflowId} onChange={(e) => setFilter('workflow', e.currentTarget.value)} style={fieldStyle}>
              <option value="">{t('workflows.runs.allWorkflows')}</option>
              {workflows.data?.items.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.name}
                </option>
              ))}
              {workflowId && workflows.data && !selected ? <option value={workflowId}>{workflowId}</option> : null}
            </select>
          </div>
          <div>
            <label for="runs-status">{t('workflows.runs.col.status')}</label>
            <select id="runs-status" value={status} onChange={(e) => setFilter('status', e.currentTarget.value)} style={fieldStyle}>
              <option value="">{t('workflows.runs.anyStatus')}</option>
              {RUN_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {statusText(s)}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="runs-trigger">{t('workflows.runs.col.startedBy')}</label>
            <select id="runs-trigger" value={trigger} onChange={(e) => setFilter('trigger', e.currentTarget.value)} style={fieldStyle}>
              <option value="">{t('workflows.runs.anything')}</option>
              {['event', 'cron', 'webhook', 'manual', 'rerun'].map((type) => (
                <option key={type} value={type}>
                  {t('workflows.trigger', { type, label: type })}
                </option>
              ))}
            </select>
          </div>
        </div>
        <ErrorBanner error={runs.error ?? workflows.error} />
        <Table
          caption={t('workflows.runs.caption')}
          rows={runs.data?.items ?? []}
          rowKey={(r) => r.id}
          empty={
            runs.loading && !runs.data ? t('workflows.loading') : workflowId || status || trigger ? t('workflows.runs.noMatch') : t('workflows.runs.empty')
          }
          columns={[
            {
              label: t('workflows.runs.col.run'),
              value: (r) => (
                <a href={runHref(r.id)} aria-label={t('workflows.runs.runLabel', { id: r.id })}>
                  #{r.id}
                </a>
              ),
            },
            { label: t('workflows.runs.col.workflow'), value: (r) => byId.get(r.workflow_id)?.name ?? <code>{r.workflow_id.slice(0, 8)}</code> },
            { label: t('workflows.runs.col.version'), value: (r) => String(r.version), class: 'num' },
            { label: t('workflows.runs.col.startedBy'), value: (r) => t('workflows.trigger', { type: r.trigger.type, label: r.trigger.type }) },
            { label: t('workflows.runs.col.status'), value: (r) => <Badge value={r.status} /> },
            {
              label: t('workflows.runs.col.reason'),
              value: (r) => {
                const reason = reasonText(r);
                return reason ? <span title={reason}>{reason.length > 100 ? `${reason.slice(0, 100)}…` : reason}</span> : '—';
              },
            },
            { label: t('workflows.runs.col.created'), value: (r) => <Time value={r.created_at} /> },
            { label: t('workflows.runs.col.took'), value: (r) => runDuration(r), class: 'num' },
          ]}
        />
        <Pager total={runs.data?.total} page={page} pageSize={PAGE_SIZE} count={(count) => t('workflows.runs.count', { count })} />
      </section>
    </Page>
  );
}

/** One step of a run: what went in, what came out, how it went. */
function StepCard(props: { step: RunStep }) {
  const s = props.step;
  const output = s.output as { status?: unknown } | null;
  const httpStatus = s.action === 'http.request' && output && typeof output === 'object' && typeof output.status === 'number' ? output.status : null;
  const title = t('workflows.run.stepTitle', { n: s.index + 1, id: s.id });
  return (
    <section class="card" aria-label={title}>
      <h3 style={{ margin: '0 0 0.5rem', fontSize: '1rem' }}>
        {title} <span class="muted">({s.action})</span> <Badge value={s.status} />
      </h3>
      <dl class="facts">
        <dt>{t('workflows.run.attempts')}</dt>
        <dd>{s.attempts}</dd>
        <dt>{t('workflows.run.started')}</dt>
        <dd>
          <Time value={s.started_at} />
        </dd>
        <dt>{t('workflows.run.finished')}</dt>
        <dd>
          <Time value={s.finished_at} />
        </dd>
        <dt>{t('workflows.run.took')}</dt>
        <dd>{duration(s.duration_ms)}</dd>
        {httpStatus !== null ? (
          <>
            <dt>{t('workflows.run.responseStatus')}</dt>
            <dd>{httpStatus}</dd>
          </>
        ) : null}
        {s.error ? (
          <>
            <dt>{t('workflows.run.error')}</dt>
            <dd class="error-text">{s.error}</dd>
          </>
        ) : null}
      </dl>
      <div class="form-row" style={{ marginTop: '0.5rem' }}>
        <div>
          <h4 style={{ margin: '0.5rem 0 0', fontSize: '0.9rem' }}>{t('workflows.run.input')}</h4>
          <JsonBlock value={s.input} label={t('workflows.run.inputOf', { n: s.index + 1 })} />
        </div>
        <div>
          <h4 style={{ margin: '0.5rem 0 0', fontSize: '0.9rem' }}>{t('workflows.run.output')}</h4>
          <JsonBlock value={s.output ?? undefined} label={t('workflows.run.outputOf', { n: s.index + 1 })} />
        </div>
      </div>
      {s.history.length > 1 || s.history.some((h) => h.error) ? (
        <Table
          caption={t('workflows.run.attempts')}
          rows={s.history}
          rowKey={(h, i) => `${h.attempt}-${i}`}
          columns={[
            { label: t('workflows.run.attempt'), value: (h) => String(h.attempt), class: 'num' },
            { label: t('workflows.run.started'), value: (h) => <Time value={h.started_at} /> },
            { label: t('workflows.run.finished'), value: (h) => (h.finished_at ? <Time value={h.finished_at} /> : t('workflows.run.interrupted')) },
            {
              label: t('workflows.run.took'),
              value: (h) => (h.finished_at ? duration(new Date(h.finished_at).getTime() - new Date(h.started_at).getTime()) : '—'),
              class: 'num',
            },
            { label: t('workflows.run.error'), value: (h) => (h.error ? <span class="error-text">{h.error}</span> : '—') },
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
          {t('workflows.run.rerun')}
        </button>
      ) : null}
      <button type="button" class="secondary" onClick={run.reload}>
        {t('workflows.runs.refresh')}
      </button>
    </>
  );

  return (
    <Page title={t('workflows.run.title', { id: props.runId })} actions={actions}>
      <p style={{ marginTop: 0 }}>
        <a href={PAGES.runs}>{t('workflows.run.allRuns')}</a>
        {r ? (
          <>
            {' · '}
            <a href={withQuery(PAGES.runs, { workflow: r.workflow_id })}>{t('workflows.run.ofThisWorkflow')}</a>
          </>
        ) : null}
        {r && ACTIVE.includes(r.status) ? (
          <>
            {' · '}
            <LiveNote open={live} fallback={t('workflows.run.liveFallback')} />
          </>
        ) : null}
      </p>
      <ErrorBanner error={run.error ?? rerun.error} />
      {!r ? (
        run.loading ? (
          <p class="muted">{t('workflows.loading')}</p>
        ) : null
      ) : (
        <>
          <section class="card" aria-label={t('workflows.run.summary')}>
            <dl class="facts">
              <dt>{t('workflows.runs.col.workflow')}</dt>
              <dd>
                <WorkflowName id={r.workflow_id} link={Boolean(canManage)} />
              </dd>
              <dt>{t('workflows.runs.col.version')}</dt>
              <dd>{r.version}</dd>
              <dt>{t('workflows.runs.col.status')}</dt>
              <dd>
                <Badge value={r.status} />
                {ACTIVE.includes(r.status) ? <span class="muted">{t('workflows.run.refreshesItself')}</span> : null}
              </dd>
              {r.reason ? (
                <>
                  <dt>{t('workflows.runs.col.reason')}</dt>
                  <dd class={r.status === 'failed' || r.status === 'blocked' ? 'error-text' : undefined}>{reasonText(r)}</dd>
                </>
              ) : null}
              <dt>{t('workflows.runs.col.startedBy')}</dt>
              <dd>
                {t('workflows.trigger', { type: r.trigger.type, label: r.trigger.type })}
                {r.trigger.key ? (
                  <>
                    {' '}
                    <code class="muted">{r.trigger.key}</code>
                  </>
                ) : null}
                {r.rerun_of ? (
                  <> {tx('workflows.run.rerunOf', { id: r.rerun_of, link: (text: string) => <a href={runHref(r.rerun_of as number)}>{text}</a> })}</>
                ) : null}
              </dd>
              <dt>{t('workflows.runs.col.created')}</dt>
              <dd>
                <Time value={r.created_at} />
              </dd>
              <dt>{t('workflows.run.started')}</dt>
              <dd>
                <Time value={r.started_at} />
              </dd>
              <dt>{t('workflows.run.finished')}</dt>
              <dd>
                <Time value={r.finished_at} />
              </dd>
              <dt>{t('workflows.run.took')}</dt>
              <dd>{runDuration(r)}</dd>
              {r.next_at && r.status === 'running' ? (
                <>
                  <dt>{t('workflows.run.resumes')}</dt>
                  <dd>
                    <Time value={r.next_at} />
                  </dd>
                </>
              ) : null}
              {r.depth > 1 ? (
                <>
                  <dt>{t('workflows.run.causedBy')}</dt>
                  <dd>{t('workflows.run.chain', { count: r.depth - 1 })}</dd>
                </>
              ) : null}
            </dl>
          </section>
          <section class="card" aria-labelledby="payload-title">
            <h2 id="payload-title">{t('workflows.run.payload')}</h2>
            <JsonBlock value={r.trigger_payload} label={t('workflows.run.payloadJson')} />
          </section>
          <h2>{t('workflows.run.steps')}</h2>
          {r.steps.length ? (
            r.steps.map((s) => <StepCard key={s.index} step={s} />)
          ) : (
            <p class="muted">{r.status === 'blocked' ? t('workflows.run.blocked') : t('workflows.run.noStep')}</p>
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
