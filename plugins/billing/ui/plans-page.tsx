// Plans (superadmin): every plan, hidden ones too; edit one, create, delete, and sync to Stripe
// (offered only when Stripe is configured; without it the page says how plans reach tenants).
import { useState } from 'preact/hooks';
import { api, Page, Table, t, tx, useApi } from 'plinth/plugin/ui';
import type { Plan } from '../services/plans.js';
import { CreatePlan, PlanEditor, type Feature } from './plans.js';
import { BASE, ErrorBanner, formatMoney, planName, useAction, type SubscriptionView } from './shared.js';

const Price = (props: { minor: number; currency: string }) => <>{formatMoney(props.minor, props.currency)}</>;

/** Without a payment provider nothing can be synced: say how plans reach tenants, and how to sell them online. */
const NoPaymentProvider = () => (
  <p class="muted" style={{ fontSize: '0.9rem' }}>
    {tx('billing.plans.noProvider', {
      link: (text: string) => <a href="/admin/billing/tenant">{text}</a>,
      code: (text: string) => <code>{text}</code>,
    })}
  </p>
);

export function PlansPage() {
  const plans = useApi<Plan[]>(`${BASE}/admin/plans`);
  const features = useApi<Feature[]>(`${BASE}/admin/features`);
  // The server's payment provider (in any subscription view): Stripe syncing is offered only with one.
  const sub = useApi<Pick<SubscriptionView, 'payment_provider'>>(`${BASE}/billing/subscription`);
  const payments = Boolean(sub.data?.payment_provider);
  const [editing, setEditing] = useState<string | null>(null);
  const [done, setDone] = useState('');
  const { error, busy, run } = useAction();
  const act = (change: () => Promise<string>) => {
    setDone('');
    return run(async () => setDone(await change()));
  };

  const syncAll = () =>
    act(async () => {
      const { synced } = await api<{ synced: Plan[] }>(`${BASE}/admin/plans/stripe-sync-all`, { method: 'POST' });
      plans.reload();
      return t('billing.plans.syncedAll', { count: synced.length });
    });
  const sync = (plan: Plan) =>
    act(async () => {
      await api(`${BASE}/admin/plans/${plan.id}/stripe-sync`, { method: 'POST' });
      plans.reload();
      return t('billing.plans.synced', { name: planName(plan) });
    });
  const remove = (plan: Plan) =>
    confirm(t('billing.plans.confirmDelete', { name: planName(plan) })) &&
    act(async () => {
      await api(`${BASE}/admin/plans/${plan.id}`, { method: 'DELETE' });
      if (editing === plan.id) setEditing(null);
      plans.reload();
      return t('billing.plans.deleted', { name: planName(plan) });
    });

  const current = plans.data?.find((p) => p.id === editing);
  return (
    <Page
      title={t('billing.plans.title')}
      actions={
        payments ? (
          <button type="button" class="secondary" disabled={busy} onClick={syncAll}>
            {t('billing.plans.syncAll')}
          </button>
        ) : null
      }
    >
      <ErrorBanner error={error ?? plans.error ?? features.error} />
      {sub.data && !payments ? <NoPaymentProvider /> : null}
      {done ? (
        <p class="notice" role="status">
          {done}
        </p>
      ) : null}
      <div class="card">
        <Table
          rows={plans.data ?? []}
          rowKey={(p) => p.id}
          empty={plans.loading ? t('billing.plans.loading') : t('billing.plans.empty')}
          columns={[
            { label: t('billing.plans.col.id'), value: (p) => <code>{p.id}</code> },
            { label: t('billing.plans.col.name'), value: (p) => planName(p) },
            { label: t('billing.plans.col.monthly'), value: (p) => <Price minor={p.price_monthly} currency={p.currency} />, class: 'num' },
            { label: t('billing.plans.col.yearly'), value: (p) => <Price minor={p.price_yearly} currency={p.currency} />, class: 'num' },
            {
              label: t('billing.plans.col.public'),
              value: (p) =>
                p.is_public ? <span class="badge badge-ok">{t('billing.plans.public')}</span> : <span class="badge">{t('billing.plans.hidden')}</span>,
            },
            { label: t('billing.plans.col.limits'), value: (p) => Object.keys(p.limits).length, class: 'num' },
            {
              label: t('billing.plans.col.features'),
              value: (p) =>
                p.features === null ? (
                  <span class="muted">{t('billing.plans.allFeatures')}</span>
                ) : p.features.length ? (
                  p.features.join(', ')
                ) : (
                  <span class="muted">{t('billing.plans.noFeatures')}</span>
                ),
            },
            ...(payments
              ? [
                  {
                    label: t('billing.plans.col.stripe'),
                    value: (p: Plan) =>
                      p.stripe_product_id ? (
                        <span class="badge badge-ok">{t('billing.plans.stripeSynced')}</span>
                      ) : (
                        <span class="muted">{t('billing.plans.stripeNotSynced')}</span>
                      ),
                  },
                ]
              : []),
            {
              label: t('billing.plans.col.actions'),
              value: (p) => (
                <span class="row-actions">
                  <button type="button" class="secondary small" aria-pressed={editing === p.id} onClick={() => setEditing(p.id)}>
                    {t('billing.plans.edit')}
                  </button>
                  {payments ? (
                    <button type="button" class="secondary small" disabled={busy} onClick={() => sync(p)}>
                      {t('billing.plans.sync')}
                    </button>
                  ) : null}
                  <button type="button" class="danger small" disabled={busy} onClick={() => remove(p)}>
                    {t('billing.plans.delete')}
                  </button>
                </span>
              ),
            },
          ]}
        />
      </div>
      {current ? <PlanEditor key={current.id} plan={current} catalogue={features.data ?? []} onSaved={plans.reload} onClose={() => setEditing(null)} /> : null}
      <CreatePlan
        plans={plans.data ?? []}
        onCreated={(id) => {
          plans.reload();
          setEditing(id);
        }}
      />
    </Page>
  );
}
