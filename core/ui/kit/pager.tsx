import { formatNumber, t } from './i18n.js';
import { setQueryParams } from './set-query.js';

/** "12 entries", "1 entry": a count with its noun (English only: a translated page says it with an ICU plural message). */
export const plural = (n: number, one: string, many: string) => `${formatNumber(n)} ${n === 1 ? one : many}`;

/**
 * "12 robots · page 1 of 1", Previous, Next. `count` says the total (`t('robots.list.count', { count })`,
 * an ICU plural); `nouns` (singular and plural, English) is the older way. Without `onPage` the
 * page is the URL's `?page=` (so a page of a list can be linked and Back works).
 */
export function Pager(props: {
  total?: number;
  page: number;
  pageSize: number;
  count?: (total: number) => string;
  nouns?: [string, string];
  onPage?(page: number): void;
}) {
  if (props.total === undefined) return null;
  const pages = Math.max(1, Math.ceil(props.total / props.pageSize));
  const go = props.onPage ?? ((page: number) => setQueryParams({ page: page > 1 ? String(page) : null }));
  return (
    <nav class="pager" aria-label={t('kit.pager.label')}>
      <span>
        {props.count ? props.count(props.total) : plural(props.total, ...(props.nouns ?? ['entry', 'entries']))} ·{' '}
        {t('kit.pager.pageOf', { page: props.page, pages })}
      </span>
      <button type="button" class="secondary small" disabled={props.page <= 1} onClick={() => go(props.page - 1)}>
        {t('kit.pager.previous')}
      </button>
      <button type="button" class="secondary small" disabled={props.page >= pages} onClick={() => go(props.page + 1)}>
        {t('kit.pager.next')}
      </button>
    </nav>
  );
}
