// Billing's part of a tenant (the manifest's `tenant`, core/overview/tenant.ts). On the operator's
// tenant page: the plan, the paid-through date, an open plan-change request and the latest payments,
// as facts and a table; approving or declining a request, recording a payment or assigning a plan
// happens on billing's own Tenant billing page, which the section links to. Deleting the tenant
// deletes its billing rows in the same transaction (its payments and requests are counted first).
import { type CardMessage, type TenantContribution, type TenantSection, tenantTables } from 'plinth/plugin';
import type { BillingSettings } from './config.js';
import type { BillingServices } from './services/index.js';
import { tenantBillingHref } from './services/manual.js';
import { planName } from './services/overview.js';
import { billingServices } from './services/own.js';

/** The latest payments the section lists (the linked page has them all). */
const LATEST = 5;

/** 4900 usd → "49.00 USD": the page shows cells as text, in no viewer's locale. */
function money(minor: number, currency: string): string {
  const code = currency.toUpperCase();
  let digits = 2;
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    // a code Intl does not know: two decimals
  }
  return `${(minor / 10 ** digits).toFixed(digits)} ${code}`;
}

const cycleOf = (cycle: string | null) => (cycle ? `, ${cycle}` : '');

/** Billing's message ids of the tenant page: `billing.tenant.plan.<what>` (the section is `billing.plan`). */
const m = (what: string, values?: CardMessage['values']): CardMessage => ({ id: `billing.tenant.plan.${what}`, ...(values ? { values } : {}) });

export async function billingTenantSections(s: BillingServices, tenantId: string): Promise<TenantSection[]> {
  const [sub, payments, requests] = await Promise.all([s.subscriptions.get(tenantId), s.manual.payments(tenantId), s.manual.requests(tenantId)]);
  const plans = new Map((await s.plans.list()).map((p) => [p.id, p]));
  const name = (id: string) => plans.get(id)?.display_name ?? id;
  /** The plan's name inside a message: a seeded plan's said in the viewer's language. */
  const said = (id: string) => {
    const plan = plans.get(id);
    return plan ? planName(plan) : id;
  };
  const open = requests.find((r) => r.status === 'open');
  const href = tenantBillingHref(tenantId);
  return [
    {
      id: 'billing.plan',
      title: 'Billing',
      messages: { title: m('title') },
      facts: [
        {
          label: 'Plan',
          value: `${name(sub.plan_id)} (${sub.billing_cycle})`,
          href,
          messages: { label: m('plan'), value: m('planValue', { plan: said(sub.plan_id), cycle: sub.billing_cycle }) },
        },
        {
          label: 'Status',
          value: sub.status.replace('_', ' '),
          messages: { label: m('status'), value: { id: 'billing.status', values: { status: sub.status } } },
        },
        {
          label: 'Paid by',
          value: sub.provider === 'stripe' ? 'Stripe' : 'payments recorded by the operator',
          messages: { label: m('paidBy'), value: m('paidByValue', { provider: sub.provider }) },
        },
        {
          label: 'Paid through',
          value: sub.paid_through ?? 'no payment recorded',
          messages: { label: m('paidThrough'), ...(sub.paid_through ? {} : { value: m('noPayment') }) },
        },
        {
          label: 'Plan-change request',
          value: open
            ? `open: ${name(open.from_plan_id)} → ${name(open.plan_id)}${cycleOf(open.billing_cycle)} (approve or decline on Tenant billing)`
            : 'none open',
          ...(open ? { href } : {}),
          messages: {
            label: m('request'),
            value: open ? m('requestOpen', { from: said(open.from_plan_id), to: said(open.plan_id), cycle: open.billing_cycle ?? 'none' }) : m('requestNone'),
          },
        },
      ],
      table: {
        columns: ['Recorded', 'Amount', 'Method', 'Covers', 'Reference'],
        times: ['Recorded'],
        rows: payments
          .slice(0, LATEST)
          .map((p) => [p.created_at, money(p.amount, p.currency), p.method.replace('_', ' '), `${p.period_start} – ${p.period_end}`, p.reference]),
        total: payments.length,
        messages: {
          columns: ['recorded', 'amount', 'method', 'covers', 'reference'].map((what) => m(`col.${what}`)),
          cells: payments.slice(0, LATEST).map((p): Array<CardMessage | null> => [null, null, m('method', { method: p.method }), null, null]),
        },
      },
      href,
    },
  ];
}

/** Every billing table with a tenant's rows; the subscription last. */
const rows = tenantTables([
  { table: 'billing_payments', label: ['payment', 'payments'], message: 'billing.tenant.goes.payments' },
  { table: 'billing_plan_requests', label: ['plan-change request', 'plan-change requests'], message: 'billing.tenant.goes.requests' },
  { table: 'billing_usage' },
  { table: 'billing_usage_alerts' },
  { table: 'billing_limit_overrides' },
  { table: 'billing_subscriptions' },
]);

export const billingTenantPart: TenantContribution<BillingSettings> = {
  sections: (c, tenantId) => billingTenantSections(billingServices.of(c), tenantId),
  ...rows,
};
