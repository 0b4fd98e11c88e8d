// The workflow editor (owners and admins): name; the trigger (an event from the catalogue with its
// plugin and payload schema, a cron expression, a webhook whose URL and secret are shown once, or
// manual); the condition as a JSON Schema; the ordered steps, each an action from the catalogue
// with a form generated from its input schema and its retry settings. Saving a changed trigger,
// condition or steps makes a new version. A dry run shows what a sample payload would do.
// ?id=<uuid> edits a saved workflow; without it the page makes a new one.
import { useMemo, useState } from 'preact/hooks';
import { api, CopyText, ErrorBanner, Page, Table, Time, useApi, useQueryParam } from '../../../core/ui/kit/index.js';
import { DEFAULT_RETRY } from '../step-retry.js';
import { ConditionBuilder } from './condition-builder.js';
import { sampleText } from './sample.js';
import { SchemaForm } from './schema-form.js';
import {
  Badge,
  BASE,
  codeStyle,
  ConfirmDialog,
  editHref,
  errorsUnder,
  fieldErrors,
  FieldMessages,
  fieldStyle,
  go,
  isPlainObject,
  JsonBlock,
  PAGES,
  parseJson,
  plural,
  RunNowDialog,
  runsOfHref,
  triggerText,
  useAction,
  type ActionInfo,
  type Definition,
  type EventInfo,
  type JsonSchema,
  type Step,
  type TriggerType,
  type Workflow,
} from './shared.js';

interface StepDraft {
  /** Stable while the step moves around (the list's key). */
  key: number;
  id: string;
  action: string;
  input: Record<string, unknown>;
  retry: { attempts: string; backoff_base_ms: string; backoff_max_ms: string };
  /** Fields whose text is not a value yet (bad JSON, a word in a number), by property. */
  invalid: Record<string, string>;
}

