/**
 * The workflows plugin's route schemas (on the MoltFlow face, plain JSON): the request bodies,
 * queries and params its routes accept and the replies they answer, for /openapi.json and
 * checkReplies. A definition's parts (trigger, condition, steps) come from definition.ts, which
 * the services, the templates and the editor share.
 */
import { paginationQuery } from 'plinth/plugin';
import { anyObject, arrayOf, body, bool, int, isoTime, nullable, pageOf, reply, str } from 'plinth/plugin';
import { definitionProperties } from '../definition.js';
import { RUN_STATUSES } from '../services/runs.js';

/** The export format's marker and version: an import refuses documents it does not know. */
export const EXPORT_FORMAT = 1;

// Requests

export const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;
export const runParams = { type: 'object', required: ['runId'], properties: { runId: { type: 'integer', minimum: 1, maximum: 2_147_483_647 } } } as const;
export const versionParams = { type: 'object', required: ['id', 'version'], properties: { ...idParams.properties, version: { type: 'integer', minimum: 1 } } };
export const templateParams = { type: 'object', required: ['templateId'], properties: { templateId: { type: 'string', pattern: '^[a-z0-9-]{1,60}$' } } };

const nameField = { type: 'string', minLength: 1, maxLength: 200 };
const descriptionField = { type: 'string', maxLength: 2000 };
const payloadField = { type: 'object', default: {} };
const secretsField = {
  type: 'object',
  maxProperties: 20,
  propertyNames: { pattern: '^[a-z][a-z0-9_]{0,39}$' },
  additionalProperties: { type: 'string', minLength: 1, maxLength: 4096 },
};

const TRIGGER_TYPES = ['event', 'cron', 'webhook', 'manual'];

export const workflowListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...paginationQuery,
    enabled: bool,
    trigger_type: { enum: TRIGGER_TYPES },
    event: { type: 'string', maxLength: 120 },
    search: { type: 'string', maxLength: 200 },
  },
};

/** A workflow as created: its name and the definition (trigger, condition, steps). */
export const workflowBody = body({ name: nameField, description: descriptionField, enabled: bool, ...definitionProperties, secrets: secretsField }, [
  'name',
  'trigger',
  'steps',
]);
export const workflowPatchBody = body({ name: nameField, description: descriptionField, ...definitionProperties }, [], { minProperties: 1 });
export const secretsBody = body({ secrets: { ...secretsField, additionalProperties: { type: ['string', 'null'], minLength: 1, maxLength: 4096 } } }, [
  'secrets',
]);

/** An exported document (GET /workflows/{id}/export) to create a workflow from. */
export const importBody = body(
  {
    plinth_workflow: { const: EXPORT_FORMAT },
    name: nameField,
    description: descriptionField,
    enabled: { type: 'boolean', default: false },
    ...definitionProperties,
    secrets: { type: 'array', maxItems: 20, items: str },
  },
  ['plinth_workflow', 'name', 'trigger', 'steps'],
);
export const exportQuery = { type: 'object', additionalProperties: false, properties: { version: { type: 'integer', minimum: 1 } } };

export const instantiateBody = body({ name: nameField, enabled: bool, params: anyObject });

export const runListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...paginationQuery,
    workflow_id: { type: 'string', format: 'uuid' },
    status: { enum: RUN_STATUSES },
    trigger_type: { enum: [...TRIGGER_TYPES, 'rerun'] },
    since: { type: 'string', format: 'date-time' },
    until: { type: 'string', format: 'date-time' },
  },
};
export const dailyQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    days: { type: 'integer', minimum: 1, maximum: 366, default: 30 },
    tz: { type: 'string', maxLength: 64, description: "The days' time zone (IANA, e.g. Asia/Shanghai; the browser's), UTC by default" },
  },
};
export const runBody = body({ payload: payloadField });

const sample = {
  payload: payloadField,
  sample_outputs: { type: 'object', description: 'Outputs to assume for earlier steps, by step id (nothing runs to produce them)' },
};
export const draftDryRunBody = body({ ...definitionProperties, ...sample }, ['trigger', 'steps']);
export const dryRunBody = body({ ...sample, version: { type: 'integer', minimum: 1 } });

/** The inbound webhook's body: the run's trigger payload, any JSON object (signed bodies are checked as sent). */
export const hookBody = { contentType: 'application/json', schema: { type: 'object', description: 'Any JSON object: the run’s trigger payload' } };
/** Standard Webhooks headers: a signed workflow needs all three; `webhook-id` alone makes redeliveries start one run. */
export const hookHeaders = {
  type: 'object',
  properties: {
    'webhook-id': { type: 'string', description: 'The message id: a repeated id starts no second run' },
    'webhook-timestamp': { type: 'string', pattern: '^[0-9]+$', description: 'Seconds since the epoch (signed workflows: within the tolerance)' },
    'webhook-signature': {
      type: 'string',
      description: 'Signed workflows: `v1,<base64 HMAC-SHA256>` with the workflow’s signing secret (several space-separated)',
    },
  },
};

// Replies

const fieldErrors = arrayOf(reply({ path: str, message: str }));

const trigger = reply({ type: { enum: TRIGGER_TYPES }, event: str, cron: str, signed: bool }, ['event', 'cron', 'signed']);
const step = reply(
  {
    id: str,
    action: str,
    /** Every string leaf is a template over { trigger, steps, workflow, run, secrets }. */
    input: anyObject,
    retry: reply({ attempts: int, backoff_base_ms: int, backoff_max_ms: int }, ['attempts', 'backoff_base_ms', 'backoff_max_ms']),
  },
  ['retry'],
);
/** A definition as stored: its condition is a JSON Schema on the trigger payload, or null (always). */
const definitionFields = { trigger, condition: nullable(anyObject), steps: arrayOf(step) };

