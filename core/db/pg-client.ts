import { createRequire } from 'node:module';
import type { StatementObserver } from '../observability/core-metrics.js';

// knex's PostgreSQL dialect, timing each statement for the metrics (`statements` in the knex
// config, core/observability). A transaction's client is made from this class's prototype and
// shares the config, so its statements are timed too; so are the direct ones (core/db/direct-query.ts).

const require = createRequire(import.meta.url);

interface DialectClient {
  config: { statements?: StatementObserver };
  _query(connection: unknown, obj: unknown): Promise<unknown>;
}
type DialectClass = new (...args: unknown[]) => DialectClient;

const KnexPg = require('knex/lib/dialects/postgres/index.js') as DialectClass;

export class PgClient extends KnexPg {
  override _query(connection: unknown, obj: unknown): Promise<unknown> {
    const observe = this.config.statements;
    if (!observe) return super._query(connection, obj);
    const started = performance.now();
    return super._query(connection, obj).then(
      (result) => {
        observe((performance.now() - started) / 1000, false);
        return result;
      },
      (err: unknown) => {
        observe((performance.now() - started) / 1000, true);
        throw err;
      },
    );
  }
}
