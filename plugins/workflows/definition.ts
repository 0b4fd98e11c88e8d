import type { JsonSchema } from 'plinth/plugin';
import type { RetryDef } from './step-retry.js';

/**
 * What a workflow version is: a trigger, a condition on the trigger's payload, and ordered steps.
 * Stored as JSON per version (versions never change), exported and imported as is.
 */
export type TriggerType = 'event' | 'cron' | 'webhook' | 'manual';

export interface TriggerDef {
  type: TriggerType;
  /** type event: a name from the event catalogue. */
  event?: string;
  /** type cron: five fields, UTC. */
  cron?: string;
  /** type webhook: calls must carry a Standard Webhooks signature made with the workflow's secret. */
  signed?: boolean;
}

export interface StepDef {
  id: string;
  action: string;
  /** Every string leaf is a mustache template over { trigger, steps, workflow, run, secrets }. */
  input: Record<string, unknown>;
  retry?: Partial<RetryDef>;
}

export interface Definition {
  trigger: TriggerDef;
  condition: JsonSchema | null;
  steps: StepDef[];
}

export const STEP_ID = '^[a-z][a-z0-9_]{0,39}$';

export const triggerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { enum: ['event', 'cron', 'webhook', 'manual'] },
    event: { type: 'string', minLength: 1, maxLength: 120 },
    cron: { type: 'string', minLength: 9, maxLength: 120 },
    signed: { type: 'boolean' },
  },
};

export const stepSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'action', 'input'],
  properties: {
    id: { type: 'string', pattern: STEP_ID },
    action: { type: 'string', minLength: 1, maxLength: 120 },
    input: { type: 'object' },
    retry: {
      type: 'object',
      additionalProperties: false,
      properties: {
        attempts: { type: 'integer', minimum: 1, maximum: 10 },
        backoff_base_ms: { type: 'integer', minimum: 0, maximum: 3_600_000 },
        backoff_max_ms: { type: 'integer', minimum: 0, maximum: 86_400_000 },
      },
    },
  },
};

/** The parts of a definition, as body properties (shared by create, edit, import, templates, dry run). */
export const definitionProperties = {
  trigger: triggerSchema,
  condition: { type: ['object', 'null'] },
  steps: { type: 'array', minItems: 1, maxItems: 50, items: stepSchema },
};

export const definitionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['trigger', 'steps'],
  properties: definitionProperties,
};
