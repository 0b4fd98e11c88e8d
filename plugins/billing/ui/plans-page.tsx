// Plans (superadmin): every plan, hidden ones too; edit one, create, delete, and sync to Stripe
// (offered only when Stripe is configured; without it the page says how plans reach tenants).
import { useState } from 'preact/hooks';
import { api, ErrorBanner, Page, Table, useApi } from 'plinth/plugin/ui';
import type { Plan } from '../services/plans.js';
import { CreatePlan, PlanEditor, type Feature } from './plans.js';
import { BASE, formatMoney, useAction, type SubscriptionView } from './shared.js';

const Price = (props: { minor: number; currency: string }) => <>{formatMoney(props.minor, props.currency)}</>;

/** Without a payment provider nothing can be synced: say how plans reach tenants, and how to sell them online. */
const NoPaymentProvider = () => (
  <p class="muted" style={{ fontSize: '0.9rem' }}>
    No payment provider is configured, so plans are not synced or sold online: an administrator assigns them on{' '}
    <a href="/admin/billing/tenant">Tenant billing</a>. To sell them through Stripe, set <code>PLINTH_STRIPE_SECRET_KEY</code> and{' '}
    <code>PLINTH_STRIPE_WEBHOOK_SECRET</code>; syncing then appears here.
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
      return `${synced.length} plan(s) synced to Stripe.`;
    });
  const sync = (plan: Plan) =>
    act(async () => {
      await api(`${BASE}/admin/plans/${plan.id}/stripe-sync`, { method: 'POST' });
      plans.reload();
      return `“${plan.display_name}” is synced to Stripe.`;
    });
  const remove = (plan: Plan) =>
    confirm(`Delete the plan “${plan.display_name}”? This cannot be undone.`) &&
    act(async () => {
      await api(`${BASE}/admin/plans/${plan.id}`, { method: 'DELETE' });
      if (editing === plan.id) setEditing(null);
      plans.reload();
      return `Deleted “${plan.display_name}”.`;
    });

  const current = plans.data?.find((p) => p.id === editing);
  return (
    <Page
      title="Plans"
      actions={
        payments ? (
          <button type="button" class="secondary" disabled={busy} onClick={syncAll}>
            Sync all to Stripe
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
          empty={plans.loading ? 'Loading…' : 'No plans yet.'}
          columns={[
            { label: 'Id', value: (p) => <code>{p.id}</code> },
            { label: 'Name', value: 'display_name' },
            { label: 'Monthly', value: (p) => <Price minor={p.price_monthly} currency={p.currency} />, class: 'num' },
            { label: 'Yearly', value: (p) => <Price minor={p.price_yearly} currency={p.currency} />, class: 'num' },
            { label: 'Public', value: (p) => (p.is_public ? <span class="badge badge-ok">public</span> : <span class="badge">hidden</span>) },
            { label: 'Limits', value: (p) => Object.keys(p.limits).length, class: 'num' },
            {
              label: 'Features',
              value: (p) =>
                p.features === null ? <span class="muted">all</span> : p.features.length ? p.features.join(', ') : <span class="muted">none</span>,
            },
            ...(payments
              ? [
                  {
                    label: 'Stripe',
                    value: (p: Plan) => (p.stripe_product_id ? <span class="badge badge-ok">synced</span> : <span class="muted">not synced</span>),
                  },
                ]
              : []),
            {
              label: 'Actions',
              value: (p) => (
                <span class="row-actions">
                  <button type="button" class="secondary small" aria-pressed={editing === p.id} onClick={() => setEditing(p.id)}>
                    Edit
                  </button>
                  {payments ? (
                    <button type="button" class="secondary small" disabled={busy} onClick={() => sync(p)}>
                      Sync to Stripe
                    </button>
                  ) : null}
                  <button type="button" class="danger small" disabled={busy} onClick={() => remove(p)}>
                    Delete
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
