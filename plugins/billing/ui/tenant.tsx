// Tenant billing (superadmin): pick a tenant (?tenant=<id>, so the page can be linked), then its
// subscription, a plan to assign, its plan-change requests and payments (manual.tsx), its limits with overrides, a reset of its counters, and its
// usage this month by day and month by month.
import { useState } from 'preact/hooks';
import { api, formatNumber, Page, Table, Time, t, useApi, useQueryParam } from 'plinth/plugin/ui';
import type { Effective } from '../services/usage-meter.js';
import {
  BASE,
  ErrorBanner,
  cycleName,
  limitText,
  meteredOnly,
  MetricName,
  planName,
  selectStyle,
  StatusBadge,
  SubscriptionFacts,
  UnmeteredNote,
  useAction,
  type Limits,
  type SubscriptionView,
} from './shared.js';
import { TenantManualBilling } from './manual.js';
import { UsageBar, UsageByDay, UsageHistoryCharts, type CurrentUsage, type DailyUsage, type UsageHistory } from './usage.js';

interface Tenant {
  id: string;
  name: string;
  status: 'active' | 'suspended';
  is_operator: boolean;
  user_count: number;
  created_at: string;
}

const linkTo = (tenantId: string) => `?tenant=${encodeURIComponent(tenantId)}`;

/** Search the tenants (the auth plugin's list) and open one. */
function TenantPicker() {
  const [text, setText] = useState('');
  const [search, setSearch] = useState('');
  const list = useApi<{ items: Tenant[]; total: number }>(`${BASE}/admin/tenants?${new URLSearchParams({ search, page_size: '20' })}`);
  const submit = (event: Event) => {
    event.preventDefault();
    setSearch(text.trim());
  };
  const shown = list.data?.items.length ?? 0;
  return (
    <>
      <form class="inline-form" role="search" onSubmit={submit}>
        <div class="grow">
          <label for="tenant-search">{t('billing.tenant.find')}</label>
          <input id="tenant-search" type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </div>
        <button type="submit">{t('billing.tenant.search')}</button>
      </form>
      <ErrorBanner error={list.error} />
      <div class="card">
        <Table
          rows={list.data?.items ?? []}
          rowKey={(t) => t.id}
          empty={t(list.loading ? 'billing.loading' : 'billing.tenant.noMatch')}
          columns={[
            {
              label: t('billing.tenant.col.tenant'),
              value: (tenant) => <a href={linkTo(tenant.id)}>{tenant.is_operator ? t('billing.tenant.operator', { name: tenant.name }) : tenant.name}</a>,
            },
            { label: t('billing.tenant.col.id'), value: (tenant) => <code title={tenant.id}>{tenant.id.slice(0, 8)}</code> },
            { label: t('billing.tenant.col.users'), value: (tenant) => formatNumber(tenant.user_count), class: 'num' },
            { label: t('billing.tenant.col.status'), value: (tenant) => <StatusBadge status={tenant.status} /> },
            { label: t('billing.tenant.col.created'), value: (tenant) => <Time value={tenant.created_at} /> },
          ]}
        />
        {list.data && list.data.total > shown ? <p class="muted">{t('billing.tenant.showing', { shown, total: list.data.total })}</p> : null}
      </div>
    </>
  );
}

