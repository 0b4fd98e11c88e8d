import { control, type ActionCall } from 'plinth/plugin';
import type { JsonSchema } from 'plinth/plugin';
import type { PluginContext } from 'plinth/plugin';
import type { WorkflowsSettings } from '../config.js';
import { WorkflowsErrors } from '../services/errors.js';
import { workflowsServices } from '../services/own.js';

/**
 * `delay`: parks the run at this step (no request sleeps, nothing is held); the run resumes when
 * the time has come, and then this reports the wait.
 */
export const delayAction = {
  description: 'Wait before the next step (the run is parked and resumed when due; it survives restarts)',
  input: { type: 'object', additionalProperties: false, required: ['seconds'], properties: { seconds: { type: 'integer', minimum: 1, maximum: 30 * 86_400 } } },
  output: {
    type: 'object',
    required: ['waited_seconds', 'resumed_at'],
    properties: { waited_seconds: { type: 'integer' }, resumed_at: { type: 'string', format: 'date-time' } },
  },
  async run(input: { seconds: number }, call: ActionCall, c: PluginContext<WorkflowsSettings>) {
    const now = c.container.resolve('clock').now();
    if (!call.resumed) {
      const until = new Date(now.getTime() + input.seconds * 1000);
      return control.park(until, { until: until.toISOString() });
    }
    return { waited_seconds: input.seconds, resumed_at: now.toISOString() };
  },
};

/**
 * `stop_if`: a condition mid-way. When `value` matches the JSON Schema `condition`, the run ends
 * here as `stopped` (not failed) with the reason; otherwise it goes on.
 */
export const stopIfAction = {
  description: 'End the run here (as stopped, with a reason) when a value matches a JSON Schema',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['condition', 'value'],
    properties: {
      // x-plinth-editor: the workflow editor writes it with the condition's rule builder.
      condition: { type: 'object', description: 'JSON Schema matched against value', 'x-plinth-editor': 'condition' },
      value: { description: 'What to test, e.g. "{{steps.lookup.body}}" or "{{trigger}}"' },
      reason: { type: 'string', maxLength: 500, default: 'the stop condition matched' },
    },
  },
  output: { type: 'object', required: ['stop'], properties: { stop: { type: 'boolean' }, reason: { type: ['string', 'null'] } } },
  async run(input: { condition: JsonSchema; value: unknown; reason: string }, _call: ActionCall, c: PluginContext<WorkflowsSettings>) {
    const { conditions } = workflowsServices.of(c);
    let match;
    try {
      match = conditions.match(input.condition, input.value);
    } catch (err) {
      throw WorkflowsErrors.conditionInvalid((err as Error).message);
    }
    return match.matched ? control.stop(input.reason, { stop: true, reason: input.reason }) : { stop: false, reason: null };
  },
};
