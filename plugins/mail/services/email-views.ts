import type { Knex } from 'knex';
import { mailLibraries } from './prepare-message.js';

/** One header line as received: its name as written and its value unfolded (RFC 5322 §2.2.3). */
export interface HeaderLine {
  name: string;
  value: string;
}

/** Where the header section ends: the first empty line (CRLF or bare LF), or the whole message when there is none. */
export function headerSectionEnd(raw: Buffer): number {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf === -1 && lf === -1) return raw.length;
  if (crlf === -1) return lf;
  if (lf === -1) return crlf;
  return Math.min(crlf, lf);
}

/**
 * A message's headers in received order, by postal-mime (the parser ingest already uses): only the
 * header section is handed to it, so a large body costs nothing here. Values stay as sent (encoded
 * words are not decoded: the Headers tab shows what came over the wire, unfolded).
 */
export async function parseHeaders(raw: Buffer): Promise<HeaderLine[]> {
  const { PostalMime } = await mailLibraries();
  const head = Buffer.concat([raw.subarray(0, headerSectionEnd(raw)), Buffer.from('\r\n\r\n')]);
  const parsed = await PostalMime.parse(head);
  return parsed.headers.map((h) => ({ name: h.originalKey ?? h.key, value: h.value }));
}

export const SEARCH_FIELDS = ['all', 'from', 'to', 'subject', 'text'] as const;
export type SearchField = (typeof SEARCH_FIELDS)[number];

/** The stored columns each search field looks in (recipients is the JSON list of addresses). */
const COLUMNS: Record<Exclude<SearchField, 'all'>, string[]> = {
  from: ['e.sender', 'e.sender_name'],
  to: ['e.recipients'],
  subject: ['e.subject'],
  text: ['e.text_content'],
};

/** `q` as a LIKE pattern matching it anywhere, its own `%`, `_` and `\` taken literally (ESCAPE '\'). */
export const likePattern = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Narrows `query` (mail the caller may see) to messages whose chosen fields contain `q`, case
 * folded by lower() on both sides (SQLite folds ASCII only; PostgreSQL all of Unicode). A LIKE
 * scan of the caller's own mailboxes: temporary mail is small and short-lived, the query follows
 * the same scope as every other read, and any instance answers the same (an in-memory index such
 * as minisearch would be one per process, rebuilt at boot and out of step across instances).
 */
export function whereContains(query: Knex.QueryBuilder, q: string, field: SearchField): Knex.QueryBuilder {
  const columns = field === 'all' ? Object.values(COLUMNS).flat() : COLUMNS[field];
  const pattern = likePattern(q);
  return query.where((w) => {
    for (const column of columns) w.orWhereRaw(`lower(coalesce(??, '')) like ? escape '\\'`, [column, pattern]);
  });
}
