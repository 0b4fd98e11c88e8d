export interface RobotsSettings {
  tokenTtlHours: number;
  refreshTokenTtlDays: number;
  commandTtlMinutes: number;
  requestsPerMinute: number;
  maxFileBytes: number;
  wsMaxFrameBytes: number;
  wsAllowedOrigins: string[];
  /** WebSockets one robot may hold on one instance; a newer one closes the oldest (close code 4008). */
  wsMaxSocketsPerRobot: number;
  /** Let callbacks target loopback/private addresses (tests, private installs). Off: SSRF guard. */
  allowPrivateCallbacks: boolean;
  /** System log rows, callback deliveries and finished commands older than this are deleted daily. */
  logRetentionDays: number;
  /** Reported messages (and their files) older than this are deleted daily. */
  messageRetentionDays: number;
  /**
   * WorkBot's home tenant (a tenant id, or a name exactly one tenant has): phone users join it as
   * members, and its owners and admins (with superadmins) use /api/admin/*. null: the operator
   * (platform) tenant.
   */
  homeTenant: string | null;
  /**
   * The price of an activation code by its validity period in days (`{ "30": 50 }`), in currency
   * units: a batch generated without a `price` gets its period's; a period not listed, none.
   */
  codePrices: Record<string, number>;
}

export const robotsConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    tokenTtlHours: { type: 'integer', minimum: 1, maximum: 8760, default: 720 },
    refreshTokenTtlDays: { type: 'integer', minimum: 1, maximum: 3650, default: 180 },
    commandTtlMinutes: { type: 'integer', minimum: 1, maximum: 10080, default: 1440 },
    requestsPerMinute: { type: 'integer', minimum: 1, default: 60 },
    maxFileBytes: { type: 'integer', minimum: 1024, default: 5 * 1024 * 1024 },
    wsMaxFrameBytes: { type: 'integer', minimum: 1024, default: 64 * 1024 },
    wsAllowedOrigins: { type: 'array', items: { type: 'string' }, default: [] },
    wsMaxSocketsPerRobot: { type: 'integer', minimum: 1, maximum: 100, default: 3 },
    allowPrivateCallbacks: { type: 'boolean', default: false },
    logRetentionDays: { type: 'integer', minimum: 1, maximum: 3650, default: 90 },
    messageRetentionDays: { type: 'integer', minimum: 1, maximum: 3650, default: 365 },
    homeTenant: { type: ['string', 'null'], minLength: 1, maxLength: 200, default: null, description: 'tenant id or name; null: the operator tenant' },
    codePrices: {
      type: 'object',
      propertyNames: { pattern: '^[1-9]\\d{0,3}$' },
      additionalProperties: { type: 'number', minimum: 0, maximum: 1_000_000_000 },
      // The seed's example (6.1): a 30-day code at 50.00.
      default: { '30': 50 },
      description: "activation code price (currency units) by validity period in days; a batch without a price gets its period's",
    },
  },
};
