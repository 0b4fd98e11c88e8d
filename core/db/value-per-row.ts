import type { Knex } from 'knex';

/**
 * `CASE <key> WHEN k1 THEN v1 WHEN k2 THEN v2 … ELSE <otherwise> END`: a different value for each
 * row of one UPDATE, so a batch's rows are written in one statement rather than one each. The ELSE
 * (the column itself, or a literal) also gives PostgreSQL the expression's type, so the bound
 * values need no casts.
 */
export function valuePerRow(db: Knex, key: string, values: Iterable<readonly [Knex.Value, Knex.Value]>, otherwise: Knex.Raw | Knex.Ref<string, any>): Knex.Raw {
  const pairs = [...values];
  return db.raw(`case ?? ${pairs.map(() => 'when ? then ?').join(' ')} else ? end`, [key, ...pairs.flat(), otherwise] as Knex.RawBinding[]);
}
