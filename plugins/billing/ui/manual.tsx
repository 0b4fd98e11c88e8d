// Billing without Stripe, in the pages: the payments the operator records by hand and the paid-through
// date they make (both sides see them), and plan-change requests: a customer asks on their Billing
// page, the operator approves or declines on the tenant's billing page.
import { useState } from 'preact/hooks';
import { api, formatDate, Table, Time, t, tx, useApi } from 'plinth/plugin/ui';
import type { Payment, PlanRequest } from '../services/manual.js';
import {
  BASE,
  ErrorBanner,
  FieldError,
  fieldErrors,
  fieldProps,
  formatMoney,
  planName,
  selectStyle,
  toMinor,
  useAction,
  type SubscriptionView,
} from './shared.js';

export interface PaymentList {
  paid_through: string | null;
  items: Payment[];
}

const METHODS: ReadonlyArray<Payment['method']> = ['bank_transfer', 'cash', 'cheque', 'card', 'other'];
const methodName = (method: string) => t(`billing.manual.method.${method}`);
/** `<b>…</b>` in a message. */
const bold = { b: (text: string) => <strong>{text}</strong> };
const STATUS_TONE: Record<PlanRequest['status'], string> = { open: 'badge-warn', approved: 'badge-ok', declined: 'badge-danger', withdrawn: '' };

/** A calendar day (YYYY-MM-DD) as the viewer writes dates; read in UTC so it never shifts a day. */
export const CalendarDay = (props: { value: string }) => (
  <time dateTime={props.value}>{formatDate(`${props.value}T00:00:00Z`, { dateStyle: 'medium', timeZone: 'UTC' })}</time>
);

const RequestBadge = (props: { status: PlanRequest['status'] }) => (
  <span class={`badge ${STATUS_TONE[props.status]}`}>{t('billing.manual.status', { status: props.status })}</span>
);

function PaymentsTable(props: { payments?: PaymentList; loading: boolean }) {
  return (
    <Table
      rows={props.payments?.items ?? []}
      rowKey={(p) => p.id}
      empty={props.loading ? t('billing.manual.loading') : t('billing.manual.payments.empty')}
      columns={[
        { label: t('billing.manual.col.recorded'), value: (p) => <Time value={p.created_at} /> },
        { label: t('billing.manual.col.amount'), value: (p) => formatMoney(p.amount, p.currency), class: 'num' },
        { label: t('billing.manual.col.method'), value: (p) => methodName(p.method) },
        {
          label: t('billing.manual.col.covers'),
          value: (p) => (
            <>
              <CalendarDay value={p.period_start} /> – <CalendarDay value={p.period_end} />
            </>
          ),
        },
        { label: t('billing.manual.col.reference'), value: (p) => p.reference ?? '—' },
      ]}
    />
  );
}

const PaidThrough = (props: { value: string | null | undefined }) =>
  props.value ? (
    <p>{tx('billing.manual.paidThrough', { ...bold, date: <CalendarDay value={props.value} /> })}</p>
  ) : (
    <p class="muted">{t('billing.manual.payments.none')}</p>
  );

/** The customer's payments (GET /billing/payments), on their Billing page. */
export function CustomerPayments() {
  const payments = useApi<PaymentList>(`${BASE}/billing/payments`);
  return (
    <section class="card" aria-labelledby="payments-title">
      <h2 id="payments-title">{t('billing.manual.payments.title')}</h2>
      <ErrorBanner error={payments.error} />
      {payments.data ? <PaidThrough value={payments.data.paid_through} /> : null}
      <PaymentsTable payments={payments.data} loading={payments.loading} />
    </section>
  );
}

interface OfferedPlan {
  id: string;
  display_name: string;
  currency: string;
}

/** The name of the plan `id` among `plans` (its id while they load). */
const nameById = (plans: OfferedPlan[] | undefined, id: string) => planName(plans?.find((p) => p.id === id) ?? { id, display_name: id });

/**
 * The customer asks the operator for another plan (one open request at a time), sees it waiting,
 * may withdraw it, and reads the answer: approved, or declined with the operator's reason.
 */
