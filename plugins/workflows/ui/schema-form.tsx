// A form generated from a JSON Schema (an action's input, a template's params): one field per
// property, by its type — strings as text (templates like {{trigger.code}} welcome), numbers and
// integers (or a single {{tag}}, which keeps the value's type when rendered), booleans and enums
// as selects, arrays of strings as comma lists, anything else (objects, lists of objects, values
// of any type) as JSON text areas. An empty field is left out, so the schema's default applies.
// A value whose schema names an `x-plinth-ref` (a template's param, an action's input) is chosen from a list (pickers.tsx);
// a JSON Schema the input holds (`"x-plinth-editor": "condition"`, stop_if's) gets the condition's rule builder above its JSON.
import { useState } from 'preact/hooks';
import { t } from 'plinth/plugin/ui';
import { ConditionBuilder } from './condition-builder.js';
import { Picker, pickerHint, pickerOf } from './pickers.js';
import { codeStyle, fieldStyle, FieldMessages, isPlainObject, parseJson, templateToken, type JsonSchema } from './shared.js';

type Kind = 'enum' | 'boolean' | 'number' | 'list' | 'text' | 'textarea' | 'json' | 'any';

const typesOf = (s: JsonSchema): string[] => (Array.isArray(s.type) ? s.type : typeof s.type === 'string' ? [s.type] : []);

/** Which field a property gets. */
export function kindOf(s: JsonSchema): Kind {
  if (Array.isArray(s.enum)) return 'enum';
  const types = typesOf(s).filter((t) => t !== 'null');
  if (types.length === 1) {
    const [t] = types;
    if (t === 'boolean') return 'boolean';
    if (t === 'integer' || t === 'number') return 'number';
    if (t === 'array' && isPlainObject(s.items) && typesOf(s.items).includes('string') && !Array.isArray(s.items.enum)) return 'list';
    if (t === 'string') return (typeof s.maxLength === 'number' && s.maxLength <= 2000) || s.format || s.pattern ? 'text' : 'textarea';
    if (t === 'object' || t === 'array') return 'json';
  }
  return 'any';
}

