// Mailboxes: make one (by name, or a random one that expires), search the list, pin, favorite,
// forward (a dialog) and delete (a confirm). An address opens its inbox.
import { useState } from 'preact/hooks';
import { api, Dialog, ErrorBanner, LiveNote, Page, Table, Time, useApi, useLiveApi } from 'plinth/plugin/ui';
import { ReceivedChart } from './received-chart.js';
import { BASE, ConfirmDialog, explain, fieldStyle, link, PAGES, plural, Stamp, useAction, type Mailbox } from './shared.js';

const PAGE_SIZE = 50;
/** While the live channel is down. */
const POLL_MS = 30_000;

interface Made {
  email: string;
  expires: number | null;
}

/** Create by name, or Generate a random one; the domain from the configured list. */
function NewMailbox(props: { onMade(): void }) {
  const domains = useApi<string[]>(`${BASE}/domains`);
  const [domainIndex, setDomainIndex] = useState(0);
  const [local, setLocal] = useState('');
  const [made, setMade] = useState<Made | null>(null);
  const { error, busy, run } = useAction();
  const list = domains.data ?? [];

  const done = (m: Made) => {
    setMade(m);
    props.onMade();
  };
  const create = (event: Event) => {
    event.preventDefault();
    setMade(null);
    void run(async () => {
      done(await api<Made>(`${BASE}/create`, { body: { local: local.trim(), domainIndex } }));
      setLocal('');
    });
  };
  const generate = () => {
    setMade(null);
    return run(async () => done(await api<Made>(`${BASE}/generate?domainIndex=${domainIndex}`)));
  };

  return (
    <section class="card" aria-labelledby="new-mailbox-title">
      <h2 id="new-mailbox-title">New mailbox</h2>
      <ErrorBanner error={explain(error) ?? domains.error} />
      <form class="inline-form" onSubmit={create} style={{ flexWrap: 'wrap' }}>
        <div class="grow" style={{ minWidth: '12rem' }}>
          <label for="mailbox-local">Name</label>
          <input id="mailbox-local" autoComplete="off" maxLength={64} placeholder="e.g. alice" value={local} onInput={(e) => setLocal(e.currentTarget.value)} />
        </div>
        <div style={{ minWidth: '12rem' }}>
          <label for="mailbox-domain">Domain</label>
          <select id="mailbox-domain" value={String(domainIndex)} onChange={(e) => setDomainIndex(Number(e.currentTarget.value))} style={fieldStyle}>
            {list.map((d, i) => (
              <option key={d} value={String(i)}>
                @{d}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={busy || !list.length || !local.trim()}>
          Create
        </button>
        <button type="button" class="secondary" disabled={busy || !list.length} onClick={generate} title="A random name">
          Generate random
        </button>
      </form>
      {made ? (
        <p class="notice" role="status" style={{ margin: 0 }}>
          Created <strong>{made.email}</strong>
          {made.expires ? (
            <>
              {' '}
              (expires <Time value={made.expires} />)
            </>
          ) : null}
          . <a href={link(PAGES.inbox, { mailbox: made.email })}>Open its inbox</a>
        </p>
      ) : (
        <p class="muted" style={{ margin: 0, fontSize: '0.9rem' }}>
          Mailboxes are temporary: each one and its mail are deleted when it expires (see Expires below).
        </p>
      )}
    </section>
  );
}

/** Set or clear the address a mailbox's mail is also sent to. */
function ForwardDialog(props: { mailbox: Mailbox; onClose(): void; onSaved(): void }) {
  const { mailbox } = props;
  const [to, setTo] = useState(mailbox.forward_to ?? '');
  const { error, busy, run } = useAction();
  const save = (forwardTo: string | null) =>
    run(async () => {
      await api(`${BASE}/mailbox/forward`, { body: { mailbox_id: mailbox.id, forward_to: forwardTo } });
      props.onSaved();
      props.onClose();
    });
  const submit = (event: Event) => {
    event.preventDefault();
    void save(to.trim() || null);
  };
  return (
    <Dialog title={`Forward ${mailbox.address}`} onClose={props.onClose}>
      <form onSubmit={submit} noValidate>
        <p style={{ margin: '0 0 0.5rem' }}>Every message this mailbox receives is also sent on to this address.</p>
        <ErrorBanner error={explain(error)} />
        <label for="forward-to">Forward to</label>
        <input
          id="forward-to"
          type="email"
          autoFocus
          autoComplete="off"
          maxLength={320}
          placeholder="someone@example.org"
          value={to}
          onInput={(e) => setTo(e.currentTarget.value)}
        />
        <div class="form-actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          {mailbox.forward_to ? (
            <button type="button" class="danger" disabled={busy} onClick={() => save(null)}>
              Stop forwarding
            </button>
          ) : null}
          <button type="button" class="secondary" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Pinned / favorite, under the address. */
function Flags(props: { mailbox: Mailbox }) {
  const { mailbox } = props;
  if (!mailbox.is_pinned && !mailbox.is_favorite) return null;
  return (
    <div style={{ display: 'flex', gap: '0.3rem', marginTop: '0.2rem' }}>
      {mailbox.is_pinned ? <span class="badge badge-ok">pinned</span> : null}
      {mailbox.is_favorite ? <span class="badge badge-warn">★ favorite</span> : null}
    </div>
  );
}

export function MailboxesPage() {
  const [text, setText] = useState('');
  const [search, setSearch] = useState('');
  const [favorites, setFavorites] = useState(false);
  const [offset, setOffset] = useState(0);
  const query = new URLSearchParams({
    limit: String(PAGE_SIZE),
    offset: String(offset),
    ...(search ? { search } : {}),
    ...(favorites ? { favorite: 'true' } : {}),
  });
  // Made, changed or deleted anywhere (another tab, the API, mail to a new address), and "Last mail", show as they happen.
  const list = useLiveApi<Mailbox[]>(`${BASE}/mailboxes?${query}`, ['mail.mailbox', 'mail.received'], { pollMs: POLL_MS, platform: true });
  const [forwarding, setForwarding] = useState<Mailbox | null>(null);
  const [deleting, setDeleting] = useState<Mailbox | null>(null);
  const { error, busy, run } = useAction();
  const rows = list.data ?? [];

  const change = (path: string, body: unknown) =>
    run(async () => {
      try {
        await api(`${BASE}/${path}`, { body });
      } finally {
        list.reload();
      }
    });
  const submit = (event: Event) => {
    event.preventDefault();
    setSearch(text.trim());
    setOffset(0);
  };

  return (
    <Page
      title="Mailboxes"
      actions={
        <>
          <LiveNote open={list.live} fallback={`Live updates are reconnecting: checked every ${POLL_MS / 1000} s.`} />
          <button type="button" class="secondary" onClick={list.reload}>
            Refresh
          </button>
        </>
      }
    >
      {forwarding ? <ForwardDialog mailbox={forwarding} onClose={() => setForwarding(null)} onSaved={list.reload} /> : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete ${deleting.address}?`}
          action="Delete mailbox"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api(`${BASE}/mailboxes?address=${encodeURIComponent(deleting.address)}`, { method: 'DELETE' });
            list.reload();
          }}
        >
          <p style={{ margin: '0 0 0.75rem' }}>
            The mailbox and <strong>all of its mail</strong> are deleted. This cannot be undone; mail sent to the address afterwards is refused.
          </p>
        </ConfirmDialog>
      ) : null}
      <NewMailbox onMade={list.reload} />
      <ReceivedChart />
      <section class="card" aria-labelledby="mailboxes-title">
        <h2 id="mailboxes-title">Your mailboxes</h2>
        <form class="inline-form" role="search" onSubmit={submit}>
          <div class="grow">
            <label for="mailbox-search">Search by address</label>
            <input id="mailbox-search" type="search" maxLength={100} value={text} onInput={(e) => setText(e.currentTarget.value)} />
          </div>
          <button type="submit">Search</button>
        </form>
        <div class="checks" style={{ margin: '-0.4rem 0 0.6rem' }}>
          <label>
            <input
              type="checkbox"
              checked={favorites}
              onChange={(e) => {
                setFavorites(e.currentTarget.checked);
                setOffset(0);
              }}
            />
            <span>Favorites only</span>
          </label>
        </div>
        <ErrorBanner error={explain(error) ?? list.error} />
        <Table
          rows={rows}
          rowKey={(m) => m.id}
          empty={list.loading ? 'Loading…' : search || favorites ? 'No mailboxes match.' : 'No mailboxes yet. Create one above.'}
          columns={[
            {
              label: 'Address',
              value: (m) => (
                <>
                  <a href={link(PAGES.inbox, { mailbox: m.address })} title="Open the inbox" style={{ overflowWrap: 'anywhere' }}>
                    {m.address}
                  </a>
                  <Flags mailbox={m} />
                </>
              ),
            },
            { label: 'Created', value: (m) => <Stamp value={m.created_at} /> },
            { label: 'Expires', value: (m) => (m.expires_at ? <Stamp value={m.expires_at} /> : 'never') },
            { label: 'Last mail', value: (m) => <Stamp value={m.last_received_at} /> },
            { label: 'Forwards to', value: (m) => m.forward_to ?? '—' },
            {
              label: 'Actions',
              value: (m) => (
                <span class="row-actions">
                  <button
                    type="button"
                    class="secondary small"
                    disabled={busy}
                    aria-label={`${m.is_pinned ? 'Unpin' : 'Pin'} ${m.address}`}
                    onClick={() => change('mailboxes/pin', { address: m.address })}
                  >
                    {m.is_pinned ? 'Unpin' : 'Pin'}
                  </button>
                  <button
                    type="button"
                    class="secondary small"
                    disabled={busy}
                    aria-label={`${m.is_favorite ? 'Unfavorite' : 'Favorite'} ${m.address}`}
                    onClick={() => change('mailbox/favorite', { mailbox_id: m.id, is_favorite: !m.is_favorite })}
                  >
                    {m.is_favorite ? 'Unfavorite' : 'Favorite'}
                  </button>
                  <button type="button" class="secondary small" aria-label={`Forward ${m.address}`} onClick={() => setForwarding(m)}>
                    Forward…
                  </button>
                  <button type="button" class="danger small" aria-label={`Delete ${m.address}`} onClick={() => setDeleting(m)}>
                    Delete
                  </button>
                </span>
              ),
            },
          ]}
        />
        {list.data ? (
          <nav class="pager" aria-label="Pages">
            <span>
              {offset || rows.length >= PAGE_SIZE
                ? `${(offset + 1).toLocaleString()}–${(offset + rows.length).toLocaleString()}`
                : plural(rows.length, 'mailbox', 'mailboxes')}
            </span>
            <button type="button" class="secondary small" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
              Previous
            </button>
            <button type="button" class="secondary small" disabled={rows.length < PAGE_SIZE} onClick={() => setOffset(offset + PAGE_SIZE)}>
              Next
            </button>
          </nav>
        ) : null}
      </section>
    </Page>
  );
}
