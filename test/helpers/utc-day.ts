/** Today's date in UTC, YYYY-MM-DD, as the daily charts name their days. */
export const utcDay = (at: Date = new Date()): string => at.toISOString().slice(0, 10);
