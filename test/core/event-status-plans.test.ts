// Every read of the outbox's events is of one status (due, delivered, dead), and each status has a
// partial index of its own (core_events_partial_indexes): an event is in one index at a time. Checked
// on the statements Plinth really sends, through SQLite's EXPLAIN QUERY PLAN: a read that scans the
// table gets slower with every event the retention window keeps.
import assert from 'node:assert/strict';
import { coreConditions } from '../../core/alerts/conditions.js';
import type { Retention } from '../../core/retention.js';
import { usingPostgres } from '../helpers/database.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

(usingPostgres ? describe.skip : describe)('events: each status read through its own partial index (SQLite)', () => {
  let t: TestApp;
  const reads: Array<{ sql: string; bindings: unknown[] }> = [];

  before(async () => {
    t = await createTestApp({ plugins: ['auth'] });
    const now = new Date().toISOString();
    const row = (status: string, i: number) => ({
      name: 'test.thing',
      payload: '{}',
      status,
      available_at: now,
      created_at: now,
      delivered_at: status === 'delivered' ? now : null,
      attempts: i,
    });
    await t.app.db('core_events').insert(['pending', 'delivered', 'dead', 'dead'].map(row));
    t.app.db.on('query', (q: { sql: string; bindings?: unknown[] }) => {
      if (/^select/i.test(q.sql) && /[`"]core_events[`"]/.test(q.sql)) reads.push({ sql: q.sql, bindings: q.bindings ?? [] });
    });
    const c = t.app.container;
    await t.app.events.waiting();
    await t.app.events.backlog();
    await c.resolve<Retention>('retention').run();
    const conditions = coreConditions({
      ...c.cradle,
      config: { ...t.app.config, alerts: { ...t.app.config.alerts, thresholds: { ...t.app.config.alerts.thresholds, deadEvents: 0 } } },
      sqliteFile: null,
    } as never);
    await conditions['events.dead']();
  });
  after(async () => {
    await t?.close();
  });

  it('reads the due, delivered and dead events without scanning the table', async () => {
    assert.ok(reads.length >= 5, `the reads were captured: ${reads.map((r) => r.sql).join('\n')}`);
    for (const { sql, bindings } of reads) {
      const plan = ((await t.app.db.raw(`explain query plan ${sql}`, bindings as never[])) as Array<{ detail: string }>).map((r) => r.detail);
      assert.ok(!plan.some((d) => /^SCAN core_events$/.test(d)), `${sql}\n  scans the table: ${plan.join(' | ')}`);
      assert.ok(
        plan.some((d) => /core_events_(pending|delivered|dead)_idx/.test(d)),
        `${sql}\n  by a status's index: ${plan.join(' | ')}`,
      );
    }
  });
});
