// Billing without Stripe (a little over 400 lines: payments and plan-change requests share one
// service's transaction, event and audit plumbing): payments the operator records by hand, the date a
// tenant has paid through, and a customer's requests for another plan, which reach the operator as an
// alert (the Overview's open alerts, the System page and a mail to the superadmins) and are resolved by them.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Alerts } from 'plinth/plugin';
import type { Clock } from 'plinth/plugin';
import { isUniqueViolation } from 'plinth/plugin';
import { AppError, isAppError } from 'plinth/plugin';
import type { EventBus } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import type { Plans } from './plans.js';
import type { Cycle, Subscriptions } from './subscriptions.js';
import { BillingErrors } from './errors.js';

export const PAYMENT_METHODS = ['bank_transfer', 'cash', 'cheque', 'card', 'other'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export interface Payment {
  id: string;
  tenant_id: string;
  /** Integer minor units of `currency` (999 with "usd" is $9.99), as plans store prices. */
  amount: number;
  currency: string;
  method: PaymentMethod;
  reference: string | null;
  note: string | null;
  /** The days it covers, YYYY-MM-DD, both included. */
  period_start: string;
  period_end: string;
  plan_id: string | null;
  recorded_by: string | null;
  created_at: string;
}

export type RequestStatus = 'open' | 'approved' | 'declined' | 'withdrawn';

export interface PlanRequest {
  id: string;
  tenant_id: string;
  status: RequestStatus;
  /** The plan the tenant was on when it asked. */
  from_plan_id: string;
  plan_id: string;
  billing_cycle: Cycle | null;
  message: string | null;
  /** Why it was declined (shown to the customer). */
  reason: string | null;
  requested_by: string | null;
  resolved_by: string | null;
  created_at: string;
  resolved_at: string | null;
}

export interface NewPayment {
  amount: number;
  currency: string;
  method: PaymentMethod;
  period_start: string;
  period_end: string;
  reference?: string;
  note?: string;
}

export interface NewPlanRequest {
  plan_id: string;
  billing_cycle?: Cycle;
  message?: string;
}

/** Runs inside the change's transaction (the audit row commits with it, or neither does). */
export type InTransaction = (trx: Knex.Transaction, id: string) => Promise<void>;

export interface ManualBillingDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  events: EventBus;
  plans: Plans;
  subscriptions: Subscriptions;
  /** The core's alerts, when registered: how a request reaches the operator. */
  alerts: () => Alerts | null;
  tenantName: (tenantId: string) => Promise<string>;
  /** The internal plan of the operator tenant: never asked for by a customer. */
  operatorPlan: string;
}

/** ISO 4217 codes this runtime knows (lower-case, as plans store them). */
const CURRENCIES = new Set(Intl.supportedValuesOf('currency').map((c) => c.toLowerCase()));

/** The alert of a tenant's open request: one per tenant, as there is at most one open request. */
export const requestAlertKey = (tenantId: string) => `billing.plan_change:${tenantId}`;

/** Where the operator resolves it (this plugin's Tenant billing page). */
export const tenantBillingHref = (tenantId: string) => `/admin/billing/tenant?tenant=${encodeURIComponent(tenantId)}`;

const toPayment = (r: Record<string, any>): Payment => ({ ...(r as Payment), amount: Number(r.amount) });
const toRequest = (r: Record<string, any>): PlanRequest => r as PlanRequest;

export class ManualBilling {
  constructor(private readonly deps: ManualBillingDeps) {}

  // --- Payments --------------------------------------------------------------------------------

  async payments(tenantId: string): Promise<Payment[]> {
    const rows = await this.deps
      .db('billing_payments')
      .where('tenant_id', tenantId)
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
    return rows.map(toPayment);
  }

  /** One of the tenant's payments; another tenant's is as missing as one that never was (404). */
  async payment(tenantId: string, id: string): Promise<Payment> {
    const row = await this.deps.db('billing_payments').where({ tenant_id: tenantId, id }).first();
    if (!row) throw AppError.notFound(`no payment ${id}`);
    return toPayment(row);
  }

