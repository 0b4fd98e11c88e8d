import type { ComponentChildren } from 'preact';
import { ErrorBanner, Page, Table, Time } from '../kit/components.js';
import { useApi } from '../kit/use-api.js';
import type { JobRun, SystemInfo } from './types.js';

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

/** The operator's view of the platform: plugins, migrations, jobs and the event outbox. */
export function SystemPage() {
  const { data, error, loading, reload } = useApi<SystemInfo>('/admin/api/system');
  return (
    <Page
      title="System"
      actions={
        <button type="button" class="secondary" onClick={reload} disabled={loading}>
          Refresh
        </button>
      }
    >
      <ErrorBanner error={error} />
      {!data ? (
        loading ? <p class="muted" role="status">Loading…</p> : null
      ) : (
        <>
          <p class="muted">
            Plinth {data.version} on {data.database}
          </p>
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
                ]}
              />
            ) : null}
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
                { label: 'Error', value: (j) => (j.last?.error ? <span class="error-text" title={j.last.error}>{j.last.error.split('\n')[0]}</span> : '—') },
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
                { label: 'Version', value: 'version' },
                { label: 'Base path', value: (p) => <code>{p.base}</code> },
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
