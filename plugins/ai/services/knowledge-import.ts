import { createRequire } from 'node:module';
import { AppError } from 'plinth/plugin';
import { lazy } from 'plinth/plugin';
import type { FieldError } from 'plinth/plugin';
import { checkEntry, type EntryFields } from './knowledge-entry.js';

export type ImportFormat = 'csv' | 'json';

export const IMPORT_LIMITS = { bytes: 2 * 1024 * 1024, rows: 5000 } as const;

/**
 * A refused row: `row` counts entries from 1 (the CSV header is not one), `line` is where a CSV
 * record starts, `message` says it all in one line and `fields` field by field.
 */
export interface ImportRowError {
  row: number;
  line?: number;
  message: string;
  fields: FieldError[];
}

export interface ParsedImport {
  entries: EntryFields[];
  errors: ImportRowError[];
}

const CSV_COLUMNS = ['question', 'answer', 'keywords', 'kind', 'priority', 'enabled'];
// Fields an exported entry carries that an import ignores, so GET's JSON can be imported again.
const READ_ONLY = ['id', 'createdAt', 'updatedAt'];

/** A problem with the whole file: nothing is imported. */
const invalid = (message: string) => AppError.validation([{ path: 'content', message }], 400);

/**
 * Parses and checks an import. Problems with the file as a whole (too big, not CSV/JSON, bad
 * header, too many rows) throw a 400; problems with single rows are reported per row, and only
 * the rows without any are returned for writing.
 */
export function parseImport(format: ImportFormat, content: string): ParsedImport {
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes > IMPORT_LIMITS.bytes)
    throw invalid(`is ${(bytes / 1024 / 1024).toFixed(1)} MB; at most ${IMPORT_LIMITS.bytes / 1024 / 1024} MB can be imported at once`);
  const rows = format === 'csv' ? csvRows(content) : jsonRows(content);
  if (!rows.length) throw invalid('has no entries');
  if (rows.length > IMPORT_LIMITS.rows) throw invalid(`has ${rows.length} entries; at most ${IMPORT_LIMITS.rows} can be imported at once`);
  const result: ParsedImport = { entries: [], errors: [] };
  rows.forEach((r, i) => {
    const checked = r.errors.length ? null : checkEntry(r.value);
    if (checked?.entry) result.entries.push(checked.entry);
    else {
      const fields = checked?.errors ?? r.errors;
      result.errors.push({
        row: i + 1,
        ...(r.line ? { line: r.line } : {}),
        message: fields.map((f) => (f.path ? `${f.path} ${f.message}` : f.message)).join('; '),
        fields,
      });
    }
  });
  return result;
}

interface RawRow {
  value: unknown;
  line?: number;
  /** Found while reading the row (e.g. too many CSV fields): the entry is not checked further. */
  errors: FieldError[];
}

function jsonRows(content: string): RawRow[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (err) {
    throw invalid(`is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw invalid('must be a JSON array of entries');
  return parsed.map((item) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return { value: item, errors: [{ path: '', message: 'must be an object' }] };
    const value = { ...(item as Record<string, unknown>) };
    for (const key of READ_ONLY) delete value[key];
    return { value, errors: [] };
  });
}

/**
 * A header row naming the columns (any order, any case): question and answer are required;
 * keywords (separated by | or ,), kind (faq/keyword), priority and enabled may follow. Blank
 * lines and rows of empty cells (spreadsheets leave them at the end) are skipped.
 */
/** csv-parse is loaded at the first CSV import, not at boot. */
const csvParse = lazy(() => (createRequire(import.meta.url)('csv-parse/sync') as typeof import('csv-parse/sync')).parse);

function csvRows(content: string): RawRow[] {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    // One line ending throughout, so a record's line number is right and answers keep \n only.
    // (The sync API's typings do not follow `info: true`.)
    records = csvParse()(content.replace(/\r\n?/g, '\n'), {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as typeof records;
  } catch (err) {
    throw invalid(`is not valid CSV: ${(err as Error).message}`);
  }
  const [header, ...data] = records;
  if (!header) throw invalid('has no entries');
  const columns = header.record.map((c) => c.trim().toLowerCase());
  const unknown = columns.filter((c) => !CSV_COLUMNS.includes(c));
  if (unknown.length)
    throw invalid(`has unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => `"${c}"`).join(', ')}; the columns are ${CSV_COLUMNS.join(', ')}`);
  const twice = columns.find((c, i) => columns.indexOf(c) !== i);
  if (twice) throw invalid(`names the column "${twice}" twice`);
  const missing = ['question', 'answer'].filter((c) => !columns.includes(c));
  if (missing.length) throw invalid(`must have a header row naming the columns question and answer (missing: ${missing.join(', ')})`);

  const rows: RawRow[] = [];
  for (const { record, info } of data) {
    if (record.every((cell) => !cell.trim())) continue;
    const line = info.lines - record.join('').split('\n').length + 1;
    if (record.length > columns.length) {
      rows.push({ value: null, line, errors: [{ path: '', message: `has ${record.length} fields; the header names ${columns.length}` }] });
      continue;
    }
    const value: Record<string, unknown> = {};
    columns.forEach((column, i) => {
      const cell = record[i];
      if (cell !== undefined && cell.trim() !== '') value[column] = fromCell(column, cell);
    });
    rows.push({ value, line, errors: [] });
  }
  return rows;
}

const TRUE = ['true', '1', 'yes', 'y'];
const FALSE = ['false', '0', 'no', 'n'];

/** A cell as the entry's field; a cell that does not convert stays a string, so the entry check names the field. */
function fromCell(column: string, cell: string): unknown {
  const text = cell.trim();
  switch (column) {
    case 'keywords':
      return text
        .split(/[|,，、]/)
        .map((k) => k.trim())
        .filter(Boolean);
    case 'kind':
      return text.toLowerCase();
    case 'priority':
      return /^[+-]?\d+$/.test(text) ? Number(text) : text;
    case 'enabled':
      return TRUE.includes(text.toLowerCase()) ? true : FALSE.includes(text.toLowerCase()) ? false : text;
    default:
      return cell;
  }
}
