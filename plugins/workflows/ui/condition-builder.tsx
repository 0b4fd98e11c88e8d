// The condition builder: a rule at a time (a field of the trigger's payload, an operator, a value)
// written into the condition's JSON Schema, which stays editable as raw JSON below it for anything
// the builder does not say (anyOf, nested objects…). The rules already in the schema are read back
// as sentences, so a person sees what the condition asks without reading JSON Schema.
import { useState } from 'preact/hooks';
import { t } from 'plinth/plugin/ui';
import { escapeRegExp, isPlainObject, literalOf, type JsonSchema } from './json-schema.js';
import { fieldStyle, FieldMessages, parseJson } from './shared.js';

export type Operator = 'equals' | 'not_equals' | 'contains' | 'exists' | 'greater' | 'less';

/** In the order the builder offers them; each is labelled by `workflows.condition.op.<operator>`. */
const OPERATORS: Operator[] = ['equals', 'not_equals', 'contains', 'exists', 'greater', 'less'];

/** A JSON type's name in the UI's words ("string", "integer"…); a type the UI does not know stays as it is. */
export const jsonTypeName = (type: string) => t('workflows.editor.jsonType', { type });

/** A payload field the builder offers: its name and JSON type (from the event's payload schema). */
export interface PayloadField {
  name: string;
  type?: string;
}

