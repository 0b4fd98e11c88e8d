// The licenses list: stats at the top, a status filter and a limit, one row per license with its
// code (Copy) and devices used of the cap; its id links to its devices. Generate and Revoke in dialogs.
import { useState } from 'preact/hooks';
import { CopyText, ErrorBanner, Page, Table, useApi } from 'plinth/plugin/ui';
import { ActivationsChart } from './activations-chart.js';
import { GenerateDialog } from './generate.js';
import { RevokeDialog } from './revoke.js';
import { BASE, fieldStyle, plural, StatusBadge, ValidUntil, type LicenseRow, type Stats } from './shared.js';

const STATUSES = ['all', 'active', 'revoked', 'expired', 'disabled'] as const;
const LIMITS = [25, 50, 100, 250, 1000];

function StatsCard(props: { stats?: Stats; loading: boolean; error: Error | null }) {
  const { stats } = props;
  const plans = stats ? Object.entries(stats.plan_statistics).filter(([plan, n]) => n > 0 || ['monthly', 'yearly', 'lifetime'].includes(plan)) : [];
  return (
    <section class="card" aria-labelledby="stats-title">
      <h2 id="stats-title">Overview</h2>
      <ErrorBanner error={props.error} />
      {!stats ? (
        props.loading ? (
          <p class="muted">Loading…</p>
        ) : null
      ) : (
        <dl class="stats" aria-label="License statistics">
          <div class="stat">
            <dt>Licenses</dt>
            <dd>{stats.total_licenses.toLocaleString()}</dd>
          </div>
          <div class="stat">
            <dt>Active</dt>
            <dd>{stats.active_licenses.toLocaleString()}</dd>
          </div>
          <div class="stat">
            <dt>Active devices</dt>
            <dd>{stats.active_devices.toLocaleString()}</dd>
          </div>
          {plans.map(([plan, n]) => (
            <div class="stat" key={plan}>
              <dt>{plan}</dt>
              <dd>{n.toLocaleString()}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

function Filters(props: { status: string; limit: number; onStatus(status: string): void; onLimit(limit: number): void; onRefresh(): void }) {
  return (
    <div class="inline-form" role="group" aria-label="Filters">
      <div>
        <label for="licenses-status">Status</label>
        <select id="licenses-status" value={props.status} onChange={(e) => props.onStatus(e.currentTarget.value)} style={fieldStyle}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s === 'all' ? 'All statuses' : s}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="licenses-limit">Show</label>
        <select id="licenses-limit" value={String(props.limit)} onChange={(e) => props.onLimit(Number(e.currentTarget.value))} style={fieldStyle}>
          {LIMITS.map((n) => (
            <option key={n} value={String(n)}>
              newest {n}
            </option>
          ))}
        </select>
      </div>
      <div class="grow" />
      <button type="button" class="secondary" onClick={props.onRefresh}>
        Refresh
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
      title="Licenses"
      actions={
        <button type="button" onClick={() => setGenerating(true)}>
          Generate license
        </button>
      }
    >
      {generating ? <GenerateDialog onClose={() => setGenerating(false)} onGenerated={refresh} /> : null}
      {revoking ? <RevokeDialog licenseId={revoking} onClose={() => setRevoking(null)} onRevoked={refresh} /> : null}
      <StatsCard stats={stats.data?.stats} loading={stats.loading} error={stats.error} />
      <ActivationsChart />
      <section class="card" aria-labelledby="licenses-title">
        <h2 id="licenses-title">All licenses</h2>
        <Filters status={status} limit={limit} onStatus={setStatus} onLimit={setLimit} onRefresh={refresh} />
        <ErrorBanner error={list.error} />
        <Table
          rows={rows}
          rowKey={(l) => l.license_id}
          empty={list.loading ? 'Loading…' : status === 'all' ? 'No licenses yet. Generate one to get started.' : `No ${status} licenses.`}
          columns={[
            {
              label: 'License',
              value: (l) => (
                <a href={`?license=${encodeURIComponent(l.license_id)}`} title="Details and devices">
                  <code style={{ whiteSpace: 'nowrap' }}>{l.license_id}</code>
                </a>
              ),
            },
            { label: 'Activation code', value: (l) => <CopyText text={l.activation_code} label={`activation code of ${l.license_id}`} /> },
            { label: 'Email', value: (l) => l.email ?? '—' },
            { label: 'Plan', value: 'plan' },
            { label: 'Devices', value: (l) => `${l.active_devices} / ${l.device_limit}`, class: 'num' },
            { label: 'Valid until', value: (l) => <ValidUntil value={l.valid_until} /> },
            { label: 'Status', value: (l) => <StatusBadge status={l.status} /> },
            {
              label: 'Actions',
              value: (l) =>
                l.status === 'active' ? (
                  <button type="button" class="danger small" onClick={() => setRevoking(l.license_id)}>
                    Revoke
                  </button>
                ) : null,
            },
          ]}
        />
        {list.data ? (
          <p class="muted" style={{ margin: '0.75rem 0 0', fontSize: '0.9rem' }}>
            {rows.length >= limit ? `Showing the newest ${limit}; choose a larger number above to see more.` : `${plural(rows.length, 'license', 'licenses')}.`}
            {rows.length ? ' Open a license to see and manage its devices.' : ''}
          </p>
        ) : null}
      </section>
    </Page>
  );
}
