import { toFieldErrors, type FieldError, validatorOnFirstUse } from 'plinth/plugin';
import { normalizeText } from './search-tokenizer.js';

export type KnowledgeKind = 'faq' | 'keyword';

/** An entry as the API returns it (WorkBot style: camelCase). */
export interface KnowledgeEntry {
  id: number;
  kind: KnowledgeKind;
  question: string;
  answer: string;
  keywords: string[];
  priority: number;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** The fields a client writes. */
export type EntryFields = Pick<KnowledgeEntry, 'kind' | 'question' | 'answer' | 'keywords' | 'priority' | 'enabled'>;

export interface KnowledgeRow {
  id: number | string;
  tenant_id: string;
  kind: KnowledgeKind;
  question: string;
  answer: string;
  keywords: string;
  priority: number | string;
  enabled: boolean | number;
  created_at: string;
  updated_at: string;
}

export const LIMITS = { question: 500, answer: 5000, keywords: 50, keyword: 100, priority: 1_000_000 } as const;

/** Each field's shape: the routes' body schemas and the service's own check share it. */
export const entryProperties = {
  kind: { enum: ['faq', 'keyword'], description: 'faq: ranked by search; keyword: answers outright when a keyword appears' },
  question: { type: 'string', minLength: 1, maxLength: LIMITS.question, description: 'faq: the question; keyword: a label' },
  answer: { type: 'string', minLength: 1, maxLength: LIMITS.answer },
  keywords: { type: 'array', maxItems: LIMITS.keywords, items: { type: 'string', minLength: 1, maxLength: LIMITS.keyword } },
  priority: {
    type: 'integer',
    minimum: -LIMITS.priority,
    maximum: LIMITS.priority,
    description: 'higher wins among keyword rules and breaks ties in the ranking',
  },
  enabled: { type: 'boolean' },
} as const;

export const entryCreateSchema = { type: 'object', required: ['question', 'answer'], additionalProperties: false, properties: entryProperties };
export const entryUpdateSchema = { type: 'object', minProperties: 1, additionalProperties: false, properties: entryProperties };

// One validator: the service checks every entry it writes, whoever calls it (routes, import).
const checkShape = validatorOnFirstUse(entryCreateSchema, { useDefaults: false });

/**
 * A complete entry, checked and tidied: strings trimmed and not blank, keywords trimmed and
 * deduplicated (case- and width-insensitively), and a keyword rule has at least one keyword.
 * Field paths in errors are the entry's own (`question`, `keywords.2`).
 */
export function checkEntry(input: unknown): { entry: EntryFields; errors: null } | { entry: null; errors: FieldError[] } {
  if (!checkShape(input)) return { entry: null, errors: toFieldErrors(checkShape.errors) };
  const raw = input as Partial<EntryFields> & Pick<EntryFields, 'question' | 'answer'>;
  const errors: FieldError[] = [];
  const question = raw.question.trim();
  const answer = raw.answer.trim();
  for (const [path, value] of [
    ['question', question],
    ['answer', answer],
  ]) {
    if (!value) errors.push({ path, message: 'must not be blank' });
    // PostgreSQL text cannot hold NUL: refuse it here rather than fail the insert.
    else if (value.includes('\u0000')) errors.push({ path, message: 'must not contain NUL characters' });
  }
  const keywords: string[] = [];
  const seen = new Set<string>();
  for (const [i, k] of (raw.keywords ?? []).entries()) {
    const keyword = k.trim();
    const key = normalizeText(keyword);
    if (!keyword) errors.push({ path: `keywords.${i}`, message: 'must not be blank' });
    else if (keyword.includes('\u0000')) errors.push({ path: `keywords.${i}`, message: 'must not contain NUL characters' });
    else if (!seen.has(key)) keywords.push(keyword);
    seen.add(key);
  }
  const kind = raw.kind ?? 'faq';
  if (kind === 'keyword' && !keywords.length && !errors.some((e) => e.path.startsWith('keywords'))) {
    errors.push({ path: 'keywords', message: 'a keyword rule needs at least one keyword' });
  }
  if (errors.length) return { entry: null, errors };
  return { entry: { kind, question, answer, keywords, priority: raw.priority ?? 0, enabled: raw.enabled ?? true }, errors: null };
}

export const toView = (row: KnowledgeRow): KnowledgeEntry => ({
  id: Number(row.id),
  kind: row.kind,
  question: row.question,
  answer: row.answer,
  keywords: JSON.parse(row.keywords) as string[],
  priority: Number(row.priority),
  enabled: Boolean(row.enabled),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export const toColumns = (e: EntryFields) => ({
  kind: e.kind,
  question: e.question,
  answer: e.answer,
  keywords: JSON.stringify(e.keywords),
  priority: e.priority,
  enabled: e.enabled,
});
