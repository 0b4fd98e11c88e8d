import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../kit/api.js';
import { ErrorBanner, Page, Table, Time } from '../kit/components.js';
import { useLiveApi } from '../kit/live.js';
import { LiveNote } from '../kit/live-note.js';
import { t, tx } from '../kit/i18n.js';
import { Pager } from '../kit/pager.js';
import { useAction } from '../kit/use-action.js';
import { useApi } from '../kit/use-api.js';
import { useQueryParam } from '../kit/use-query.js';
import { OUTBOX_HREF } from './nav.js';
import type { OutboxMail, OutboxPageData } from './types.js';

const PAGE_SIZE = 20;
/** While the live channel is down. */
const POLL_MS = 30_000;
const STATUS_BADGE: Record<string, string> = { sent: 'badge-ok', failed: 'badge-danger', stored: 'badge-warn' };

const Status = (props: { status: string }) => (
  <span class={`badge ${STATUS_BADGE[props.status] ?? ''}`}>{t('shell.outbox.status', { status: props.status })}</span>
);

// http(s) URLs in a plain-text body; trailing punctuation belongs to the sentence, not the link.
const URL_PATTERN = /https?:\/\/[^\s<>"']+/g;
const TRAILING = /[.,;:!?)\]]+$/;

/** A text body with its URLs as links. Text only: the mail's own markup is never rendered as HTML. */
export function Linkified(props: { text: string }) {
  const parts: ComponentChildren[] = [];
  let last = 0;
  for (const match of props.text.matchAll(URL_PATTERN)) {
    const url = match[0].replace(TRAILING, '');
    parts.push(props.text.slice(last, match.index));
    parts.push(
      <a href={url} rel="noreferrer noopener">
        {url}
      </a>,
    );
    last = match.index! + url.length;
  }
  parts.push(props.text.slice(last));
  return <pre class="mail-body">{parts}</pre>;
}

/** The text and the links of an HTML body, read by an inert parser (no script runs, nothing loads). */
function readHtml(html: string): { text: string; links: Array<{ href: string; label: string }> } {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const links = Array.from(doc.querySelectorAll('a[href]'))
    .map((a) => ({ href: a.getAttribute('href') ?? '', label: (a.textContent ?? '').trim() }))
    .filter((l) => /^https?:\/\//i.test(l.href));
  return { text: (doc.body.textContent ?? '').trim(), links };
}

function MailBody(props: { mail: OutboxMail }) {
  const { text, html } = props.mail;
  const fromHtml = html ? readHtml(html) : null;
  return (
    <section class="card" aria-label={t('shell.outbox.message')}>
      {text ? <Linkified text={text} /> : fromHtml ? <Linkified text={fromHtml.text} /> : <p class="muted">{t('shell.outbox.noBody')}</p>}
      {fromHtml?.links.length ? (
        <>
          <h2>{t('shell.outbox.htmlLinks')}</h2>
          <ul>
            {fromHtml.links.map((l, i) => (
              <li key={i}>
                <a href={l.href} rel="noreferrer noopener">
                  {l.label || l.href}
                </a>{' '}
                <span class="muted">{l.label ? l.href : ''}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function MailDetail(props: { id: string }) {
  const { data, error, loading, reload } = useApi<OutboxMail>(`/api/admin/outbox/${encodeURIComponent(props.id)}`);
  const action = useAction();
  const [notice, setNotice] = useState<string | null>(null);
  const resend = () =>
    action.run(async () => {
      const mail = await api<OutboxMail>(`/api/admin/outbox/${encodeURIComponent(props.id)}/resend`, { method: 'POST' });
      setNotice(mail.status === 'sent' ? t('shell.outbox.resent') : t('shell.outbox.refused', { error: mail.error ?? t('shell.outbox.noReason') }));
      reload();
    });
  return (
    <Page
      title={data ? data.subject || t('shell.outbox.noSubject') : t('shell.nav.outbox')}
      actions={
        <button type="button" onClick={() => void resend()} disabled={action.busy || !data}>
          {t('shell.outbox.sendAgain')}
        </button>
      }
    >
      <p>
        <a href={OUTBOX_HREF}>{t('shell.outbox.back')}</a>
      </p>
      <ErrorBanner error={error ?? action.error} />
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      {!data ? (
        loading ? (
          <p class="muted" role="status">
            {t('kit.loading')}
          </p>
        ) : null
      ) : (
        <>
          <dl class="facts card">
            <dt>{t('shell.outbox.from')}</dt>
            <dd>{data.from}</dd>
            <dt>{t('shell.outbox.to')}</dt>
            <dd>{data.to.join(', ')}</dd>
            <dt>{t('shell.outbox.date')}</dt>
            <dd>
              <Time value={data.created_at} />
            </dd>
            <dt>{t('shell.outbox.statusLabel')}</dt>
            <dd>
              <Status status={data.status} /> {data.error ? <span class="error-text">{data.error}</span> : null}
            </dd>
          </dl>
          <MailBody mail={data} />
        </>
      )}
    </Page>
  );
}

function MailList() {
  const page = Math.max(1, Number(useQueryParam('page') ?? '1') || 1);
  // Mail of no tenant: a superadmin's stream hears of it as `platform` (core/live.ts OUTBOX_LIVE_KIND).
  const { data, error, loading, reload, live } = useLiveApi<OutboxPageData>(`/api/admin/outbox?page=${page}&page_size=${PAGE_SIZE}`, 'outbox.', {
    pollMs: POLL_MS,
    platform: true,
  });
  return (
    <Page
      title={t('shell.nav.outbox')}
      actions={
        <>
          <LiveNote open={live} fallback={t('shell.outbox.liveFallback', { seconds: POLL_MS / 1000 })} />
          <button type="button" class="secondary" onClick={reload} disabled={loading}>
            {t('shell.refresh')}
          </button>
        </>
      }
    >
      <ErrorBanner error={error} />
      {data?.transport === 'outbox' ? (
        <p class="callout-warning">{tx('shell.outbox.noRelay', { setting: <code>mailer.smtpUrl</code>, env: <code>PLINTH_MAILER_SMTP_URL</code> })}</p>
      ) : null}
      {!data ? (
        loading ? (
          <p class="muted" role="status">
            {t('kit.loading')}
          </p>
        ) : null
      ) : (
        <>
          <Table
            rows={data.items}
            rowKey={(m) => m.id}
            empty={t('shell.outbox.empty')}
            columns={[
              { label: t('shell.outbox.to'), value: (m) => m.to.join(', ') },
              { label: t('shell.outbox.subject'), value: (m) => <a href={`${OUTBOX_HREF}?id=${m.id}`}>{m.subject || t('shell.outbox.noSubject')}</a> },
              { label: t('shell.outbox.date'), value: (m) => <Time value={m.created_at} /> },
              { label: t('shell.outbox.statusLabel'), value: (m) => <Status status={m.status} /> },
            ]}
          />
          <Pager total={data.total} page={data.page} pageSize={data.page_size} count={(count) => t('shell.outbox.count', { count })} />
        </>
      )}
    </Page>
  );
}

/** The core mailer's outbox (superadmins): what the platform sent or kept, each mail readable, links clickable. */
export function OutboxPage() {
  const id = useQueryParam('id');
  return id ? <MailDetail id={id} /> : <MailList />;
}
