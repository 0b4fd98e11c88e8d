// Mailboxes: make one (by name, or a random one that expires), search the list, pin, favorite,
// forward (a dialog) and delete (a confirm). An address opens its inbox.
import { useState } from 'preact/hooks';
import { api, Dialog, ErrorBanner, formatNumber, LiveNote, Page, Table, Time, t, tx, useApi, useLiveApi } from 'plinth/plugin/ui';
import { ReceivedChart } from './received-chart.js';
import { BASE, ConfirmDialog, explain, fieldStyle, link, PAGES, Stamp, useAction, type Mailbox } from './shared.js';

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
      <h2 id="new-mailbox-title">{t('mail.mailboxes.newTitle')}</h2>
      <ErrorBanner error={explain(error) ?? domains.error} />
      <form class="inline-form" onSubmit={create} style={{ flexWrap: 'wrap' }}>
        <div class="grow" style={{ minWidth: '12rem' }}>
          <label for="mailbox-local">{t('mail.mailboxes.name')}</label>
          <input
            id="mailbox-local"
            autoComplete="off"
            maxLength={64}
            placeholder={t('mail.mailboxes.namePlaceholder')}
            value={local}
            onInput={(e) => setLocal(e.currentTarget.value)}
          />
        </div>
        <div style={{ minWidth: '12rem' }}>
          <label for="mailbox-domain">{t('mail.domains.domain')}</label>
          <select id="mailbox-domain" value={String(domainIndex)} onChange={(e) => setDomainIndex(Number(e.currentTarget.value))} style={fieldStyle}>
            {list.map((d, i) => (
              <option key={d} value={String(i)}>
                @{d}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={busy || !list.length || !local.trim()}>
          {t('mail.mailboxes.create')}
        </button>
        <button type="button" class="secondary" disabled={busy || !list.length} onClick={generate} title={t('mail.mailboxes.randomHint')}>
          {t('mail.mailboxes.generate')}
        </button>
      </form>
      {made ? (
        <p class="notice" role="status" style={{ margin: 0 }}>
          {made.expires
            ? tx('mail.mailboxes.createdExpires', {
                email: made.email,
                time: <Time value={made.expires} />,
                strong: (text: string) => <strong>{text}</strong>,
              })
            : tx('mail.mailboxes.created', { email: made.email, strong: (text: string) => <strong>{text}</strong> })}{' '}
          <a href={link(PAGES.inbox, { mailbox: made.email })}>{t('mail.mailboxes.openInbox')}</a>
        </p>
      ) : (
        <p class="muted" style={{ margin: 0, fontSize: '0.9rem' }}>
          {t('mail.mailboxes.temporary')}
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
    <Dialog title={t('mail.forward.title', { address: mailbox.address })} onClose={props.onClose}>
      <form onSubmit={submit} noValidate>
        <p style={{ margin: '0 0 0.5rem' }}>{t('mail.forward.hint')}</p>
        <ErrorBanner error={explain(error)} />
        <label for="forward-to">{t('mail.forward.to')}</label>
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
            {busy ? t('mail.saving') : t('mail.save')}
          </button>
          {mailbox.forward_to ? (
            <button type="button" class="danger" disabled={busy} onClick={() => save(null)}>
              {t('mail.forward.stop')}
            </button>
          ) : null}
          <button type="button" class="secondary" onClick={props.onClose}>
            {t('mail.cancel')}
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
      {mailbox.is_pinned ? <span class="badge badge-ok">{t('mail.mailboxes.pinned')}</span> : null}
      {mailbox.is_favorite ? <span class="badge badge-warn">{t('mail.mailboxes.favoriteBadge')}</span> : null}
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
      title={t('mail.nav.index')}
      actions={
        <>
          <LiveNote open={list.live} fallback={t('mail.live.polling', { seconds: POLL_MS / 1000 })} />
          <button type="button" class="secondary" onClick={list.reload}>
            {t('mail.refresh')}
          </button>
        </>
      }
    >
      {forwarding ? <ForwardDialog mailbox={forwarding} onClose={() => setForwarding(null)} onSaved={list.reload} /> : null}
      {deleting ? (
        <ConfirmDialog
          title={t('mail.mailboxes.deleteTitle', { address: deleting.address })}
          action={t('mail.mailboxes.deleteAction')}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api(`${BASE}/mailboxes?address=${encodeURIComponent(deleting.address)}`, { method: 'DELETE' });
            list.reload();
          }}
        >
          <p style={{ margin: '0 0 0.75rem' }}>{tx('mail.mailboxes.deleteBody', { strong: (text: string) => <strong>{text}</strong> })}</p>
        </ConfirmDialog>
      ) : null}
      <NewMailbox onMade={list.reload} />
      <ReceivedChart />
      <section class="card" aria-labelledby="mailboxes-title">
        <h2 id="mailboxes-title">{t('mail.mailboxes.title')}</h2>
        <form class="inline-form" role="search" onSubmit={submit}>
          <div class="grow">
            <label for="mailbox-search">{t('mail.mailboxes.searchLabel')}</label>
            <input id="mailbox-search" type="search" maxLength={100} value={text} onInput={(e) => setText(e.currentTarget.value)} />
          </div>
          <button type="submit">{t('mail.mailboxes.search')}</button>
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
            <span>{t('mail.mailboxes.favoritesOnly')}</span>
          </label>
        </div>
        <ErrorBanner error={explain(error) ?? list.error} />
        <Table
          rows={rows}
          rowKey={(m) => m.id}
          empty={list.loading ? t('mail.loading') : search || favorites ? t('mail.mailboxes.noMatch') : t('mail.mailboxes.empty')}
          columns={[
            {
              label: t('mail.mailboxes.address'),
              value: (m) => (
                <>
                  <a href={link(PAGES.inbox, { mailbox: m.address })} title={t('mail.mailboxes.openInboxHint')} style={{ overflowWrap: 'anywhere' }}>
                    {m.address}
                  </a>
                  <Flags mailbox={m} />
                </>
              ),
            },
            { label: t('mail.mailboxes.created'), value: (m) => <Stamp value={m.created_at} /> },
            { label: t('mail.mailboxes.expires'), value: (m) => (m.expires_at ? <Stamp value={m.expires_at} /> : t('mail.mailboxes.never')) },
            { label: t('mail.mailboxes.lastMail'), value: (m) => <Stamp value={m.last_received_at} /> },
            { label: t('mail.mailboxes.forwardsTo'), value: (m) => m.forward_to ?? '—' },
            {
              label: t('mail.col.actions'),
              value: (m) => (
                <span class="row-actions">
                  <button
                    type="button"
                    class="secondary small"
                    disabled={busy}
                    aria-label={t('mail.mailboxes.pinLabel', { pinned: String(m.is_pinned), address: m.address })}
                    onClick={() => change('mailboxes/pin', { address: m.address })}
                  >
                    {m.is_pinned ? t('mail.mailboxes.unpin') : t('mail.mailboxes.pin')}
                  </button>
                  <button
                    type="button"
                    class="secondary small"
                    disabled={busy}
                    aria-label={t('mail.mailboxes.favoriteLabel', { favorite: String(m.is_favorite), address: m.address })}
                    onClick={() => change('mailbox/favorite', { mailbox_id: m.id, is_favorite: !m.is_favorite })}
                  >
                    {m.is_favorite ? t('mail.mailboxes.unfavorite') : t('mail.mailboxes.favorite')}
                  </button>
                  <button type="button" class="secondary small" aria-label={t('mail.forward.title', { address: m.address })} onClick={() => setForwarding(m)}>
                    {t('mail.mailboxes.forward')}
                  </button>
                  <button
                    type="button"
                    class="danger small"
                    aria-label={t('mail.mailboxes.deleteLabel', { address: m.address })}
                    onClick={() => setDeleting(m)}
                  >
                    {t('mail.delete')}
                  </button>
                </span>
              ),
            },
          ]}
        />
        {list.data ? (
          <nav class="pager" aria-label={t('kit.pager.label')}>
            <span>
              {offset || rows.length >= PAGE_SIZE
                ? `${formatNumber(offset + 1)}–${formatNumber(offset + rows.length)}`
                : t('mail.domains.mailboxCount', { count: rows.length })}
            </span>
            <button type="button" class="secondary small" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
              {t('kit.pager.previous')}
            </button>
            <button type="button" class="secondary small" disabled={rows.length < PAGE_SIZE} onClick={() => setOffset(offset + PAGE_SIZE)}>
              {t('kit.pager.next')}
            </button>
          </nav>
        ) : null}
      </section>
    </Page>
  );
}
