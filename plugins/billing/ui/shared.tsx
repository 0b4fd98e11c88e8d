// What the billing pages share: the API base, the reply shapes, money, plan and metric names and the
// subscription facts (what they say about usage is in usage.tsx).
import { ApiError, currentLanguage, ErrorBanner as KitErrorBanner, formatDate, formatNumber, t, tOr, tx } from 'plinth/plugin/ui';
import type { BillingErrorCode } from '../api.js';
import { DEFAULT_PLANS } from '../config.js';

/** The billing plugin's face (the pages call it with the session cookie). */
export const BASE = '/api/v2';

import type { Limits } from '../services/plans.js';

export type { Limits };

/** GET /billing/subscription and GET /admin/tenants/{id}/subscription */
export interface SubscriptionView {
  plan_id: string;
  display_name: string;
  status: 'active' | 'trialing' | 'past_due' | 'canceled';
  billing_cycle: 'monthly' | 'yearly';
  current_period_start: string;
  current_period_end: string;
  cancel_at_period_end: boolean;
  provider: 'manual' | 'stripe';
  /** The last day (YYYY-MM-DD) covered by a payment the operator recorded; null: none recorded. */
  paid_through: string | null;
  /** The payment provider configured on the server; null: none, plans are assigned by an administrator. */
  payment_provider: 'stripe' | null;
  /** Limits no enabled plugin meters (the seed lists them; nothing counts them): not shown as usage. */
  unmetered: string[];
  limits: Limits;
  /** Keyed by usage key (`api_keys`), not by metric (`max_api_keys`); the pages read GET …/usage/current instead. */
  usage: Record<string, number>;
}

export { useAction } from 'plinth/plugin/ui';

/** The refusals of billing's API the pages may meet (invalid_signature is for Stripe's webhooks only). */
const REFUSALS: ReadonlySet<string> = new Set<BillingErrorCode>([
  'already_canceled',
  'already_on_plan',
  'already_subscribed',
  'managed_by_stripe',
  'no_stripe_customer',
  'nothing_to_cancel',
  'payment_provider_error',
  'payments_not_configured',
  'plan_exists',
  'plan_in_use',
  'plan_not_found',
  'plan_not_purchasable',
  'plan_not_synced',
  'request_open',
  'request_resolved',
]);

/**
 * A refusal of billing's API as the viewer reads it. The server words it in English with its
 * particulars (which plan, which rule), shown as they are in English; in another language the
 * catalogue's sentence for its code (`billing.error.<code>`) is shown instead. The catalogue's
 * English is what a language that lacks the sentence falls back to.
 */
export function refusal(error: Error | string | null | undefined): Error | string | null {
  if (!(error instanceof ApiError) || !REFUSALS.has(error.code) || currentLanguage() === 'en') return error ?? null;
  return t(`billing.error.${error.code}`);
}

/** The kit's error banner, with billing's refusals in the UI's language. */
export const ErrorBanner = (props: { error: Error | string | null | undefined }) => <KitErrorBanner error={refusal(props.error)} />;

/** The field errors of a 422 (`{ detail: [{ loc: ['body', 'limits', 'max_api_keys'], msg }] }`), by path without `body`. */
export function fieldErrors(error: Error | null): Record<string, string> {
  if (!(error instanceof ApiError) || error.status !== 422) return {};
  const detail = (error.body as { detail?: unknown } | null)?.detail;
  if (!Array.isArray(detail)) return {};
  return Object.fromEntries(
    detail.map((d: { loc?: string[]; msg?: string }) => [
      (d.loc ?? []).filter((part, i) => !(i === 0 && part === 'body')).join('.'),
      d.msg ?? t('billing.field.invalid'),
    ]),
  );
}

/** The message under an input, and the props that tie the input to it. */
export function fieldProps(errors: Record<string, string>, path: string, id: string) {
  return errors[path] ? { 'aria-invalid': true as const, 'aria-describedby': `${id}-error` } : {};
}
export const FieldError = (props: { errors: Record<string, string>; path: string; id: string }) =>
  props.errors[props.path] ? (
    <span id={`${props.id}-error`} class="error-text" style={{ fontSize: '0.85rem' }}>
      {props.errors[props.path]}
    </span>
  ) : null;

const fractionDigits = (currency: string) => new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;

/** The currency's decimals (2 for usd, 0 for jpy, 3 for kwd); 2 for a code Intl does not know. */
export function currencyDigits(currency: string): number {
  try {
    return fractionDigits(currency.trim().toUpperCase());
  } catch {
    return 2;
  }
}

