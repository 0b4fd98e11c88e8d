import { t } from 'plinth/plugin/ui';
import { DEFAULT_RETRY } from '../step-retry.js';
import { isPlainObject, parseJson, type Definition, type JsonSchema, type Step, type TriggerType, type Workflow } from './shared.js';

export interface StepDraft {
  /** Stable while the step moves around (the list's key). */
  key: number;
  id: string;
  action: string;
  input: Record<string, unknown>;
  retry: { attempts: string; backoff_base_ms: string; backoff_max_ms: string };
  /** Fields whose text is not a value yet (bad JSON, a word in a number), by property. */
  invalid: Record<string, string>;
}

export interface Draft {
  name: string;
  description: string;
  enabled: boolean;
  trigger: TriggerType;
  event: string;
  cron: string;
  signed: boolean;
  condition: string;
  steps: StepDraft[];
}

/** The URL and signing secret of a webhook trigger, from the reply that made them (shown once). */
export interface Reveal {
  url: string | null;
  secret: string | null;
}

/** The step runner's own defaults (shown as placeholders: an empty field keeps them). */
export const RETRY_DEFAULTS = DEFAULT_RETRY;
/** The trigger types in the order the editor offers them; each is labelled by `workflows.trigger.type.<type>`. */
export const TRIGGERS: TriggerType[] = ['event', 'cron', 'webhook', 'manual'];

let nextKey = 1;

export const stepDraft = (s: Partial<Step> = {}): StepDraft => ({
  key: nextKey++,
  id: s.id ?? '',
  action: s.action ?? '',
  input: isPlainObject(s.input) ? s.input : {},
  retry: {
    attempts: s.retry?.attempts !== undefined ? String(s.retry.attempts) : '',
    backoff_base_ms: s.retry?.backoff_base_ms !== undefined ? String(s.retry.backoff_base_ms) : '',
    backoff_max_ms: s.retry?.backoff_max_ms !== undefined ? String(s.retry.backoff_max_ms) : '',
  },
  invalid: {},
});

export function toDraft(base: { name: string; description: string; enabled: boolean } & Definition): Draft {
  return {
    name: base.name,
    description: base.description,
    enabled: base.enabled,
    trigger: base.trigger.type,
    event: base.trigger.event ?? '',
    cron: base.trigger.cron ?? '',
    signed: Boolean(base.trigger.signed),
    condition: base.condition ? JSON.stringify(base.condition, null, 2) : '',
    steps: base.steps.map(stepDraft),
  };
}

export const BLANK: Draft = { name: '', description: '', enabled: true, trigger: 'manual', event: '', cron: '', signed: false, condition: '', steps: [] };

/** A step id from the action's name, not yet used by another step: `http_request`, `http_request_2`. */
export function freshId(action: string, steps: StepDraft[], self?: StepDraft): string {
  const base =
    (
      action
        .replace(/[^a-z0-9]+/gi, '_')
        .replace(/^_+|_+$/g, '')
        .toLowerCase() || 'step'
    )
      .replace(/^[^a-z]+/, '')
      .slice(0, 30) || 'step';
  const taken = new Set(steps.filter((s) => s !== self).map((s) => s.id));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}_${n}`)) return `${base}_${n}`;
}

/** The definition a draft stands for, and what must be fixed before it can be sent. */
export function toDefinition(d: Draft): { definition: Definition; problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const trigger: Definition['trigger'] = { type: d.trigger };
  if (d.trigger === 'event') {
    trigger.event = d.event;
    if (!d.event) problems['trigger.event'] = t('workflows.editor.problem.event');
  }
  if (d.trigger === 'cron') {
    trigger.cron = d.cron.trim();
    if (!trigger.cron) problems['trigger.cron'] = t('workflows.editor.problem.cron');
  }
  if (d.trigger === 'webhook') trigger.signed = d.signed;
  let condition: JsonSchema | null = null;
  if (d.condition.trim()) {
    const parsed = parseJson(d.condition);
    if (parsed.error) problems.condition = parsed.error;
    else if (!isPlainObject(parsed.value)) problems.condition = t('workflows.editor.problem.conditionObject');
    else condition = parsed.value;
  }
  const steps = d.steps.map((s, i) => {
    for (const [field, error] of Object.entries(s.invalid)) problems[`steps.${i}.input${field ? `.${field}` : ''}`] = error;
    const retry: Record<string, number> = {};
    for (const k of ['attempts', 'backoff_base_ms', 'backoff_max_ms'] as const) {
      const text = s.retry[k].trim();
      if (!text) continue;
      if (!/^\d+$/.test(text)) problems[`steps.${i}.retry.${k}`] = t('workflows.editor.problem.wholeNumber');
      else retry[k] = Number(text);
    }
    return { id: s.id.trim(), action: s.action, input: s.input, ...(Object.keys(retry).length ? { retry } : {}) };
  });
  return { definition: { trigger, condition, steps }, problems };
}

/** The definition as saved, for "did the draft change it?" (the same shape toDefinition gives). */
export const savedDefinition = (w: Workflow) => toDefinition(toDraft(w)).definition;
export const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

// ---------------------------------------------------------------------------------------------
