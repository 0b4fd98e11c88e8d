// The days a daily chart counts (core/zoned-days.ts): the calendar days of the viewer's time zone,
// with their UTC bounds, across a daylight-saving change and in a zone half an hour off the hour;
// an unknown zone is refused (400), never guessed.
import assert from 'node:assert/strict';
import { AppError } from '../../core/errors.js';
import { isTimeZone, timeZoneOf, zonedDate, zonedDays, zonedRange } from '../../core/zoned-days.js';

describe('zoned days (core/zoned-days.ts)', () => {
  it("UTC's days are the ISO dates, midnight to midnight", () => {
    assert.deepEqual(zonedDays(new Date('2026-11-26T10:00:00Z'), 2), [
      { date: '2026-11-25', from: '2026-11-25T00:00:00.000Z', to: '2026-11-26T00:00:00.000Z' },
      { date: '2026-11-26', from: '2026-11-26T00:00:00.000Z', to: '2026-11-27T00:00:00.000Z' },
    ]);
  });

  it('Shanghai (UTC+8): 17:30 UTC is already the next day there, which starts at 16:00 UTC', () => {
    const now = new Date('2026-11-25T17:30:00Z');
    assert.equal(zonedDate(now, 'Asia/Shanghai'), '2026-11-26');
    assert.deepEqual(zonedDays(now, 1, 'Asia/Shanghai'), [{ date: '2026-11-26', from: '2026-11-25T16:00:00.000Z', to: '2026-11-26T16:00:00.000Z' }]);
  });

  it('Kolkata (UTC+5:30) starts its days half an hour off the hour', () => {
    assert.deepEqual(zonedRange('2026-11-26', '2026-11-26', 'Asia/Kolkata'), [
      { date: '2026-11-26', from: '2026-11-25T18:30:00.000Z', to: '2026-11-26T18:30:00.000Z' },
    ]);
  });

  it('New York across the end of daylight saving: the day of the change is 25 hours long', () => {
    const [before, change, after] = zonedRange('2026-10-31', '2026-11-02', 'America/New_York');
    assert.deepEqual(before, { date: '2026-10-31', from: '2026-10-31T04:00:00.000Z', to: '2026-11-01T04:00:00.000Z' });
    assert.deepEqual(change, { date: '2026-11-01', from: '2026-11-01T04:00:00.000Z', to: '2026-11-02T05:00:00.000Z' });
    assert.equal(after.from, '2026-11-02T05:00:00.000Z');
  });

  it('refuses an unknown zone with a 400 naming the field, and takes UTC when none is given', () => {
    assert.equal(timeZoneOf(undefined), 'UTC');
    assert.equal(timeZoneOf('Europe/Berlin'), 'Europe/Berlin');
    for (const bad of ['Mars/Olympus', "UTC' OR 1=1 --", 'x'.repeat(65), '../../etc']) {
      assert.equal(isTimeZone(bad), false, bad);
      assert.throws(
        () => timeZoneOf(bad, 'timeZone', 400),
        (err: unknown) => err instanceof AppError && err.status === 400 && JSON.stringify(err).includes('query.timeZone'),
      );
    }
  });
});
