/** The platform's notion of now. Tests replace it with a ManualClock to drive time without sleeping. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export class ManualClock implements Clock {
  private current: number;
  constructor(start: Date | string = '2026-01-01T00:00:00.000Z') {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(to: Date | string): void {
    this.current = new Date(to).getTime();
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * Date's toISOString is a call into the runtime (~1 µs on the bench machine), paid on hot paths
 * (license verify's timestamp); within one minute only the seconds and milliseconds change, so the
 * minute's prefix is formatted once, by toISOString itself (extended years, and its RangeError for
 * an invalid date, stay its own).
 */
let minuteStart = Number.NaN;
let minutePrefix = '';

/** ISO-8601 UTC, fixed width: how every timestamp is stored and returned. The same string as `d.toISOString()`. */
export function iso(d: Date): string {
  const ms = d.getTime();
  const rest = ((ms % 60_000) + 60_000) % 60_000;
  const minute = ms - rest;
  if (minute !== minuteStart) {
    minutePrefix = new Date(minute).toISOString().slice(0, -'00.000Z'.length);
    minuteStart = minute;
  }
  return `${minutePrefix}${pad2(Math.floor(rest / 1000))}.${pad3(rest % 1000)}Z`;
}
