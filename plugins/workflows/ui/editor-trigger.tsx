import { CopyText, Table, Time } from 'plinth/plugin/ui';
import { ConditionBuilder } from './condition-builder.js';
import {
  codeStyle,
  errorsUnder,
  FieldMessages,
  fieldStyle,
  isPlainObject,
  JsonBlock,
  type EventInfo,
  type JsonSchema,
  type TriggerType,
  type Workflow,
} from './shared.js';

import { type Draft, type Reveal, TRIGGERS } from './editor-draft.js';

/** The payload schema of an event, as a table of its fields (and the schema itself on demand). */
export function EventSchema(props: { event: EventInfo }) {
  const { event } = props;
  const properties: Record<string, JsonSchema> = isPlainObject(event.schema?.properties) ? (event.schema.properties as Record<string, JsonSchema>) : {};
  const required: string[] = Array.isArray(event.schema?.required) ? event.schema.required : [];
  const type = (s: JsonSchema) =>
    Array.isArray(s.enum) ? s.enum.map((v: unknown) => JSON.stringify(v)).join(' | ') : Array.isArray(s.type) ? s.type.join(' or ') : (s.type ?? 'any');
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

export function TriggerCard(props: {
  draft: Draft;
  set(patch: Partial<Draft>): void;
  events: EventInfo[] | undefined;
  errors: Record<string, string>;
  workflow?: Workflow;
  reveal: Reveal | null;
  onRotate(): void;
}) {
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
          <select
            id="trigger-event"
            value={draft.event}
            onChange={(e) => set({ event: e.currentTarget.value })}
            style={fieldStyle}
            aria-invalid={errors['trigger.event'] ? true : undefined}
          >
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
          <input
            id="trigger-cron"
            autoComplete="off"
            spellcheck={false}
            placeholder="*/15 * * * *"
            value={draft.cron}
            onInput={(e) => set({ cron: e.currentTarget.value })}
            aria-describedby="trigger-cron-hint"
          />
          <span id="trigger-cron-hint" class="muted" style={{ fontSize: '0.85rem' }}>
            Five fields in UTC: minute hour day-of-month month weekday, e.g. <code>0 9 * * 1</code> (Mondays at 09:00 UTC). After downtime only the latest
            missed time runs.
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
              <input type="checkbox" checked={draft.signed} onChange={(e) => set({ signed: e.currentTarget.checked })} /> Require a signature (Standard
              Webhooks, HMAC-SHA256 with the workflow's secret)
            </label>
          </div>
          {props.reveal ? (
            <section class="callout-warning" aria-labelledby="reveal-title">
              <h2 id="reveal-title">Copy the webhook {props.reveal.secret ? 'URL and secret' : 'URL'} now</h2>
              <p>
                They are shown only this once (stored hashed). POST a JSON object to the URL to start a run; a <code>webhook-id</code> header makes a redelivery
                a no-op.
              </p>
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
export function ConditionCard(props: { draft: Draft; set(patch: Partial<Draft>): void; messages: string[]; event: EventInfo | undefined }) {
  const properties: Record<string, JsonSchema> =
    props.draft.trigger === 'event' && isPlainObject(props.event?.schema?.properties) ? (props.event!.schema.properties as Record<string, JsonSchema>) : {};
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
