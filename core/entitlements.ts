// What a tenant's plan lets it do: features, each granting scopes (checked by guards). How much it may
// use — usage limits per metric — is the other half: core/usage.ts (the facade every plugin consumes
// through), enforced by billing's services/usage-meter.ts when billing is on.
import type { AppError } from './errors.js';
import type { Principal } from './http/auth.js';
import { CoreErrors } from './core-errors.js';

/**
 * A feature a plugin offers and a plan may include (the way Lago and Stripe entitlements work):
 * it grants a set of scopes (`resource:*` grants every scope of the resource) and, optionally,
 * metrics: a tenant whose plan lacks the feature cannot consume them, which also holds work that
 * no request carries (a workflow's mail.send, a robot's AI reply).
 */
export interface FeatureSpec {
  description: string;
  scopes: string[];
  metrics?: string[];
}

export interface FeatureInfo extends FeatureSpec {
  name: string;
  plugin: string;
}

/** What a tenant's plan grants: null features means every feature. */
export interface Grant {
  plan: string;
  features: readonly string[] | null;
}

/**
 * Which features a tenant has, always through the container (`entitlements`, an EntitlementsSlot):
 * everything until the billing plugin provides the tenants' plans.
 */
export interface Entitlements {
  grant(tenantId: string): Promise<Grant>;
}

/** Without billing: every tenant has every feature. */
export const allFeatures: Entitlements = {
  async grant() {
    return { plan: '', features: null };
  },
};

/** The container's `entitlements`: every feature until a plugin (billing) provides plans. */
export class EntitlementsSlot implements Entitlements {
  private source: Entitlements = allFeatures;

  provide(entitlements: Entitlements): void {
    this.source = entitlements;
  }

  grant(tenantId: string): Promise<Grant> {
    return this.source.grant(tenantId);
  }
}

const FEATURE_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const SCOPE_PATTERN = /^[a-z][a-z0-9-]*:([a-z][a-z0-9_-]*|\*)$/;

/** Adds a plugin's feature declarations to the catalogue; a feature name belongs to one plugin. */
export function declareFeatures(catalog: Map<string, FeatureInfo>, plugin: string, features: Record<string, FeatureSpec>): void {
  for (const [name, spec] of Object.entries(features)) {
    if (!FEATURE_NAME.test(name)) throw new Error(`plugin "${plugin}" declares feature "${name}": a feature name is lower case letters, digits and _`);
    const owner = catalog.get(name);
    if (owner) throw new Error(`plugin "${plugin}" declares feature "${name}", already declared by "${owner.plugin}"`);
    const bad = spec.scopes.find((s) => !SCOPE_PATTERN.test(s));
    if (bad !== undefined) throw new Error(`plugin "${plugin}" declares feature "${name}" with scope "${bad}": scopes are resource:action or resource:*`);
    catalog.set(name, { name, plugin, description: spec.description, scopes: [...spec.scopes], metrics: [...(spec.metrics ?? [])] });
  }
}

const grants = (feature: FeatureInfo, scope: string) => feature.scopes.includes(scope) || feature.scopes.includes(`${scope.split(':')[0]}:*`);

/**
 * The features that would grant `scope`; empty when no feature gates it (then every plan has it).
 * The result says which feature to name in a refusal: the first one declared.
 */
export function featuresFor(catalog: Map<string, FeatureInfo>, scope: string): string[] {
  const out: string[] = [];
  for (const feature of catalog.values()) if (grants(feature, scope)) out.push(feature.name);
  return out;
}

/** The first scope the grant does not cover, with the feature that would, or null when all are covered. */
export function missingFeature(catalog: Map<string, FeatureInfo>, grant: Grant, scopes: readonly string[]): { scope: string; feature: string } | null {
  if (grant.features === null) return null;
  for (const scope of scopes) {
    const gating = featuresFor(catalog, scope);
    if (gating.length && !gating.some((f) => grant.features!.includes(f))) return { scope, feature: gating[0] };
  }
  return null;
}

/** A principal's scopes without those its tenant's plan does not include ('*' stays: only superadmins and root hold it). */
export function cutScopes(catalog: Map<string, FeatureInfo>, grant: Grant, scopes: readonly string[] | '*'): readonly string[] | '*' {
  if (scopes === '*' || grant.features === null) return scopes;
  return scopes.filter((s) => missingFeature(catalog, grant, [s]) === null);
}

/** The feature a plan lacks for consuming `metric`, or null (no feature gates it, or the plan has one that does). */
export function missingFeatureForMetric(catalog: Map<string, FeatureInfo>, features: readonly string[] | null, metric: string): string | null {
  if (features === null) return null;
  const gating = [...catalog.values()].filter((f) => f.metrics?.includes(metric)).map((f) => f.name);
  return gating.length && !gating.some((f) => features.includes(f)) ? gating[0] : null;
}

export const featureRefusal = (plan: string, feature: string, scope: string): AppError => CoreErrors.featureNotInPlan(plan, feature, scope);

/** Superadmins (and the root token) act beyond any plan; everyone else is held to their tenant's. */
export const beyondPlans = (p: Principal): boolean => p.roles.includes('superadmin') || !p.tenantId;

/**
 * Refuses (403 feature_not_in_plan, naming the plan and the feature) when the principal's tenant
 * plan does not include a feature that one of `scopes` needs.
 */
export async function assertEntitled(
  entitlements: Entitlements,
  catalog: Map<string, FeatureInfo>,
  principal: Principal,
  scopes: readonly string[],
): Promise<void> {
  if (beyondPlans(principal) || !catalog.size) return;
  const grant = await entitlements.grant(principal.tenantId!);
  const missing = missingFeature(catalog, grant, scopes);
  if (missing) throw featureRefusal(grant.plan, missing.feature, missing.scope);
}