interface Draft {
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
interface Reveal {
  url: string | null;
  secret: string | null;
}

/** The step runner's own defaults (shown as placeholders: an empty field keeps them). */
const RETRY_DEFAULTS = DEFAULT_RETRY;
const TRIGGERS: Array<{ type: TriggerType; label: string }> = [
  { type: 'event', label: 'An event happens' },
  { type: 'cron', label: 'On a schedule (cron)' },
  { type: 'webhook', label: 'A call to its webhook URL' },
  { type: 'manual', label: 'Only when run by hand' },
];

let nextKey = 1;

const stepDraft = (s: Partial<Step> = {}): StepDraft => ({
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

function toDraft(base: { name: string; description: string; enabled: boolean } & Definition): Draft {
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

const BLANK: Draft = { name: '', description: '', enabled: true, trigger: 'manual', event: '', cron: '', signed: false, condition: '', steps: [] };

/** A step id from the action's name, not yet used by another step: `http_request`, `http_request_2`. */
function freshId(action: string, steps: StepDraft[], self?: StepDraft): string {
  const base = (action.replace(/[^a-z0-9]+/gi, '_').replace(/^_+|_+$/g, '').toLowerCase() || 'step').replace(/^[^a-z]+/, '').slice(0, 30) || 'step';
  const taken = new Set(steps.filter((s) => s !== self).map((s) => s.id));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}_${n}`)) return `${base}_${n}`;
}

/** The definition a draft stands for, and what must be fixed before it can be sent. */
function toDefinition(d: Draft): { definition: Definition; problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const trigger: Definition['trigger'] = { type: d.trigger };
  if (d.trigger === 'event') {
    trigger.event = d.event;
    if (!d.event) problems['trigger.event'] = 'Choose an event.';
  }
  if (d.trigger === 'cron') {
    trigger.cron = d.cron.trim();
    if (!trigger.cron) problems['trigger.cron'] = 'Write a cron expression, e.g. 0 9 * * 1.';
  }
  if (d.trigger === 'webhook') trigger.signed = d.signed;
  let condition: JsonSchema | null = null;
  if (d.condition.trim()) {
    const parsed = parseJson(d.condition);
    if (parsed.error) problems.condition = parsed.error;
    else if (!isPlainObject(parsed.value)) problems.condition = 'must be a JSON Schema object, e.g. { "type": "object", "required": ["code"] }';
    else condition = parsed.value;
  }
  const steps = d.steps.map((s, i) => {
    for (const [field, error] of Object.entries(s.invalid)) problems[`steps.${i}.input${field ? `.${field}` : ''}`] = error;
    const retry: Record<string, number> = {};
    for (const k of ['attempts', 'backoff_base_ms', 'backoff_max_ms'] as const) {
      const t = s.retry[k].trim();
      if (!t) continue;
      if (!/^\d+$/.test(t)) problems[`steps.${i}.retry.${k}`] = 'must be a whole number';
      else retry[k] = Number(t);
    }
    return { id: s.id.trim(), action: s.action, input: s.input, ...(Object.keys(retry).length ? { retry } : {}) };
  });
  return { definition: { trigger, condition, steps }, problems };
}

/** The definition as saved, for "did the draft change it?" (the same shape toDefinition gives). */
const savedDefinition = (w: Workflow) => toDefinition(toDraft(w)).definition;
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

// ---------------------------------------------------------------------------------------------

/** The payload schema of an event, as a table of its fields (and the schema itself on demand). */
function EventSchema(props: { event: EventInfo }) {
  const { event } = props;
  const properties: Record<string, JsonSchema> = isPlainObject(event.schema?.properties) ? (event.schema.properties as Record<string, JsonSchema>) : {};
  const required: string[] = Array.isArray(event.schema?.required) ? event.schema.required : [];
  const type = (s: JsonSchema) => (Array.isArray(s.enum) ? s.enum.map((v: unknown) => JSON.stringify(v)).join(' | ') : Array.isArray(s.type) ? s.type.join(' or ') : (s.type ?? 'any'));
  return (
    <div aria-label={`The payload of ${event.name}`} role="group" style={{ marginTop: '0.75rem' }}>
      <p style={{ margin: '0 0 0.5rem' }}>
        From the <strong>{event.plugin}</strong> plugin, version {event.version}
        {event.description ? ` — ${event.description}` : ''}. Steps see its payload as <code>{'{{trigger.<field>}}'}</code>:
      </p>
      <Table
        caption={`Payload fields of ${event.name}`}
        rows={Object.keys(properties)}
        rowKey={(name) => name}
        empty="The schema names no fields."
        columns={[
          { label: 'Field', value: (name) => <code>{name}</code> },
          { label: 'Type', value: (name) => type(properties[name]) },
          { label: 'Required', value: (name) => (required.includes(name) ? 'yes' : 'no') },
        ]}
      />
      <details style={{ marginTop: '0.5rem' }}>
        <summary>JSON Schema</summary>
        <JsonBlock value={event.schema} label={`JSON Schema of ${event.name}`} />
      </details>
    </div>
  );
}

function TriggerCard(props: { draft: Draft; set(patch: Partial<Draft>): void; events: EventInfo[] | undefined; errors: Record<string, string>; workflow?: Workflow; reveal: Reveal | null; onRotate(): void }) {
  const { draft, set, events, errors } = props;
  const plugins = [...new Set((events ?? []).map((e) => e.plugin))].sort();
  const selected = events?.find((e) => e.name === draft.event);
  const triggerErrors = errorsUnder(errors, 'trigger');
  const savedWebhook = props.workflow?.trigger.type === 'webhook';
  return (
    <section class="card" aria-labelledby="trigger-title">
      <h2 id="trigger-title">Trigger</h2>
      <label for="trigger-type">When does it run?</label>
      <select id="trigger-type" value={draft.trigger} onChange={(e) => set({ trigger: e.currentTarget.value as TriggerType })} style={fieldStyle}>
        {TRIGGERS.map((t) => (
          <option key={t.type} value={t.type}>
            {t.label}
          </option>
        ))}
      </select>
      {draft.trigger === 'event' ? (
        <>
          <label for="trigger-event">Event</label>
          <select id="trigger-event" value={draft.event} onChange={(e) => set({ event: e.currentTarget.value })} style={fieldStyle} aria-invalid={errors['trigger.event'] ? true : undefined}>
            <option value="">{events ? 'Choose an event…' : 'Loading the events…'}</option>
            {plugins.map((plugin) => (
              <optgroup key={plugin} label={plugin}>
                {events!
                  .filter((e) => e.plugin === plugin)
                  .map((e) => (
                    <option key={e.name} value={e.name}>
                      {e.name} ({plugin})
                    </option>
                  ))}
              </optgroup>
            ))}
            {draft.event && events && !selected ? <option value={draft.event}>{draft.event} (not in the catalogue)</option> : null}
          </select>
          {selected ? <EventSchema event={selected} /> : <p class="muted">Only events of your own tenant start it.</p>}
        </>
      ) : null}
      {draft.trigger === 'cron' ? (
        <>
          <label for="trigger-cron">Cron expression</label>
          <input id="trigger-cron" autoComplete="off" spellcheck={false} placeholder="*/15 * * * *" value={draft.cron} onInput={(e) => set({ cron: e.currentTarget.value })} aria-describedby="trigger-cron-hint" />
          <span id="trigger-cron-hint" class="muted" style={{ fontSize: '0.85rem' }}>
            Five fields in UTC: minute hour day-of-month month weekday, e.g. <code>0 9 * * 1</code> (Mondays at 09:00 UTC). After downtime only the latest missed time runs.
          </span>
          {props.workflow?.next_run_at ? (
            <p class="muted" style={{ margin: '0.4rem 0 0' }}>
              Next run: <Time value={props.workflow.next_run_at} />
            </p>
          ) : null}
        </>
      ) : null}
      {draft.trigger === 'webhook' ? (
        <>
          <div class="checks">
            <label>
              <input type="checkbox" checked={draft.signed} onChange={(e) => set({ signed: e.currentTarget.checked })} /> Require a signature (Standard Webhooks, HMAC-SHA256 with the workflow's secret)
            </label>
          </div>
          {props.reveal ? (
            <section class="callout-warning" aria-labelledby="reveal-title">
              <h2 id="reveal-title">Copy the webhook {props.reveal.secret ? 'URL and secret' : 'URL'} now</h2>
              <p>They are shown only this once (stored hashed). POST a JSON object to the URL to start a run; a <code>webhook-id</code> header makes a redelivery a no-op.</p>
              {props.reveal.url ? (
                <p>
                  URL: <CopyText text={props.reveal.url} label="webhook URL" />
                </p>
              ) : null}
              {props.reveal.secret ? (
                <p>
                  Signing secret: <CopyText text={props.reveal.secret} label="webhook signing secret" />
                </p>
              ) : null}
            </section>
          ) : savedWebhook ? (
            <p class="muted">
              The URL{props.workflow?.webhook?.signed ? ' and signing secret were' : ' was'} shown when made.{' '}
              <button type="button" class="secondary small" onClick={props.onRotate}>
                Make a new URL
              </button>
            </p>
          ) : (
            <p class="muted">The URL{draft.signed ? ' and its signing secret' : ''} will be shown once, when you save.</p>
          )}
        </>
      ) : null}
      {draft.trigger === 'manual' ? <p class="muted">It runs when someone presses Run now (with a payload), or re-runs an earlier run.</p> : null}
      <FieldMessages id="trigger-errors" messages={triggerErrors} />
    </section>
  );
}

/** The builder offers the event's payload fields; other triggers' payloads have no schema, so the field is typed. */
function ConditionCard(props: { draft: Draft; set(patch: Partial<Draft>): void; messages: string[]; event: EventInfo | undefined }) {
  const properties: Record<string, JsonSchema> = props.draft.trigger === 'event' && isPlainObject(props.event?.schema?.properties) ? (props.event!.schema.properties as Record<string, JsonSchema>) : {};
  const fields = Object.entries(properties).map(([name, s]) => ({ name, type: Array.isArray(s?.type) ? s.type.find((t: string) => t !== 'null') : s?.type }));
  return (
    <section class="card" aria-labelledby="condition-title">
      <h2 id="condition-title">Condition</h2>
      <ConditionBuilder condition={props.draft.condition} fields={fields} onChange={(condition) => props.set({ condition })} />
      <label for="condition">Condition (JSON Schema the trigger's payload must match)</label>
      <textarea
        id="condition"
        rows={Math.min(12, Math.max(4, props.draft.condition.split('\n').length))}
        spellcheck={false}
        placeholder={'{ "type": "object", "required": ["verification_code"] }'}
        value={props.draft.condition}
        onInput={(e) => props.set({ condition: e.currentTarget.value })}
        style={codeStyle}
        aria-describedby={props.messages.length ? 'condition-hint condition-errors' : 'condition-hint'}
        aria-invalid={props.messages.length ? true : undefined}
      />
      <span id="condition-hint" class="muted" style={{ fontSize: '0.85rem' }}>
        Empty: every trigger runs. Otherwise a payload that does not match starts no run (a manual run is refused, saying why).
      </span>
      <FieldMessages id="condition-errors" messages={props.messages} />
    </section>
  );
}

function StepEditor(props: {
  step: StepDraft;
  index: number;
  count: number;
  actions: ActionInfo[] | undefined;
  errors: Record<string, string>;
  problems: string[] | undefined;
  /** A step id for an action, unused by the other steps. */
  idFor(action: string): string;
  /** Changes this step (an updater, so two changes in one event both land). */
  onChange(update: (step: StepDraft) => StepDraft): void;
  onMove(by: number): void;
  onRemove(): void;
}) {
  const { step, index, actions } = props;
  const n = index + 1;
  const prefix = `step-${step.key}`;
  const action = actions?.find((a) => a.name === step.action);
  const plugins = [...new Set((actions ?? []).map((a) => a.plugin))].sort();
  const at = `steps.${index}`;
  const inputMessages: Record<string, string[]> = {};
  for (const [path, msg] of Object.entries(props.errors)) {
    if (path === `${at}.input`) (inputMessages[''] ??= []).push(msg);
    else if (path.startsWith(`${at}.input.`)) (inputMessages[path.slice(at.length + 7)] ??= []).push(msg);
  }
  for (const p of props.problems ?? []) {
    const m = /^input\.?(\S*) (.*)$/.exec(p);
    if (m) (inputMessages[m[1]] ??= []).push(`dry run: ${m[2]}`);
  }
  const placed = (path: string) => path === `${at}.id` || path === `${at}.action` || path.startsWith(`${at}.input`) || path.startsWith(`${at}.retry`);
  const other = Object.entries(props.errors)
    .filter(([path]) => (path === at || path.startsWith(`${at}.`)) && !placed(path))
    .map(([path, msg]) => (path === at ? msg : `${path.slice(at.length + 1)}: ${msg}`));
  const retryMessages = errorsUnder(props.errors, `${at}.retry`);
  const setRetry = (k: keyof StepDraft['retry'], v: string) => props.onChange((s) => ({ ...s, retry: { ...s.retry, [k]: v } }));

  return (
    <fieldset aria-label={`Step ${n}`} style={{ marginBottom: '1rem' }}>
      <legend>
        Step {n}
        {action ? ` · ${action.name}` : ''}
      </legend>
      <div class="form-row">
        <div>
          <label for={`${prefix}-id`}>Step id</label>
          <input
            id={`${prefix}-id`}
            autoComplete="off"
            spellcheck={false}
            maxLength={40}
            value={step.id}
            onInput={(e) => {
              const id = e.currentTarget.value;
              props.onChange((s) => ({ ...s, id }));
            }}
            aria-describedby={`${prefix}-id-hint ${prefix}-id-error`}
            aria-invalid={props.errors[`${at}.id`] ? true : undefined}
          />
          <span id={`${prefix}-id-hint`} class="muted" style={{ fontSize: '0.8rem' }}>
            Later steps use its output as <code>{`{{steps.${step.id || 'id'}.…}}`}</code>
          </span>
          <FieldMessages id={`${prefix}-id-error`} messages={props.errors[`${at}.id`] ? [props.errors[`${at}.id`]] : []} />
        </div>
        <div>
          <label for={`${prefix}-action`}>Action</label>
          <select
            id={`${prefix}-action`}
            value={step.action}
            onChange={(e) => {
              const name = e.currentTarget.value;
              // An id the editor made (from the old action, or "step") follows the action; one the user typed stays.
              const made = !step.id || /^step(_\d+)?$/.test(step.id) || (step.action !== '' && step.id.startsWith(freshId(step.action, [])));
              const id = made && name ? props.idFor(name) : step.id;
              props.onChange((s) => ({ ...s, action: name, input: {}, invalid: {}, id }));
            }}
            style={fieldStyle}
            aria-describedby={`${prefix}-action-error`}
          >
            <option value="">{actions ? 'Choose an action…' : 'Loading the actions…'}</option>
            {plugins.map((plugin) => (
              <optgroup key={plugin} label={plugin}>
                {actions!
                  .filter((a) => a.plugin === plugin)
                  .map((a) => (
                    <option key={a.name} value={a.name}>
                      {a.name}
                    </option>
                  ))}
              </optgroup>
            ))}
            {step.action && actions && !action ? <option value={step.action}>{step.action} (not in the catalogue)</option> : null}
          </select>
          <FieldMessages id={`${prefix}-action-error`} messages={props.errors[`${at}.action`] ? [props.errors[`${at}.action`]] : []} />
        </div>
      </div>
      {action ? (
        <>
          <p class="muted" style={{ margin: '0.5rem 0 0' }}>
            {action.description} <span>(from the {action.plugin} plugin)</span>
          </p>
          <div role="group" aria-label={`Input of step ${n}`}>
            <SchemaForm
              key={`${step.key}-${step.action}`}
              schema={action.input}
              value={step.input}
              idPrefix={`${prefix}-in`}
              messages={inputMessages}
              onChange={(input) => props.onChange((s) => ({ ...s, input }))}
              onInvalid={(field, error) =>
                props.onChange((s) => {
                  if ((s.invalid[field] ?? null) === error) return s;
                  const invalid = { ...s.invalid };
                  if (error) invalid[field] = error;
                  else delete invalid[field];
                  return { ...s, invalid };
                })
              }
            />
          </div>
        </>
      ) : null}
      <details open={retryMessages.length > 0 || Boolean(step.retry.attempts || step.retry.backoff_base_ms || step.retry.backoff_max_ms)} style={{ marginTop: '0.75rem' }}>
        <summary>Retries</summary>
        <div class="form-row">
          <div>
            <label for={`${prefix}-attempts`}>Attempts</label>
            <input id={`${prefix}-attempts`} inputMode="numeric" placeholder={String(RETRY_DEFAULTS.attempts)} value={step.retry.attempts} onInput={(e) => setRetry('attempts', e.currentTarget.value)} />
          </div>
          <div>
            <label for={`${prefix}-base`}>First backoff (ms)</label>
            <input id={`${prefix}-base`} inputMode="numeric" placeholder={String(RETRY_DEFAULTS.backoff_base_ms)} value={step.retry.backoff_base_ms} onInput={(e) => setRetry('backoff_base_ms', e.currentTarget.value)} />
          </div>
          <div>
            <label for={`${prefix}-max`}>Longest backoff (ms)</label>
            <input id={`${prefix}-max`} inputMode="numeric" placeholder={String(RETRY_DEFAULTS.backoff_max_ms)} value={step.retry.backoff_max_ms} onInput={(e) => setRetry('backoff_max_ms', e.currentTarget.value)} />
          </div>
        </div>
        <span class="muted" style={{ fontSize: '0.8rem' }}>
          A failed attempt is retried with exponential backoff (doubling from the first, up to the longest, with jitter) until the attempts run out; an error the action calls permanent (a 4xx) is not retried.
        </span>
        <FieldMessages id={`${prefix}-retry-errors`} messages={retryMessages} />
      </details>
      <FieldMessages id={`${prefix}-errors`} messages={other} />
      <div class="row-actions" style={{ marginTop: '0.75rem' }}>
        <button type="button" class="secondary small" disabled={index === 0} aria-label={`Move step ${n} up`} onClick={() => props.onMove(-1)}>
          ↑ Up
        </button>
        <button type="button" class="secondary small" disabled={index === props.count - 1} aria-label={`Move step ${n} down`} onClick={() => props.onMove(1)}>
          ↓ Down
        </button>
        <button type="button" class="danger small" aria-label={`Remove step ${n}`} onClick={props.onRemove}>
          Remove
        </button>
      </div>
    </fieldset>
  );
}

interface DryRunResult {
  condition: { matched: boolean; errors: Array<{ path: string; message: string }> };
  definition_problems: Array<{ path: string; message: string }>;
  would_run: boolean;
  steps: Array<{ index: number; id: string; action: string; input: unknown; problems: Array<{ path: string; message: string }>; note?: string }>;
}

function DryRunCard(props: {
  run(payload: unknown): Promise<DryRunResult>;
  result: DryRunResult | null;
  onResult(r: DryRunResult | null): void;
  sample: string;
  /** A fresh sample from the trigger and the condition in the editor now (saved or not). */
  draftSample(): string;
  withoutSecrets: boolean;
}) {
  const [text, setText] = useState(props.sample);
  const { error, setError, busy, run } = useAction();
  const r = props.result;
  const submit = (event: Event) => {
    event.preventDefault();
    const parsed = parseJson(text.trim() || '{}');
    if (parsed.error) return setError(new Error(`The sample payload ${parsed.error}`));
    void run(async () => props.onResult(await props.run(parsed.value)));
  };
  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="dry-run-title">
      <h2 id="dry-run-title">Dry run</h2>
      <p class="muted" style={{ marginTop: 0 }}>
        What the workflow in this editor (saved or not) would do with a sample payload: whether the condition matches and each step's input as rendered, checked against its action. Nothing runs.
      </p>
      {props.withoutSecrets ? (
        <p class="muted" style={{ fontSize: '0.85rem' }}>
          These are unsaved changes: they are dry-run as a draft, without the workflow's secrets (<code>{'{{secrets.…}}'}</code> renders empty). Save to dry-run with them (shown as [secret]).
        </p>
      ) : null}
      <ErrorBanner error={error} />
      <label for="dry-run-payload">Sample payload (JSON)</label>
      <textarea id="dry-run-payload" rows={5} spellcheck={false} value={text} onInput={(e) => setText(e.currentTarget.value)} style={codeStyle} />
      <div class="form-actions">
        <button type="submit" class="secondary" disabled={busy}>
          {busy ? 'Checking…' : 'Dry run'}
        </button>
        <button type="button" class="secondary" onClick={() => setText(props.draftSample())}>
          Sample from the condition
        </button>
      </div>
      {r ? (
        <div role="region" aria-label="Dry run result" style={{ marginTop: '1rem' }}>
          <p class={r.would_run ? 'notice' : 'error-banner'} role="status">
            {r.would_run ? 'It would run: the condition matches and every step’s input is valid.' : 'It would not run as it is: see below.'}
          </p>
          <dl class="facts">
            <dt>Condition</dt>
            <dd>
              {r.condition.matched ? <Badge value="matched" /> : <span class="badge badge-danger">not matched</span>}
              {r.condition.errors.length ? <FieldMessages id="dry-run-condition" messages={r.condition.errors.map((e) => `${e.path} ${e.message}`)} /> : null}
            </dd>
            {r.definition_problems.length ? (
              <>
                <dt>Definition</dt>
                <dd>
                  <FieldMessages id="dry-run-definition" messages={r.definition_problems.map((p) => `${p.path.replace(/^body\./, '')} ${p.message}`)} />
                </dd>
              </>
            ) : null}
          </dl>
          {r.steps.map((s) => (
            <section key={s.index} aria-label={`Dry run of step ${s.index + 1}: ${s.id}`} style={{ marginTop: '0.75rem' }}>
              <h3 style={{ fontSize: '0.95rem', margin: '0 0 0.25rem' }}>
                Step {s.index + 1} · {s.id} ({s.action}) {s.problems.length ? <span class="badge badge-danger">{plural(s.problems.length, 'problem', 'problems')}</span> : <Badge value="ok" />}
              </h3>
              {s.note ? <p class="muted" style={{ margin: 0 }}>{s.note}</p> : null}
              <JsonBlock value={s.input} label={`Rendered input of step ${s.index + 1}`} />
              <FieldMessages id={`dry-run-step-${s.index}`} messages={s.problems.map((p) => `${p.path} ${p.message}`)} />
            </section>
          ))}
        </div>
      ) : null}
    </form>
  );
}

function VersionsCard(props: { workflow: Workflow; onLoad(definition: Definition, version: number): void }) {
  const versions = useApi<Array<Definition & { version: number; created_by: string | null; created_at: string }>>(`${BASE}/${props.workflow.id}/versions`);
  return (
    <section class="card" aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      <ErrorBanner error={versions.error} />
      <Table
        caption="Every saved version, newest first; runs record the version they ran"
        rows={versions.data ?? []}
        rowKey={(v) => v.version}
        empty={versions.loading ? 'Loading…' : 'No versions.'}
        columns={[
          { label: 'Version', value: (v) => (v.version === props.workflow.version ? `${v.version} (current)` : String(v.version)), class: 'num' },
          { label: 'Saved', value: (v) => <Time value={v.created_at} /> },
          { label: 'Trigger', value: (v) => triggerText(v.trigger) },
          { label: 'Steps', value: (v) => v.steps.map((s) => s.action).join(' → ') },
          {
            label: 'Actions',
            value: (v) =>
              v.version === props.workflow.version ? null : (
                <button type="button" class="secondary small" aria-label={`Load version ${v.version} into the editor`} onClick={() => props.onLoad(v, v.version)}>
                  Load into editor
                </button>
              ),
          },
        ]}
      />
    </section>
  );
}

function SecretsCard(props: { workflow: Workflow; onChanged(): void }) {
  const [name, setName] = useState(props.workflow.missing_secrets[0] ?? '');
  const [value, setValue] = useState('');
  const [removing, setRemoving] = useState<string | null>(null);
  const { error, busy, run } = useAction();
  const save = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      await api(`${BASE}/${props.workflow.id}/secrets`, { method: 'PATCH', body: { secrets: { [name.trim()]: value } } });
      setValue('');
      setName('');
      props.onChanged();
    });
  };
  const names = [...new Set([...props.workflow.secrets, ...props.workflow.missing_secrets])].sort();
  return (
    <form class="card" onSubmit={save} noValidate aria-labelledby="secrets-title">
      <h2 id="secrets-title">Secrets</h2>
      <p class="muted" style={{ marginTop: 0 }}>
        Steps use them as <code>{'{{secrets.name}}'}</code>. Values are write-only: never shown, never exported, and shown as <code>[secret]</code> in runs.
      </p>
      {removing ? (
        <ConfirmDialog
          title={`Remove the secret “${removing}”?`}
          action="Remove"
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await api(`${BASE}/${props.workflow.id}/secrets`, { method: 'PATCH', body: { secrets: { [removing]: null } } });
            props.onChanged();
          }}
        >
          <p>Steps that use it will get an empty value.</p>
        </ConfirmDialog>
      ) : null}
      <ErrorBanner error={error} />
      {names.length ? (
        <ul style={{ margin: '0 0 0.5rem', paddingLeft: '1.1rem' }}>
          {names.map((n) => (
            <li key={n}>
              <code>{n}</code>{' '}
              {props.workflow.missing_secrets.includes(n) ? (
                <span class="badge badge-warn">used but not set</span>
              ) : (
                <>
                  <span class="badge badge-ok">set</span>{' '}
                  <button type="button" class="danger small" aria-label={`Remove the secret ${n}`} onClick={() => setRemoving(n)}>
                    Remove
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      <div class="inline-form">
        <div>
          <label for="secret-name">Name</label>
          <input id="secret-name" autoComplete="off" spellcheck={false} maxLength={40} placeholder="webhook_secret" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="grow">
          <label for="secret-value">Value</label>
          <input id="secret-value" type="password" autoComplete="new-password" maxLength={4096} value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        </div>
        <button type="submit" class="secondary" disabled={busy || !name.trim() || !value}>
          Set secret
        </button>
      </div>
    </form>
  );
}

function EditorForm(props: { workflow?: Workflow; actions: ActionInfo[] | undefined; events: EventInfo[] | undefined; onSaved(w: Workflow, notice: string, reveal: Reveal | null): void; reveal: Reveal | null; notice: string | null; reload(): void }) {
  const { workflow } = props;
  const [draft, setDraft] = useState<Draft>(() => (workflow ? toDraft(workflow) : { ...BLANK, steps: [] }));
  const [generation, setGeneration] = useState(0);
  const [dry, setDry] = useState<DryRunResult | null>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [runNow, setRunNow] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [loadedVersion, setLoadedVersion] = useState<number | null>(null);
  const { error, setError, busy, run } = useAction();
  const set = (patch: Partial<Draft>) => {
    setLocal({});
    setDraft((d) => ({ ...d, ...patch }));
  };
  const setSteps = (f: (steps: StepDraft[]) => StepDraft[]) => {
    setLocal({});
    setDraft((d) => ({ ...d, steps: f(d.steps) }));
  };
  const errors = { ...fieldErrors(error), ...local };
  const selectedEvent = props.events?.find((e) => e.name === draft.event);
  // From the event's payload and the saved condition (not the draft's: typing in it would restart the dry run's text).
  const sample = useMemo(
    () => sampleText(draft.trigger === 'event' ? selectedEvent?.schema : null, workflow?.condition),
    [selectedEvent?.name, draft.trigger, workflow?.condition],
  );
  // The condition being edited, when it parses (the builder and the raw JSON write the same text).
  const draftSample = () => {
    const parsed = draft.condition.trim() ? parseJson(draft.condition) : { value: null };
    return sampleText(draft.trigger === 'event' ? selectedEvent?.schema : null, isPlainObject(parsed.value) ? parsed.value : null);
  };
  const dirty = workflow ? !sameJson(toDefinition(draft).definition, savedDefinition(workflow)) || draft.name !== workflow.name || draft.description !== workflow.description : true;

  const addStep = () => setSteps((steps) => [...steps, stepDraft({ id: freshId('step', steps) })]);
  const move = (i: number, by: number) =>
    setSteps((steps) => {
      const next = [...steps];
      const [s] = next.splice(i, 1);
      next.splice(i + by, 0, s);
      return next;
    });

  const save = (event: Event) => {
    event.preventDefault();
    const { definition, problems } = toDefinition(draft);
    if (!draft.name.trim()) problems.name = 'Name the workflow.';
    if (!definition.steps.length) problems.steps = 'Add at least one step.';
    definition.steps.forEach((s, i) => {
      if (!s.action) problems[`steps.${i}.action`] = 'Choose an action.';
    });
    setLocal(problems);
    if (Object.keys(problems).length) {
      setError(new Error(`Not saved: fix ${plural(Object.keys(problems).length, 'field', 'fields')} marked below.`));
      return;
    }
    void run(async () => {
      if (!workflow) {
        const created = await api<Workflow>(BASE, { body: { name: draft.name.trim(), description: draft.description, enabled: draft.enabled, ...definition } });
        props.onSaved(created, `Saved “${created.name}” as version 1${created.enabled ? ', enabled' : ', disabled'}.`, created.webhook?.url || created.webhook?.secret ? { url: created.webhook.url ?? null, secret: created.webhook.secret ?? null } : null);
        return;
      }
      const changed = !sameJson(definition, savedDefinition(workflow));
      const body: Record<string, unknown> = { name: draft.name.trim(), description: draft.description, ...(changed ? definition : {}) };
      const saved = await api<Workflow>(`${BASE}/${workflow.id}`, { method: 'PATCH', body });
      const reveal = saved.webhook?.url || saved.webhook?.secret ? { url: saved.webhook.url ?? null, secret: saved.webhook.secret ?? null } : null;
      props.onSaved(saved, changed ? `Saved version ${saved.version}.` : `Saved; the trigger, condition and steps did not change, so it is still version ${saved.version}.`, reveal);
    });
  };

  const dryRun = async (payload: unknown): Promise<DryRunResult> => {
    const { definition, problems } = toDefinition(draft);
    if (Object.keys(problems).length) {
      setLocal(problems);
      throw new Error(`Fix ${plural(Object.keys(problems).length, 'field', 'fields')} marked above first.`);
    }
    if (workflow && !dirty) return api<DryRunResult>(`${BASE}/${workflow.id}/dry-run`, { body: { payload } });
    return api<DryRunResult>(`${BASE}/dry-run`, { body: { ...definition, payload } });
  };

  const dryProblems = (i: number) => dry?.steps.find((s) => s.index === i)?.problems.map((p) => `${p.path} ${p.message}`);
  const nameError = errors.name ? [errors.name] : [];

  return (
    <>
      {runNow && workflow ? <RunNowDialog workflow={workflow} onClose={() => setRunNow(false)} /> : null}
      {rotating && workflow ? (
        <ConfirmDialog
          title="Make a new webhook URL?"
          action="Make a new URL"
          onClose={() => setRotating(false)}
          onConfirm={async () => {
            const rotated = await api<Workflow>(`${BASE}/${workflow.id}/webhook/rotate`, { method: 'POST' });
            props.onSaved(rotated, 'A new webhook URL was made; the old one no longer works.', { url: rotated.webhook?.url ?? null, secret: rotated.webhook?.secret ?? null });
          }}
        >
          <p>The current URL{workflow.webhook?.signed ? ' and signing secret stop' : ' stops'} working at once.</p>
        </ConfirmDialog>
      ) : null}
      {props.notice ? (
        <p class="notice" role="status">
          {props.notice}
        </p>
      ) : null}
      {loadedVersion !== null ? (
        <p class="notice" role="status">
          Version {loadedVersion} is loaded into the editor; save to make it the current version (a new version number).
        </p>
      ) : null}
      {workflow?.missing_secrets.length ? (
        <p class="error-banner" role="alert">
          Steps use secrets that are not set: {workflow.missing_secrets.join(', ')}. Set them under Secrets below.
        </p>
      ) : null}
      {workflow ? (
        <section class="card" aria-label="Status">
          <div class="inline-form" style={{ margin: 0, alignItems: 'center' }}>
            <span>
              Version <strong>{workflow.version}</strong> · <Badge value={workflow.enabled ? 'enabled' : 'disabled'} /> · updated <Time value={workflow.updated_at} />
            </span>
            <div class="grow" />
            <button
              type="button"
              class="secondary"
              disabled={busy}
              onClick={() =>
                run(async () => {
                  const w = await api<Workflow>(`${BASE}/${workflow.id}/${workflow.enabled ? 'disable' : 'enable'}`, { method: 'POST' });
                  props.onSaved(w, w.enabled ? 'Enabled.' : 'Disabled: triggers no longer start it.', null);
                })
              }
            >
              {workflow.enabled ? 'Disable' : 'Enable'}
            </button>
            <button type="button" class="secondary" disabled={!workflow.enabled || dirty} title={dirty ? 'Save first' : workflow.enabled ? undefined : 'Enable it first'} onClick={() => setRunNow(true)}>
              Run now
            </button>
            <button type="button" class="secondary" onClick={() => go(runsOfHref(workflow.id))}>
              Runs
            </button>
          </div>
        </section>
      ) : null}
      <form onSubmit={save} noValidate aria-label="Workflow">
        <ErrorBanner error={error} />
        <section class="card" aria-labelledby="about-title">
          <h2 id="about-title">Workflow</h2>
          <label for="workflow-name">Name</label>
          <input id="workflow-name" autoComplete="off" maxLength={200} value={draft.name} onInput={(e) => set({ name: e.currentTarget.value })} aria-describedby="workflow-name-error" aria-invalid={nameError.length ? true : undefined} />
          <FieldMessages id="workflow-name-error" messages={nameError} />
          <label for="workflow-description">Description (optional)</label>
          <textarea id="workflow-description" rows={2} maxLength={2000} value={draft.description} onInput={(e) => set({ description: e.currentTarget.value })} style={{ ...fieldStyle, resize: 'vertical' }} />
          {!workflow ? (
            <div class="checks">
              <label>
                <input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.currentTarget.checked })} /> Enabled once saved
              </label>
            </div>
          ) : null}
        </section>
        <TriggerCard draft={draft} set={set} events={props.events} errors={errors} workflow={workflow} reveal={props.reveal} onRotate={() => setRotating(true)} />
        <ConditionCard draft={draft} set={set} messages={errorsUnder(errors, 'condition')} event={selectedEvent} />
        <section class="card" aria-labelledby="steps-title">
          <h2 id="steps-title">Steps</h2>
          <p class="muted" style={{ marginTop: 0 }}>
            Run in order; a failed step (after its retries) fails the run. Text fields are templates over the trigger's payload and earlier steps' outputs: <code>{'{{trigger.code}}'}</code>,{' '}
            <code>{'{{steps.<id>.body}}'}</code>, <code>{'{{secrets.name}}'}</code>, <code>{'{{run.id}}'}</code>.
          </p>
          {draft.steps.map((step, i) => (
            <StepEditor
              key={`${generation}-${step.key}`}
              step={step}
              index={i}
              count={draft.steps.length}
              actions={props.actions}
              errors={errors}
              problems={dryProblems(i)}
              idFor={(action) => freshId(action, draft.steps, step)}
              onChange={(update) => setSteps((steps) => steps.map((s) => (s.key === step.key ? update(s) : s)))}
              onMove={(by) => move(i, by)}
              onRemove={() => setSteps((steps) => steps.filter((s) => s.key !== step.key))}
            />
          ))}
          {!draft.steps.length ? <p class="muted">No steps yet.</p> : null}
          <FieldMessages id="steps-errors" messages={errors.steps ? [errors.steps] : []} />
          <button type="button" class="secondary" onClick={addStep}>
            Add step
          </button>
        </section>
        <div class="form-actions" style={{ marginBottom: '1.25rem' }}>
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : workflow ? 'Save' : 'Create workflow'}
          </button>
          {workflow ? <span class="muted">{dirty ? 'Unsaved changes. ' : ''}A changed trigger, condition or steps is saved as a new version.</span> : null}
        </div>
      </form>
      <DryRunCard key={sample} sample={sample} draftSample={draftSample} run={dryRun} result={dry} onResult={setDry} withoutSecrets={Boolean(workflow && dirty && workflow.secrets.length)} />
      {workflow ? (
        <>
          <SecretsCard workflow={workflow} onChanged={props.reload} />
          <VersionsCard
            workflow={workflow}
            onLoad={(definition, version) => {
              setDraft((d) => ({ ...toDraft({ name: d.name, description: d.description, enabled: d.enabled, ...definition }) }));
              setGeneration((g) => g + 1);
              setLoadedVersion(version);
              scrollTo({ top: 0 });
            }}
          />
        </>
      ) : null}
    </>
  );
}

/** The editor of one saved workflow (?id=…), reloaded after each save. */
function ExistingEditor(props: { id: string; actions: ActionInfo[] | undefined; events: EventInfo[] | undefined; flash: Flash | null; setFlash(f: Flash | null): void }) {
  const wf = useApi<Workflow>(`${BASE}/${props.id}`);
  const [saved, setSaved] = useState<Workflow | null>(null);
  const [generation, setGeneration] = useState(0);
  const workflow = saved ?? wf.data;
  const flash = props.flash?.id === props.id ? props.flash : null;
  if (!workflow) {
    return (
      <Page title="Edit workflow">
        <ErrorBanner error={wf.error} />
        {wf.loading ? <p class="muted">Loading…</p> : null}
        <p>
          <a href={PAGES.list}>All workflows</a>
        </p>
      </Page>
    );
  }
  return (
    <Page title={workflow.name} actions={<a href={PAGES.list}>All workflows</a>}>
      <EditorForm
        key={`${workflow.id}-${generation}`}
        workflow={workflow}
        actions={props.actions}
        events={props.events}
        reveal={flash?.reveal ?? null}
        notice={flash?.notice ?? null}
        reload={() => {
          // Secrets changed: the workflow's facts, not the draft being edited.
          void api<Workflow>(`${BASE}/${props.id}`).then(setSaved, () => wf.reload());
        }}
        onSaved={(w, notice, reveal) => {
          props.setFlash({ id: w.id, notice, reveal });
          setSaved(w);
          setGeneration((g) => g + 1);
        }}
      />
    </Page>
  );
}

/** What the last save said, for the workflow it was about. */
interface Flash {
  id: string;
  notice: string;
  reveal: Reveal | null;
}

/** /admin/workflows/edit: a new workflow, or ?id=… to edit one. */
export function EditorPage() {
  const id = useQueryParam('id');
  const actions = useApi<ActionInfo[]>(`${BASE}/actions`);
  const events = useApi<EventInfo[]>(`${BASE}/events`);
  // Kept above the keyed editors: the notice and the webhook reveal survive the move to ?id=… after a create.
  const [flash, setFlash] = useState<Flash | null>(null);
  const catalogueError = actions.error ?? events.error;
  if (id) {
    return (
      <>
        <ErrorBanner error={catalogueError} />
        <ExistingEditor key={id} id={id} actions={actions.data} events={events.data} flash={flash} setFlash={setFlash} />
      </>
    );
  }
  return (
    <Page title="New workflow" actions={<a href={PAGES.list}>All workflows</a>}>
      <ErrorBanner error={catalogueError} />
      <EditorForm
        actions={actions.data}
        events={events.data}
        reveal={null}
        notice={null}
        reload={() => undefined}
        onSaved={(w, notice, reveal) => {
          setFlash({ id: w.id, notice, reveal });
          go(editHref(w.id));
        }}
      />
    </Page>
  );
}
