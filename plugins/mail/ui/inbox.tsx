// Inbox: one mailbox's mail (?mailbox=…), kept current while the page is open by long-polling
// /api/emails/wait; a message (?message=id) opens beside the list, and the list keeps listening.
// A search (?q=, ?all=1 for every mailbox, ?page=) shows the matching mail in the list instead.
import { useCallback, useEffect, useState } from 'preact/hooks';
import {
  api,
  ApiError,
  CopyText,
  ErrorBanner,
  formatDate,
  formatDateTime,
  formatTime,
  Page,
  Pager,
  setQueryParams,
  Table,
  Time,
  t,
  useQueryParam,
} from 'plinth/plugin/ui';
import { SEARCH_PAGE_SIZE, SearchBox, useSearch } from './inbox-search.js';
import { MessageView } from './message.js';
import { BASE, instant, link, MailboxPicker, PAGES, type EmailSummary } from './shared.js';

/** How long one wait may hang on the server (seconds); it answers at once when mail arrives. */
const WAIT_SECONDS = 25;
/** How many messages the list keeps. */
const KEEP = 200;

type Live = 'connecting' | 'live' | 'retrying' | 'stopped';

/** Resolves after `ms`, or at once when `signal` aborts. */
const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/** Newest first, each id once. */
const merge = (fresh: EmailSummary[], old: EmailSummary[]) => {
  const seen = new Set(fresh.map((e) => e.id));
  return [...fresh, ...old.filter((e) => !seen.has(e.id))].sort((a, b) => b.id - a.id).slice(0, KEEP);
};

/**
 * The mailbox's mail: the newest 50, then a loop of long-polls for anything newer than the highest
 * id seen, for as long as the component is mounted (unmounting aborts the request under way).
 * Network and server trouble is retried with a growing pause; a refusal (4xx: signed out, the
 * mailbox gone) stops the loop until Reconnect.
 */
function useLiveInbox(mailbox: string) {
  const [emails, setEmails] = useState<EmailSummary[] | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [live, setLive] = useState<Live>('connecting');
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    const { signal } = abort;
    const q = encodeURIComponent(mailbox);
    let since = 0;
    let loaded = false;
    let failures = 0;
    const take = (fresh: EmailSummary[]) => {
      for (const e of fresh) since = Math.max(since, e.id);
      setEmails((old) => merge(fresh, old ?? []));
    };
    setLive('connecting');
    (async () => {
      while (!signal.aborted) {
        try {
          if (!loaded) {
            const first = await api<EmailSummary[]>(`${BASE}/emails?mailbox=${q}&limit=50`, { signal });
            setEmails([]);
            take(first);
            loaded = true;
          }
          setLive('live');
          setError(null);
          take(await api<EmailSummary[]>(`${BASE}/emails/wait?mailbox=${q}&since=${since}&timeout=${WAIT_SECONDS}`, { signal }));
          failures = 0;
        } catch (err) {
          if (signal.aborted || (err as Error).name === 'AbortError') return;
          setError(err as Error);
          if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429) {
            setLive('stopped');
            return;
          }
          failures++;
          setLive('retrying');
          await pause(Math.min(30_000, 1000 * 2 ** Math.min(failures, 5)), signal);
        }
      }
    })();
    return () => abort.abort();
  }, [mailbox, generation]);

  const restart = useCallback(() => setGeneration((g) => g + 1), []);
  const markRead = useCallback((id: number) => setEmails((old) => old?.map((e) => (e.id === id ? { ...e, is_read: 1 } : e)) ?? null), []);
  const drop = useCallback((id: number) => setEmails((old) => old?.filter((e) => e.id !== id) ?? null), []);
  return { emails, error, live, restart, markRead, drop };
}

