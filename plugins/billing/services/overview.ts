// The billing plugin's cards on the Overview. A superadmin: tenants per plan, the monthly revenue
// the plans imply (per currency, integer minor units as plans store prices), customers' open
// plan-change requests, and the tenants at 80 % or more of a limit. A customer: their plan, with each limit and what they used of it.
import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import type { CardItem, CardMessage, CardTone, OverviewCard, OverviewViewer } from 'plinth/plugin';
import { viewerIs, viewerMay } from 'plinth/plugin';
import type { PluginContext } from 'plinth/plugin';
import type { MetricInfo } from 'plinth/plugin';
import type { TenantDirectory } from '../../auth/api.js';
import { type BillingSettings, DEFAULT_PLANS, OPERATOR_PLAN } from '../config.js';
import type { ManualBilling } from './manual.js';
import type { Meter } from './usage-meter.js';
import { GAUGE_KEY, momentOf } from './periods.js';
import type { Plan, Plans } from './plans.js';
import { usageWords } from './wording.js';
import { billingServices } from './own.js';

export interface BillingOverviewDeps {
  db: Knex;
  clock: Clock;
  plans: Plans;
  meter: Pick<Meter, 'effective' | 'current'>;
  /** The metrics the enabled plugins meter (a limit nothing meters is never "near"). */
  metrics: Map<string, MetricInfo>;
  tenants: Pick<TenantDirectory, 'list' | 'get' | 'operatorId'>;
  defaultPlan: string;
  operatorPlan: string;
}

/** A share of a limit that makes a tenant "near" it. */
export const NEAR_LIMIT = 0.8;
/** Statuses that pay (a trial does not yet, a canceled subscription no longer does). */
const PAYING = new Set(['active', 'past_due']);
const MAX_ITEMS = 8;

const PLANS_PAGE = '/admin/billing/plans';
const tenantPage = (id: string) => `/admin/billing/tenant?tenant=${encodeURIComponent(id)}`;
const toneOf = (share: number): CardTone => (share >= 1 ? 'alert' : share >= NEAR_LIMIT ? 'warn' : 'ok');

const SEEDED_NAMES = new Map([OPERATOR_PLAN, ...DEFAULT_PLANS].map((p) => [p.id, p.display_name]));

/**
 * A plan's name inside a card's message: a plan seeded at the first start whose name the operator
 * kept is the seed's, said in the viewer's language (`billing.seed.<id>.name`); a name the operator
 * chose is theirs, shown as typed.
 */
export const planName = (plan: Pick<Plan, 'id' | 'display_name'>): string | (CardMessage & { text: string }) =>
  SEEDED_NAMES.get(plan.id) === plan.display_name ? { id: `billing.seed.${plan.id}.name`, text: plan.display_name } : plan.display_name;

/** A plan's name as a card's value or an item's label: its message when it has one. */
const planNameMessage = (plan: Pick<Plan, 'id' | 'display_name'>): CardMessage | undefined => {
  const name = planName(plan);
  return typeof name === 'string' ? undefined : name;
};

/** What a plan brings in a month: the monthly price, or a twelfth of the yearly one. */
const monthly = (plan: Plan, cycle: string): number => (cycle === 'yearly' ? Math.round(plan.price_yearly / 12) : plan.price_monthly);

interface PlanShare {
  plan: Plan;
  tenants: number;
  paying: number;
  revenue: number;
}

/**
 * Tenants per plan and what they pay a month, from the subscriptions grouped in SQL. A tenant with no
 * subscription row yet is on its starting plan (billing makes the row on first read): the operator's
 * tenant on the operator plan, any other on the default plan.
 */