/** The typed value as the field's type wants it; a message when it cannot be. */
function coerce(text: string, type: string | undefined, op: Operator): { value?: unknown; error?: string } {
  const trimmed = text.trim();
  if (op === 'greater' || op === 'less' || type === 'number' || type === 'integer') {
    const n = Number(trimmed);
    if (!trimmed || !Number.isFinite(n)) return { error: t('workflows.condition.error.number') };
    return { value: n };
  }
  if (type === 'boolean') {
    if (trimmed !== 'true' && trimmed !== 'false') return { error: t('workflows.condition.error.boolean') };
    return { value: trimmed === 'true' };
  }
  if (!trimmed && op !== 'equals' && op !== 'not_equals') return { error: t('workflows.condition.error.value') };
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
  if (!field) return { error: t('workflows.condition.error.field') };
  let condition: JsonSchema = { type: 'object' };
  if (conditionText.trim()) {
    const parsed = parseJson(conditionText);
    if (parsed.error || !isPlainObject(parsed.value)) return { error: t('workflows.condition.error.json') };
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

/** A rule read back from the schema: its sentence, and how to take it out of a copy of the schema. */
interface Rule {
  text: string;
  drop(schema: JsonSchema): void;
}

/** Keywords that say nothing about the value by themselves (what a rule leaves behind). */
const QUIET = new Set(['type', 'description', 'title', '$schema', '$id', '$comment']);
const hasRules = (s: JsonSchema) => Object.keys(s).some((k) => !QUIET.has(k));
/** Whether a property's rules need the field to be there (all but "does not equal" do). */
const needsPresence = (s: JsonSchema): boolean =>
  Object.keys(s).some((k) => !QUIET.has(k) && k !== 'not' && k !== 'allOf') ||
  (Array.isArray(s.allOf) && s.allOf.some((p: unknown) => isPlainObject(p) && needsPresence(p as JsonSchema)));

/** A rule's sentence: `workflows.condition.rule.<kind>` over the field's name (the value itself for `null`). */
const sentence = (kind: string, name: string | null, value?: string) =>
  t(`workflows.condition.rule.${kind}`, { field: name ?? t('workflows.condition.theValue'), value });

/** One schema's rules in words ("code equals \"X\""), each removable; what the builder cannot say is left to the JSON. */
function rulesOf(name: string | null, s: JsonSchema): Rule[] {
  const out: Rule[] = [];
  const key = (text: string, ...keys: string[]) => out.push({ text, drop: (t) => keys.forEach((k) => delete t[k]) });
  if ('const' in s) key(sentence('equals', name, shown(s.const)), 'const');
  if (Array.isArray(s.enum)) key(sentence('oneOf', name, s.enum.map(shown).join(', ')), 'enum');
  if (isPlainObject(s.not) && 'const' in s.not) key(sentence('notEquals', name, shown(s.not.const)), 'not');
  if (typeof s.pattern === 'string') {
    // A pattern the builder wrote reads as "contains"; any other as the regex it is.
    const literal = literalOf(s.pattern);
    key(literal !== null ? sentence('contains', name, shown(literal)) : sentence('matches', name, `/${s.pattern}/`), 'pattern');
  }
  if (isPlainObject(s.contains) && 'const' in s.contains) key(sentence('contains', name, shown(s.contains.const)), 'contains');
  if (typeof s.exclusiveMinimum === 'number') key(sentence('greater', name, String(s.exclusiveMinimum)), 'exclusiveMinimum');
  if (typeof s.exclusiveMaximum === 'number') key(sentence('less', name, String(s.exclusiveMaximum)), 'exclusiveMaximum');
  if (typeof s.minimum === 'number') key(sentence('atLeast', name, String(s.minimum)), 'minimum');
  if (typeof s.maximum === 'number') key(sentence('atMost', name, String(s.maximum)), 'maximum');
  if (Array.isArray(s.allOf)) {
    s.allOf.forEach((part: unknown, i: number) => {
      if (!isPlainObject(part)) return;
      for (const rule of rulesOf(name, part as JsonSchema))
        out.push({
          text: rule.text,
          drop: (t) => {
            const parts = t.allOf as JsonSchema[];
            rule.drop(parts[i]);
            if (!hasRules(parts[i])) parts.splice(i, 1);
            if (!parts.length) delete t.allOf;
          },
        });
    });
  }
  return out;
}

/** A single allOf part left beside nothing it clashes with is folded back in, as the builder would have written it. */
function fold(s: JsonSchema): void {
  if (!Array.isArray(s.allOf) || s.allOf.length !== 1 || !isPlainObject(s.allOf[0])) return;
  const part = s.allOf[0] as JsonSchema;
  if (Object.keys(part).some((k) => k in s && k !== 'allOf' && JSON.stringify(s[k]) !== JSON.stringify(part[k]))) return;
  delete s.allOf;
  Object.assign(s, part);
}

/** The keywords a condition (an object schema) uses for its fields, not for the value as a whole. */
const OBJECT_KEYS = new Set(['properties', 'required', 'additionalProperties']);

/** The condition's rules, in the order shown (null when the text is not a schema object). */
function conditionRules(conditionText: string): Rule[] | null {
  if (!conditionText.trim()) return [];
  const parsed = parseJson(conditionText);
  if (parsed.error || !isPlainObject(parsed.value)) return null;
  const schema = parsed.value as JsonSchema;
  const properties = (isPlainObject(schema.properties) ? schema.properties : {}) as Record<string, JsonSchema>;
  const required: string[] = Array.isArray(schema.required) ? schema.required.filter((r: unknown): r is string => typeof r === 'string') : [];
  const unrequire = (t: JsonSchema, name: string) => {
    if (!Array.isArray(t.required)) return;
    t.required = t.required.filter((r: unknown) => r !== name);
    if (!t.required.length) delete t.required;
  };
  const out: Rule[] = [];
  // Rules on the value itself (a stop_if testing one value: `{ "const": "stop" }`).
  const root = Object.fromEntries(Object.entries(schema).filter(([k]) => !OBJECT_KEYS.has(k)));
  out.push(...rulesOf(null, root));
  for (const [name, s] of Object.entries(properties)) {
    const words = isPlainObject(s) ? rulesOf(name, s) : [];
    // Taking a field's rules away: its property goes once nothing is left, and so does its
    // "exists" once no rule left needs the field (a "does not equal" alone does not).
    const tidy = (t: JsonSchema) => {
      const props = t.properties as Record<string, JsonSchema>;
      if (!isPlainObject(props[name]) || !hasRules(props[name])) delete props[name];
      if (!Object.keys(props).length) delete t.properties;
      if (!props[name] || !needsPresence(props[name])) unrequire(t, name);
    };
    if (words.length) {
      for (const rule of words)
        out.push({
          text: rule.text,
          drop: (t) => {
            const props = t.properties as Record<string, JsonSchema>;
            const presence = needsPresence(props[name]);
            rule.drop(props[name]);
            fold(props[name]);
            // A "does not equal" going leaves an "exists" shown beside it.
            if (presence) tidy(t);
            else if (!hasRules(props[name])) {
              delete props[name];
              if (!Object.keys(props).length) delete t.properties;
            }
          },
        });
    } else {
      out.push({
        text: sentence('seeJson', name),
        drop: (t) => {
          delete (t.properties as Record<string, JsonSchema>)[name];
          tidy(t);
        },
      });
    }
  }
  for (const name of required)
    if (!isPlainObject(properties[name]) || !needsPresence(properties[name])) out.push({ text: sentence('exists', name), drop: (t) => unrequire(t, name) });
  return out;
}

/** The condition's rules as sentences (null when the text is not a schema object). */
export function describeCondition(conditionText: string): string[] | null {
  return conditionRules(conditionText)?.map((r) => r.text) ?? null;
}

/** The condition text without its `index`th rule (as `describeCondition` lists them); the others stay as they were. */
export function removeRule(conditionText: string, index: number): string {
  const rules = conditionRules(conditionText);
  if (!rules?.[index]) return conditionText;
  const copy = JSON.parse(conditionText) as JsonSchema;
  rules[index].drop(copy);
  return JSON.stringify(copy, null, 2);
}

/**
 * The builder's row and the rules in words, each with its Remove; `onChange` gets the condition's
 * new text. `idPrefix` and `label` tell two builders on one page apart (the trigger's condition, a
 * stop_if step's).
 */
export function ConditionBuilder(props: {
  condition: string;
  fields: PayloadField[];
  onChange(text: string): void;
  idPrefix?: string;
  label?: string;
  /** What an empty condition means where it is used. */
  empty?: string;
}) {
  const [field, setField] = useState('');
  const [op, setOp] = useState<Operator>('equals');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const rules = describeCondition(props.condition);
  const type = props.fields.find((f) => f.name === field)?.type;
  const id = props.idPrefix ?? 'rule';
  const label = props.label ?? t('workflows.condition.builder');

  const add = () => {
    const result = addRule(props.condition, { field, op, value, type });
    if (result.error) return setError(result.error);
    setError(null);
    setValue('');
    props.onChange(result.text!);
  };

  return (
    <fieldset aria-label={label} style={{ border: 0, margin: 0, padding: 0, minWidth: 0 }}>
      {rules?.length ? (
        <ul
          aria-label={props.label ? t('workflows.condition.rulesOf', { label }) : t('workflows.condition.rules')}
          style={{ margin: '0 0 0.5rem', paddingLeft: '1.25rem' }}
        >
          {rules.map((r, i) => (
            <li key={`${i}-${r}`}>
              <span>{r}</span>{' '}
              <button
                type="button"
                class="secondary small"
                aria-label={t('workflows.condition.removeRule', { rule: r })}
                title={t('workflows.condition.removeThisRule')}
                onClick={() => props.onChange(removeRule(props.condition, i))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{rules ? (props.empty ?? t('workflows.condition.noRules')) : t('workflows.condition.notJson')}</p>
      )}
      <div class="inline-form" style={{ alignItems: 'flex-end' }}>
        <div>
          <label for={`${id}-field`}>{t('workflows.condition.field')}</label>
          {props.fields.length ? (
            <select id={`${id}-field`} value={field} onChange={(e) => setField(e.currentTarget.value)} style={fieldStyle}>
              <option value="">{t('workflows.condition.chooseField')}</option>
              {props.fields.map((f) => (
                // A payload field's name is an identifier (the JSON and templates use it), not a word to translate.
                <option key={f.name} value={f.name} translate={false}>
                  {f.type ? t('workflows.condition.fieldOfType', { field: f.name, type: jsonTypeName(f.type) }) : f.name}
                </option>
              ))}
            </select>
          ) : (
            <input
              id={`${id}-field`}
              autoComplete="off"
              spellcheck={false}
              placeholder={t('workflows.condition.fieldPlaceholder')}
              value={field}
              onInput={(e) => setField(e.currentTarget.value)}
            />
          )}
        </div>
        <div>
          <label for={`${id}-operator`}>{t('workflows.condition.operator')}</label>
          <select id={`${id}-operator`} value={op} onChange={(e) => setOp(e.currentTarget.value as Operator)} style={fieldStyle}>
            {OPERATORS.map((o) => (
              <option key={o} value={o}>
                {t(`workflows.condition.op.${o}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="grow">
          <label for={`${id}-value`}>{t('workflows.condition.value')}</label>
          <input
            id={`${id}-value`}
            autoComplete="off"
            spellcheck={false}
            disabled={op === 'exists'}
            value={op === 'exists' ? '' : value}
            onInput={(e) => setValue(e.currentTarget.value)}
          />
        </div>
        <button type="button" class="secondary" onClick={add}>
          {t('workflows.condition.addRule')}
        </button>
      </div>
      <FieldMessages id={`${id}-errors`} messages={error ? [error] : []} />
    </fieldset>
  );
}