/** The field's text for a stored value. */
function textOf(kind: Kind, value: unknown): string {
  if (value === undefined || value === null) return '';
  switch (kind) {
    case 'list':
      return Array.isArray(value) ? value.map(String).join(', ') : String(value);
    case 'json':
      return JSON.stringify(value, null, 2);
    case 'any':
      return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

const TEMPLATE = /\{\{/;
/** A template the hints show as an example (an argument: braces in a catalogue's message are ICU syntax). */
const AN_EXAMPLE = '{{trigger.code}}';

/** The value a field's text stands for (undefined: leave the property out), or why it is not one. */
export function fieldValue(kind: Kind, schema: JsonSchema, text: string): { value?: unknown; error?: string } {
  const trimmed = text.trim();
  if (!trimmed && kind !== 'text' && kind !== 'textarea') return { value: undefined };
  switch (kind) {
    case 'text':
    case 'textarea':
      return { value: text === '' ? undefined : text };
    case 'number': {
      if (TEMPLATE.test(trimmed)) return { value: trimmed };
      const n = Number(trimmed);
      if (!Number.isFinite(n)) return { error: t('workflows.schemaForm.error.number', { template: templateToken() }) };
      if (typesOf(schema).includes('integer') && !Number.isInteger(n)) return { error: t('workflows.schemaForm.error.integer') };
      return { value: n };
    }
    case 'list':
      return {
        value: trimmed
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      };
    case 'json': {
      const parsed = parseJson(trimmed);
      if (parsed.error) return { error: parsed.error };
      const types = typesOf(schema);
      if (types.includes('object') && !types.includes('array') && !isPlainObject(parsed.value))
        return { error: t('workflows.schemaForm.error.object', { example: '{ "name": "value" }' }) };
      if (types.includes('array') && !types.includes('object') && !Array.isArray(parsed.value))
        return { error: t('workflows.schemaForm.error.list', { example: '["a", "b"]' }) };
      return { value: parsed.value };
    }
    case 'any': {
      // JSON when it is JSON ({…}, […], numbers, true/false/null, "quoted"); otherwise the text itself.
      const parsed = /^[[{"\d-]|^(true|false|null)$/.test(trimmed) ? parseJson(trimmed) : { error: 'text' };
      return { value: parsed.error ? text : parsed.value };
    }
    default:
      return { value: trimmed };
  }
}

/** A string's JSON Schema format (uri, email, date-time) in words. */
const formatName = (format: string) => t('workflows.schemaForm.formatName', { key: format.replace(/-/g, '_'), format });

/** What a field of this kind takes, in words (enums and booleans say it with their options). */
function kindHint(kind: Kind, schema: JsonSchema, templates: boolean): string | null {
  const withTemplates = String(templates);
  switch (kind) {
    case 'text':
    case 'textarea':
      return t('workflows.schemaForm.hint.text', {
        format: schema.format ? formatName(String(schema.format)) : 'none',
        templates: withTemplates,
        example: AN_EXAMPLE,
      });
    case 'number':
      return t('workflows.schemaForm.hint.number', {
        integer: String(typesOf(schema).includes('integer')),
        min: schema.minimum !== undefined ? String(schema.minimum) : 'none',
        max: schema.maximum !== undefined ? String(schema.maximum) : 'none',
        templates: withTemplates,
        template: templateToken(),
      });
    case 'list':
      return t('workflows.schemaForm.hint.list');
    case 'json':
      return t('workflows.schemaForm.hint.json', { list: String(typesOf(schema).includes('array')), templates: withTemplates });
    case 'any':
      return t('workflows.schemaForm.hint.any', { templates: withTemplates });
    default:
      return null;
  }
}

/** The hint under a field: the schema's own description (the action's words), what it takes, its default. */
function hint(kind: Kind, schema: JsonSchema, templates: boolean): string {
  const parts: string[] = [];
  if (schema.description) parts.push(String(schema.description));
  const takes = kindHint(kind, schema, templates);
  if (takes) parts.push(takes);
  if (schema.default !== undefined && kind !== 'enum' && kind !== 'boolean')
    parts.push(t('workflows.schemaForm.hint.default', { value: JSON.stringify(schema.default) }));
  return parts.join(' · ');
}

interface FieldProps {
  id: string;
  /** The property's name: the key its value is saved under, shown as such (code) unless `label` says it in words. */
  name: string;
  label?: string;
  schema: JsonSchema;
  required: boolean;
  value: unknown;
  /** Server-side (or dry run) problems for this field. */
  messages: string[];
  templates: boolean;
  onChange(value: unknown, error: string | null): void;
}

function Field(props: FieldProps) {
  const { id, name, schema, required } = props;
  const kind = kindOf(schema);
  const [text, setText] = useState(() => textOf(kind, props.value));
  const [error, setError] = useState<string | null>(null);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const messages = [...(error ? [error] : []), ...props.messages];
  const described = { 'aria-describedby': messages.length ? `${hintId} ${errorId}` : hintId, ...(messages.length ? { 'aria-invalid': true as const } : {}) };

  const change = (next: string) => {
    setText(next);
    const parsed = fieldValue(kind, schema, next);
    setError(parsed.error ?? null);
    props.onChange(parsed.error ? props.value : parsed.value, parsed.error ?? null);
  };

  const picker = pickerOf(schema);
  let control;
  if (picker) {
    control = (
      <Picker
        id={id}
        kind={picker}
        value={props.value}
        required={required}
        described={described}
        templates={props.templates}
        onChange={(v) => props.onChange(v, null)}
      />
    );
  } else if (kind === 'enum' || kind === 'boolean') {
    const options: unknown[] = kind === 'enum' ? schema.enum : [true, false];
    const index = options.findIndex((o) => JSON.stringify(o) === JSON.stringify(props.value));
    const blank =
      schema.default !== undefined
        ? t('workflows.schemaForm.default', { value: String(schema.default) })
        : required
          ? t('workflows.schemaForm.choose')
          : t('workflows.picker.notSet');
    control = (
      <select
        id={id}
        value={index < 0 ? '' : String(index)}
        onChange={(e) => {
          const i = e.currentTarget.value;
          props.onChange(i === '' ? undefined : options[Number(i)], null);
        }}
        style={fieldStyle}
        {...described}
      >
        <option value="">{blank}</option>
        {options.map((o, i) => (
          <option key={i} value={String(i)}>
            {kind === 'boolean' ? t('workflows.schemaForm.boolean', { value: String(o) }) : String(o)}
          </option>
        ))}
      </select>
    );
  } else if (kind === 'text' || kind === 'number' || kind === 'list') {
    control = (
      <input
        id={id}
        autoComplete="off"
        spellcheck={false}
        inputMode={kind === 'number' ? 'decimal' : undefined}
        value={text}
        onInput={(e) => change(e.currentTarget.value)}
        {...described}
      />
    );
  } else {
    const rows = kind === 'textarea' ? 3 : Math.min(8, Math.max(3, text.split('\n').length));
    control = (
      <>
        {kind === 'json' && schema['x-plinth-editor'] === 'condition' ? (
          <ConditionBuilder
            condition={text}
            fields={[]}
            idPrefix={`${id}-rule`}
            label={t('workflows.schemaForm.ruleBuilder', { name })}
            empty={t('workflows.schemaForm.noRules')}
            onChange={change}
          />
        ) : null}
        <textarea
          id={id}
          rows={rows}
          spellcheck={false}
          value={text}
          onInput={(e) => change(e.currentTarget.value)}
          style={kind === 'textarea' ? { ...fieldStyle, resize: 'vertical' } : codeStyle}
          {...described}
        />
      </>
    );
  }

  return (
    <div class="schema-field">
      <label for={id}>
        {props.label ?? <code>{name}</code>}
        {required ? <span aria-hidden="true"> *</span> : null}
        {required ? (
          <span class="muted" style={{ fontWeight: 400 }}>
            {' '}
            {t('workflows.schemaForm.required')}
          </span>
        ) : null}
      </label>
      {control}
      <span id={hintId} class="muted" style={{ display: 'block', fontSize: '0.8rem', marginTop: '0.2rem' }}>
        {picker
          ? [schema.description, pickerHint(picker), props.templates ? t('workflows.schemaForm.orTemplate', { template: templateToken() }) : null]
              .filter(Boolean)
              .join(' · ')
          : hint(kind, schema, props.templates)}
      </span>
      <FieldMessages id={errorId} messages={messages} />
    </div>
  );
}

/**
 * The fields of `schema` (an object schema) over `value`. `onChange` gets the whole object (an
 * empty field removes its property); `onInvalid` tells which fields hold text that is not a value
 * yet (bad JSON, a word in a number), so a form can refuse to save them. `messages` are problems
 * by property path (`url`, `headers.x`), from a 422 or a dry run.
 */
export function SchemaForm(props: {
  schema: JsonSchema;
  value: Record<string, unknown>;
  idPrefix: string;
  messages?: Record<string, string[]>;
  /** Whether the values are templates (a step's input) or plain values (a template's params). */
  templates?: boolean;
  onChange(next: Record<string, unknown>): void;
  onInvalid(field: string, error: string | null): void;
}) {
  const { schema, value } = props;
  const properties: Record<string, JsonSchema> = isPlainObject(schema.properties) ? (schema.properties as Record<string, JsonSchema>) : {};
  const required: string[] = Array.isArray(schema.required) ? schema.required : [];
  const names = Object.keys(properties);
  // Required fields first, then the rest in the schema's order.
  names.sort((a, b) => Number(required.includes(b)) - Number(required.includes(a)));
  const messagesFor = (name: string) =>
    Object.entries(props.messages ?? {}).flatMap(([path, list]) => (path === name || path.startsWith(`${name}.`) ? list : []));

  if (!names.length) {
    // No properties to go by: the whole input as one JSON object.
    return (
      <Field
        id={`${props.idPrefix}-input`}
        name="input"
        label={t('workflows.schemaForm.wholeInput')}
        schema={{ type: 'object' }}
        required={false}
        value={value}
        messages={props.messages?.[''] ?? []}
        templates={props.templates ?? true}
        onChange={(v, error) => {
          props.onInvalid('', error);
          if (!error) props.onChange(isPlainObject(v) ? v : {});
        }}
      />
    );
  }

  return (
    <div class="schema-form">
      {names.map((name) => (
        <Field
          key={name}
          id={`${props.idPrefix}-${name}`}
          name={name}
          schema={properties[name]}
          required={required.includes(name)}
          value={value[name]}
          messages={messagesFor(name)}
          templates={props.templates ?? true}
          onChange={(v, error) => {
            props.onInvalid(name, error);
            if (error) return;
            const next = { ...value };
            if (v === undefined) delete next[name];
            else next[name] = v;
            props.onChange(next);
          }}
        />
      ))}
    </div>
  );
}
