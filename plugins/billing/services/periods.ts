/** Usage periods are calendar months and days in UTC, keyed as text so they sort and compare. */
export const GAUGE_KEY = '-';

export const monthKey = (d: Date): string => d.toISOString().slice(0, 7);
export const dayKey = (d: Date): string => d.toISOString().slice(0, 10);

/** A moment's timestamp and period keys, worked out once (a batch of consumes shares one). */
export interface Moment {
  iso: string;
  month: string;
  day: string;
}
export const momentOf = (d: Date): Moment => {
  const iso = d.toISOString();
  return { iso, month: iso.slice(0, 7), day: iso.slice(0, 10) };
};

export const monthStart = (d: Date): Date => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
export const addMonths = (d: Date, n: number): Date =>
  new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()));

/** The billing period of a manual subscription that contains `now`: aligned to calendar months. */
export function periodContaining(now: Date, cycle: 'monthly' | 'yearly'): { start: Date; end: Date } {
  const start = monthStart(now);
  return { start, end: addMonths(start, cycle === 'yearly' ? 12 : 1) };
}

/** The `n` month keys up to and including `now`'s, oldest first. */
export function lastMonths(now: Date, n: number): string[] {
  return Array.from({ length: n }, (_, i) => monthKey(addMonths(monthStart(now), i - n + 1)));
}