const workflowFields = {
  id: str,
  name: str,
  description: str,
  enabled: bool,
  /** The current version. */
  version: int,
  ...definitionFields,
  /** A webhook trigger's: whether calls must be signed; its URL and secret only in the reply that made them (null: unchanged). */
  webhook: nullable(reply({ signed: bool, url: nullable(str), secret: nullable(str) }, ['url', 'secret'])),
  /** The names of the workflow's secrets (values are never shown). */
  secrets: arrayOf(str),
  /** Secrets the steps use that are not set. */
  missing_secrets: arrayOf(str),
  next_run_at: nullable(isoTime),
  created_by: nullable(str),
  created_at: isoTime,
  updated_at: isoTime,
};
export const workflowReply = reply(workflowFields);
export const workflowPageReply = pageOf(workflowReply);
/** A workflow made from a template, with the param values Plinth generated (shown this once). */
export const instantiatedReply = reply({ ...workflowFields, generated_params: { type: 'object', additionalProperties: str } });

export const versionReply = reply({ version: int, ...definitionFields, created_by: nullable(str), created_at: isoTime });
export const versionListReply = arrayOf(versionReply);
export const exportReply = reply({
  plinth_workflow: { const: EXPORT_FORMAT },
  name: str,
  description: str,
  ...definitionFields,
  /** The secrets the steps use, by name: set them after an import. */
  secrets: arrayOf(str),
});

/** GET /workflows/refs/{kind}: a ref kind's name (what x-plinth-ref says). */
export const refParams = { type: 'object', required: ['kind'], properties: { kind: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,39}$' } } };
export const refListReply = reply({
  kind: str,
  plugin: str,
  plural: str,
  items: arrayOf(reply({ id: str, name: str, detail: str }, ['detail'])),
});
export const actionListReply = arrayOf(reply({ name: str, plugin: str, description: str, input: anyObject, output: anyObject }));
export const eventListReply = arrayOf(reply({ name: str, plugin: str, version: int, description: nullable(str), schema: anyObject }));
export const templateListReply = arrayOf(
  reply(
    {
      id: str,
      name: str,
      description: str,
      params: arrayOf(reply({ name: str, description: str, required: bool, generate: { enum: ['webhook_secret'] }, schema: anyObject }, ['generate'])),
      ...definitionFields,
    },
    ['condition'],
  ),
);

const runFields = {
  id: int,
  workflow_id: str,
  version: int,
  trigger: reply({ type: { enum: [...TRIGGER_TYPES, 'rerun'] }, key: nullable(str) }),
  status: { enum: RUN_STATUSES },
  /** Why it failed, stopped or was blocked. */
  reason: nullable(str),
  /** The same as a stable code (loop, depth, rate, gone, invalid_input, failed, failed_permanent, stopped), null for runs from before codes. */
  reason_code: nullable(str),
  /** The code's values (step, action, attempts, error, …), as the reason's sentence names them. */
  reason_args: nullable(anyObject),
  current_step: int,
  /** The workflow ids that led here, this one last. */
  chain: arrayOf(str),
  depth: int,
  rerun_of: nullable(int),
  /** A pending or running run's next attempt. */
  next_at: nullable(isoTime),
  created_at: isoTime,
  started_at: nullable(isoTime),
  finished_at: nullable(isoTime),
};
export const runPageReply = pageOf(reply(runFields));
export const runReply = reply({
  ...runFields,
  trigger_payload: anyObject,
  steps: arrayOf(
    reply({
      index: int,
      id: str,
      action: str,
      status: { enum: ['running', 'waiting', 'retrying', 'succeeded', 'failed', 'stopped'] },
      /** As rendered for this run. */
      input: nullable(anyObject),
      /** The action's output (its output schema). */
      output: nullable(anyObject),
      error: nullable(str),
      attempts: int,
      history: arrayOf(reply({ attempt: int, started_at: isoTime, finished_at: isoTime, error: str }, ['finished_at', 'error'])),
      started_at: nullable(isoTime),
      finished_at: nullable(isoTime),
      duration_ms: nullable(int),
    }),
  ),
});
export const dailyReply = reply({
  days: arrayOf(reply({ date: { type: 'string', format: 'date' }, runs: reply(Object.fromEntries(RUN_STATUSES.map((s) => [s, int]))) })),
});

/** A run started: pending, or blocked by a guard (a loop, a chain too deep, too many runs a minute) with the reason. */
export const startedReply = reply({ run_id: int, status: { enum: ['pending', 'blocked'] }, reason: str }, ['reason']);
/** A webhook call that started nothing: a repeated webhook-id (the run it started), or a payload the condition refused. */
export const notStartedReply = reply({ run_id: nullable(int), status: { enum: ['duplicate', 'not_matched'] }, errors: fieldErrors }, ['errors']);

export const dryRunReply = reply({
  /** Whether the condition matches the payload, and where it does not. */
  condition: reply({ matched: bool, errors: fieldErrors }),
  /** A draft's problems beyond its schema (unknown event or action, bad cron…). */
  definition_problems: fieldErrors,
  would_run: bool,
  steps: arrayOf(reply({ index: int, id: str, action: str, input: anyObject, problems: fieldErrors, note: str }, ['note'])),
});