export function PlanChangeRequest(props: { sub: SubscriptionView; onChanged(): void }) {
  const plans = useApi<OfferedPlan[]>(`${BASE}/billing/plans`);
  const requests = useApi<{ items: PlanRequest[] }>(`${BASE}/billing/plan-change-requests`);
  const others = plans.data?.filter((p) => p.id !== props.sub.plan_id) ?? [];
  const [planId, setPlanId] = useState('');
  const [cycle, setCycle] = useState<'monthly' | 'yearly'>(props.sub.billing_cycle);
  const [message, setMessage] = useState('');
  const { error, busy, run } = useAction();
  const latest = requests.data?.items[0];
  const open = latest?.status === 'open' ? latest : null;
  const chosen = planId || others[0]?.id || '';

  const submit = async (event: Event) => {
    event.preventDefault();
    const body = { plan_id: chosen, billing_cycle: cycle, ...(message.trim() ? { message: message.trim() } : {}) };
    if (await run(() => api(`${BASE}/billing/plan-change-requests`, { body }))) {
      setMessage('');
      requests.reload();
    }
  };
  const withdraw = () =>
    open &&
    run(async () => {
      await api(`${BASE}/billing/plan-change-requests/${open.id}/withdraw`, { method: 'POST' });
      requests.reload();
    });

  return (
    <section class="card" aria-labelledby="change-plan-title">
      <h2 id="change-plan-title">{t('billing.manual.change.title')}</h2>
      <p>{t('billing.manual.change.intro')}</p>
      <ErrorBanner error={error ?? requests.error ?? plans.error} />
      {latest && latest.status !== 'open' ? (
        <div class="notice" role="status" aria-label={t('billing.manual.change.lastLabel')}>
          {tx(latest.resolved_at ? 'billing.manual.change.lastOn' : 'billing.manual.change.last', {
            ...bold,
            plan: nameById(plans.data, latest.plan_id),
            status: <RequestBadge status={latest.status} />,
            date: latest.resolved_at ? <Time value={latest.resolved_at} /> : null,
          })}
          {latest.status === 'declined' && latest.reason ? (
            <p style={{ margin: '0.4rem 0 0' }}>{t('billing.manual.change.reason', { reason: latest.reason })}</p>
          ) : null}
        </div>
      ) : null}
      {open ? (
        <div role="status" aria-label={t('billing.manual.change.openLabel')}>
          <p>
            {tx('billing.manual.change.open', {
              ...bold,
              plan: nameById(plans.data, open.plan_id),
              cycle: open.billing_cycle ?? 'none',
              date: <Time value={open.created_at} />,
              status: <RequestBadge status="open" />,
            })}
          </p>
          <button type="button" class="secondary small" disabled={busy} onClick={withdraw}>
            {t('billing.manual.change.withdraw')}
          </button>
        </div>
      ) : requests.data && others.length ? (
        <form class="inline-form" aria-label={t('billing.manual.change.form')} onSubmit={submit} style={{ marginBottom: 0 }}>
          <div style={{ flex: '0 1 16rem' }}>
            <label for="request-plan">{t('billing.manual.change.plan')}</label>
            <select id="request-plan" value={chosen} onChange={(e) => setPlanId(e.currentTarget.value)} style={selectStyle}>
              {others.map((p) => (
                <option key={p.id} value={p.id}>
                  {planName(p)}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="request-cycle">{t('billing.manual.change.cycle')}</label>
            <select id="request-cycle" value={cycle} onChange={(e) => setCycle(e.currentTarget.value as typeof cycle)} style={selectStyle}>
              <option value="monthly">{t('billing.manual.cycle.monthly')}</option>
              <option value="yearly">{t('billing.manual.cycle.yearly')}</option>
            </select>
          </div>
          <div class="grow">
            <label for="request-message">{t('billing.manual.change.note')}</label>
            <input id="request-message" maxLength={1000} value={message} onInput={(e) => setMessage(e.currentTarget.value)} />
          </div>
          <button type="submit" disabled={busy || !chosen}>
            {busy ? t('billing.manual.change.sending') : t('billing.manual.change.submit')}
          </button>
        </form>
      ) : null}
    </section>
  );
}

const today = () => new Date().toISOString().slice(0, 10);
const inAMonth = () => {
  const d = new Date();
  d.setUTCMonth(d.getUTCMonth() + 1, d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
};

/** POST /admin/tenants/{id}/payments: the amount typed in major units, sent in minor ones. */
function RecordPayment(props: { tenantId: string; currency: string; onRecorded(message: string): void }) {
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState(props.currency.toUpperCase());
  const [method, setMethod] = useState<Payment['method']>('bank_transfer');
  const [start, setStart] = useState(today);
  const [end, setEnd] = useState(inAMonth);
  const [reference, setReference] = useState('');
  const [problem, setProblem] = useState('');
  const { error, busy, run } = useAction();
  const errors = { ...fieldErrors(error), ...(problem ? { amount: problem } : {}) };

  const submit = async (event: Event) => {
    event.preventDefault();
    const minor = toMinor(amount, currency);
    if (typeof minor !== 'number') return setProblem(minor.problem);
    if (minor <= 0) return setProblem(t('billing.manual.record.aboveZero'));
    setProblem('');
    const body = { amount: minor, currency, method, period_start: start, period_end: end, ...(reference.trim() ? { reference: reference.trim() } : {}) };
    const ok = await run(async () => {
      const { paid_through } = await api<{ paid_through: string }>(`${BASE}/admin/tenants/${props.tenantId}/payments`, { body });
      props.onRecorded(t('billing.manual.record.done', { amount: formatMoney(minor, currency), date: paid_through }));
    });
    if (ok) {
      setAmount('');
      setReference('');
    }
  };
  const field = (id: string, path: string) => fieldProps(errors, path, id);
  return (
    <form aria-label={t('billing.manual.record.title')} onSubmit={submit} style={{ marginTop: '1rem' }}>
      <h3 style={{ margin: '0 0 0.5rem' }}>{t('billing.manual.record.title')}</h3>
      <ErrorBanner error={error && !Object.keys(fieldErrors(error)).length ? error : null} />
      <div class="inline-form" style={{ marginBottom: 0, flexWrap: 'wrap' }}>
        <div style={{ flex: '0 1 9rem' }}>
          <label for="payment-amount">{t('billing.manual.record.amount')}</label>
          <input
            id="payment-amount"
            inputMode="decimal"
            required
            value={amount}
            onInput={(e) => setAmount(e.currentTarget.value)}
            {...field('payment-amount', 'amount')}
          />
          <FieldError errors={errors} path="amount" id="payment-amount" />
        </div>
        <div style={{ flex: '0 1 6rem' }}>
          <label for="payment-currency">{t('billing.manual.record.currency')}</label>
          <input
            id="payment-currency"
            required
            maxLength={3}
            value={currency}
            onInput={(e) => setCurrency(e.currentTarget.value.toUpperCase())}
            {...field('payment-currency', 'currency')}
          />
          <FieldError errors={errors} path="currency" id="payment-currency" />
        </div>
        <div style={{ flex: '0 1 12rem' }}>
          <label for="payment-method">{t('billing.manual.record.method')}</label>
          <select id="payment-method" value={method} onChange={(e) => setMethod(e.currentTarget.value as Payment['method'])} style={selectStyle}>
            {METHODS.map((value) => (
              <option key={value} value={value}>
                {methodName(value)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="payment-start">{t('billing.manual.record.from')}</label>
          <input
            id="payment-start"
            type="date"
            required
            value={start}
            onInput={(e) => setStart(e.currentTarget.value)}
            {...field('payment-start', 'period_start')}
          />
          <FieldError errors={errors} path="period_start" id="payment-start" />
        </div>
        <div>
          <label for="payment-end">{t('billing.manual.record.to')}</label>
          <input id="payment-end" type="date" required value={end} onInput={(e) => setEnd(e.currentTarget.value)} {...field('payment-end', 'period_end')} />
          <FieldError errors={errors} path="period_end" id="payment-end" />
        </div>
        <div class="grow">
          <label for="payment-reference">{t('billing.manual.record.reference')}</label>
          <input id="payment-reference" maxLength={200} value={reference} onInput={(e) => setReference(e.currentTarget.value)} />
        </div>
        <button type="submit" disabled={busy}>
          {busy ? t('billing.manual.record.recording') : t('billing.manual.record.submit')}
        </button>
      </div>
    </form>
  );
}

/** The open request with Approve and Decline (a reason is asked for, and shown to the customer). */
function OpenRequest(props: { tenantId: string; request: PlanRequest; planName(id: string): string; onResolved(message: string): void }) {
  const { request } = props;
  const [declining, setDeclining] = useState(false);
  const [reason, setReason] = useState('');
  const { error, busy, run } = useAction();
  const url = `${BASE}/admin/tenants/${props.tenantId}/plan-change-requests/${request.id}`;
  const approve = () =>
    run(async () => {
      await api(`${url}/approve`, { method: 'POST' });
      props.onResolved(t('billing.manual.request.approved', { plan: props.planName(request.plan_id) }));
    });
  const decline = (event: Event) => {
    event.preventDefault();
    return run(async () => {
      await api(`${url}/decline`, { body: { reason: reason.trim() } });
      props.onResolved(t('billing.manual.request.declined'));
    });
  };
  return (
    <div class="notice" role="region" aria-label={t('billing.manual.request.label')}>
      <p style={{ margin: '0 0 0.5rem' }}>
        {tx('billing.manual.request.asks', {
          ...bold,
          from: props.planName(request.from_plan_id),
          to: props.planName(request.plan_id),
          cycle: request.billing_cycle ?? 'none',
          date: <Time value={request.created_at} />,
        })}
      </p>
      {request.message ? <p style={{ margin: '0 0 0.5rem' }}>{t('billing.manual.request.note', { note: request.message })}</p> : null}
      <ErrorBanner error={error} />
      {declining ? (
        <form class="inline-form" aria-label={t('billing.manual.request.declineForm')} onSubmit={decline} style={{ marginBottom: 0 }}>
          <div class="grow">
            <label for="decline-reason">{t('billing.manual.request.reason')}</label>
            <input id="decline-reason" required maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </div>
          <button type="submit" class="danger" disabled={busy || !reason.trim()}>
            {t('billing.manual.request.declineSubmit')}
          </button>
          <button type="button" class="secondary" disabled={busy} onClick={() => setDeclining(false)}>
            {t('billing.manual.request.back')}
          </button>
        </form>
      ) : (
        <div class="row-actions">
          <button type="button" disabled={busy} onClick={approve}>
            {t('billing.manual.request.approve')}
          </button>
          <button type="button" class="secondary" disabled={busy} onClick={() => setDeclining(true)}>
            {t('billing.manual.request.decline')}
          </button>
        </div>
      )}
    </div>
  );
}

/**
 * The operator's part on a tenant's billing page: what the tenant paid and through when, recording a
 * payment, and its plan-change requests (the open one resolved here).
 */
export function TenantManualBilling(props: { tenantId: string; planId: string; onChanged(message: string): void }) {
  const base = `${BASE}/admin/tenants/${props.tenantId}`;
  const payments = useApi<PaymentList>(`${base}/payments`);
  const requests = useApi<{ items: PlanRequest[] }>(`${base}/plan-change-requests`);
  const plans = useApi<OfferedPlan[]>(`${BASE}/admin/plans`);
  const name = (id: string) => nameById(plans.data, id);
  const open = requests.data?.items.find((r) => r.status === 'open');
  // A payment is usually in the currency of the plan the tenant is on.
  const currency = plans.data?.find((p) => p.id === props.planId)?.currency ?? 'usd';
  const changed = (message: string) => {
    payments.reload();
    requests.reload();
    props.onChanged(message);
  };
  return (
    <>
      <section class="card" aria-labelledby="plan-requests-title">
        <h2 id="plan-requests-title">{t('billing.manual.requests.title')}</h2>
        <ErrorBanner error={requests.error ?? plans.error} />
        {open ? <OpenRequest key={open.id} tenantId={props.tenantId} request={open} planName={name} onResolved={changed} /> : null}
        <Table
          rows={requests.data?.items.filter((r) => r.status !== 'open') ?? []}
          rowKey={(r) => r.id}
          empty={t(requests.loading ? 'billing.manual.loading' : open ? 'billing.manual.requests.noEarlier' : 'billing.manual.requests.none')}
          columns={[
            { label: t('billing.manual.col.asked'), value: (r) => <Time value={r.created_at} /> },
            { label: t('billing.manual.col.from'), value: (r) => name(r.from_plan_id) },
            { label: t('billing.manual.col.to'), value: (r) => name(r.plan_id) },
            { label: t('billing.manual.col.outcome'), value: (r) => <RequestBadge status={r.status} /> },
            { label: t('billing.manual.col.reason'), value: (r) => r.reason ?? '—' },
          ]}
        />
      </section>
      <section class="card" aria-labelledby="payments-title">
        <h2 id="payments-title">{t('billing.manual.payments.title')}</h2>
        <ErrorBanner error={payments.error} />
        {payments.data ? <PaidThrough value={payments.data.paid_through} /> : null}
        <PaymentsTable payments={payments.data} loading={payments.loading} />
        {plans.data ? <RecordPayment key={currency} tenantId={props.tenantId} currency={currency} onRecorded={changed} /> : null}
      </section>
    </>
  );
}
