import type { Knex } from 'knex';

/** The one pagination shape for list endpoints: `?page=1&page_size=20` → `{ items, total, page, page_size, pages }`. */
export const paginationQuery = {
  page: { type: 'integer', minimum: 1, maximum: 100000, default: 1 },
  page_size: { type: 'integer', minimum: 1, maximum: 200, default: 20 },
} as const;

export interface PageRequest {
  page: number;
  page_size: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
  pages: number;
}

export const pageOffset = (p: PageRequest) => (p.page - 1) * p.page_size;

export function toPage<T>(items: T[], total: number | string, p: PageRequest): Page<T> {
  const n = Number(total);
  return { items, total: n, page: p.page, page_size: p.page_size, pages: Math.ceil(n / p.page_size) };
}

/**
 * The one pager: pages a knex query in SQL — counts its rows (its order and columns set aside,
 * which PostgreSQL refuses beside count(*)), then reads one page in the query's order — and
 * gives the core `Page`. A face with its own shape maps it (WorkBot: `{ total, list: items }`).
 * Not for a grouped or distinct query (the count would be of rows, not groups).
 */
export async function pageQuery<R = Record<string, any>, T = R>(query: Knex.QueryBuilder, p: PageRequest, map?: (row: R) => T): Promise<Page<T>> {
  const [{ n }] = (await query.clone().clearSelect().clearOrder().count({ n: '*' })) as Array<{ n: number | string }>;
  const rows: R[] = await query.clone().limit(p.page_size).offset(pageOffset(p));
  return toPage(map ? rows.map(map) : (rows as unknown as T[]), n, p);
}

/**
 * One window of a query, without a count: for a face whose lists carry no total and page by
 * `limit`/`offset` (seed 003's mailbox list).
 */
export function windowQuery<R = Record<string, any>>(query: Knex.QueryBuilder, w: { limit: number; offset: number }): Promise<R[]> {
  return query.clone().limit(w.limit).offset(w.offset);
}
