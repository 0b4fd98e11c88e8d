// The condition builder: a rule at a time (a field of the trigger's payload, an operator, a value)
// written into the condition's JSON Schema, which stays editable as raw JSON below it for anything
// the builder does not say (anyOf, nested objects…). The rules already in the schema are read back
// as sentences, so a person sees what the condition asks without reading JSON Schema.
import { useState } from 'preact/hooks';
import { fieldStyle, FieldMessages, isPlainObject, parseJson, type JsonSchema } from './shared.js';

export type Operator = 'equals' | 'not_equals' | 'contains' | 'exists' | 'greater' | 'less';

const OPERATORS: Array<{ value: Operator; label: string }> = [
  { value: 'equals', label: 'equals' },
  { value: 'not_equals', label: 'does not equal' },
  { value: 'contains', label: 'contains' },
  { value: 'exists', label: 'exists' },
  { value: 'greater', label: 'is greater than' },
  { value: 'less', label: 'is less than' },
];

/** A payload field the builder offers: its name and JSON type (from the event's payload schema). */
export interface PayloadField {
  name: string;
  type?: string;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The text a pattern the builder wrote ("contains": escaped literal text) stands for; null for any other regex. */
export function literalOf(pattern: string): string | null {
  const literal = pattern.replace(/\\([.*+?^${}()|[\]\\])/g, '$1');
  return escapeRegExp(literal) === pattern ? literal : null;
}

/** The typed value as the field's type wants it; a message when it cannot be. */
function coerce(text: string, type: string | undefined, op: Operator): { value?: unknown; error?: string } {
  const t = text.trim();
  if (op === 'greater' || op === 'less' || type === 'number' || type === 'integer') {
    const n = Number(t);
    if (!t || !Number.isFinite(n)) return { error: 'The value must be a number.' };
    return { value: n };
  }
  if (type === 'boolean') {
    if (t !== 'true' && t !== 'false') return { error: 'The value must be true or false.' };
    return { value: t === 'true' };
  }
  if (!t && op !== 'equals' && op !== 'not_equals') return { error: 'Give a value.' };
  return { value: text };
}

/** The JSON Schema of one rule on one property, and whether the field must be present. */
function ruleSchema(op: Operator, value: unknown, type: string | undefined): { schema: JsonSchema | null; required: boolean } {
  switch (op) {
    case 'equals':
      return { schema: { const: value }, required: true };
    case 'not_equals':
      return { schema: { not: { const: value } }, required: false };
    case 'contains':
      return {
        schema: type === 'array' ? { type: 'array', contains: { const: value } } : { type: 'string', pattern: escapeRegExp(String(value)) },
        required: true,
      };
    case 'exists':
      return { schema: null, required: true };
    case 'greater':
      return { schema: { type: 'number', exclusiveMinimum: value }, required: true };
    case 'less':
      return { schema: { type: 'number', exclusiveMaximum: value }, required: true };
  }
}

/**
 * The condition text with one more rule, or why not. An empty condition becomes an object schema;
 * a property that already has a rule with the same keywords gets the new one beside it (allOf).
 */
export function addRule(conditionText: string, rule: { field: string; op: Operator; value: string; type?: string }): { text?: string; error?: string } {
  const field = rule.field.trim();
  if (!field) return { error: 'Choose a field.' };
  let condition: JsonSchema = { type: 'object' };
  if (conditionText.trim()) {
    const parsed = parseJson(conditionText);
    if (parsed.error || !isPlainObject(parsed.value)) return { error: 'Fix the JSON of the condition below first.' };
    condition = parsed.value as JsonSchema;
  }
  const value = rule.op === 'exists' ? { value: undefined } : coerce(rule.value, rule.type, rule.op);
  if (value.error) return { error: value.error };
  const { schema, required } = ruleSchema(rule.op, value.value, rule.type);
  const next: JsonSchema = { ...condition, type: condition.type ?? 'object' };
  if (schema) {
    const properties = { ...(isPlainObject(next.properties) ? next.properties : {}) } as Record<string, JsonSchema>;
    const existing = properties[field];
    if (!isPlainObject(existing)) properties[field] = schema;
    else if (Object.keys(schema).some((k) => k in existing))
      properties[field] = { ...existing, allOf: [...(Array.isArray(existing.allOf) ? existing.allOf : []), schema] };
    else properties[field] = { ...existing, ...schema };
    next.properties = properties;
  }
  if (required) {
    const list: string[] = Array.isArray(next.required) ? [...next.required] : [];
    if (!list.includes(field)) list.push(field);
    next.required = list;
  }
  return { text: JSON.stringify(next, null, 2) };
}

const shown = (v: unknown) => JSON.stringify(v);

/** One property's rules in words ("code equals \"X\""); what the builder cannot say is left to the JSON. */
function describeProperty(name: string, s: JsonSchema): string[] {
  const out: string[] = [];
  if ('const' in s) out.push(`${name} equals ${shown(s.const)}`);
  if (Array.isArray(s.enum)) out.push(`${name} is one of ${s.enum.map(shown).join(', ')}`);
  if (isPlainObject(s.not) && 'const' in s.not) out.push(`${name} does not equal ${shown(s.not.const)}`);
  if (typeof s.pattern === 'string') {
    // A pattern the builder wrote reads as "contains"; any other as the regex it is.
    const literal = literalOf(s.pattern);
    out.push(literal !== null ? `${name} contains ${shown(literal)}` : `${name} matches /${s.pattern}/`);
  }
  if (isPlainObject(s.contains) && 'const' in s.contains) out.push(`${name} contains ${shown(s.contains.const)}`);
  if (typeof s.exclusiveMinimum === 'number') out.push(`${name} is greater than ${s.exclusiveMinimum}`);
  if (typeof s.exclusiveMaximum === 'number') out.push(`${name} is less than ${s.exclusiveMaximum}`);
  if (typeof s.minimum === 'number') out.push(`${name} is at least ${s.minimum}`);
  if (typeof s.maximum === 'number') out.push(`${name} is at most ${s.maximum}`);
  if (Array.isArray(s.allOf)) for (const part of s.allOf) if (isPlainObject(part)) out.push(...describeProperty(name, part));
  return out;
}

/** The condition's rules as sentences (null when the text is not a schema object). */
export function describeCondition(conditionText: string): string[] | null {
  if (!conditionText.trim()) return [];
  const parsed = parseJson(conditionText);
  if (parsed.error || !isPlainObject(parsed.value)) return null;
  const schema = parsed.value as JsonSchema;
  const properties = (isPlainObject(schema.properties) ? schema.properties : {}) as Record<string, JsonSchema>;
  const required: string[] = Array.isArray(schema.required) ? schema.required.filter((r: unknown): r is string => typeof r === 'string') : [];
  const out: string[] = [];
  for (const [name, s] of Object.entries(properties)) {
    const words = isPlainObject(s) ? describeProperty(name, s) : [];
    out.push(...(words.length ? words : [`${name}: see the JSON`]));
  }
  for (const name of required) if (!properties[name] || !describeProperty(name, properties[name]).length) out.push(`${name} exists`);
  return out;
}

/** The builder's row and the rules in words; `onChange` gets the condition's new text. */
export function ConditionBuilder(props: { condition: string; fields: PayloadField[]; onChange(text: string): void }) {
  const [field, setField] = useState('');
  const [op, setOp] = useState<Operator>('equals');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const rules = describeCondition(props.condition);
  const type = props.fields.find((f) => f.name === field)?.type;

  const add = () => {
    const result = addRule(props.condition, { field, op, value, type });
    if (result.error) return setError(result.error);
    setError(null);
    setValue('');
    props.onChange(result.text!);
  };

  return (
    <fieldset aria-label="Condition builder" style={{ border: 0, margin: 0, padding: 0, minWidth: 0 }}>
      {rules?.length ? (
        <ul aria-label="Condition rules" style={{ margin: '0 0 0.5rem', paddingLeft: '1.25rem' }}>
          {rules.map((r, i) => (
            <li key={i}>{r}</li>
          ))}
        </ul>
      ) : (
        <p class="muted">{rules ? 'No rules: every trigger runs.' : 'The condition below is not valid JSON yet.'}</p>
      )}
      <div class="inline-form" style={{ alignItems: 'flex-end' }}>
        <div>
          <label for="rule-field">Field</label>
          {props.fields.length ? (
            <select id="rule-field" value={field} onChange={(e) => setField(e.currentTarget.value)} style={fieldStyle}>
              <option value="">Choose a field…</option>
              {props.fields.map((f) => (
                <option key={f.name} value={f.name}>
                  {f.name}
                  {f.type ? ` (${f.type})` : ''}
                </option>
              ))}
            </select>
          ) : (
            <input
              id="rule-field"
              autoComplete="off"
              spellcheck={false}
              placeholder="e.g. code"
              value={field}
              onInput={(e) => setField(e.currentTarget.value)}
            />
          )}
        </div>
        <div>
          <label for="rule-operator">Operator</label>
          <select id="rule-operator" value={op} onChange={(e) => setOp(e.currentTarget.value as Operator)} style={fieldStyle}>
            {OPERATORS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <div class="grow">
          <label for="rule-value">Value</label>
          <input
            id="rule-value"
            autoComplete="off"
            spellcheck={false}
            disabled={op === 'exists'}
            value={op === 'exists' ? '' : value}
            onInput={(e) => setValue(e.currentTarget.value)}
          />
        </div>
        <button type="button" class="secondary" onClick={add}>
          Add rule
        </button>
      </div>
      <FieldMessages id="rule-errors" messages={error ? [error] : []} />
    </fieldset>
  );
}