  /** The last day paid for (YYYY-MM-DD), or null when no payment was recorded. */
  async paidThrough(tenantId: string): Promise<string | null> {
    return (await this.deps.subscriptions.get(tenantId)).paid_through;
  }

  /**
   * Records a payment and moves the tenant's paid-through date to the period's end when that is
   * later (a payment for a past month leaves it where it is). One transaction: the row, the date,
   * the `billing.payment.recorded` event and the caller's audit row.
   */
  async recordPayment(
    tenantId: string,
    input: NewPayment,
    by: { userId: string | null; audit: InTransaction },
  ): Promise<{ payment: Payment; paid_through: string }> {
    const currency = input.currency.toLowerCase();
    const fields = [];
    if (!CURRENCIES.has(currency)) fields.push({ path: 'body.currency', message: `"${input.currency}" is not an ISO 4217 currency code` });
    if (input.period_end <= input.period_start) fields.push({ path: 'body.period_end', message: 'must be after period_start' });
    if (fields.length) throw AppError.validation(fields);
    const result = await this.deps.db.transaction(async (trx) => {
      const sub = await this.deps.subscriptions.get(tenantId, trx);
      const payment: Payment = {
        id: randomUUID(),
        tenant_id: tenantId,
        amount: input.amount,
        currency,
        method: input.method,
        reference: input.reference?.trim() || null,
        note: input.note?.trim() || null,
        period_start: input.period_start,
        period_end: input.period_end,
        plan_id: sub.plan_id,
        recorded_by: by.userId,
        created_at: this.deps.clock.now().toISOString(),
      };
      await trx('billing_payments').insert(payment);
      const paid_through = sub.paid_through && sub.paid_through > payment.period_end ? sub.paid_through : payment.period_end;
      if (paid_through !== sub.paid_through)
        await trx('billing_subscriptions').where('tenant_id', tenantId).update({ paid_through, updated_at: payment.created_at });
      await this.deps.events.emit(
        trx,
        'billing.payment.recorded',
        {
          tenant_id: tenantId,
          payment_id: payment.id,
          amount: payment.amount,
          currency,
          method: payment.method,
          period_start: payment.period_start,
          period_end: payment.period_end,
          paid_through,
        },
        { tenantId },
      );
      await by.audit(trx, payment.id);
      return { payment, paid_through };
    });
    return result;
  }

  // --- Plan-change requests ----------------------------------------------------------------------

  async requests(tenantId: string): Promise<PlanRequest[]> {
    const rows = await this.deps
      .db('billing_plan_requests')
      .where('tenant_id', tenantId)
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
    return rows.map(toRequest);
  }

  /** Every tenant's open request, oldest first (the operator's overview). */
  async openRequests(limit = 50): Promise<PlanRequest[]> {
    return (await this.deps.db('billing_plan_requests').where('status', 'open').orderBy('created_at').limit(limit)).map(toRequest);
  }

  async countOpen(): Promise<number> {
    const [{ n }] = (await this.deps.db('billing_plan_requests').where('status', 'open').count({ n: '*' })) as Array<{ n: number | string }>;
    return Number(n);
  }

  /** One of the tenant's requests; another tenant's is as missing as one that never was (404). */
  async request(tenantId: string, id: string, trx: Knex | Knex.Transaction = this.deps.db): Promise<PlanRequest> {
    const row = await trx('billing_plan_requests').where({ tenant_id: tenantId, id }).first();
    if (!row) throw AppError.notFound(`no plan-change request ${id}`);
    return toRequest(row);
  }