function LiveNote(props: { live: Live; onRestart(): void }) {
  const color = props.live === 'live' ? 'var(--ok)' : props.live === 'connecting' ? 'var(--muted)' : 'var(--danger)';
  return (
    <p class="muted" style={{ display: 'flex', alignItems: 'center', gap: '0.45rem', margin: '0 0 0.75rem', fontSize: '0.9rem' }}>
      <span aria-hidden="true" style={{ width: '0.55rem', height: '0.55rem', borderRadius: '50%', background: color, flex: 'none' }} />
      <span role="status">{t('mail.inbox.live', { state: props.live })}</span>
      {props.live === 'stopped' || props.live === 'retrying' ? (
        <button type="button" class="secondary small" onClick={props.onRestart}>
          {t('mail.inbox.reconnect')}
        </button>
      ) : null}
    </p>
  );
}

const ellipsis = (maxWidth: string) => ({ display: 'block', maxWidth, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }) as const;

function SubjectLink(props: { email: EmailSummary; href: string; current: boolean }) {
  const { email, current } = props;
  return (
    <>
      <a
        href={props.href}
        aria-current={current ? 'true' : undefined}
        style={{ fontWeight: email.is_read ? 400 : 700, textDecoration: current ? 'none' : undefined }}
      >
        {current ? '▸ ' : ''}
        {email.subject || t('mail.noSubject')}
      </a>
      {email.is_read ? null : (
        <span class="badge badge-ok" style={{ marginLeft: '0.4rem' }}>
          {t('mail.inbox.new')}
        </span>
      )}
    </>
  );
}

/** Today's mail by its time, older mail by its date; the exact instant on hover. */
function ShortTime(props: { value: string }) {
  const date = new Date(instant(props.value));
  if (Number.isNaN(date.getTime())) return <span>{props.value}</span>;
  const today = date.toDateString() === new Date().toDateString();
  return (
    <time dateTime={date.toISOString()} title={formatDateTime(date)}>
      {today ? formatTime(date, { timeStyle: 'short' }) : formatDate(date, { dateStyle: 'medium' })}
    </time>
  );
}

const Code = (props: { code: string | null }) => (props.code ? <code style={{ fontWeight: 600 }}>{props.code}</code> : <span class="muted">—</span>);

/**
 * The messages, newest first. `compact` (a message is open beside the list) puts sender and time
 * under the subject, so the list stays readable in the narrower column.
 */
function MessageList(props: {
  mailbox: string;
  emails: EmailSummary[] | null;
  selected: number | null;
  compact: boolean;
  /** A search's own query (q, all, page), kept in each message's link; and its empty text. */
  search?: { query: Record<string, string | number | null>; empty: string };
}) {
  const { emails, mailbox, selected, search } = props;
  const href = (e: EmailSummary) => link(PAGES.inbox, { mailbox, ...search?.query, message: e.id });
  const common = {
    rows: emails ?? [],
    rowKey: (e: EmailSummary) => e.id,
    caption: emails ? t('mail.inbox.count', { count: emails.length }) : undefined,
    empty: emails ? (search?.empty ?? t('mail.inbox.empty', { mailbox })) : t('mail.loading'),
  };
  if (props.compact) {
    return (
      <Table
        {...common}
        columns={[
          {
            label: t('mail.inbox.message'),
            value: (e) => (
              <div style={{ minWidth: 0 }}>
                <span style={{ ...ellipsis('16rem'), display: 'block' }}>
                  <SubjectLink email={e} href={href(e)} current={e.id === selected} />
                </span>
                <span class="muted" style={{ ...ellipsis('16rem'), fontSize: '0.85rem' }} title={e.sender}>
                  <ShortTime value={e.received_at} /> · {e.sender || '—'}
                </span>
              </div>
            ),
          },
          { label: t('mail.inbox.code'), value: (e) => <Code code={e.verification_code} /> },
        ]}
      />
    );
  }
  return (
    <Table
      {...common}
      columns={[
        {
          label: t('mail.message.from'),
          value: (e) => (
            <span title={e.sender} style={ellipsis('16rem')}>
              {e.sender || '—'}
            </span>
          ),
        },
        {
          label: t('mail.col.subject'),
          value: (e) => (
            <>
              <SubjectLink email={e} href={href(e)} current={e.id === selected} />
              {e.preview ? (
                <span class="muted" style={{ ...ellipsis('30rem'), fontSize: '0.85rem' }}>
                  {e.preview}
                </span>
              ) : null}
            </>
          ),
        },
        { label: t('mail.inbox.code'), value: (e) => <Code code={e.verification_code} /> },
        {
          label: t('mail.message.received'),
          value: (e) => (
            <span style={{ whiteSpace: 'nowrap' }}>
              <Time value={instant(e.received_at)} />
            </span>
          ),
        },
      ]}
    />
  );
}

