// Billing's part of auth's admin tenant face (seed 000): the tenant's plan, contributed through the
// filters auth declares in its api.ts, so auth never names billing.
import { AppError, isAppError } from 'plinth/plugin';
import type { AuthFilter } from '../auth/api.js';
import type { TenantPlans } from './api.js';

/** An unknown plan is a bad value of the body's plan_id (422 naming it), not a missing resource. */
function unknownPlanAsField(err: unknown): never {
  if (isAppError(err) && err.code === 'plan_not_found') throw AppError.validation([{ path: 'body.plan_id', message: err.message }]);
  throw err;
}

/** `auth.tenant.view`: the tenant's plan beside its settings. */
export const tenantPlanView =
  (plans: TenantPlans): AuthFilter<'auth.tenant.view'> =>
  async (view) => ({ ...view, plan_id: await plans.planOf(view.id) });

/**
 * `auth.tenant.update`: a plan_id is checked before auth writes anything (422 for an unknown plan,
 * 409 for a tenant paying through Stripe) and assigned once auth's own changes are written.
 */
export const tenantPlanUpdate =
  (plans: TenantPlans): AuthFilter<'auth.tenant.update'> =>
  async (update) => {
    const { tenantId, fields } = update;
    const planId = fields.plan_id;
    if (planId === undefined) return update;
    await plans.checkAssign(tenantId, planId).catch(unknownPlanAsField);
    return { ...update, after: [...update.after, () => plans.assign(tenantId, planId)] };
  };
