export interface PlanSeed {
  id: string;
  display_name: string;
  description?: string;
  price_monthly: number;
  price_yearly: number;
  currency: string;
  is_public: boolean;
  sort_order?: number;
  limits: Record<string, number | null>;
  /** The features (declared by the plugins' manifests) its tenants get; null: every feature. */
  features?: string[] | null;
}

export interface BillingSettings {
  /** The plan every new tenant starts on, and falls back to after a cancellation. */
  defaultPlan: string;
  /**
   * The operator tenant's plan (the first superadmin's tenant) until the operator assigns another:
   * internal, never sold through checkout.
   */
  operatorPlan: string;
  /** Seeded at first start (existing plans are not overwritten). */
  plans: PlanSeed[];
  stripe: {
    secretKey: string | null;
    webhookSecret: string | null;
    /** For tests and proxies: where the Stripe API is (the SDK's host/port/protocol). */
    apiHost: string | null;
    apiPort: number | null;
    apiProtocol: 'https' | 'http';
    /** Paths on server.publicUrl Stripe sends the browser back to. */
    successPath: string;
    cancelPath: string;
    webhookToleranceSeconds: number;
  };
}

const limitsSchema = { type: 'object', additionalProperties: { type: ['integer', 'null'], minimum: 0 } };

export const planSeedSchema = {
  type: 'object',
  required: ['id', 'display_name', 'limits'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' },
    display_name: { type: 'string', minLength: 1, maxLength: 120 },
    description: { type: 'string', maxLength: 500, default: '' },
    price_monthly: { type: 'integer', minimum: 0, default: 0 },
    price_yearly: { type: 'integer', minimum: 0, default: 0 },
    currency: { type: 'string', pattern: '^[a-z]{3}$', default: 'usd' },
    is_public: { type: 'boolean', default: true },
    sort_order: { type: 'integer', default: 0 },
    limits: limitsSchema,
    features: { type: ['array', 'null'], items: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$' }, uniqueItems: true, maxItems: 100, default: null },
  },
};

/** The operator's own tenant: not public, not for sale, every limit unlimited, every feature. */
export const OPERATOR_PLAN: PlanSeed = {
  id: 'operator',
  display_name: 'Operator',
  description: "The operator's own tenant: every feature, no limits. Not offered to customers.",
  price_monthly: 0,
  price_yearly: 0,
  currency: 'usd',
  is_public: false,
  sort_order: 100,
  limits: {
    max_sessions: null,
    max_messages_per_month: null,
    max_groups: null,
    max_labels: null,
    ai_replies_per_month: null,
    max_api_keys: null,
    max_robots: null,
    max_mailboxes: null,
    emails_sent_per_month: null,
    max_licenses: null,
  },
  features: null,
};

/**
 * The seed's limit keys (and Plinth's own metrics) on three plans; null means unlimited. The
 * customer plans include every feature (features: null) so a fresh install works as before; the
 * operator narrows them on the plans page. `operator` is the operator tenant's internal plan.
 */
export const DEFAULT_PLANS: PlanSeed[] = [
  {
    id: 'free',
    display_name: 'Free',
    price_monthly: 0,
    price_yearly: 0,
    currency: 'usd',
    is_public: true,
    sort_order: 0,
    limits: {
      max_sessions: 1,
      max_messages_per_month: 500,
      max_groups: 2,
      max_labels: 10,
      ai_replies_per_month: 50,
      max_api_keys: 5,
      max_robots: 1,
      max_mailboxes: 5,
      emails_sent_per_month: 100,
      max_licenses: 10,
      agent_calls_per_month: 1000,
    },
  },
  {
    id: 'pro',
    display_name: 'Pro',
    price_monthly: 2990,
    price_yearly: 23990,
    currency: 'usd',
    is_public: true,
    sort_order: 1,
    limits: {
      max_sessions: 3,
      max_messages_per_month: 5000,
      max_groups: 10,
      max_labels: 50,
      ai_replies_per_month: 500,
      max_api_keys: 25,
      max_robots: 3,
      max_mailboxes: 50,
      emails_sent_per_month: 2000,
      max_licenses: 500,
      agent_calls_per_month: 20000,
    },
  },
  {
    id: 'business',
    display_name: 'Business',
    price_monthly: 9990,
    price_yearly: 95990,
    currency: 'usd',
    is_public: true,
    sort_order: 2,
    limits: {
      max_sessions: 10,
      max_messages_per_month: null,
      max_groups: 100,
      max_labels: 500,
      ai_replies_per_month: 5000,
      max_api_keys: 100,
      max_robots: 10,
      max_mailboxes: 500,
      emails_sent_per_month: 20000,
      max_licenses: null,
      agent_calls_per_month: null,
    },
  },
  OPERATOR_PLAN,
];

export const billingConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    defaultPlan: { type: 'string', default: 'free' },
    operatorPlan: { type: 'string', default: 'operator' },
    plans: { type: 'array', items: planSeedSchema, default: DEFAULT_PLANS },
    stripe: {
      type: 'object',
      additionalProperties: false,
      properties: {
        secretKey: { type: ['string', 'null'], pattern: '^(sk|rk)_', default: null },
        webhookSecret: { type: ['string', 'null'], pattern: '^whsec_', default: null },
        apiHost: { type: ['string', 'null'], default: null },
        apiPort: { type: ['integer', 'null'], minimum: 1, maximum: 65535, default: null },
        apiProtocol: { enum: ['https', 'http'], default: 'https' },
        successPath: { type: 'string', pattern: '^/', default: '/admin/billing/billing?checkout=success' },
        cancelPath: { type: 'string', pattern: '^/', default: '/admin/billing/billing?checkout=canceled' },
        webhookToleranceSeconds: { type: 'integer', minimum: 1, maximum: 3600, default: 300 },
      },
      default: {},
    },
  },
};

export const billingEnv = {
  PLINTH_STRIPE_SECRET_KEY: 'stripe.secretKey',
  PLINTH_STRIPE_WEBHOOK_SECRET: 'stripe.webhookSecret',
};
