import type { ComponentChildren } from 'preact';
import { ErrorBanner, Page, Table, Time } from '../kit/components.js';
import { formatList, formatNumber, t, tx } from '../kit/i18n.js';
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
  props.run ? (
    <span class={`badge badge-${props.run.status}`}>{t('shell.system.runStatus', { status: props.run.status })}</span>
  ) : (
    <span class="muted">{t('shell.system.neverRun')}</span>
  );

/**
 * What a run deleted: the tables it deleted rows from, with how many; every table it looked in,
 * and its batches, in the tooltip. A dash for a run that reported nothing (not a prune job).
 */
function Deleted(props: { report: JobRunReport | null | undefined }) {
  const { report } = props;
  if (!report) return <>—</>;
  const tables = Object.entries(report.deleted);
  const some = tables.filter(([, rows]) => rows > 0);
  const batches = report.batches ? `\n${t('shell.system.batches', { count: report.batches, ms: report.slowestBatchMs ?? 0 })}` : '';
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
      {t('shell.system.nothing')}
    </span>
  );
}

const MB = 1024 * 1024;
const bytes = (n: number | null) =>
  n === null ? '—' : n >= MB ? `${formatNumber(n / MB, { maximumFractionDigits: 1, minimumFractionDigits: 1 })} MB` : `${formatNumber(Math.ceil(n / 1024))} KB`;

