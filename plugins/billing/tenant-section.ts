// Billing's part of a tenant (the manifest's `tenant`, core/overview/tenant.ts). On the operator's
// tenant page: the plan, the paid-through date, an open plan-change request and the latest payments,
// as facts and a table; approving or declining a request, recording a payment or assigning a plan
// happens on billing's own Tenant billing page, which the section links to. Deleting the tenant
// deletes its billing rows in the same transaction (its payments and requests are counted first).
import { type TenantContribution, type TenantSection, tenantTables } from 'plinth/plugin';
import type { BillingSettings } from './config.js';
import type { BillingServices } from './services/index.js';
import { tenantBillingHref } from './services/manual.js';

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

export async function billingTenantSections(s: BillingServices, tenantId: string): Promise<TenantSection[]> {
  const [sub, payments, requests] = await Promise.all([s.subscriptions.get(tenantId), s.manual.payments(tenantId), s.manual.requests(tenantId)]);
  const plans = new Map((await s.plans.list()).map((p) => [p.id, p.display_name]));
  const name = (id: string) => plans.get(id) ?? id;
  const open = requests.find((r) => r.status === 'open');
  const href = tenantBillingHref(tenantId);
  return [
    {
      id: 'billing.plan',
      title: 'Billing',
      facts: [
        { label: 'Plan', value: `${name(sub.plan_id)} (${sub.billing_cycle})`, href },
        { label: 'Status', value: sub.status.replace('_', ' ') },
        { label: 'Paid by', value: sub.provider === 'stripe' ? 'Stripe' : 'payments recorded by the operator' },
        { label: 'Paid through', value: sub.paid_through ?? 'no payment recorded' },
        {
          label: 'Plan-change request',
          value: open
            ? `open: ${name(open.from_plan_id)} → ${name(open.plan_id)}${cycleOf(open.billing_cycle)} (approve or decline on Tenant billing)`
            : 'none open',
          ...(open ? { href } : {}),
        },
      ],
      table: {
        columns: ['Recorded', 'Amount', 'Method', 'Covers', 'Reference'],
        times: ['Recorded'],
        rows: payments
          .slice(0, LATEST)
          .map((p) => [p.created_at, money(p.amount, p.currency), p.method.replace('_', ' '), `${p.period_start} – ${p.period_end}`, p.reference]),
        total: payments.length,
      },
      href,
    },
  ];
}

/** Every billing table with a tenant's rows; the subscription last. */
const rows = tenantTables([
  { table: 'billing_payments', label: ['payment', 'payments'] },
  { table: 'billing_plan_requests', label: ['plan-change request', 'plan-change requests'] },
  { table: 'billing_usage' },
  { table: 'billing_usage_alerts' },
  { table: 'billing_limit_overrides' },
  { table: 'billing_subscriptions' },
]);

export const billingTenantPart: TenantContribution<BillingSettings> = {
  sections: (c, tenantId) => billingTenantSections(c.container.resolve('billingServices'), tenantId),
  ...rows,
};