/** Minor units as the operator types a price: 2990 usd → "29.90", 500 jpy → "500". */
export function toMajor(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  if (!digits) return String(minor);
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  return `${minor < 0 ? '-' : ''}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/**
 * A typed price ("9.99", "9,99", "10") in the currency's minor units (999), exactly (no float
 * rounding); a message instead when it is not an amount the currency can hold.
 */
export function toMinor(text: string, currency: string): number | { problem: string } {
  const digits = currencyDigits(currency);
  const match = /^(\d{1,12})(?:[.,](\d*))?$/.exec(text.trim() || '0');
  if (!match) return { problem: t('billing.price.notAmount') };
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return { problem: t('billing.price.tooManyDecimals', { digits }) };
  return Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || 0);
}

/** An integer amount in minor units (cents) as money in the UI's language: 2990 usd → "$29.90" (zh-CN: "US$29.90"). */
export function formatMoney(minor: number, currency: string): string {
  try {
    const code = currency.toUpperCase();
    return formatNumber(minor / 10 ** fractionDigits(code), { style: 'currency', currency: code });
  } catch {
    return `${minor} ${currency}`; // not a currency Intl knows
  }
}

/** A limit as a number in the UI's language, or "unlimited". */
export const limitText = (limit: number | null | undefined) => (limit === null || limit === undefined ? t('billing.limit.unlimited') : formatNumber(limit));

const SEEDED_PLANS = new Map(DEFAULT_PLANS.map((plan) => [plan.id, plan]));

/**
 * A plan's name as the viewer reads it. The plans seeded at the first start carry English names;
 * while the operator keeps such a name it is the seed's, so it is shown in the UI's language. A name
 * the operator chose is theirs and is shown as typed.
 */
export function planName(plan: { id: string; display_name: string }): string {
  return SEEDED_PLANS.get(plan.id)?.display_name === plan.display_name ? t(`billing.seed.${plan.id}.name`) : plan.display_name;
}

/** A plan's description the same way: the seed's in the UI's language, the operator's as typed. */
export function planDescription(plan: { id: string; description: string }): string {
  return plan.description && SEEDED_PLANS.get(plan.id)?.description === plan.description ? t(`billing.seed.${plan.id}.description`) : plan.description;
}

const WORDS: Record<string, string> = { api: 'API', ai: 'AI', sms: 'SMS' };

/** A metric no catalogue names (a plugin added later) in words: `max_api_keys` → "API keys". */
function metricWords(metric: string): string {
  const words = metric
    .replace(/^max_/, '')
    .split('_')
    .map((w) => WORDS[w] ?? w);
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `max_api_keys` → "API keys", `emails_sent_per_month` → "Emails sent per month" (the catalogue's, else in words). */
export const metricLabel = (metric: string): string => tOr(`billing.metric.${metric}.name`, metricWords(metric));

/** "API keys" with the metric's key beside it, the way limits are configured. */
export const MetricName = (props: { metric: string }) => (
  <span>
    {metricLabel(props.metric)} <code class="muted">{props.metric}</code>
  </span>
);

/** The limits that something counts: a limit no enabled plugin meters would read "0 of N" forever. */
export const meteredOnly = <T,>(items: readonly T[], unmetered: readonly string[] | undefined, metricOf: (item: T) => string): T[] =>
  items.filter((item) => !unmetered?.includes(metricOf(item)));

/** A quiet line naming the limits left out because no enabled plugin meters them. */
export const UnmeteredNote = (props: { unmetered: readonly string[] | undefined }) =>
  props.unmetered?.length ? (
    <p class="muted" style={{ fontSize: '0.85rem' }}>
      {tx('billing.usage.unmetered', {
        metrics: props.unmetered.map((m, i) => (
          <span key={m}>
            {i ? ', ' : ''}
            <code>{m}</code>
          </span>
        )),
      })}
    </p>
  ) : null;

/** "November 2026" for "2026-11" (2026年11月). */
export const monthName = (month: string) => formatDate(`${month}-01T00:00:00Z`, { month: 'long', year: 'numeric', timeZone: 'UTC' });
/** The shell styles inputs but not selects: the same look for a select. */
export const selectStyle = {
  font: 'inherit',
  width: '100%',
  padding: '0.5rem 0.65rem',
  border: '1px solid var(--border)',
  borderRadius: '6px',
  background: 'var(--surface)',
  color: 'var(--text)',
};

/** A period boundary as a date: periods run from midnight UTC, so the date is read in UTC. */
const Day = (props: { value: string }) => (
  <time dateTime={props.value} title={props.value}>
    {formatDate(props.value, { dateStyle: 'medium', timeZone: 'UTC' })}
  </time>
);

const STATUS_TONE: Record<string, string> = {
  active: 'badge-ok',
  trialing: 'badge-ok',
  past_due: 'badge-warn',
  canceled: 'badge-danger',
  suspended: 'badge-danger',
};

export const StatusBadge = (props: { status: string }) => (
  <span class={`badge ${STATUS_TONE[props.status] ?? ''}`}>{t('billing.status', { status: props.status })}</span>
);

/** "monthly", "yearly". */
export const cycleName = (cycle: string) => t('billing.cycle', { cycle });

/** Plan, status, cycle, period and what happens at its end. */
export function SubscriptionFacts(props: { sub: SubscriptionView }) {
  const { sub } = props;
  return (
    <dl class="facts">
      <dt>{t('billing.facts.plan')}</dt>
      <dd>
        <strong>{planName({ id: sub.plan_id, display_name: sub.display_name })}</strong> <code class="muted">{sub.plan_id}</code>
      </dd>
      <dt>{t('billing.facts.status')}</dt>
      <dd>
        <StatusBadge status={sub.status} />
        {sub.cancel_at_period_end ? (
          <>
            {' '}
            <span class="badge badge-warn">{t('billing.facts.cancelsAtEnd')}</span>
          </>
        ) : null}
      </dd>
      <dt>{t('billing.facts.cycle')}</dt>
      <dd>{cycleName(sub.billing_cycle)}</dd>
      <dt>{t('billing.facts.period')}</dt>
      <dd>
        <Day value={sub.current_period_start} /> – <Day value={sub.current_period_end} />
      </dd>
      <dt>{t(sub.cancel_at_period_end ? 'billing.facts.endsOn' : 'billing.facts.renewsOn')}</dt>
      <dd>
        <Day value={sub.current_period_end} />
      </dd>
      <dt>{t('billing.facts.paidThrough')}</dt>
      <dd>
        {sub.provider === 'stripe' ? (
          'Stripe'
        ) : sub.paid_through ? (
          <time dateTime={sub.paid_through}>{formatDate(`${sub.paid_through}T00:00:00Z`, { dateStyle: 'medium', timeZone: 'UTC' })}</time>
        ) : (
          t('billing.facts.noPayment')
        )}
      </dd>
    </dl>
  );
}
