import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import { isUniqueViolation } from 'plinth/plugin';
import type { PlanSeed } from '../config.js';
import { BillingErrors } from './errors.js';

export type Limits = Record<string, number | null>;

export interface Plan {
  id: string;
  display_name: string;
  description: string;
  price_monthly: number;
  price_yearly: number;
  currency: string;
  is_public: boolean;
  sort_order: number;
  limits: Limits;
  /** Feature names its tenants get; null: every feature. */
  features: string[] | null;
  stripe_product_id: string | null;
  stripe_price_monthly: string | null;
  stripe_price_yearly: string | null;
  created_at: string;
  updated_at: string;
}

export type PlanPatch = Partial<
  Pick<Plan, 'display_name' | 'description' | 'price_monthly' | 'price_yearly' | 'currency' | 'is_public' | 'sort_order' | 'limits' | 'features'>
>;

const toPlan = (r: Record<string, any>): Plan => ({
  ...(r as Plan),
  price_monthly: Number(r.price_monthly),
  price_yearly: Number(r.price_yearly),
  is_public: Boolean(r.is_public),
  limits: JSON.parse(r.limits),
  features: r.features === null || r.features === undefined ? null : JSON.parse(r.features),
});

/** The columns of a plan as stored (JSON text for limits and features). */
const toRow = (p: Partial<PlanSeed>) => ({
  ...p,
  ...(p.limits !== undefined ? { limits: JSON.stringify(p.limits) } : {}),
  ...(p.features !== undefined ? { features: p.features === null ? null : JSON.stringify(p.features) } : {}),
});

export interface PlansDeps {
  db: Knex;
  clock: Clock;
  onChange: () => Promise<void>;
  /** The features the enabled plugins declare (read when a plan is written). */
  catalogue: () => ReadonlySet<string>;
}

export class Plans {
  constructor(private readonly deps: PlansDeps) {}

  /** A plan may only list declared features: a typo would silently grant nothing. */
  private checkFeatures(features: string[] | null | undefined): void {
    if (!features) return;
    const known = this.deps.catalogue();
    const unknown = features.filter((f) => !known.has(f));
    if (unknown.length) {
      throw AppError.validation(
        [
          {
            path: 'body.features',
            message:
              `names unknown feature${unknown.length > 1 ? 's' : ''} ${unknown.map((f) => `"${f}"`).join(', ')} (known: ` +
              `${[...known].join(', ') || 'none'})`,
          },
        ],
        400,
      );
    }
  }

  /** Inserts the configured plans that do not exist yet; never overwrites an edited plan. */
  async seed(plans: PlanSeed[]): Promise<void> {
    const now = this.deps.clock.now().toISOString();
    // Read first: a boot that finds every plan writes nothing (each insert would be a durable commit).
    const existing = new Set(
      (
        await this.deps
          .db('billing_plans')
          .whereIn(
            'id',
            plans.map((p) => p.id),
          )
          .pluck('id')
      ).map(String),
    );
    for (const p of plans.filter((plan) => !existing.has(plan.id))) {
      await this.deps
        .db('billing_plans')
        .insert({
          ...toRow({ ...p, features: p.features ?? null }),
          description: p.description ?? '',
          sort_order: p.sort_order ?? 0,
          created_at: now,
          updated_at: now,
        })
        .onConflict('id')
        .ignore();
    }
  }

  async list(options: { publicOnly?: boolean } = {}): Promise<Plan[]> {
    const q = this.deps.db('billing_plans').orderBy('sort_order').orderBy('id');
    if (options.publicOnly) q.where('is_public', true);
    return (await q).map(toPlan);
  }

  async get(id: string, trx: Knex | Knex.Transaction = this.deps.db): Promise<Plan> {
    const row = await trx('billing_plans').where('id', id).first();
    if (!row) throw BillingErrors.planNotFound(id);
    return toPlan(row);
  }

  async byStripePrice(priceId: string): Promise<Plan | null> {
    const row = await this.deps.db('billing_plans').where('stripe_price_monthly', priceId).orWhere('stripe_price_yearly', priceId).first();
    return row ? toPlan(row) : null;
  }

  async create(input: PlanSeed): Promise<Plan> {
    this.checkFeatures(input.features);
    const now = this.deps.clock.now().toISOString();
    try {
      await this.deps.db('billing_plans').insert({
        ...toRow({ ...input, features: input.features ?? null }),
        description: input.description ?? '',
        sort_order: input.sort_order ?? 0,
        created_at: now,
        updated_at: now,
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw BillingErrors.planExists(input.id);
      throw err;
    }
    return this.get(input.id);
  }

  async update(id: string, patch: PlanPatch): Promise<Plan> {
    await this.get(id);
    this.checkFeatures(patch.features);
    const row: Record<string, unknown> = { ...toRow(patch), updated_at: this.deps.clock.now().toISOString() };
    await this.deps.db('billing_plans').where('id', id).update(row);
    await this.deps.onChange();
    return this.get(id);
  }

  async setStripeIds(id: string, ids: { product: string; monthly: string | null; yearly: string | null }): Promise<Plan> {
    await this.deps.db('billing_plans').where('id', id).update({
      stripe_product_id: ids.product,
      stripe_price_monthly: ids.monthly,
      stripe_price_yearly: ids.yearly,
      updated_at: this.deps.clock.now().toISOString(),
    });
    return this.get(id);
  }

  /** Refused while any tenant is on the plan, and for the default and operator plans. */
  async remove(id: string, defaultPlan: string, operatorPlan?: string): Promise<void> {
    await this.get(id);
    if (id === defaultPlan) throw BillingErrors.defaultPlanUndeletable(id);
    if (id === operatorPlan) throw BillingErrors.operatorPlanUndeletable(id);
    const [{ n }] = await this.deps.db('billing_subscriptions').where('plan_id', id).count({ n: '*' });
    if (Number(n) > 0) throw BillingErrors.planHasTenants(id, Number(n));
    await this.deps.db('billing_plans').where('id', id).delete();
  }
}
