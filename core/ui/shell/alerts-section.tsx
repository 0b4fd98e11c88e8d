import { Table, Time } from '../kit/components.js';
import type { AlertView, SystemInfo } from './types.js';

const Severity = (props: { alert: AlertView }) => (
  <span class={`badge ${props.alert.severity === 'critical' ? 'badge-danger' : 'badge-warn'}`}>{props.alert.severity}</span>
);

/** The figures behind an alert, one `name: value` per line in the tooltip of its key. */
const detailsText = (a: AlertView) =>
  Object.entries(a.details)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('\n');

const What = (props: { alert: AlertView }) => (
  <>
    {props.alert.summary}
    {props.alert.host ? ` (on ${props.alert.host})` : ''}{' '}
    <code class="muted" title={detailsText(props.alert)}>
      {props.alert.key}
    </code>
  </>
);

/**
 * The operator's alerts (core/alerts): the open ones first (critical before warning), with when
 * each was raised and whether its mail went out; then the ones cleared last. Each raising and
 * clearing is also mailed to the superadmins and emitted as core.alert.raised / core.alert.cleared.
 */
export function AlertsSection(props: { info: SystemInfo['alerts'] }) {
  const { open, recently_cleared: cleared } = props.info;
  return (
    <section class="card" aria-labelledby="alerts-title">
      <h2 id="alerts-title">Alerts</h2>
      {open.length ? (
        <p class="error-text" role="alert">
          {open.length === 1 ? 'One alert is open.' : `${open.length} alerts are open.`}
        </p>
      ) : (
        <p class="muted">No alert is open. Conditions are checked every minute (the core.alerts job).</p>
      )}
      {open.length ? (
        <Table
          caption="Open alerts"
          rows={open}
          rowKey={(a) => a.id}
          columns={[
            { label: 'Severity', value: (a) => <Severity alert={a} /> },
            { label: 'What', value: (a) => <What alert={a} /> },
            { label: 'Raised', value: (a) => <Time value={a.raised_at} /> },
            { label: 'Mailed', value: (a) => (a.notified_at ? <Time value={a.notified_at} /> : <span class="muted">not yet</span>) },
          ]}
        />
      ) : null}
      {cleared.length ? (
        <Table
          caption="Recently cleared"
          rows={cleared}
          rowKey={(a) => a.id}
          columns={[
            { label: 'Severity', value: (a) => <Severity alert={a} /> },
            { label: 'What', value: (a) => <What alert={a} /> },
            { label: 'Raised', value: (a) => <Time value={a.raised_at} /> },
            { label: 'Cleared', value: (a) => <Time value={a.cleared_at} /> },
          ]}
        />
      ) : null}
    </section>
  );
}