async function planShares(d: BillingOverviewDeps): Promise<{ shares: PlanShare[]; total: number }> {
  const [plans, rows, total, operator] = await Promise.all([
    d.plans.list(),
    d.db('billing_subscriptions').select('plan_id', 'status', 'billing_cycle').count({ n: '*' }).groupBy('plan_id', 'status', 'billing_cycle') as Promise<
      Array<{ plan_id: string; status: string; billing_cycle: string; n: number | string }>
    >,
    d.tenants.list(undefined, { page: 1, page_size: 1 }).then((p) => p.total),
    d.tenants.operatorId(),
  ]);
  const shares = new Map(plans.map((plan) => [plan.id, { plan, tenants: 0, paying: 0, revenue: 0 }]));
  const add = (planId: string, status: string, cycle: string, n: number) => {
    const share = shares.get(planId);
    if (!share) return;
    share.tenants += n;
    if (!PAYING.has(status) || monthly(share.plan, cycle) <= 0) return;
    share.paying += n;
    share.revenue += n * monthly(share.plan, cycle);
  };
  for (const r of rows) add(r.plan_id, r.status, r.billing_cycle, Number(r.n));
  let missing = total - rows.reduce((sum, r) => sum + Number(r.n), 0);
  if (missing > 0 && operator && !(await d.db('billing_subscriptions').where('tenant_id', operator).first('tenant_id'))) {
    add(d.operatorPlan, 'active', 'monthly', 1);
    missing--;
  }
  if (missing > 0) add(d.defaultPlan, 'active', 'monthly', missing);
  return { shares: [...shares.values()], total };
}

function planCards({ shares, total }: { shares: PlanShare[]; total: number }): OverviewCard[] {
  const paying = shares.reduce((sum, s) => sum + s.paying, 0);
  const plans: OverviewCard = {
    id: 'billing.plans',
    title: 'Tenants per plan',
    value: paying,
    unit: paying === 1 ? 'paying tenant' : 'paying tenants',
    note: `${total} ${total === 1 ? 'tenant' : 'tenants'} in all`,
    href: PLANS_PAGE,
    items: shares.filter((s) => s.tenants > 0).map((s) => ({ label: s.plan.display_name, value: s.tenants, messages: { label: planNameMessage(s.plan) } })),
    messages: {
      title: { id: 'billing.overview.plans.title' },
      unit: { id: 'billing.overview.plans.unit', values: { count: paying } },
      note: { id: 'billing.overview.plans.note', values: { total } },
    },
  };
  // One revenue card per currency the plans charge in (most installs have one); none charged yet: the default plan's.
  const currencies = [...new Set(shares.filter((s) => s.plan.price_monthly > 0 || s.plan.price_yearly > 0).map((s) => s.plan.currency.toLowerCase()))];
  if (!currencies.length) currencies.push((shares[0]?.plan.currency ?? 'usd').toLowerCase());
  const revenue = currencies.map((currency): OverviewCard => {
    const earning = shares.filter((s) => s.plan.currency.toLowerCase() === currency && s.revenue > 0);
    return {
      id: currencies.length === 1 ? 'billing.revenue' : `billing.revenue.${currency}`,
      title: 'Monthly revenue',
      value: earning.reduce((sum, s) => sum + s.revenue, 0),
      currency,
      note: 'What the plans imply: monthly prices, yearly ones ÷ 12',
      href: PLANS_PAGE,
      items: earning.map((s) => ({
        label: `${s.plan.display_name} × ${s.paying}`,
        value: s.revenue,
        currency,
        messages: { label: { id: 'billing.overview.revenue.item', values: { plan: planName(s.plan), paying: s.paying } } },
      })),
      messages: { title: { id: 'billing.overview.revenue.title' }, note: { id: 'billing.overview.revenue.note' } },
    };
  });
  return [plans, ...revenue];
}

/** The current period's key of a metric: the gauge's one row, the month's or the day's. */
const keyOf = (spec: MetricInfo, now: { month: string; day: string }) => (spec.kind === 'gauge' ? GAUGE_KEY : spec.period === 'day' ? now.day : now.month);

/**
 * Tenants at 80 % or more of a limit now. Only tenants that used something in the current periods
 * are read (one query for their rows), and their limits come from the meter's cache.
 */
