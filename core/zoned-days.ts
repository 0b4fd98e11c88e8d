// Calendar days in the viewer's time zone, for the admin pages' daily charts: a chart's bar must
// hold the rows the list under it shows on that day, and the list shows times in the browser's
// zone. Counting by `substr(created_at, 1, 10)` counts UTC days, so a run at 01:30 in Shanghai
// fell on the day before. No time-zone library: Intl knows the zones (IANA names).
import type { Knex } from 'knex';
import { AppError } from './errors.js';

/** One calendar day of a time zone: its date and the UTC instants it runs from (inclusive) and to (exclusive). */
export interface ZonedDay {
  date: string;
  from: string;
  to: string;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    if (formats.size > 500) formats.clear(); // names come from requests: keep the cache bounded
    formats.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is a zone this runtime knows (an IANA name such as Asia/Shanghai, or UTC). */
export function isTimeZone(timeZone: string): boolean {
  if (!timeZone || timeZone.length > 64) return false;
  try {
    format(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The zone named in a query (`field`), UTC when absent; an unknown one is a validation error in the
 * face's envelope (`status`: what the face answers a bad query with, 422 unless it says 400).
 */
export function timeZoneOf(value: string | undefined, field = 'tz', status = 422): string {
  if (value === undefined || value === '') return 'UTC';
  if (!isTimeZone(value)) throw AppError.validation([{ path: `query.${field}`, message: 'must be an IANA time zone, e.g. Asia/Shanghai' }], status);
  return value;
}

/** The wall clock of `instant` in the zone, as if it were UTC (year, month, day, hours… as Date.UTC takes them). */
function wallClock(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(
    format(timeZone)
      .formatToParts(new Date(instant))
      .map((p) => [p.type, Number(p.value)]),
  );
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
}

/** The instant the day (UTC-style y, m, d) starts in the zone: midnight, or the first moment after a gap. */
function startOf(y: number, m: number, d: number, timeZone: string): number {
  const local = Date.UTC(y, m, d);
  // The zone's offset at a guess, then at the instant it gives (a change of offset between the two).
  let t = local - (wallClock(local, timeZone) - local);
  t = local - (wallClock(t, timeZone) - t);
  return t;
}

/** The date (YYYY-MM-DD) `instant` falls on in the zone. */
export function zonedDate(instant: Date, timeZone: string): string {
  return new Date(wallClock(instant.getTime(), timeZone)).toISOString().slice(0, 10);
}

/** The `days` calendar days of the zone ending with the one `now` falls on, oldest first. */
export function zonedDays(now: Date, days: number, timeZone = 'UTC'): ZonedDay[] {
  const today = new Date(wallClock(now.getTime(), timeZone));
  const [y, m, d] = [today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()];
  return Array.from({ length: days }, (_, i) => daySpan(y, m, d - (days - 1 - i), timeZone));
}

/** The zone's days from `first` to `last` (YYYY-MM-DD, inclusive), oldest first. */
export function zonedRange(first: string, last: string, timeZone = 'UTC'): ZonedDay[] {
  const [y, m, d] = first.split('-').map(Number);
  const n = Math.round((Date.parse(`${last}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / 86_400_000) + 1;
  return Array.from({ length: Math.max(0, n) }, (_, i) => daySpan(y, m - 1, d + i, timeZone));
}

function daySpan(y: number, m: number, d: number, timeZone: string): ZonedDay {
  return {
    date: new Date(Date.UTC(y, m, d)).toISOString().slice(0, 10),
    from: new Date(startOf(y, m, d, timeZone)).toISOString(),
    to: new Date(startOf(y, m, d + 1, timeZone)).toISOString(),
  };
}

/**
 * The day (YYYY-MM-DD of `days`) an ISO timestamp `column` falls on, as SQL: a CASE over the days'
 * bounds (null outside them), for a select whose outer query groups by it (SQLite and PostgreSQL).
 */
export function dayOf(db: Knex, column: string, days: readonly ZonedDay[]): Knex.Raw {
  const cases = days.map(() => 'WHEN ?? >= ? AND ?? < ? THEN ?').join(' ');
  return db.raw(
    `CASE ${cases} END`,
    days.flatMap((d) => [column, d.from, column, d.to, d.date]),
  );
}

/** `query` cut to the rows whose `column` falls within `days` (an index on it serves). */
export function withinDays(query: Knex.QueryBuilder, column: string, days: readonly ZonedDay[]): Knex.QueryBuilder {
  return query.where(column, '>=', days[0].from).where(column, '<', days[days.length - 1].to);
}

/**
 * Counts the rows of `query` per day of `days` by their ISO timestamp `column` (and by `by`, a
 * column, when given): `{ date, key, n }` for each day and key that has rows. One statement on
 * SQLite and PostgreSQL: the day is a CASE over the days' bounds, grouped in an outer query.
 */
export async function countPerDay(
  db: Knex,
  query: Knex.QueryBuilder,
  column: string,
  days: readonly ZonedDay[],
  by?: string,
): Promise<Array<{ date: string; key: string | null; n: number }>> {
  if (!days.length) return [];
  const inner = withinDays(query.clone(), column, days).select({ day: dayOf(db, column, days), ...(by ? { key: by } : {}) });
  const rows: Array<{ day: string; key?: string | null; n: number | string }> = await db
    .from(inner.as('zoned'))
    .select(by ? ['day', 'key'] : ['day'])
    .count({ n: '*' })
    .groupBy(by ? ['day', 'key'] : ['day']);
  return rows.map((r) => ({ date: r.day, key: r.key ?? null, n: Number(r.n) }));
}