  /**
   * A customer asks for another plan. Refused (409) while one of theirs is open, for the plan and
   * cycle they are on, or when they pay through Stripe (their plan changes there); a plan that is not
   * on offer is as unknown as a missing one (404). The operator is told by an alert once it commits.
   */
  async requestChange(tenantId: string, input: NewPlanRequest, by: { userId: string | null; audit: InTransaction }): Promise<PlanRequest> {
    const plan = await this.deps.plans.get(input.plan_id).catch((err: unknown) => {
      if (isAppError(err) && err.status === 404) return null;
      throw err;
    });
    if (!plan?.is_public || plan.id === this.deps.operatorPlan) throw BillingErrors.planNotOnOffer(input.plan_id);
    let request: PlanRequest;
    try {
      request = await this.deps.db.transaction(async (trx) => {
        const sub = await this.deps.subscriptions.get(tenantId, trx);
        if (sub.provider === 'stripe' && sub.stripe_subscription_id && sub.status !== 'canceled') throw BillingErrors.requestManagedByStripe();
        if (sub.plan_id === plan.id && (input.billing_cycle ?? sub.billing_cycle) === sub.billing_cycle) throw BillingErrors.alreadyOnPlan(plan.id);
        await this.assertNoneOpen(tenantId, trx);
        const row: PlanRequest = {
          id: randomUUID(),
          tenant_id: tenantId,
          status: 'open',
          from_plan_id: sub.plan_id,
          plan_id: plan.id,
          billing_cycle: input.billing_cycle ?? null,
          message: input.message?.trim() || null,
          reason: null,
          requested_by: by.userId,
          resolved_by: null,
          created_at: this.deps.clock.now().toISOString(),
          resolved_at: null,
        };
        await trx('billing_plan_requests').insert(row);
        await this.deps.events.emit(
          trx,
          'billing.plan_change.requested',
          {
            tenant_id: tenantId,
            request_id: row.id,
            plan_id: row.plan_id,
            current_plan_id: row.from_plan_id,
            billing_cycle: row.billing_cycle,
            message: row.message,
          },
          { tenantId },
        );
        await by.audit(trx, row.id);
        return row;
      });
    } catch (err) {
      // Two requests sent at once: the partial unique index lets one be open.
      if (isUniqueViolation(err)) throw BillingErrors.requestOpen();
      throw err;
    }
    await this.tellOperator(request, plan.display_name);
    return request;
  }

  /**
   * The operator approves: the tenant moves to the plan (the manual provider, a fresh period), in
   * the transaction that closes the request. Approving it again answers the request as it is and
   * changes nothing (`changed: false`); a request declined or withdrawn cannot be approved (409).
   */
  async approve(tenantId: string, id: string, by: { userId: string | null; audit: InTransaction }): Promise<{ request: PlanRequest; changed: boolean }> {
    const result = await this.deps.db.transaction(async (trx) => {
      const request = await this.locked(tenantId, id, trx);
      if (request.status === 'approved') return { request, changed: false };
      this.assertOpen(request);
      const sub = await this.deps.subscriptions.get(tenantId, trx);
      const cycle = request.billing_cycle ?? sub.billing_cycle;
      if (sub.plan_id !== request.plan_id || sub.billing_cycle !== cycle)
        await this.deps.subscriptions.assign(tenantId, { plan_id: request.plan_id, billing_cycle: cycle }, trx);
      const resolved = await this.resolve(trx, request, { status: 'approved', reason: null, resolved_by: by.userId });
      await by.audit(trx, request.id);
      return { request: resolved, changed: true };
    });
    if (result.changed) {
      await this.deps.subscriptions.changed(tenantId);
      await this.clearAlert(tenantId);
    }
    return result;
  }

  /** The operator declines, saying why (the customer sees it). Declining it again changes nothing. */
  async decline(
    tenantId: string,
    id: string,
    reason: string,
    by: { userId: string | null; audit: InTransaction },
  ): Promise<{ request: PlanRequest; changed: boolean }> {
    const result = await this.deps.db.transaction(async (trx) => {
      const request = await this.locked(tenantId, id, trx);
      if (request.status === 'declined') return { request, changed: false };
      this.assertOpen(request);
      const resolved = await this.resolve(trx, request, { status: 'declined', reason: reason.trim(), resolved_by: by.userId });
      await by.audit(trx, request.id);
      return { request: resolved, changed: true };
    });
    if (result.changed) await this.clearAlert(tenantId);
    return result;
  }

