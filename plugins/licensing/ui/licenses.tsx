// The licenses list: stats at the top, a status filter and a limit, one row per license with its
// code (Copy) and devices used of the cap; its id links to its devices. Generate and Revoke in dialogs.
import { useState } from 'preact/hooks';
import { CopyText, ErrorBanner, Page, Table, t, useApi } from 'plinth/plugin/ui';
import { ActivationsChart } from './activations-chart.js';
import { GenerateDialog } from './generate.js';
import { RevokeDialog } from './revoke.js';
import { BASE, fieldStyle, formatNumber, planName, StatusBadge, ValidUntil, type LicenseRow, type Stats } from './shared.js';

const STATUSES = ['all', 'active', 'revoked', 'expired', 'disabled'] as const;
const LIMITS = [25, 50, 100, 250, 1000];

function StatsCard(props: { stats?: Stats; loading: boolean; error: Error | null }) {
  const { stats } = props;
  const plans = stats ? Object.entries(stats.plan_statistics).filter(([plan, n]) => n > 0 || ['monthly', 'yearly', 'lifetime'].includes(plan)) : [];
  return (
    <section class="card" aria-labelledby="stats-title">
      <h2 id="stats-title">{t('licensing.stats.title')}</h2>
      <ErrorBanner error={props.error} />
      {!stats ? (
        props.loading ? (
          <p class="muted">{t('licensing.loading')}</p>
        ) : null
      ) : (
        <dl class="stats" aria-label={t('licensing.stats.label')}>
          <div class="stat">
            <dt>{t('licensing.stats.licenses')}</dt>
            <dd>{formatNumber(stats.total_licenses)}</dd>
          </div>
          <div class="stat">
            <dt>{t('licensing.stats.active')}</dt>
            <dd>{formatNumber(stats.active_licenses)}</dd>
          </div>
          <div class="stat">
            <dt>{t('licensing.stats.devices')}</dt>
            <dd>{formatNumber(stats.active_devices)}</dd>
          </div>
          {plans.map(([plan, n]) => (
            <div class="stat" key={plan}>
              <dt>{planName(plan)}</dt>
              <dd>{formatNumber(n)}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

function Filters(props: { status: string; limit: number; onStatus(status: string): void; onLimit(limit: number): void; onRefresh(): void }) {
  return (
    <div class="inline-form" role="group" aria-label={t('licensing.filters')}>
      <div>
        <label for="licenses-status">{t('licensing.filters.status')}</label>
        <select id="licenses-status" value={props.status} onChange={(e) => props.onStatus(e.currentTarget.value)} style={fieldStyle}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s === 'all' ? t('licensing.filters.allStatuses') : t('licensing.status', { status: s })}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="licenses-limit">{t('licensing.filters.show')}</label>
        <select id="licenses-limit" value={String(props.limit)} onChange={(e) => props.onLimit(Number(e.currentTarget.value))} style={fieldStyle}>
          {LIMITS.map((n) => (
            <option key={n} value={String(n)}>
              {t('licensing.filters.newest', { n })}
            </option>
          ))}
        </select>
      </div>
      <div class="grow" />
      <button type="button" class="secondary" onClick={props.onRefresh}>
        {t('licensing.refresh')}
      </button>
    </div>
  );
}

export function LicensesList() {
  const [status, setStatus] = useState('all');
  const [limit, setLimit] = useState(100);
  const [generating, setGenerating] = useState(false);
  const [revoking, setRevoking] = useState<string | null>(null);
  const stats = useApi<{ stats: Stats }>(`${BASE}/stats`);
  const list = useApi<{ licenses: LicenseRow[] }>(`${BASE}/licenses?${new URLSearchParams({ ...(status === 'all' ? {} : { status }), limit: String(limit) })}`);
  const rows = list.data?.licenses ?? [];
  const refresh = () => {
    stats.reload();
    list.reload();
  };

  return (
    <Page
      title={t('licensing.list.title')}
      actions={
        <button type="button" onClick={() => setGenerating(true)}>
          {t('licensing.list.generate')}
        </button>
      }
    >
      {generating ? <GenerateDialog onClose={() => setGenerating(false)} onGenerated={refresh} /> : null}
      {revoking ? <RevokeDialog licenseId={revoking} onClose={() => setRevoking(null)} onRevoked={refresh} /> : null}
      <StatsCard stats={stats.data?.stats} loading={stats.loading} error={stats.error} />
      <ActivationsChart />
      <section class="card" aria-labelledby="licenses-title">
        <h2 id="licenses-title">{t('licensing.list.all')}</h2>
        <Filters status={status} limit={limit} onStatus={setStatus} onLimit={setLimit} onRefresh={refresh} />
        <ErrorBanner error={list.error} />
        <Table
          rows={rows}
          rowKey={(l) => l.license_id}
          empty={
            list.loading
              ? t('licensing.loading')
              : status === 'all'
                ? t('licensing.list.empty')
                : t('licensing.list.emptyStatus', { status: t('licensing.status', { status }) })
          }
          columns={[
            {
              label: t('licensing.list.col.license'),
              value: (l) => (
                <a href={`?license=${encodeURIComponent(l.license_id)}`} title={t('licensing.list.details')}>
                  <code style={{ whiteSpace: 'nowrap' }}>{l.license_id}</code>
                </a>
              ),
            },
            {
              label: t('licensing.list.col.code'),
              value: (l) => <CopyText text={l.activation_code} label={t('licensing.list.codeOf', { id: l.license_id })} />,
            },
            { label: t('licensing.list.col.email'), value: (l) => l.email ?? '—' },
            { label: t('licensing.list.col.plan'), value: (l) => planName(l.plan) },
            { label: t('licensing.list.col.devices'), value: (l) => `${l.active_devices} / ${l.device_limit}`, class: 'num' },
            { label: t('licensing.list.col.validUntil'), value: (l) => <ValidUntil value={l.valid_until} /> },
            { label: t('licensing.list.col.status'), value: (l) => <StatusBadge status={l.status} /> },
            {
              label: t('licensing.list.col.actions'),
              value: (l) =>
                l.status === 'active' ? (
                  <button type="button" class="danger small" onClick={() => setRevoking(l.license_id)}>
                    {t('licensing.revoke')}
                  </button>
                ) : null,
            },
          ]}
        />
        {list.data ? (
          <p class="muted" style={{ margin: '0.75rem 0 0', fontSize: '0.9rem' }}>
            {rows.length >= limit ? t('licensing.list.newest', { limit }) : t('licensing.list.count', { count: rows.length })}
            {rows.length ? t('licensing.list.open') : ''}
          </p>
        ) : null}
      </section>
    </Page>
  );
}
