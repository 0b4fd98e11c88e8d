import type { ComponentChildren } from 'preact';
import { ErrorBanner, Page, Table, Time } from '../kit/components.js';
import { api } from '../kit/api.js';
import { useAction } from '../kit/use-action.js';
import { useApi } from '../kit/use-api.js';
import type { JobRun, JobRunReport, SystemInfo } from './types.js';
import { AlertsSection } from './alerts-section.js';

function Section(props: { id: string; title: string; children: ComponentChildren }) {
  return (
    <section class="card" aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      {props.children}
    </section>
  );
}

const Status = (props: { run: JobRun | null }) =>
  props.run ? <span class={`badge badge-${props.run.status}`}>{props.run.status}</span> : <span class="muted">never run</span>;

/**
 * What a run deleted: the tables it deleted rows from, with how many; every table it looked in,
 * and its batches, in the tooltip. A dash for a run that reported nothing (not a prune job).
 */
function Deleted(props: { report: JobRunReport | null | undefined }) {
  const { report } = props;
  if (!report) return <>—</>;
  const tables = Object.entries(report.deleted);
  const some = tables.filter(([, rows]) => rows > 0);
  const batches = report.batches ? `\n${report.batches} batch${report.batches === 1 ? '' : 'es'}, the slowest ${report.slowestBatchMs ?? 0} ms` : '';
  const title = tables.map(([table, rows]) => `${table}: ${rows}`).join('\n') + batches;
  return some.length ? (
    <span title={title}>
      {some.map(([table, rows], i) => (
        <span key={table}>
          {i ? ', ' : ''}
          {rows} <code>{table}</code>
        </span>
      ))}
    </span>
  ) : (
    <span class="muted" title={title}>
      nothing
    </span>
  );
}

const MB = 1024 * 1024;
const bytes = (n: number | null) => (n === null ? '—' : n >= MB ? `${(n / MB).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`);

/** The newest backup and the newest failure; a failure newer than the last success is an alert. */
function Backups({ info }: { info: SystemInfo['backups'] }) {
  const { last_success: ok, last_failure: failed } = info;
  const failing = failed !== null && (ok === null || failed.at > ok.at);
  return (
    <Section id="backups-title" title="Backups">
      {failing ? (
        <p class="error-text" role="alert">
          The last backup failed (<Time value={failed.at} />, {failed.trigger}): {failed.error}
        </p>
      ) : null}
      <p>
        {ok ? (
          <>
            Last backup: <Time value={ok.at} /> ({ok.trigger}), <code>{ok.name}</code>, {bytes(ok.bytes)}.
          </>
        ) : (
          <span class={failing ? 'muted' : 'error-text'}>No backup has been taken yet.</span>
        )}{' '}
        <span class="muted">Kept in {info.destinations.map((d) => d.where).join(' and ')}.</span>
      </p>
    </Section>
  );
}

