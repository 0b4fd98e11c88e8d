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