/** The matching mail in place of the live list, a page at a time. */
function SearchResults(props: { mailbox: string; q: string; all: boolean; page: number; selected: number | null }) {
  const { mailbox, q, all, page } = props;
  const found = useSearch(all ? null : mailbox, q, page);
  return (
    <>
      <ErrorBanner error={found.error} />
      <MessageList
        mailbox={mailbox}
        emails={found.data?.items ?? null}
        selected={props.selected}
        compact={props.selected !== null}
        search={{
          query: { q, all: all ? 1 : null, page: page > 1 ? page : null },
          empty: all ? t('mail.inbox.noMatchAll', { q }) : t('mail.inbox.noMatch', { mailbox, q }),
        }}
      />
      <Pager total={found.data?.total} page={page} pageSize={SEARCH_PAGE_SIZE} count={(count) => t('mail.inbox.matches', { count })} />
    </>
  );
}

function LiveInbox(props: { mailbox: string; selected: number | null; search: { q: string; all: boolean; page: number } }) {
  const { mailbox, selected, search } = props;
  const inbox = useLiveInbox(mailbox);
  // A message deleted while a search is shown leaves its results: they are fetched again.
  const [deletions, setDeletions] = useState(0);
  return (
    <>
      <p style={{ margin: '0 0 1rem', display: 'flex', gap: '1rem', flexWrap: 'wrap', alignItems: 'center' }}>
        <CopyText text={mailbox} label={t('mail.inbox.addressLabel')} />
        <a href={link(PAGES.compose, { from: mailbox })}>{t('mail.inbox.composeFrom')}</a>
        <a href={link(PAGES.sent, { mailbox })}>{t('mail.inbox.sentFrom')}</a>
      </p>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: '1.25rem', alignItems: 'flex-start' }}>
        <section class="card" aria-labelledby="inbox-title" style={selected ? { flex: '0 1 27rem', minWidth: 0 } : { flex: '1 1 auto', minWidth: 0 }}>
          <h2 id="inbox-title">{search.q ? t('mail.inbox.results') : t('mail.inbox.messages')}</h2>
          <SearchBox q={search.q} all={search.all} />
          {search.q ? (
            <SearchResults key={deletions} mailbox={mailbox} {...search} selected={selected} />
          ) : (
            <>
              <LiveNote live={inbox.live} onRestart={inbox.restart} />
              <ErrorBanner error={inbox.error} />
              <MessageList mailbox={mailbox} emails={inbox.emails} selected={selected} compact={selected !== null} />
            </>
          )}
        </section>
        {selected ? (
          <MessageView
            key={selected}
            id={selected}
            onLoaded={inbox.markRead}
            onDeleted={(id) => {
              inbox.drop(id);
              setDeletions((n) => n + 1);
              setQueryParams({ message: null }, { replace: true });
            }}
          />
        ) : null}
      </div>
    </>
  );
}

export function InboxPage() {
  const mailbox = useQueryParam('mailbox');
  const message = Number(useQueryParam('message')) || null;
  const search = { q: useQueryParam('q') ?? '', all: useQueryParam('all') === '1', page: Math.max(1, Number(useQueryParam('page')) || 1) };
  return (
    <Page title={t('mail.nav.inbox')}>
      <MailboxPicker id="inbox-mailbox" label={t('mail.mailbox')} value={mailbox} clear={['message']} pickFirst />
      {mailbox ? <LiveInbox key={mailbox} mailbox={mailbox} selected={message} search={search} /> : null}
    </Page>
  );
}
