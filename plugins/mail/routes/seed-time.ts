/**
 * Seed 003's timestamps: `"2024-01-01 00:00:00"`, UTC to the second, with no `T` and no zone. The
 * plugin stores ISO-8601 UTC like the rest of the platform; this face shows every `*_at` field in
 * the document's format (`expires` stays epoch milliseconds, as the document has it).
 */
export const SEED_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** An ISO-8601 instant in the document's format; a value already in it is kept. */
export function seedTime(iso: string): string {
  if (SEED_TIME.test(iso)) return iso;
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : at.toISOString().slice(0, 19).replace('T', ' ');
}

type Row = Record<string, unknown>;

const shapeRow = <T>(row: T): T => {
  if (!row || typeof row !== 'object' || Array.isArray(row)) return row;
  const out: Row = { ...(row as Row) };
  for (const [key, value] of Object.entries(out)) if (key.endsWith('_at') && typeof value === 'string') out[key] = seedTime(value);
  return out as T;
};

/** A reply (a row or a list of rows) with each row's `*_at` strings in the document's format. */
export function seedTimes<T>(reply: T): T {
  return (Array.isArray(reply) ? reply.map(shapeRow) : shapeRow(reply)) as T;
}
