import { Table, Time } from '../kit/components.js';
import { t } from '../kit/i18n.js';
import { cardWords } from './card-words.js';
import type { AlertView, SystemInfo } from './types.js';

const Severity = (props: { alert: AlertView }) => (
  <span class={`badge ${props.alert.severity === 'critical' ? 'badge-danger' : 'badge-warn'}`}>
    {t('shell.alerts.severity', { severity: props.alert.severity })}
  </span>
);

/** The figures behind an alert, one `name: value` per line in the tooltip of its key. */
const detailsText = (a: AlertView) =>
  Object.entries(a.details)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('\n');

const What = (props: { alert: AlertView }) => (
  <>
    {cardWords(props.alert.summary, props.alert.message ?? undefined)}
    {props.alert.host ? ` ${t('shell.alerts.onHost', { host: props.alert.host })}` : ''}{' '}
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
      <h2 id="alerts-title">{t('shell.alerts.title')}</h2>
      {open.length ? (
        <p class="error-text" role="alert">
          {t('shell.alerts.open', { count: open.length })}
        </p>
      ) : (
        <p class="muted">{t('shell.alerts.none')}</p>
      )}
      {open.length ? (
        <Table
          caption={t('shell.alerts.openCaption')}
          rows={open}
          rowKey={(a) => a.id}
          columns={[
            { label: t('shell.alerts.col.severity'), value: (a) => <Severity alert={a} /> },
            { label: t('shell.alerts.col.what'), value: (a) => <What alert={a} /> },
            { label: t('shell.alerts.col.raised'), value: (a) => <Time value={a.raised_at} /> },
            {
              label: t('shell.alerts.col.mailed'),
              value: (a) => (a.notified_at ? <Time value={a.notified_at} /> : <span class="muted">{t('shell.alerts.notYet')}</span>),
            },
          ]}
        />
      ) : null}
      {cleared.length ? (
        <Table
          caption={t('shell.alerts.clearedCaption')}
          rows={cleared}
          rowKey={(a) => a.id}
          columns={[
            { label: t('shell.alerts.col.severity'), value: (a) => <Severity alert={a} /> },
            { label: t('shell.alerts.col.what'), value: (a) => <What alert={a} /> },
            { label: t('shell.alerts.col.raised'), value: (a) => <Time value={a.raised_at} /> },
            { label: t('shell.alerts.col.cleared'), value: (a) => <Time value={a.cleared_at} /> },
          ]}
        />
      ) : null}
    </section>
  );
}
