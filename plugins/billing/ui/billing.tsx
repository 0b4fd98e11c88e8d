// Billing (a tenant's owner or admin): the subscription, limits against usage, what is in use now
// this month's counters by day and each counter month by month,
// and the plans on offer. With a payment provider: Upgrade (a Stripe checkout), Manage billing and
// Cancel; without one those cannot work and are not shown: the page says who changes plans instead.
import { api, Page, t, tx, useApi, useQueryParam } from 'plinth/plugin/ui';
import {
  BASE,
  ErrorBanner,
  formatMoney,
  limitText,
  meteredOnly,
  metricLabel,
  monthName,
  planDescription,
  planName,
  SubscriptionFacts,
  UnmeteredNote,
  useAction,
  type Limits,
  type SubscriptionView,
} from './shared.js';
import { CustomerPayments, PlanChangeRequest } from './manual.js';
import { UsageByDay, UsageHistoryCharts, UsageList, type CurrentUsage, type DailyUsage, type UsageHistory } from './usage.js';

interface OfferedPlan {
  id: string;
  display_name: string;
  description: string;
  price_monthly: number;
  price_yearly: number;
  currency: string;
  limits: Limits;
  /** Synced to Stripe (has a price): a checkout can sell it, in these cycles. */
  purchasable: boolean;
  purchasable_cycles: Array<'monthly' | 'yearly'>;
}

type Cycle = 'monthly' | 'yearly';

/** Where Stripe sends the browser back to (settings.billing.stripe.successPath / cancelPath): `?checkout=success|canceled`. */
const CHECKOUT_RESULTS = new Set(['success', 'canceled']);

/** Where an administrator assigns plans (this plugin's Tenant billing page). */
const TENANT_BILLING = '/admin/billing/tenant';

/**
 * Without a payment provider nobody can pay here: the operator is told where plans are assigned and
 * payments recorded (and how payments would be switched on); a customer asks for a plan change instead (manual.tsx).
 */
function NoPayments() {
  return (
    <section class="card" aria-labelledby="change-plan-title">
      <h2 id="change-plan-title">{t('billing.manual.change.title')}</h2>
      <p>
        {tx('billing.offer.noProvider', {
          link: (text: string) => <a href={TENANT_BILLING}>{text}</a>,
          code: (text: string) => <code>{text}</code>,
        })}
      </p>
    </section>
  );
}

function PlanCard(props: { plan: OfferedPlan; current: boolean; busy: boolean; payments: boolean; unmetered: string[]; onUpgrade(cycle: Cycle): void }) {
  const { plan } = props;
  const titleId = `plan-${plan.id}-title`;
  const name = planName(plan);
  const monthly = plan.price_monthly ? t('billing.offer.perMonth', { price: formatMoney(plan.price_monthly, plan.currency) }) : t('billing.offer.noCharge');
  return (
    <section class="card" aria-labelledby={titleId} style={{ flex: '1 1 14rem', margin: 0 }}>
      <h3 id={titleId} style={{ margin: '0 0 0.25rem' }}>
        {name} {props.current ? <span class="badge badge-ok">{t('billing.offer.yours')}</span> : null}
      </h3>
      {plan.description ? <p class="muted">{planDescription(plan)}</p> : null}
      <p style={{ margin: '0 0 0.5rem' }}>
        <strong>{monthly}</strong>
        {plan.price_yearly ? <span class="muted"> {t('billing.offer.orPerYear', { price: formatMoney(plan.price_yearly, plan.currency) })}</span> : null}
      </p>
      <ul style={{ margin: '0 0 0.75rem', paddingLeft: '1.1rem', fontSize: '0.9rem' }}>
        {meteredOnly(Object.entries(plan.limits), props.unmetered, ([metric]) => metric).map(([metric, limit]) => (
          <li key={metric}>{t('billing.offer.limit', { metric: metricLabel(metric), limit: limitText(limit) })}</li>
        ))}
      </ul>
      {props.current || (!plan.price_monthly && !plan.price_yearly) || !props.payments ? null : !plan.purchasable ? (
        <p class="muted" style={{ fontSize: '0.9rem' }}>
          {t('billing.offer.notSold')}
        </p>
      ) : (
        <div class="row-actions">
          {(['monthly', 'yearly'] as const).map((cycle) =>
            (cycle === 'monthly' ? plan.price_monthly : plan.price_yearly) && plan.purchasable_cycles.includes(cycle) ? (
              <button
                key={cycle}
                type="button"
                class={cycle === 'monthly' ? 'small' : 'secondary small'}
                disabled={props.busy}
                aria-label={t('billing.offer.upgradeTo', { plan: name, cycle })}
                onClick={() => props.onUpgrade(cycle)}
              >
                {t('billing.offer.upgrade', { cycle })}
              </button>
            ) : null,
          )}
        </div>
      )}
    </section>
  );
}