async function nearLimitCard(d: BillingOverviewDeps): Promise<OverviewCard> {
  const now = momentOf(d.clock.now());
  const rows: Array<{ tenant_id: string; metric: string; period_key: string; used: number | string }> = await d
    .db('billing_usage')
    .whereIn('period_key', [GAUGE_KEY, now.month, now.day])
    .whereIn('metric', [...d.metrics.keys()])
    .where('used', '>', 0)
    .select('tenant_id', 'metric', 'period_key', 'used');
  const worst = new Map<string, { share: number; words: string; message: CardMessage }>();
  const current = rows.filter((r) => r.period_key === keyOf(d.metrics.get(r.metric)!, now));
  for (const tenantId of new Set(current.map((r) => r.tenant_id))) {
    const { limits } = await d.meter.effective(tenantId);
    for (const r of current.filter((c) => c.tenant_id === tenantId)) {
      const limit = limits[r.metric];
      if (limit === null || limit === undefined) continue;
      const used = Number(r.used);
      const share = limit > 0 ? used / limit : Number.POSITIVE_INFINITY;
      if (share < NEAR_LIMIT || share <= (worst.get(tenantId)?.share ?? 0)) continue;
      const spec = d.metrics.get(r.metric)!;
      worst.set(tenantId, {
        share,
        words: usageWords(spec, r.period_key, used, limit).summary,
        message: usedMessage('billing.overview.near.used', spec, used, limit),
      });
    }
  }
  const near = [...worst].sort(([, a], [, b]) => b.share - a.share);
  const items: CardItem[] = await Promise.all(
    near.slice(0, MAX_ITEMS).map(async ([id, w]) => ({
      label: await d.tenants.get(id).then(
        (t) => t.name,
        () => id,
      ),
      value: w.words,
      href: tenantPage(id),
      tone: toneOf(w.share),
      messages: { value: w.message },
    })),
  );
  const full = near.filter(([, w]) => w.share >= 1).length;
  return {
    id: 'billing.near_limit',
    title: 'Near a limit',
    value: near.length,
    unit: near.length === 1 ? 'tenant' : 'tenants',
    note: near.length ? `${full} at their limit; 80 % or more of a limit used` : 'No tenant has used 80 % of a limit',
    href: near.length === 1 ? tenantPage(near[0][0]) : '/admin/billing/tenant',
    tone: full ? 'alert' : near.length ? 'warn' : 'ok',
    items,
    messages: {
      title: { id: 'billing.overview.near.title' },
      unit: { id: 'billing.overview.near.unit', values: { count: near.length } },
      note: near.length ? { id: 'billing.overview.near.note', values: { full } } : { id: 'billing.overview.near.none' },
    },
  };
}

/**
 * Customers' open plan-change requests, oldest first, each linking to the tenant's page where the
 * operator approves or declines it (the alert of each is on the core's open alerts card too).
 */
async function planRequestsCard(d: BillingOverviewDeps, manual: ManualBilling): Promise<OverviewCard> {
  const [open, total] = await Promise.all([manual.openRequests(MAX_ITEMS), manual.countOpen()]);
  const plans = new Map((await d.plans.list()).map((p) => [p.id, p]));
  const names = new Map([...plans.values()].map((p) => [p.id, p.display_name]));
  const nameOf = (id: string) => {
    const plan = plans.get(id);
    return plan ? planName(plan) : id;
  };
  const items: CardItem[] = await Promise.all(
    open.map(async (r) => ({
      label: await d.tenants.get(r.tenant_id).then(
        (t) => t.name,
        () => r.tenant_id,
      ),
      value: `${names.get(r.from_plan_id) ?? r.from_plan_id} → ${names.get(r.plan_id) ?? r.plan_id}`,
      href: tenantPage(r.tenant_id),
      tone: 'warn' as const,
      messages: { value: { id: 'billing.overview.requests.item', values: { from: nameOf(r.from_plan_id), to: nameOf(r.plan_id) } } },
    })),
  );
  return {
    id: 'billing.plan_requests',
    title: 'Plan-change requests',
    value: total,
    unit: total === 1 ? 'open request' : 'open requests',
    note: total ? 'Customers waiting for an answer: approve or decline on the tenant’s billing page' : 'No customer is waiting for an answer',
    href: total === 1 ? tenantPage(open[0].tenant_id) : '/admin/billing/tenant',
    tone: total ? 'warn' : 'ok',
    items,
    messages: {
      title: { id: 'billing.overview.requests.title' },
      unit: { id: 'billing.overview.requests.unit', values: { count: total } },
      note: { id: total ? 'billing.overview.requests.note' : 'billing.overview.requests.none' },
    },
  };
}

