import { defaultTemplates, templateSchema, type WorkflowTemplate } from './templates.js';

export interface WorkflowsSettings {
  /** A run caused by a chain of this many workflow runs (each triggering the next) is blocked. */
  maxDepth: number;
  /** Circuit breaker: more runs than this per workflow in the last minute are blocked (loops that leave the process, e.g. through SMTP). */
  maxRunsPerMinute: number;
  /** How long a runner holds a run it works on; renewed while it works, taken over by another instance after a crash. */
  leaseSeconds: number;
  /** How often a runner looks for due runs (new runs on this instance start at once). */
  pollIntervalMs: number;
  batchSize: number;
  /** Runs one instance works on at a time. */
  concurrency: number;
  /** Finished runs older than this are deleted daily. */
  runRetentionDays: number;
  http: {
    /** Let http.request reach loopback/private/link-local targets (tests, private installs). Off: SSRF guard. */
    allowPrivate: boolean;
    defaultTimeoutMs: number;
    maxTimeoutMs: number;
    /** Larger response bodies are cut (the step's output keeps the first bytes). */
    maxResponseBytes: number;
  };
  webhook: {
    /** Inbound webhook calls per client IP per minute. */
    perIpPerMinute: number;
    /** Signed webhooks: how far webhook-timestamp may be from now. */
    toleranceSeconds: number;
  };
  /** Ready-made workflows a tenant can instantiate (GET /workflows/templates). */
  templates: WorkflowTemplate[];
}

export const workflowsConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    maxDepth: { type: 'integer', minimum: 1, maximum: 50, default: 5 },
    maxRunsPerMinute: { type: 'integer', minimum: 1, default: 120 },
    leaseSeconds: { type: 'integer', minimum: 1, maximum: 3600, default: 60 },
    pollIntervalMs: { type: 'integer', minimum: 10, default: 1000 },
    batchSize: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    concurrency: { type: 'integer', minimum: 1, maximum: 100, default: 8 },
    runRetentionDays: { type: 'integer', minimum: 1, maximum: 3650, default: 30 },
    http: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        allowPrivate: { type: 'boolean', default: false },
        defaultTimeoutMs: { type: 'integer', minimum: 100, default: 10_000 },
        maxTimeoutMs: { type: 'integer', minimum: 100, default: 30_000 },
        maxResponseBytes: { type: 'integer', minimum: 1024, default: 256 * 1024 },
      },
    },
    webhook: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        perIpPerMinute: { type: 'integer', minimum: 1, default: 120 },
        toleranceSeconds: { type: 'integer', minimum: 1, default: 300 },
      },
    },
    templates: { type: 'array', items: templateSchema, default: defaultTemplates },
  },
};
