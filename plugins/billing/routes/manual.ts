// Billing without Stripe (beside the seed): the operator records payments and resolves plan-change
// requests on a tenant; a customer reads their payments and asks for another plan. A customer's
// routes name their own tenant only: an id of another tenant's row is a 404, as one that never was.
import type { Knex } from 'knex';
import type { HttpContext } from 'plinth/plugin';
import { requireRole, requireScope } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import type { AuditSink, TenantDirectory } from '../../auth/api.js';
import type { BillingServices } from '../services/index.js';
import { tenantOf } from './billing.js';
import {
  declineBody,
  newPaymentBody,
  newPlanRequestBody,
  paymentListReply,
  paymentParams,
  paymentReply,
  planRequestListReply,
  planRequestReply,
  recordedPaymentReply,
  requestParams,
  tenantParams,
  tenantRequestParams,
} from './schemas.js';
import type { BillingErrorCode } from '../api.js';

export interface ManualRouteDeps {
  audit: () => AuditSink;
  tenants: () => Pick<TenantDirectory, 'get'>;
}

const paymentList = { 200: { description: 'The payments, newest first, and the last day they cover', schema: paymentListReply } };
const requestList = { 200: { description: 'The plan-change requests, newest first (at most one open)', schema: planRequestListReply } };
const oneRequest = (description: string) => ({ 200: { description, schema: planRequestReply } });