/** The plans on offer; with a payment provider, Upgrade opens Stripe's checkout. */
function Plans(props: { currentPlan?: string; payments: boolean; unmetered: string[] }) {
  const plans = useApi<OfferedPlan[]>(`${BASE}/billing/plans`);
  const { error, busy, run } = useAction();
  const upgrade = (plan: OfferedPlan, cycle: Cycle) =>
    run(async () => {
      const { checkout_url } = await api<{ checkout_url: string }>(`${BASE}/billing/checkout`, { body: { plan_id: plan.id, billing_cycle: cycle } });
      location.assign(checkout_url);
    });
  return (
    <section aria-labelledby="plans-title" style={{ marginBottom: '1.25rem' }}>
      <h2 id="plans-title">{t('billing.offer.title')}</h2>
      <ErrorBanner error={error ?? plans.error} />
      {plans.loading && !plans.data ? <p class="muted">{t('billing.loading')}</p> : null}
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: '1rem' }}>
        {plans.data?.map((plan) => (
          <PlanCard
            key={plan.id}
            plan={plan}
            current={plan.id === props.currentPlan}
            busy={busy}
            payments={props.payments}
            unmetered={props.unmetered}
            onUpgrade={(cycle) => upgrade(plan, cycle)}
          />
        ))}
      </div>
    </section>
  );
}

export function BillingPage() {
  const sub = useApi<SubscriptionView>(`${BASE}/billing/subscription`);
  const usage = useApi<CurrentUsage>(`${BASE}/usage/current`);
  const daily = useApi<DailyUsage>(`${BASE}/usage/daily`);
  const history = useApi<UsageHistory>(`${BASE}/usage/history`);
  const me = useApi<{ roles: string[] }>('/admin/api/me');
  const checkout = useQueryParam('checkout');
  const { error, busy, run } = useAction();
  const payments = Boolean(sub.data?.payment_provider);
  // The portal and a cancel that reaches Stripe need a Stripe subscription; a plan an administrator assigned is changed by them.
  const paidOnline = payments && sub.data?.provider === 'stripe';

  const portal = () =>
    run(async () => {
      const { url } = await api<{ url: string }>(`${BASE}/billing/portal`, { method: 'POST' });
      location.assign(url);
    });
  const cancel = () =>
    confirm(t('billing.billing.confirmCancel')) &&
    run(async () => {
      await api(`${BASE}/billing/cancel`, { method: 'POST' });
      sub.reload();
    });

  const actions = paidOnline ? (
    <>
      <button type="button" class="secondary" disabled={busy} onClick={portal}>
        {t('billing.billing.manage')}
      </button>
      {sub.data && !sub.data.cancel_at_period_end && sub.data.status !== 'canceled' ? (
        <button type="button" class="danger" disabled={busy} onClick={cancel}>
          {t('billing.billing.cancel')}
        </button>
      ) : null}
    </>
  ) : null;

  return (
    <Page title={t('billing.billing.title')} actions={actions}>
      {checkout && CHECKOUT_RESULTS.has(checkout) ? (
        <p class="notice" role="status">
          {t('billing.billing.checkout', { result: checkout })}
        </p>
      ) : null}
      <ErrorBanner error={error ?? sub.error} />
      <section class="card" aria-labelledby="subscription-title">
        <h2 id="subscription-title">{t('billing.billing.subscription')}</h2>
        {sub.data ? <SubscriptionFacts sub={sub.data} /> : <p class="muted">{t('billing.loading')}</p>}
      </section>
      <section class="card" aria-labelledby="usage-title">
        <h2 id="usage-title">{usage.data ? t('billing.usage.titleOf', { month: monthName(usage.data.period) }) : t('billing.usage.title')}</h2>
        <ErrorBanner error={usage.error} />
        <UsageList rows={usage.data?.metrics ?? []} empty={usage.loading ? t('billing.loading') : undefined} />
        <UnmeteredNote unmetered={sub.data?.unmetered} />
      </section>
      <section class="card" aria-labelledby="daily-title">
        <h2 id="daily-title">{t('billing.usage.thisMonth')}</h2>
        <ErrorBanner error={daily.error} />
        <UsageByDay current={usage.data} daily={daily.data} loading={daily.loading || usage.loading} />
      </section>
      <section class="card" aria-labelledby="history-title">
        <h2 id="history-title">{t('billing.usage.byMonth')}</h2>
        <ErrorBanner error={history.error} />
        <UsageHistoryCharts current={usage.data} history={history.data} loading={history.loading || usage.loading} />
      </section>
      {sub.data && !payments ? (
        me.data?.roles.includes('superadmin') ? (
          <NoPayments />
        ) : me.data ? (
          <PlanChangeRequest sub={sub.data} onChanged={sub.reload} />
        ) : null
      ) : null}
      {sub.data && sub.data.provider !== 'stripe' ? <CustomerPayments /> : null}
      {sub.data ? <Plans currentPlan={sub.data.plan_id} payments={payments} unmetered={sub.data.unmetered} /> : null}
    </Page>
  );
}