/** "3 of 50", "120 of 2,000 this month": what is used of a limit, in the period a counter counts. */
const usedOf = (spec: MetricInfo, used: number, limit: number): string =>
  `${used.toLocaleString('en')} of ${limit.toLocaleString('en')}${spec.kind === 'counter' ? (spec.period === 'day' ? ' today' : ' this month') : ''}`;

/** The period a metric's use is counted in: a gauge's is now, a counter's the day or the month. */
const periodOf = (spec: MetricInfo): string => (spec.kind === 'gauge' ? 'now' : spec.period === 'day' ? 'day' : 'month');

/** What the billing pages call a metric (`billing.metric.<metric>.name|unit`), the manifest's English beside it. */
const metricWord = (spec: MetricInfo, what: 'name' | 'unit', text: string): CardMessage & { text: string } => ({
  id: `billing.metric.${spec.name}.${what}`,
  text,
});

/** "3 of 50 mailboxes in use", "120 of 2,000 AI replies used this month": `id`'s message for a limit and what is used of it. */
const usedMessage = (id: string, spec: MetricInfo, used: number, limit: number): CardMessage => ({
  id,
  values: { used, limit, period: periodOf(spec), unit: metricWord(spec, 'unit', spec.unit ?? spec.name) },
});

/**
 * A customer's plan and its limits that an enabled plugin meters, the fullest first (at most
 * MAX_ITEMS: the Billing page lists them all), as the meter counts them for the Billing page.
 */
async function ownPlanCard(d: BillingOverviewDeps, tenantId: string, href: string | undefined): Promise<OverviewCard> {
  const [effective, used] = await Promise.all([d.meter.effective(tenantId), d.meter.current(tenantId)]);
  const plan = await d.plans.get(effective.plan_id);
  const limits: Array<CardItem & { share: number }> = [];
  for (const [metric, spec] of d.metrics) {
    const limit = effective.limits[metric];
    if (limit === null || limit === undefined) continue;
    const share = limit > 0 ? used[metric] / limit : used[metric] > 0 ? Number.POSITIVE_INFINITY : 0;
    const label = spec.description ?? metric;
    limits.push({
      label,
      value: usedOf(spec, used[metric], limit),
      tone: toneOf(share),
      share,
      messages: { label: metricWord(spec, 'name', label), value: usedMessage('billing.overview.plan.used', spec, used[metric], limit) },
    });
  }
  limits.sort((a, b) => b.share - a.share);
  const fullest = limits[0]?.share ?? 0;
  return {
    id: 'billing.plan',
    title: 'Your plan',
    value: plan.display_name,
    note: limits.length > MAX_ITEMS ? 'The fullest of its limits; Billing lists them all' : 'Its limits and what is used of them',
    ...(href && { href }),
    tone: toneOf(fullest),
    items: limits.slice(0, MAX_ITEMS).map(({ share: _, ...item }) => item),
    messages: {
      title: { id: 'billing.overview.plan.title' },
      value: planNameMessage(plan),
      note: { id: limits.length > MAX_ITEMS ? 'billing.overview.plan.fullest' : 'billing.overview.plan.note' },
    },
  };
}

/**
 * The provider (the manifest's `overview`). A customer sees their plan when they may read billing
 * (members may; the Billing page, its link, is for admins and owners).
 */
export async function billingOverview(c: PluginContext<BillingSettings>, viewer: OverviewViewer): Promise<OverviewCard[]> {
  const s = billingServices.of(c);
  const k = c.container.cradle;
  const d: BillingOverviewDeps = {
    db: c.db,
    clock: k.clock,
    plans: s.plans,
    meter: s.meter,
    metrics: k.metrics,
    tenants: k.tenants,
    defaultPlan: c.settings.defaultPlan,
    operatorPlan: c.settings.operatorPlan,
  };
  if (viewer.platform) return [...planCards(await planShares(d)), await planRequestsCard(d, s.manual), await nearLimitCard(d)];
  if (!viewer.tenantId || !(await viewerMay(c, viewer, 'billing:read'))) return [];
  return [await ownPlanCard(d, viewer.tenantId, viewerIs(viewer, 'admin') ? '/admin/billing/billing' : undefined)];
}