/** The operator's view of the platform: plugins, migrations, jobs, the event outbox and storage. */
export function SystemPage() {
  const { data, error, loading, reload } = useApi<SystemInfo>('/admin/api/system');
  const replay = useAction();
  const replayEvent = async (id: number) => {
    if (await replay.run(() => api(`/admin/api/system/events/${id}/replay`, { method: 'POST' }))) reload();
  };
  return (
    <Page
      title="System"
      actions={
        <button type="button" class="secondary" onClick={reload} disabled={loading}>
          Refresh
        </button>
      }
    >
      <ErrorBanner error={error ?? replay.error} />
      {!data ? (
        loading ? (
          <p class="muted" role="status">
            Loading…
          </p>
        ) : null
      ) : (
        <>
          <p class="muted">
            Plinth {data.version} on {data.database}
          </p>
          <AlertsSection info={data.alerts} />
          <Section id="outbox-title" title="Event outbox">
            <dl class="stats">
              {(['pending', 'delivered', 'dead'] as const).map((key) => (
                <div class={`stat${key === 'dead' && data.outbox.dead ? ' stat-alert' : ''}`} key={key}>
                  <dt>{key[0].toUpperCase() + key.slice(1)}</dt>
                  <dd>{data.outbox[key]}</dd>
                </div>
              ))}
            </dl>
            {data.outbox.dead_events.length ? (
              <Table
                caption="Recent dead events"
                rows={data.outbox.dead_events}
                rowKey={(e) => e.id}
                columns={[
                  { label: 'Id', value: 'id', class: 'num' },
                  { label: 'Event', value: 'name' },
                  { label: 'Attempts', value: 'attempts', class: 'num' },
                  { label: 'Last error', value: (e) => <span class="error-text">{e.last_error ?? '—'}</span> },
                  { label: 'Created', value: (e) => <Time value={e.created_at} /> },
                  {
                    label: 'Action',
                    value: (e) => (
                      <button type="button" class="secondary" disabled={replay.busy} onClick={() => replayEvent(e.id)}>
                        Replay
                      </button>
                    ),
                  },
                ]}
              />
            ) : null}
          </Section>
          <Backups info={data.backups} />
          <Section id="storage-title" title="Storage">
            <p>
              Database size: <strong>{bytes(data.storage.database_bytes)}</strong>.{' '}
              <span class="muted">
                Old rows are deleted daily by core.retention and each plugin's prune job; what each deleted on its last run is in the Jobs table.
              </span>
            </p>
            <Table
              caption="Rows per table"
              rows={data.storage.tables}
              rowKey={(t) => t.table}
              columns={[
                { label: 'Table', value: (t) => <code>{t.table}</code> },
                { label: 'Rows', value: 'rows', class: 'num' },
              ]}
            />
          </Section>
          <Section id="jobs-title" title="Jobs">
            <Table
              rows={data.jobs}
              rowKey={(j) => j.job}
              empty="No jobs are scheduled."
              columns={[
                { label: 'Job', value: (j) => <code>{j.job}</code> },
                { label: 'Schedule', value: (j) => <code>{j.schedule}</code> },
                { label: 'Last run', value: (j) => <Status run={j.last} /> },
                { label: 'Started', value: (j) => <Time value={j.last?.started_at} /> },
                { label: 'Finished', value: (j) => <Time value={j.last?.finished_at} /> },
                { label: 'Trigger', value: (j) => j.last?.trigger ?? '—' },
                {
                  label: 'Error',
                  value: (j) =>
                    j.last?.error ? (
                      <span class="error-text" title={j.last.error}>
                        {j.last.error.split('\n')[0]}
                      </span>
                    ) : (
                      '—'
                    ),
                },
                { label: 'Deleted', value: (j) => <Deleted report={j.last?.report} /> },
              ]}
            />
          </Section>
          <Section id="plugins-title" title="Plugins">
            <Table
              rows={data.plugins}
              rowKey={(p) => p.name}
              empty="No plugins are enabled."
              columns={[
                { label: 'Name', value: 'name' },
                { label: 'Source', value: 'source' },
                { label: 'Version', value: (p) => p.version ?? '—' },
                { label: 'Plugin API', value: (p) => p.pluginApi ?? (p.source === 'built-in' ? `built-in (${data.plugin_api})` : '—') },
                {
                  label: 'State',
                  value: (p) =>
                    p.state === 'failed' ? (
                      <span class="error-text" title={p.error ?? ''}>
                        failed: {p.error}
                      </span>
                    ) : (
                      'running'
                    ),
                },
                { label: 'Base path', value: (p) => (p.base ? <code>{p.base}</code> : '—') },
                { label: 'Depends on', value: (p) => (p.dependsOn.length ? p.dependsOn.join(', ') : '—') },
              ]}
            />
          </Section>
          <Section id="migrations-title" title="Applied migrations">
            <Table
              rows={data.migrations}
              rowKey={(m) => m.name}
              columns={[
                { label: 'Migration', value: (m) => <code>{m.name}</code> },
                { label: 'Applied', value: (m) => <Time value={m.migration_time} /> },
              ]}
            />
          </Section>
        </>
      )}
    </Page>
  );
}
