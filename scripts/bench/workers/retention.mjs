// Bench worker for retention (runs the built dist/, in-process, SQLite in PLINTH_DATA_DIR): a steady
// load of events (each delivered to one no-op handler, so it leaves an event row and a handled row)
// over DAYS simulated days on a manual clock, with the daily core.retention run at each day's end
// (retention.deliveredEventDays = WINDOW). The database file is measured after each day (WAL
// checkpointed). Before the window has filled, the file grows as it would without retention; once
// retention deletes a day for every day added, SQLite reuses the freed pages and the file stays flat.
// Prints `RESULT <json>`: sizes per day, and growth per day before and after the window.
import fs from 'node:fs';
import path from 'node:path';
import { createApp } from '../../../dist/core/app.js';
import { ManualClock } from '../../../dist/core/clock.js';

const [daysArg = '12', perDayArg = '3000', windowArg = '3'] = process.argv.slice(2);
const DAYS = Number(daysArg);
const PER_DAY = Number(perDayArg);
const WINDOW = Number(windowArg);
const BATCH = 50;
const DAY = 86_400_000;

const clock = new ManualClock('2026-01-01T00:00:00.000Z');
const app = await createApp({
  clock,
  overrides: { plugins: ['auth'], log: { level: 'warn' }, scheduler: { enabled: false }, retention: { deliveredEventDays: WINDOW } },
});
app.events.subscribe('auth.login', 'bench:noop', async () => {});
await app.start({ listen: false });
const file = path.join(process.env.PLINTH_DATA_DIR, 'plinth.sqlite');
const retention = app.container.resolve('retention');

const sizes = [];
let slowestBatchMs = 0;
for (let day = 0; day < DAYS; day++) {
  clock.set(new Date(Date.parse('2026-01-01T00:00:00.000Z') + day * DAY));
  for (let i = 0; i < PER_DAY; i += BATCH) {
    clock.advance(Math.floor(DAY / (PER_DAY / BATCH)) - 1);
    await app.db.transaction(async (trx) => {
      for (let k = i; k < Math.min(PER_DAY, i + BATCH); k++) await app.events.emit(trx, 'auth.login', { user_id: `user-${day}-${k}`, method: 'password' }, {});
    });
  }
  await app.events.flush();
  const report = await retention.run();
  slowestBatchMs = Math.max(slowestBatchMs, report.slowestBatchMs);
  await app.db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
  sizes.push(fs.statSync(file).size);
}
await app.stop();

const growth = (from, to) => (sizes[to] - sizes[from]) / (to - from);
// Before: the first WINDOW days, nothing old enough to delete. After: the last days, a day deleted per day added.
const before = growth(0, WINDOW - 1);
const afterFrom = Math.min(DAYS - 2, WINDOW + 2);
const after = growth(afterFrom, DAYS - 1);
console.log(`RESULT ${JSON.stringify({ sizes, before, after, slowestBatchMs })}`);
