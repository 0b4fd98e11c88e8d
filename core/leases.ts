import type { Knex } from 'knex';
import { affected } from './db/connection.js';
import { iso, type Clock } from './clock.js';
import type { Logger } from './logger.js';

/**
 * The one lease mechanism, for every table whose rows instances take turns on (scheduler jobs,
 * event outbox batches, workflow runs): a row is held by a holder until a time; the holder renews
 * it every third of the lease while it works; a row whose lease has run out is anyone's. So a
 * dead holder's work is taken over within two lease periods, never while it is alive.
 */
export interface LeasedTable {
  table: string;
  /** The columns holding the holder's token and the lease's end (an ISO timestamp). */
  holder: string;
  until: string;
}

/** Rows nobody holds now. */
export const leaseFree = (t: LeasedTable, now: Date) => (q: Knex.QueryBuilder) => q.whereNull(t.until).orWhere(t.until, '<', iso(now));

export const leaseEnd = (clock: Clock, seconds: number): string => iso(new Date(clock.now().getTime() + seconds * 1000));

/** What a claim takes: see Leases.claim. */
export interface ClaimOptions {
  holder: string;
  seconds: number;
  limit: number;
  where: (q: Knex.QueryBuilder) => void;
  orderBy: string | string[];
  set?: Record<string, Knex.Value | Knex.Raw>;
}

export interface LeasesDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
}

export class Leases {
  constructor(private readonly deps: LeasesDeps) {}

  /**
   * Takes up to `limit` free rows matching `where` (in `orderBy` order) for `holder`; returns their
   * ids. One statement, so two claimers never share a row (on PostgreSQL its update re-checks each
   * row, see below). `set`: more columns written with the lease, in the same statement (a run
   * turning running as it is claimed, rather than in a write of its own). `where` and `orderBy`
   * should be served by one index in that order (no sort of every due row to take the first few:
   * a backlog would make each claim slower).
   */
  async claim(t: LeasedTable, options: ClaimOptions): Promise<number[]> {
    return (await this.claimReturning<{ id: number | string }>(t, options, 'id')).map((r) => Number(r.id));
  }

  /**
   * As claim, and returns the rows as the claim wrote them, in id order: no read of them by id
   * after (the holder column has no index), one round trip fewer on PostgreSQL.
   */
  async claimRows<T extends object = Record<string, unknown>>(t: LeasedTable, options: ClaimOptions): Promise<Array<T & { id: number }>> {
    const rows = await this.claimReturning<T & { id: number | string }>(t, options, '*');
    return rows.map((r) => ({ ...r, id: Number(r.id) })).sort((a, b) => a.id - b.id);
  }

  private async claimReturning<R>(t: LeasedTable, options: ClaimOptions, returning: string): Promise<R[]> {
    const now = this.deps.clock.now();
    const order = (Array.isArray(options.orderBy) ? options.orderBy : [options.orderBy]).map((column) => ({ column }));
    const candidates = this.deps.db(t.table).select('id').where(options.where).andWhere(leaseFree(t, now)).orderBy(order).limit(options.limit);
    const update = this.deps.db(t.table).whereIn('id', candidates);
    // PostgreSQL: another claimer (or a writer) may change a candidate between the subquery's
    // snapshot and the update, which re-checks the row as it is then. SQLite has one writer, and
    // the statement holds the write lock from its subquery to its last row: nothing to re-check,
    // and a re-check would lead its planner to scan every due row by `where`'s index, not the ids.
    if (this.deps.db.client.config.client !== 'better-sqlite3') update.where(options.where).andWhere(leaseFree(t, now));
    const rows: unknown = await update
      .update({ ...options.set, [t.holder]: options.holder, [t.until]: leaseEnd(this.deps.clock, options.seconds) })
      .returning(returning);
    return rows as R[];
  }

  /**
   * Takes one row by key if it is free or already ours; returns the previous holder when the row
   * was taken over from another whose lease ran out (so the caller can clean up after it), or
   * false when someone else holds it.
   */
  async take(t: LeasedTable, key: Record<string, unknown>, holder: string, seconds: number): Promise<{ taken: true; from: string | null } | { taken: false }> {
    const before = await this.deps.db(t.table).where(key).first(t.holder, t.until);
    const now = this.deps.clock.now();
    const got = affected(
      await this.deps
        .db(t.table)
        .where(key)
        .andWhere((q) => leaseFree(t, now)(q).orWhere(t.holder, holder))
        .update({ [t.holder]: holder, [t.until]: leaseEnd(this.deps.clock, seconds) }),
    );
    if (!got) return { taken: false };
    const previous = before?.[t.holder] as string | null | undefined;
    return { taken: true, from: previous && previous !== holder ? previous : null };
  }

  /** Keeps `holder`'s rows (those matching `key`, if given) leased while work runs; call stop() after. */
  hold(t: LeasedTable, holder: string, seconds: number, key: Record<string, unknown> = {}): { stop(): void } {
    const renew = setInterval(
      () => {
        this.deps
          .db(t.table)
          .where({ ...key, [t.holder]: holder })
          .update({ [t.until]: leaseEnd(this.deps.clock, seconds) })
          .catch((err: unknown) => this.deps.logger.warn({ err, table: t.table, holder }, 'lease not renewed; it runs out unless the next renewal works'));
      },
      Math.max(100, (seconds * 1000) / 3),
    );
    renew.unref();
    return { stop: () => clearInterval(renew) };
  }

  /** Gives rows back at once (stopping, or done), so anyone may take them without waiting. */
  async release(t: LeasedTable, holder: string, key: Record<string, unknown> = {}): Promise<void> {
    await this.deps
      .db(t.table)
      .where({ ...key, [t.holder]: holder })
      .update({ [t.holder]: null, [t.until]: null });
  }
}
