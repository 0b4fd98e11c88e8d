// Bench worker (runs the built dist/): `consume SECONDS CONNECTIONS` loops billing check-and-consume
// through the `usage` service; `reset TENANTS` times the period close over that many tenants.
// Prints `RESULT <value> <cpu-µs-per-op>` on its last line.
import { randomUUID } from 'node:crypto';
import { createApp } from '../../../dist/core/app.js';

const [mode, a, b] = process.argv.slice(2);
const app = await createApp({ overrides: { plugins: ['auth', 'billing'], log: { level: 'warn' }, scheduler: { enabled: false } } });
await app.start({ listen: false });
const db = app.db;
const usage = app.container.resolve('usage');
const now = new Date();

try {
  if (mode === 'consume') {
    // A monthly counter, so each consume also writes its daily row (two statements, as in production).
    app.container
      .resolve('metrics')
      .set('bench_messages_per_month', { name: 'bench_messages_per_month', kind: 'counter', period: 'month', plugins: ['bench'] });
    const tenants = Array.from({ length: 100 }, () => randomUUID());
    const billing = app.container.resolve('billingServices');
    for (const t of tenants) await billing.setOverrides(t, { bench_messages_per_month: 1_000_000_000 });
    const seconds = Number(a);
    const connections = Number(b);
    const deadline = performance.now() + seconds * 1000;
    const cpu = process.cpuUsage();
    let ops = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: connections }, async (_, i) => {
        while (performance.now() < deadline) {
          await usage.consume(tenants[(ops + i) % tenants.length], 'bench_messages_per_month', 1);
          ops++;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    console.log(`RESULT ${ops / elapsed} ${(used.user + used.system) / ops}`);
  } else if (mode === 'reset') {
    const count = Number(a);
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15)).toISOString();
    const key = lastMonth.slice(0, 7);
    const periodStart = `${key}-01T00:00:00.000Z`;
    const rows = [];
    for (let i = 0; i < count; i++) rows.push(randomUUID());
    const chunk = 200; // knex inserts many rows as one compound SELECT on SQLite (at most 500 terms)
    for (let i = 0; i < rows.length; i += chunk) {
      const ids = rows.slice(i, i + chunk);
      await db('billing_subscriptions').insert(
        ids.map((tenant_id) => ({
          tenant_id,
          plan_id: 'free',
          status: 'active',
          billing_cycle: 'monthly',
          provider: 'manual',
          current_period_start: periodStart,
          current_period_end: `${now.toISOString().slice(0, 7)}-01T00:00:00.000Z`,
          created_at: lastMonth,
          updated_at: lastMonth,
        })),
      );
      await db('billing_usage').insert(
        ids.flatMap((tenant_id) => [
          { tenant_id, metric: 'max_messages_per_month', period_key: key, used: 42, updated_at: lastMonth },
          { tenant_id, metric: 'ai_replies_per_month', period_key: key, used: 7, updated_at: lastMonth },
        ]),
      );
    }
    const closer = app.container.resolve('billingServices').closer;
    const started = performance.now();
    const result = await closer.close(now);
    const seconds = (performance.now() - started) / 1000;
    if (result.closedRows < count * 2 || result.rolledSubscriptions < count)
      throw new Error(`closed ${result.closedRows} rows, rolled ${result.rolledSubscriptions}`);
    const again = await closer.close(now);
    if (again.closedRows !== 0 || again.rolledSubscriptions !== 0) throw new Error('the second close was not a no-op');
    console.log(`RESULT ${seconds} 0`);
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} finally {
  await app.stop();
}