/** The newest backup and the newest failure; a failure newer than the last success is an alert. */
function Backups({ info }: { info: SystemInfo['backups'] }) {
  const { last_success: ok, last_failure: failed } = info;
  const failing = failed !== null && (ok === null || failed.at > ok.at);
  return (
    <Section id="backups-title" title={t('shell.system.backups')}>
      {failing ? (
        <p class="error-text" role="alert">
          {tx('shell.system.backupFailed', { at: <Time value={failed.at} />, trigger: failed.trigger, error: failed.error ?? '' })}
        </p>
      ) : null}
      <p>
        {ok ? (
          tx('shell.system.lastBackup', { at: <Time value={ok.at} />, trigger: ok.trigger, name: <code>{ok.name}</code>, size: bytes(ok.bytes) })
        ) : (
          <span class={failing ? 'muted' : 'error-text'}>{t('shell.system.noBackup')}</span>
        )}{' '}
        <span class="muted">{t('shell.system.keptIn', { where: formatList(info.destinations.map((d) => d.where)) })}</span>
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
      title={t('shell.nav.system')}
      actions={
        <button type="button" class="secondary" onClick={reload} disabled={loading}>
          {t('shell.refresh')}
        </button>
      }
    >
      <ErrorBanner error={error ?? replay.error} />
      {!data ? (
        loading ? (
          <p class="muted" role="status">
            {t('kit.loading')}
          </p>
        ) : null
      ) : (
        <>
          <p class="muted">{t('shell.system.version', { version: data.version, database: data.database })}</p>
          <AlertsSection info={data.alerts} />
          <Section id="outbox-title" title={t('shell.system.outbox')}>
            <dl class="stats">
              {(['pending', 'delivered', 'dead'] as const).map((key) => (
                <div class={`stat${key === 'dead' && data.outbox.dead ? ' stat-alert' : ''}`} key={key}>
                  <dt>{t(`shell.system.outbox.${key}`)}</dt>
                  <dd>{data.outbox[key]}</dd>
                </div>
              ))}
            </dl>
            {data.outbox.dead_events.length ? (
              <Table
                caption={t('shell.system.deadEvents')}
                rows={data.outbox.dead_events}
                rowKey={(e) => e.id}
                columns={[
                  { label: t('shell.system.col.id'), value: 'id', class: 'num' },
                  { label: t('shell.system.col.event'), value: 'name' },
                  { label: t('shell.system.col.attempts'), value: 'attempts', class: 'num' },
                  { label: t('shell.system.col.lastError'), value: (e) => <span class="error-text">{e.last_error ?? '—'}</span> },
                  { label: t('shell.system.col.created'), value: (e) => <Time value={e.created_at} /> },
                  {
                    label: t('shell.system.col.action'),
                    value: (e) => (
                      <button type="button" class="secondary" disabled={replay.busy} onClick={() => replayEvent(e.id)}>
                        {t('shell.system.replay')}
                      </button>
                    ),
                  },
                ]}
              />
            ) : null}
          </Section>
          <Backups info={data.backups} />
          <Section id="storage-title" title={t('shell.system.storage')}>
            <p>
              {tx('shell.system.databaseSize', { size: <strong>{bytes(data.storage.database_bytes)}</strong> })}{' '}
              <span class="muted">{t('shell.system.retention')}</span>
            </p>
            <Table
              caption={t('shell.system.rowsPerTable')}
              rows={data.storage.tables}
              rowKey={(row) => row.table}
              columns={[
                { label: t('shell.system.col.table'), value: (row) => <code>{row.table}</code> },
                { label: t('shell.system.col.rows'), value: 'rows', class: 'num' },
              ]}
            />
          </Section>
          <Section id="jobs-title" title={t('shell.system.jobs')}>
            <Table
              rows={data.jobs}
              rowKey={(j) => j.job}
              empty={t('shell.system.noJobs')}
              columns={[
                { label: t('shell.system.col.job'), value: (j) => <code>{j.job}</code> },
                { label: t('shell.system.col.schedule'), value: (j) => <code>{j.schedule}</code> },
                { label: t('shell.system.col.lastRun'), value: (j) => <Status run={j.last} /> },
                { label: t('shell.system.col.started'), value: (j) => <Time value={j.last?.started_at} /> },
                { label: t('shell.system.col.finished'), value: (j) => <Time value={j.last?.finished_at} /> },
                { label: t('shell.system.col.trigger'), value: (j) => (j.last ? t('shell.system.trigger', { trigger: j.last.trigger }) : '—') },
                {
                  label: t('shell.system.col.error'),
                  value: (j) =>
                    j.last?.error ? (
                      <span class="error-text" title={j.last.error}>
                        {j.last.error.split('\n')[0]}
                      </span>
                    ) : (
                      '—'
                    ),
                },
                { label: t('shell.system.col.deleted'), value: (j) => <Deleted report={j.last?.report} /> },
              ]}
            />
          </Section>
          <Section id="plugins-title" title={t('shell.system.plugins')}>
            <Table
              rows={data.plugins}
              rowKey={(p) => p.name}
              empty={t('shell.system.noPlugins')}
              columns={[
                { label: t('shell.system.col.name'), value: (p) => <code>{p.name}</code> },
                { label: t('shell.system.col.source'), value: (p) => t('shell.system.source', { source: p.source }) },
                { label: t('shell.system.col.version'), value: (p) => p.version ?? '—' },
                {
                  label: t('shell.system.col.pluginApi'),
                  value: (p) => p.pluginApi ?? (p.source === 'built-in' ? t('shell.system.builtInApi', { version: data.plugin_api }) : '—'),
                },
                {
                  label: t('shell.system.col.state'),
                  value: (p) =>
                    p.state === 'failed' ? (
                      <span class="error-text" title={p.error ?? ''}>
                        {t('shell.system.failed', { error: p.error ?? '' })}
                      </span>
                    ) : (
                      t('shell.system.running')
                    ),
                },
                { label: t('shell.system.col.base'), value: (p) => (p.base ? <code>{p.base}</code> : '—') },
                { label: t('shell.system.col.dependsOn'), value: (p) => (p.dependsOn.length ? <code>{p.dependsOn.join(', ')}</code> : '—') },
              ]}
            />
          </Section>
          <Section id="migrations-title" title={t('shell.system.migrations')}>
            <Table
              rows={data.migrations}
              rowKey={(m) => m.name}
              columns={[
                { label: t('shell.system.col.migration'), value: (m) => <code>{m.name}</code> },
                { label: t('shell.system.col.applied'), value: (m) => <Time value={m.migration_time} /> },
              ]}
            />
          </Section>
        </>
      )}
    </Page>
  );
}
