// core/clock.ts iso(): the minute's prefix is formatted once and the seconds and milliseconds
// after it, so it must give toISOString's string for any instant: either side of a minute, before
// 1970, in an extended year, and the same RangeError for an invalid date.
import assert from 'node:assert/strict';
import { iso } from '../../core/clock.js';

describe('iso (core/clock.ts)', () => {
  it("is toISOString's string, across minutes, days and years, and before 1970", () => {
    const start = Date.UTC(2026, 11, 31, 23, 58, 59, 995);
    for (let ms = start; ms < start + 130_000; ms += 7) assert.equal(iso(new Date(ms)), new Date(ms).toISOString());
    for (const ms of [0, 1, 999, 1000, 59_999, 60_000, -1, -999, -1000, -59_999, -60_000, -60_001, -86_400_001, Date.UTC(2000, 1, 29, 12, 0, 0, 7)])
      assert.equal(iso(new Date(ms)), new Date(ms).toISOString(), String(ms));
  });

  it('formats extended years as toISOString does', () => {
    for (const ms of [8.64e15, 8.64e15 - 1, -8.64e15, -62_198_755_200_001, Date.UTC(10000, 0, 1, 0, 0, 1, 1)])
      assert.equal(iso(new Date(ms)), new Date(ms).toISOString(), String(ms));
  });

  it('throws the RangeError toISOString throws for an invalid date', () => {
    assert.throws(() => iso(new Date(Number.NaN)), RangeError);
    assert.throws(() => iso(new Date('not a date')), RangeError);
  });
});
