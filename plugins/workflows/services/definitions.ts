import { CronExpressionParser } from 'cron-parser';
import type { Actions } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import type { FieldError } from 'plinth/plugin';
import type { EventSpec } from 'plinth/plugin';
import type { Definition } from '../definition.js';
import type { Conditions } from './conditions.js';
import type { TemplateRenderer } from './render.js';

/** Largest stored definition (JSON text), so one workflow cannot bloat every run that loads it. */
const MAX_DEFINITION_CHARS = 64 * 1024;

/** Cron expressions of workflows: five fields (minute granularity, the cron job runs each minute), UTC. */
export function parseCron(expression: string) {
  if (expression.trim().split(/\s+/).length !== 5) throw new Error('must have five fields (minute hour day month weekday)');
  return CronExpressionParser.parse(expression, { tz: 'UTC' });
}

/** The first cron time strictly after `after`. */
export function nextCronTime(expression: string, after: Date): Date {
  return CronExpressionParser.parse(expression, { tz: 'UTC', currentDate: after }).next().toDate();
}

/** The latest cron time at or before `at`. */
export function previousCronTime(expression: string, at: Date): Date {
  return CronExpressionParser.parse(expression, { tz: 'UTC', currentDate: new Date(at.getTime() + 1) })
    .prev()
    .toDate();
}

/** Names of secrets a definition's templates use (`{{secrets.name}}`). */
export function secretsUsed(definition: Definition): string[] {
  const names = new Set<string>();
  for (const m of JSON.stringify(definition.steps).matchAll(/\{\{\{?\s*[#^&]?\s*secrets\.([a-z][a-z0-9_]*)/g)) names.add(m[1]);
  return [...names].sort();
}

export interface DefinitionCheckDeps {
  actions: Actions;
  eventCatalog: Map<string, EventSpec & { plugin: string }>;
  conditions: Conditions;
  renderer: TemplateRenderer;
}

/**
 * What the body schema cannot say about a definition: the event is in the catalogue, the cron
 * expression parses, the condition is a JSON Schema ajv compiles, step ids are unique, actions
 * exist, templates parse. Problems are named by path (`body.steps.1.action`) for a 422.
 */
export class DefinitionCheck {
  constructor(private readonly deps: DefinitionCheckDeps) {}

  problems(def: Definition, prefix = 'body'): FieldError[] {
    const out: FieldError[] = [];
    const at = (path: string, message: string) => out.push({ path: `${prefix}.${path}`, message });
    const { trigger } = def;
    if (trigger.type === 'event') {
      if (!trigger.event) at('trigger.event', 'is required for an event trigger');
      else if (!this.deps.eventCatalog.has(trigger.event))
        at('trigger.event', `is not an event in the catalogue (GET /workflows/events): ${JSON.stringify(trigger.event)}`);
    } else if (trigger.event !== undefined) at('trigger.event', 'is only for event triggers');
    if (trigger.type === 'cron') {
      if (!trigger.cron) at('trigger.cron', 'is required for a cron trigger');
      else {
        try {
          parseCron(trigger.cron);
        } catch (err) {
          at('trigger.cron', `is not a cron expression: ${(err as Error).message}`);
        }
      }
    } else if (trigger.cron !== undefined) at('trigger.cron', 'is only for cron triggers');
    if (trigger.type !== 'webhook' && trigger.signed !== undefined) at('trigger.signed', 'is only for webhook triggers');
    out.push(...this.deps.conditions.problems(def.condition, `${prefix}.condition`));
    const seen = new Set<string>();
    def.steps.forEach((step, i) => {
      if (seen.has(step.id)) at(`steps.${i}.id`, `repeats the step id ${JSON.stringify(step.id)}`);
      seen.add(step.id);
      if (!this.deps.actions.get(step.action))
        at(`steps.${i}.action`, `is not an action in the catalogue (GET /workflows/actions): ${JSON.stringify(step.action)}`);
      out.push(...this.deps.renderer.problems(step.input, `${prefix}.steps.${i}.input`));
      const retry = step.retry;
      if (retry?.backoff_base_ms !== undefined && retry.backoff_max_ms !== undefined && retry.backoff_base_ms > retry.backoff_max_ms) {
        at(`steps.${i}.retry.backoff_max_ms`, 'must not be less than backoff_base_ms');
      }
    });
    if (JSON.stringify(def).length > MAX_DEFINITION_CHARS) at('steps', `make the definition smaller: at most ${MAX_DEFINITION_CHARS} characters of JSON`);
    return out;
  }

  assert(def: Definition, prefix = 'body'): void {
    const problems = this.problems(def, prefix);
    if (problems.length) throw AppError.validation(problems, 422);
  }
}
