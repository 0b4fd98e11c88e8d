// A sample trigger payload to start a dry run or a Run now from: the event's payload fields (each
// with a placeholder of its type), then what the workflow's condition asks for (a const, an enum's
// first value, a number past a bound, a required field), so the sample passes the condition.
import { t } from 'plinth/plugin/ui';
import { isPlainObject, literalOf, type JsonSchema } from './json-schema.js';

/** A stand-in text a person reads as one, in the UI's language ("sample subject"). */
const standIn = (name: string) => t('workflows.editor.sampleValue', { field: name });

const typeOf = (s: JsonSchema): string | undefined => (Array.isArray(s.type) ? s.type.find((x: string) => x !== 'null') : s.type);

/** A value a person reads as a stand-in, of the schema's type. */
function placeholder(name: string, s: JsonSchema): unknown {
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  const t = typeOf(s);
  if (t === 'integer' || t === 'number') {
    if (typeof s.exclusiveMinimum === 'number') return t === 'integer' ? Math.floor(s.exclusiveMinimum) + 1 : s.exclusiveMinimum + 1;
    if (typeof s.minimum === 'number') return s.minimum;
    if (typeof s.exclusiveMaximum === 'number') return t === 'integer' ? Math.ceil(s.exclusiveMaximum) - 1 : s.exclusiveMaximum - 1;
    if (typeof s.maximum === 'number') return s.maximum;
    return 1;
  }
  if (t === 'boolean') return true;
  if (t === 'array') return isPlainObject(s.contains) && 'const' in s.contains ? [s.contains.const] : [];
  if (t === 'object') return {};
  if (typeof s.pattern === 'string' && literalOf(s.pattern) !== null) return literalOf(s.pattern); // a "contains" rule's text
  return standIn(name);
}

const propertiesOf = (s: JsonSchema | null | undefined): Record<string, JsonSchema> =>
  s && isPlainObject(s.properties) ? (s.properties as Record<string, JsonSchema>) : {};

/** The sample as an object: the event's fields, overlaid with what the condition requires. */
export function samplePayload(eventSchema: JsonSchema | null | undefined, condition: JsonSchema | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(propertiesOf(eventSchema))) out[name] = placeholder(name, isPlainObject(s) ? s : {});
  const wanted = propertiesOf(condition);
  for (const [name, s] of Object.entries(wanted)) {
    if (!isPlainObject(s)) continue;
    // The event's own type, narrowed by the condition's rule (a bound on a number, a const…).
    const merged = { ...propertiesOf(eventSchema)[name], ...s };
    if (
      'const' in s ||
      Array.isArray(s.enum) ||
      typeof s.pattern === 'string' ||
      ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'contains'].some((k) => k in s)
    ) {
      out[name] = placeholder(name, merged);
    } else if (!(name in out)) out[name] = placeholder(name, merged);
  }
  const required: unknown[] = condition && Array.isArray(condition.required) ? condition.required : [];
  for (const name of required) if (typeof name === 'string' && !(name in out)) out[name] = standIn(name);
  return out;
}

/** The same as the JSON text a payload field starts with. */
export const sampleText = (eventSchema: JsonSchema | null | undefined, condition: JsonSchema | null | undefined) =>
  JSON.stringify(samplePayload(eventSchema, condition), null, 2);
