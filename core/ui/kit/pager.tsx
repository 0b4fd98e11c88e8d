import { setQueryParams } from './set-query.js';

/** "12 entries", "1 entry": a count with its noun. */
export const plural = (n: number, one: string, many: string) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

/**
 * "12 robots · page 1 of 1", Previous, Next. `nouns`: singular and plural. Without `onPage` the
 * page is the URL's `?page=` (so a page of a list can be linked and Back works).
 */
export function Pager(props: { total?: number; page: number; pageSize: number; nouns: [string, string]; onPage?(page: number): void }) {
  if (props.total === undefined) return null;
  const pages = Math.max(1, Math.ceil(props.total / props.pageSize));
  const go = props.onPage ?? ((page: number) => setQueryParams({ page: page > 1 ? String(page) : null }));
  return (
    <nav class="pager" aria-label="Pages">
      <span>
        {plural(props.total, ...props.nouns)} · page {props.page} of {pages}
      </span>
      <button type="button" class="secondary small" disabled={props.page <= 1} onClick={() => go(props.page - 1)}>
        Previous
      </button>
      <button type="button" class="secondary small" disabled={props.page >= pages} onClick={() => go(props.page + 1)}>
        Next
      </button>
    </nav>
  );
}
