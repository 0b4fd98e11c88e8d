import { CopyText, formatList, Table, Time, t, tOr, tx } from 'plinth/plugin/ui';
import { ConditionBuilder, jsonTypeName } from './condition-builder.js';
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

/** A plugin's name as its nav group reads in the UI's language (the core's events have none: ours), else the name itself. */
export const pluginName = (plugin: string) => tOr(`${plugin}.nav.group`, tOr(`workflows.editor.plugin.${plugin}`, plugin));

/** What the event catalogue says an event is, in the UI's language when the catalogue knows the event (by its name). */
const eventDescription = (event: EventInfo) => (event.description ? tOr(`workflows.trigger.eventDescription.${event.name}`, event.description) : null);

/** The payload schema of an event, as a table of its fields (and the schema itself on demand). */
export function EventSchema(props: { event: EventInfo }) {
  const { event } = props;
  const properties: Record<string, JsonSchema> = isPlainObject(event.schema?.properties) ? (event.schema.properties as Record<string, JsonSchema>) : {};
  const required: string[] = Array.isArray(event.schema?.required) ? event.schema.required : [];
  const type = (s: JsonSchema) =>
    Array.isArray(s.enum)
      ? s.enum.map((v: unknown) => JSON.stringify(v)).join(' | ')
      : Array.isArray(s.type)
        ? formatList(s.type.map(jsonTypeName), 'disjunction')
        : jsonTypeName(s.type ?? 'any');
  const description = eventDescription(event);
  return (
    <div aria-label={t('workflows.trigger.payloadOf', { event: event.name })} role="group" style={{ marginTop: '0.75rem' }}>
      <p style={{ margin: '0 0 0.5rem' }}>
        {tx('workflows.trigger.eventFrom', {
          plugin: pluginName(event.plugin),
          version: event.version,
          described: description ? 'yes' : 'no',
          description,
          template: <code>{'{{trigger.<field>}}'}</code>,
          strong: (text: string) => <strong>{text}</strong>,
        })}
      </p>
      <Table
        caption={t('workflows.trigger.payloadFields', { event: event.name })}
        rows={Object.keys(properties)}
        rowKey={(name) => name}
        empty={t('workflows.trigger.noFields')}
        columns={[
          { label: t('workflows.trigger.col.field'), value: (name) => <code>{name}</code> },
          { label: t('workflows.trigger.col.type'), value: (name) => type(properties[name]) },
          { label: t('workflows.trigger.col.required'), value: (name) => t('workflows.trigger.required', { required: String(required.includes(name)) }) },
        ]}
      />
      <details style={{ marginTop: '0.5rem' }}>
        <summary>{t('workflows.trigger.schema')}</summary>
        <JsonBlock value={event.schema} label={t('workflows.trigger.schemaOf', { event: event.name })} />
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
      <h2 id="trigger-title">{t('workflows.trigger.title')}</h2>
      <label for="trigger-type">{t('workflows.trigger.when')}</label>
      <select id="trigger-type" value={draft.trigger} onChange={(e) => set({ trigger: e.currentTarget.value as TriggerType })} style={fieldStyle}>
        {TRIGGERS.map((type) => (
          <option key={type} value={type}>
            {t(`workflows.trigger.type.${type}`)}
          </option>
        ))}
      </select>
      {draft.trigger === 'event' ? (
        <>
          <label for="trigger-event">{t('workflows.trigger.event')}</label>
          <select
            id="trigger-event"
            value={draft.event}
            onChange={(e) => set({ event: e.currentTarget.value })}
            style={fieldStyle}
            aria-invalid={errors['trigger.event'] ? true : undefined}
          >
            <option value="">{events ? t('workflows.trigger.chooseEvent') : t('workflows.trigger.loadingEvents')}</option>
            {plugins.map((plugin) => (
              <optgroup key={plugin} label={pluginName(plugin)}>
                {events!
                  .filter((e) => e.plugin === plugin)
                  .map((e) => (
                    <option key={e.name} value={e.name}>
                      {t('workflows.trigger.eventOption', { event: e.name, plugin: pluginName(plugin) })}
                    </option>
                  ))}
              </optgroup>
            ))}
            {draft.event && events && !selected ? <option value={draft.event}>{t('workflows.trigger.notInCatalogue', { event: draft.event })}</option> : null}
          </select>
          {selected ? <EventSchema event={selected} /> : <p class="muted">{t('workflows.trigger.ownTenant')}</p>}
        </>
      ) : null}
      {draft.trigger === 'cron' ? (
        <>
          <label for="trigger-cron">{t('workflows.trigger.cron')}</label>
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
            {tx('workflows.trigger.cronHint', { example: <code>0 9 * * 1</code> })}
          </span>
          {props.workflow?.next_run_at ? (
            <p class="muted" style={{ margin: '0.4rem 0 0' }}>
              {tx('workflows.trigger.nextRun', { time: <Time value={props.workflow.next_run_at} /> })}
            </p>
          ) : null}
        </>
      ) : null}
      {draft.trigger === 'webhook' ? (
        <>
          <div class="checks">
            <label>
              <input type="checkbox" checked={draft.signed} onChange={(e) => set({ signed: e.currentTarget.checked })} />{' '}
              {t('workflows.trigger.requireSignature')}
            </label>
          </div>
          {props.reveal ? (
            <section class="callout-warning" aria-labelledby="reveal-title">
              <h2 id="reveal-title">{t('workflows.trigger.revealTitle', { signed: String(Boolean(props.reveal.secret)) })}</h2>
              <p>{tx('workflows.trigger.revealHint', { header: <code>webhook-id</code> })}</p>
              {props.reveal.url ? (
                <p>{tx('workflows.trigger.revealUrl', { url: <CopyText text={props.reveal.url} label={t('workflows.trigger.urlLabel')} /> })}</p>
              ) : null}
              {props.reveal.secret ? (
                <p>{tx('workflows.trigger.revealSecret', { secret: <CopyText text={props.reveal.secret} label={t('workflows.trigger.secretLabel')} /> })}</p>
              ) : null}
            </section>
          ) : savedWebhook ? (
            <p class="muted">
              {t('workflows.trigger.shownWhenMade', { signed: String(Boolean(props.workflow?.webhook?.signed)) })}{' '}
              <button type="button" class="secondary small" onClick={props.onRotate}>
                {t('workflows.trigger.newUrl')}
              </button>
            </p>
          ) : (
            <p class="muted">{t('workflows.trigger.shownOnSave', { signed: String(draft.signed) })}</p>
          )}
        </>
      ) : null}
      {draft.trigger === 'manual' ? <p class="muted">{t('workflows.trigger.manualHint')}</p> : null}
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
      <h2 id="condition-title">{t('workflows.editor.condition.title')}</h2>
      <ConditionBuilder condition={props.draft.condition} fields={fields} onChange={(condition) => props.set({ condition })} />
      <label for="condition">{t('workflows.editor.condition.label')}</label>
      {/* JSON, not words: page translators leave it (and its example placeholder) alone. */}
      <textarea
        id="condition"
        translate={false}
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
        {t('workflows.editor.condition.hint')}
      </span>
      <FieldMessages id="condition-errors" messages={props.messages} />
    </section>
  );
}
