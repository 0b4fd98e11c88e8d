// JSON Schema values as the workflow pages read them: the schema type, plain objects, and the
// literal text behind a "contains" rule's pattern. A leaf both the condition builder and the sample
// payload use, so neither imports the other (nor the shared page parts) for them.

/** A JSON Schema as the pages pass it around (any keyword). */
export type JsonSchema = Record<string, any>;

export const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The text a pattern the builder wrote ("contains": escaped literal text) stands for; null for any other regex. */
export function literalOf(pattern: string): string | null {
  const literal = pattern.replace(/\\([.*+?^${}()|[\]\\])/g, '$1');
  return escapeRegExp(literal) === pattern ? literal : null;
}