  /** The customer takes back their open request. */
  async withdraw(tenantId: string, id: string, by: { userId: string | null; audit: InTransaction }): Promise<PlanRequest> {
    const request = await this.deps.db.transaction(async (trx) => {
      const open = await this.locked(tenantId, id, trx);
      if (open.status === 'withdrawn') return open;
      this.assertOpen(open);
      const resolved = await this.resolve(trx, open, { status: 'withdrawn', reason: null, resolved_by: by.userId });
      await by.audit(trx, open.id);
      return resolved;
    });
    await this.clearAlert(tenantId);
    return request;
  }

  /** Clears the alert of a tenant's request once nothing is open for it (after the commit). */
  async clearAlert(tenantId: string): Promise<void> {
    const alerts = this.deps.alerts();
    if (!alerts) return;
    try {
      await alerts.clear(requestAlertKey(tenantId));
    } catch (err) {
      this.deps.logger.error({ err, tenantId }, 'the alert of a resolved plan-change request could not be cleared');
    }
  }

  private async tellOperator(request: PlanRequest, planName: string): Promise<void> {
    const alerts = this.deps.alerts();
    if (!alerts) return;
    try {
      const [tenant, from] = await Promise.all([
        this.deps.tenantName(request.tenant_id),
        this.deps.plans.get(request.from_plan_id).then(
          (p) => p.display_name,
          () => request.from_plan_id,
        ),
      ]);
      await alerts.raise({
        key: requestAlertKey(request.tenant_id),
        severity: 'warning',
        summary: `Plan change requested: tenant "${tenant}" asks to move from ${from} to ${planName}`.slice(0, 500),
        details: {
          tenant: tenant,
          tenant_id: request.tenant_id,
          request_id: request.id,
          from_plan: request.from_plan_id,
          plan: request.plan_id,
          ...(request.billing_cycle ? { billing_cycle: request.billing_cycle } : {}),
          ...(request.message ? { message: request.message } : {}),
          resolve_at: tenantBillingHref(request.tenant_id),
        },
        message: { id: 'billing.alert.planRequest', values: { tenant, from, to: planName } },
      });
    } catch (err) {
      // The request stands (the operator still sees it on the tenant's page and the Overview).
      this.deps.logger.error({ err, tenantId: request.tenant_id }, 'the operator could not be alerted to a plan-change request');
    }
  }

  private async assertNoneOpen(tenantId: string, trx: Knex.Transaction): Promise<void> {
    if (await trx('billing_plan_requests').where({ tenant_id: tenantId, status: 'open' }).first('id')) throw BillingErrors.requestOpen();
  }

  private assertOpen(request: PlanRequest): void {
    if (request.status !== 'open') throw BillingErrors.requestResolved(request.status);
  }

  /** The request, its row locked until the commit on PostgreSQL (SQLite has one writer). */
  private async locked(tenantId: string, id: string, trx: Knex.Transaction): Promise<PlanRequest> {
    const q = trx('billing_plan_requests').where({ tenant_id: tenantId, id });
    const row = await (this.deps.db.client.config.client === 'pg' ? q.forUpdate() : q).first();
    if (!row) throw AppError.notFound(`no plan-change request ${id}`);
    return toRequest(row);
  }

  private async resolve(
    trx: Knex.Transaction,
    request: PlanRequest,
    outcome: { status: Exclude<RequestStatus, 'open'>; reason: string | null; resolved_by: string | null },
  ): Promise<PlanRequest> {
    const resolved: PlanRequest = { ...request, ...outcome, resolved_at: this.deps.clock.now().toISOString() };
    await trx('billing_plan_requests')
      .where({ id: request.id, status: 'open' })
      .update({ status: resolved.status, reason: resolved.reason, resolved_by: resolved.resolved_by, resolved_at: resolved.resolved_at });
    await this.deps.events.emit(
      trx,
      'billing.plan_change.resolved',
      {
        tenant_id: request.tenant_id,
        request_id: request.id,
        plan_id: request.plan_id,
        outcome: outcome.status,
        reason: resolved.reason,
      },
      { tenantId: request.tenant_id },
    );
    return resolved;
  }
}
