// The Inbox page's search: a box whose text goes into the URL (?q=, debounced, so a reload or a
// link keeps it) and the matching mail, a page at a time, from GET /api/emails/search — in the
// open mailbox, or in every mailbox the viewer sees (?all=1).
import { useEffect, useRef, useState } from 'preact/hooks';
import { setQueryParams, t, useApi } from 'plinth/plugin/ui';
import { BASE, type EmailSummary } from './shared.js';

/** How long typing must pause before the search runs. */
const DEBOUNCE_MS = 300;
/** The API's longest search text. */
const MAX_LENGTH = 200;
export const SEARCH_PAGE_SIZE = 20;

/** One hit: the summary, with the mailbox it is in and its recipients. */
export type SearchHit = EmailSummary & { mailbox: string; to_addrs: string };
interface SearchPage {
  items: SearchHit[];
  total: number;
  page: number;
  page_size: number;
  pages: number;
}

export function SearchBox(props: { q: string; all: boolean }) {
  const [text, setText] = useState(props.q);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  // Back and Forward change the URL under us: follow it.
  useEffect(() => setText(props.q), [props.q]);
  useEffect(() => () => clearTimeout(timer.current), []);
  const commit = (value: string) => {
    clearTimeout(timer.current);
    setQueryParams({ q: value.trim() || null, page: null }, { replace: true });
  };
  return (
    <form
      role="search"
      style={{ display: 'flex', gap: '0.75rem', flexWrap: 'wrap', alignItems: 'center', margin: '0 0 0.75rem' }}
      onSubmit={(e) => {
        e.preventDefault();
        commit(text);
      }}
    >
      <input
        type="search"
        aria-label={t('mail.search.label')}
        placeholder={t('mail.search.placeholder')}
        maxLength={MAX_LENGTH}
        value={text}
        style={{ flex: '1 1 14rem', minWidth: 0 }}
        onInput={(e) => {
          const value = (e.target as HTMLInputElement).value;
          setText(value);
          clearTimeout(timer.current);
          timer.current = setTimeout(() => commit(value), DEBOUNCE_MS);
        }}
      />
      <label style={{ display: 'flex', gap: '0.35rem', alignItems: 'center', fontSize: '0.9rem' }}>
        <input
          type="checkbox"
          checked={props.all}
          onChange={(e) => setQueryParams({ all: (e.target as HTMLInputElement).checked ? '1' : null, page: null }, { replace: true })}
        />
        {t('mail.search.all')}
      </label>
    </form>
  );
}

/** The page of hits for `q`: in `mailbox`, or everywhere the viewer sees when it is null. */
export function useSearch(mailbox: string | null, q: string, page: number) {
  const params = new URLSearchParams({ q, page: String(page), page_size: String(SEARCH_PAGE_SIZE) });
  if (mailbox) params.set('mailbox', mailbox);
  return useApi<SearchPage>(`${BASE}/emails/search?${params}`);
}
