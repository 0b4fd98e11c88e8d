// Small pieces the auth pages share: the API base, paginated lists, a pager, status badges.
import { useState } from 'preact/hooks';
import { formatNumber, t, useApi } from 'plinth/plugin/ui';

/** The auth plugin's face (the pages call it with the session cookie). */
export const BASE = '/api/v2';

export const PAGE_SIZE = 20;

/** What every paginated list endpoint answers. */
export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
  pages: number;
}

/** `path?a=1&b=2`, leaving out empty values. */
export function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** A paginated, filterable list: new filters start again at page 1. */
export function usePagedList<T, F extends Record<string, string>>(path: string, initial: F) {
  const [filters, setFilters] = useState(initial);
  const [page, setPage] = useState(1);
  const list = useApi<Paged<T>>(withQuery(path, { ...filters, page, page_size: PAGE_SIZE }));
  const filter = (next: F) => {
    setFilters(next);
    setPage(1);
  };
  return { ...list, filters, filter, setPage };
}

export { useAction } from 'plinth/plugin/ui';

/** "12 users · page 1 of 1", Previous, Next. `count` says the total (an ICU plural); `nouns` (English singular and plural) is the older way. */
export function Pager(props: { data?: Paged<unknown>; count?: (total: number) => string; nouns?: [string, string]; onPage(page: number): void }) {
  const d = props.data;
  if (!d) return null;
  return (
    <nav class="pager" aria-label={t('kit.pager.label')}>
      <span>
        {props.count ? props.count(d.total) : `${formatNumber(d.total)} ${(props.nouns ?? ['entry', 'entries'])[d.total === 1 ? 0 : 1]}`} ·{' '}
        {t('kit.pager.pageOf', { page: d.page, pages: Math.max(d.pages, 1) })}
      </span>
      <button type="button" class="secondary small" disabled={d.page <= 1} onClick={() => props.onPage(d.page - 1)}>
        {t('kit.pager.previous')}
      </button>
      <button type="button" class="secondary small" disabled={d.page >= d.pages} onClick={() => props.onPage(d.page + 1)}>
        {t('kit.pager.next')}
      </button>
    </nav>
  );
}

/** A search box that applies on submit (Enter or the button). */
export function SearchForm(props: { label: string; value: string; onSearch(text: string): void }) {
  const [text, setText] = useState(props.value);
  const submit = (event: Event) => {
    event.preventDefault();
    props.onSearch(text.trim());
  };
  return (
    <form class="inline-form" role="search" onSubmit={submit}>
      <div class="grow">
        <label for="list-search">{props.label}</label>
        <input id="list-search" type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </div>
      <button type="submit">{t('auth.search')}</button>
    </form>
  );
}

const TONE: Record<string, string> = { active: 'badge-ok', suspended: 'badge-danger', revoked: 'badge-danger', expired: 'badge-warn' };

export const StatusBadge = (props: { status: string }) => <span class={`badge ${TONE[props.status] ?? ''}`}>{t('auth.status', { status: props.status })}</span>;

/** A long id, shortened, with the whole value on hover. */
export const ShortId = (props: { id: string | null }) => (props.id ? <code title={props.id}>{props.id.slice(0, 8)}</code> : <span>—</span>);

/** The `token` parameter of an emailed link. */
export const tokenFromUrl = () => new URLSearchParams(location.search).get('token');