export function manualRoutes(r: PluginRouter<BillingErrorCode>, s: BillingServices, deps: ManualRouteDeps): void {
  const superadmin = [requireRole('superadmin')];
  const read = [requireScope('billing:read')];
  const manage = [requireRole('admin'), requireScope('billing:manage')];
  const tenant = async (id: string) => {
    await deps.tenants().get(id); // 404 for an unknown tenant
    return id;
  };
  /** An audit row written in the change's transaction, by whoever is signed in. */
  const auditOf =
    (ctx: HttpContext, tenantId: string, action: string, type: string, details: Record<string, unknown> = {}) =>
    async (trx: Knex.Transaction, id: string) => {
      await deps.audit().record(
        {
          action,
          actor: (await ctx.authenticate())!,
          tenantId,
          target: { type, id },
          meta: { ip: ctx.ip, userAgent: ctx.get('User-Agent') },
          details,
        },
        trx,
      );
    };
  const by = async (ctx: HttpContext, audit: ReturnType<typeof auditOf>) => ({ userId: (await ctx.authenticate())?.id ?? null, audit });
  const payments = async (tenantId: string) => ({ paid_through: await s.manual.paidThrough(tenantId), items: await s.manual.payments(tenantId) });

  // --- The operator ------------------------------------------------------------------------------

  r.get(
    '/admin/tenants/:id/payments',
    { errors: { 404: ['not_found'] }, summary: "A tenant's recorded payments", guards: superadmin, schema: { params: tenantParams, responses: paymentList } },
    async (_ctx, { params }) => payments(await tenant(params.id)),
  );
  r.post(
    '/admin/tenants/:id/payments',
    {
      errors: { 404: ['not_found'] },
      summary: 'Record a payment made outside Stripe',
      description:
        'A bank transfer, cash, a cheque…: the amount in integer minor units of an ISO 4217 currency and the days it covers. ' +
        "The tenant's paid-through date moves to period_end when that is later. Emits billing.payment.recorded.",
      guards: superadmin,
      schema: {
        params: tenantParams,
        body: newPaymentBody,
        responses: { 201: { description: "The payment and the tenant's paid-through date", schema: recordedPaymentReply } },
      },
    },
    async (ctx, { params, body }) => {
      const id = await tenant(params.id);
      const details = {
        amount: body.amount,
        currency: body.currency.toLowerCase(),
        method: body.method,
        period_start: body.period_start,
        period_end: body.period_end,
      };
      const recorded = await s.manual.recordPayment(id, body, await by(ctx, auditOf(ctx, id, 'admin.tenant.payment_recorded', 'payment', details)));
      ctx.status = 201;
      return recorded;
    },
  );
  r.get(
    '/admin/tenants/:id/plan-change-requests',
    {
      errors: { 404: ['not_found'] },
      summary: "A tenant's plan-change requests",
      guards: superadmin,
      schema: { params: tenantParams, responses: requestList },
    },
    async (_ctx, { params }) => ({ items: await s.manual.requests(await tenant(params.id)) }),
  );
  r.post(
    '/admin/tenants/:id/plan-change-requests/:requestId/approve',
    {
      errors: { 404: ['not_found'], 409: ['request_resolved'] },
      summary: 'Approve a plan-change request: the tenant moves to the plan',
      description: 'The manual provider, starting a fresh period. Approving an approved request again changes nothing; a declined or withdrawn one is a 409.',
      guards: superadmin,
      schema: { params: tenantRequestParams, responses: oneRequest('The request, approved') },
    },
    async (ctx, { params }) => {
      const id = await tenant(params.id);
      const { request } = await s.manual.approve(
        id,
        params.requestId,
        await by(ctx, auditOf(ctx, id, 'admin.tenant.plan_change_approved', 'plan_change_request')),
      );
      return request;
    },
  );
  r.post(
    '/admin/tenants/:id/plan-change-requests/:requestId/decline',
    {
      errors: { 409: ['request_resolved'] },
      summary: 'Decline a plan-change request, saying why',
      description: 'The reason is shown to the customer. Declining a declined request again changes nothing; an approved or withdrawn one is a 409.',
      guards: superadmin,
      schema: { params: tenantRequestParams, body: declineBody, responses: oneRequest('The request, declined') },
    },
    async (ctx, { params, body }) => {
      const id = await tenant(params.id);
      const audit = auditOf(ctx, id, 'admin.tenant.plan_change_declined', 'plan_change_request', { reason: body.reason });
      return (await s.manual.decline(id, params.requestId, body.reason, await by(ctx, audit))).request;
    },
  );

  // --- The customer ------------------------------------------------------------------------------

  r.get('/billing/payments', { summary: 'Payments the operator recorded for your tenant', guards: read, schema: { responses: paymentList } }, async (ctx) =>
    payments(await tenantOf(ctx)),
  );
  r.get(
    '/billing/payments/:paymentId',
    {
      errors: { 404: ['not_found'] },
      summary: 'One of your payments',
      guards: read,
      schema: { params: paymentParams, responses: { 200: { description: 'The payment', schema: paymentReply } } },
    },
    async (ctx, { params }) => s.manual.payment(await tenantOf(ctx), params.paymentId),
  );
  r.get('/billing/plan-change-requests', { summary: 'Your plan-change requests', guards: read, schema: { responses: requestList } }, async (ctx) => ({
    items: await s.manual.requests(await tenantOf(ctx)),
  }));
  r.post(
    '/billing/plan-change-requests',
    {
      errors: { 404: ['plan_not_found'], 409: ['already_on_plan', 'request_open'] },
      summary: 'Ask the operator for another plan',
      description:
        'For a tenant whose plan the operator assigns (not one paying through Stripe). One open request at a time (409 request_open); ' +
        'the operator is alerted (the Overview, the System page and a mail) and approves or declines it. Emits billing.plan_change.requested.',
      guards: manage,
      schema: { body: newPlanRequestBody, responses: { 201: { description: 'The request, open', schema: planRequestReply } } },
    },
    async (ctx, { body }) => {
      const id = await tenantOf(ctx);
      const audit = auditOf(ctx, id, 'billing.plan_change.requested', 'plan_change_request', { plan_id: body.plan_id });
      const request = await s.manual.requestChange(id, body, await by(ctx, audit));
      ctx.status = 201;
      return request;
    },
  );
  r.get(
    '/billing/plan-change-requests/:requestId',
    {
      errors: { 404: ['not_found'] },
      summary: 'One of your plan-change requests',
      guards: read,
      schema: { params: requestParams, responses: oneRequest('The request') },
    },
    async (ctx, { params }) => s.manual.request(await tenantOf(ctx), params.requestId),
  );
  r.post(
    '/billing/plan-change-requests/:requestId/withdraw',
    {
      errors: { 404: ['not_found'] },
      summary: 'Withdraw your open plan-change request',
      guards: manage,
      schema: { params: requestParams, responses: oneRequest('The request, withdrawn') },
    },
    async (ctx, { params }) => {
      const id = await tenantOf(ctx);
      return s.manual.withdraw(id, params.requestId, await by(ctx, auditOf(ctx, id, 'billing.plan_change.withdrawn', 'plan_change_request')));
    },
  );
}