/** PUT subscription: the manual provider, starting a fresh period. */
function AssignPlan(props: { tenantId: string; sub: SubscriptionView; onAssigned(message: string): void }) {
  const plans = useApi<Array<{ id: string; display_name: string; is_public: boolean }>>(`${BASE}/admin/plans`);
  const [planId, setPlanId] = useState(props.sub.plan_id);
  const [cycle, setCycle] = useState(props.sub.billing_cycle);
  const { error, busy, run } = useAction();
  const submit = async (event: Event) => {
    event.preventDefault();
    const ok = await run(() => api(`${BASE}/admin/tenants/${props.tenantId}/subscription`, { method: 'PUT', body: { plan_id: planId, billing_cycle: cycle } }));
    const plan = plans.data?.find((p) => p.id === planId);
    if (ok) props.onAssigned(t('billing.tenant.assigned', { plan: plan ? planName(plan) : planId, cycle }));
  };
  return (
    <form onSubmit={submit} aria-label={t('billing.tenant.assignForm')} style={{ marginTop: '1rem' }}>
      <ErrorBanner error={error ?? plans.error} />
      <div class="inline-form" style={{ marginBottom: 0 }}>
        <div style={{ flex: '0 1 22rem' }}>
          <label for="assign-plan">{t('billing.facts.plan')}</label>
          <select id="assign-plan" value={planId} onChange={(e) => setPlanId(e.currentTarget.value)} style={selectStyle}>
            {(plans.data ?? [{ id: props.sub.plan_id, display_name: props.sub.display_name, is_public: true }]).map((p) => (
              <option key={p.id} value={p.id}>
                {t('billing.tenant.planOption', { name: planName(p), id: p.id, hidden: String(!p.is_public) })}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="assign-cycle">{t('billing.facts.cycle')}</label>
          <select id="assign-cycle" value={cycle} onChange={(e) => setCycle(e.currentTarget.value as typeof cycle)} style={selectStyle}>
            <option value="monthly">{cycleName('monthly')}</option>
            <option value="yearly">{cycleName('yearly')}</option>
          </select>
        </div>
        <button type="submit" disabled={busy}>
          {t(busy ? 'billing.tenant.assigning' : 'billing.tenant.assign')}
        </button>
      </div>
    </form>
  );
}

interface OverrideDraft {
  value: string;
  unlimited: boolean;
}

const draftOf = (overrides: Limits, metrics: string[]): Record<string, OverrideDraft> =>
  Object.fromEntries(
    metrics.map((m) => [
      m,
      { value: overrides[m] === null || overrides[m] === undefined ? '' : String(overrides[m]), unlimited: m in overrides && overrides[m] === null },
    ]),
  );

/** The draft as the PUT's map: a number, null (unlimited), or left out (the plan's limit applies). */
function overridesOf(draft: Record<string, OverrideDraft>): Limits {
  const limits: Limits = {};
  for (const [metric, d] of Object.entries(draft)) {
    if (d.unlimited) limits[metric] = null;
    else if (d.value.trim() !== '') limits[metric] = Number(d.value);
  }
  return limits;
}

/** Plan limit, override, effective limit and use, per metric; overrides saved with PUT limit-overrides. */
function LimitsForm(props: { tenantId: string; effective: Effective; sub: SubscriptionView; current?: CurrentUsage; onChanged(message: string): void }) {
  const { effective, sub } = props;
  const usageOf = (m: string) => props.current?.metrics.find((u) => u.metric === m);
  const metrics = [...new Set([...Object.keys(effective.plan_limits), ...Object.keys(effective.overrides)])];
  // The draft keeps every override (a hidden one is saved back unchanged); rows show what is metered.
  const [draft, setDraft] = useState(() => draftOf(effective.overrides, metrics));
  const shown = meteredOnly(metrics, sub.unmetered, (m) => m);
  const { error, busy, run } = useAction();
  const at = (metric: string): OverrideDraft => draft[metric] ?? { value: '', unlimited: false };
  const edit = (metric: string, change: Partial<OverrideDraft>) => setDraft((d) => ({ ...d, [metric]: { ...at(metric), ...change } }));

  const save = async (event: Event) => {
    event.preventDefault();
    const limits = overridesOf(draft);
    if (await run(() => api(`${BASE}/admin/tenants/${props.tenantId}/limit-overrides`, { method: 'PUT', body: { limits } }))) {
      const count = Object.keys(limits).length;
      props.onChanged(count ? t('billing.limits.saved', { count }) : t('billing.limits.removed'));
    }
  };
  const reset = () =>
    confirm(t('billing.limits.confirmReset')) &&
    run(async () => {
      const { counters_reset } = await api<{ counters_reset: number }>(`${BASE}/admin/tenants/${props.tenantId}/reset-limits`, { method: 'POST' });
      props.onChanged(t('billing.limits.reset', { count: counters_reset }));
    });

  return (
    <form class="card" onSubmit={save} aria-labelledby="limits-title">
      <h2 id="limits-title">{t('billing.usage.title')}</h2>
      <p class="muted">{t('billing.limits.hint')}</p>
      <ErrorBanner error={error} />
      <Table
        rows={shown}
        rowKey={(m) => m}
        empty={t('billing.limits.none')}
        columns={[
          { label: t('billing.usage.col.metric'), value: (m) => <MetricName metric={m} /> },
          { label: t('billing.limits.col.plan'), value: (m) => limitText(effective.plan_limits[m]), class: 'num' },
          {
            label: t('billing.limits.col.override'),
            value: (m) => (
              <span style={{ display: 'flex', gap: '0.5rem', alignItems: 'center' }}>
                <input
                  type="number"
                  min={0}
                  step={1}
                  aria-label={t('billing.limits.overrideFor', { metric: m })}
                  placeholder={t('billing.limits.planPlaceholder')}
                  disabled={at(m).unlimited}
                  value={at(m).value}
                  onInput={(e) => edit(m, { value: e.currentTarget.value })}
                  style={{ width: '7rem', padding: '0.15rem 0.45rem' }}
                />
                <label style={{ display: 'flex', gap: '0.3rem', alignItems: 'center', margin: 0, fontWeight: 400 }}>
                  <input
                    type="checkbox"
                    aria-label={t('billing.limits.noLimitFor', { metric: m })}
                    checked={at(m).unlimited}
                    onChange={(e) => edit(m, { unlimited: e.currentTarget.checked })}
                  />
                  <span aria-hidden="true">{t('billing.limit.unlimited')}</span>
                </label>
              </span>
            ),
          },
          { label: t('billing.limits.col.effective'), value: (m) => limitText(effective.limits[m]), class: 'num' },
          {
            label: t('billing.usage.col.used'),
            value: (m) => {
              const u = usageOf(m);
              return u ? <UsageBar {...u} limit={effective.limits[m] ?? null} /> : <span class="muted">…</span>;
            },
          },
        ]}
      />
      <UnmeteredNote unmetered={sub.unmetered.filter((m) => metrics.includes(m))} />
      <div class="form-actions">
        <button type="submit" disabled={busy}>
          {t('billing.limits.save')}
        </button>
        <button type="button" class="danger" disabled={busy} onClick={reset}>
          {t('billing.limits.resetCounters')}
        </button>
      </div>
    </form>
  );
}

function TenantBilling(props: { id: string }) {
  const base = `${BASE}/admin/tenants/${props.id}`;
  const tenant = useApi<Tenant>(base);
  const sub = useApi<SubscriptionView>(`${base}/subscription`);
  const effective = useApi<Effective>(`${base}/effective-limits`);
  const current = useApi<CurrentUsage>(`${base}/usage/current`);
  const daily = useApi<DailyUsage>(`${base}/usage/daily`);
  const history = useApi<UsageHistory>(`${base}/usage/history`);
  const [done, setDone] = useState('');
  const changed = (message: string) => {
    setDone(message);
    sub.reload();
    effective.reload();
    current.reload();
    daily.reload();
    history.reload();
  };

  return (
    <>
      <p>
        <a href="?">{t('billing.tenant.back')}</a>
      </p>
      <ErrorBanner error={tenant.error ?? sub.error ?? effective.error} />
      {done ? (
        <p class="notice" role="status">
          {done}
        </p>
      ) : null}
      <section class="card" aria-labelledby="subscription-title">
        <h2 id="subscription-title">
          {tenant.data ? tenant.data.name : t('billing.tenant.col.tenant')} <code class="muted">{props.id}</code>{' '}
          {tenant.data?.status === 'suspended' ? <span class="badge badge-danger">{t('billing.tenant.suspended')}</span> : null}
        </h2>
        {sub.data ? (
          <>
            <SubscriptionFacts sub={sub.data} />
            <AssignPlan key={`${sub.data.plan_id} ${sub.data.billing_cycle}`} tenantId={props.id} sub={sub.data} onAssigned={changed} />
          </>
        ) : (
          <p class="muted">{t('billing.loading')}</p>
        )}
      </section>
      {sub.data ? <TenantManualBilling tenantId={props.id} planId={sub.data.plan_id} onChanged={changed} /> : null}
      {effective.data && sub.data ? (
        <LimitsForm
          key={JSON.stringify(effective.data)}
          tenantId={props.id}
          effective={effective.data}
          sub={sub.data}
          current={current.data}
          onChanged={changed}
        />
      ) : null}
      <section class="card" aria-labelledby="daily-title">
        <h2 id="daily-title">{t('billing.usage.thisMonth')}</h2>
        <ErrorBanner error={daily.error ?? current.error} />
        <UsageByDay current={current.data} daily={daily.data} loading={daily.loading || current.loading} />
      </section>
      <section class="card" aria-labelledby="history-title">
        <h2 id="history-title">{t('billing.usage.byMonth')}</h2>
        <ErrorBanner error={history.error} />
        <UsageHistoryCharts current={current.data} history={history.data} loading={history.loading || current.loading} />
      </section>
    </>
  );
}

export function TenantBillingPage() {
  const tenantId = useQueryParam('tenant');
  return <Page title={t('billing.tenant.title')}>{tenantId ? <TenantBilling key={tenantId} id={tenantId} /> : <TenantPicker />}</Page>;
}
