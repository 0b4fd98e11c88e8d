// Sent: what one mailbox (?mailbox=…) sent, newest first, with each send's status; a scheduled
// send can be canceled until it goes.
import { useState } from 'preact/hooks';
import { api, ErrorBanner, LiveNote, Page, Table, Time, t, tx, useLiveApi, useQueryParam } from 'plinth/plugin/ui';
import { BASE, ConfirmDialog, instant, link, MailboxPicker, PAGES, StatusBadge, type SentRow } from './shared.js';

/** While the live channel is down. */
const POLL_MS = 15_000;

function SentList(props: { mailbox: string }) {
  const { mailbox } = props;
  // A send (here, by a workflow, or the scheduled job) shows as it happens, and its status as it changes.
  const list = useLiveApi<SentRow[]>(`${BASE}/sent?from=${encodeURIComponent(mailbox)}&limit=50`, 'mail.sent', { pollMs: POLL_MS, platform: true });
  const [canceling, setCanceling] = useState<SentRow | null>(null);
  const rows = list.data ?? [];
  return (
    <section class="card" aria-labelledby="sent-title">
      {canceling ? (
        <ConfirmDialog
          title={t('mail.sent.cancelTitle')}
          action={t('mail.sent.cancelAction')}
          onClose={() => setCanceling(null)}
          onConfirm={async () => {
            try {
              await api(`${BASE}/send/${encodeURIComponent(canceling.resend_id)}/cancel`, { method: 'POST' });
            } finally {
              list.reload(); // it may have gone meanwhile: the list shows where it stands
            }
          }}
        >
          <p style={{ margin: '0 0 0.75rem' }}>
            {t('mail.sent.cancelBody', { subject: canceling.subject || t('mail.noSubject'), recipients: canceling.recipients })}
          </p>
        </ConfirmDialog>
      ) : null}
      <div style={{ display: 'flex', alignItems: 'baseline', gap: '1rem' }}>
        <h2 id="sent-title" style={{ flex: 1 }}>
          {t('mail.sent.title', { mailbox })}
        </h2>
        <LiveNote open={list.live} fallback={t('mail.live.polling', { seconds: POLL_MS / 1000 })} />
        <a href={link(PAGES.compose, { from: mailbox })}>{t('mail.nav.compose')}</a>
        <button type="button" class="secondary small" onClick={list.reload}>
          {t('mail.refresh')}
        </button>
      </div>
      <ErrorBanner error={list.error} />
      <Table
        rows={rows}
        rowKey={(s) => s.id}
        empty={list.loading ? t('mail.loading') : t('mail.sent.empty')}
        columns={[
          { label: t('mail.col.to'), value: (s) => <span style={{ overflowWrap: 'anywhere' }}>{s.recipients}</span> },
          { label: t('mail.col.subject'), value: (s) => s.subject || t('mail.noSubject') },
          {
            label: t('mail.col.status'),
            value: (s) => (
              <>
                <StatusBadge status={s.status} />
                {s.error ? (
                  <div class="error-text" style={{ fontSize: '0.85rem' }}>
                    {s.error}
                  </div>
                ) : null}
              </>
            ),
          },
          {
            label: t('mail.col.when'),
            value: (s) =>
              s.status === 'scheduled' ? (
                <span>{tx('mail.sent.for', { time: <Time value={instant(s.scheduled_at)} /> })}</span>
              ) : s.sent_at ? (
                <Time value={instant(s.sent_at)} />
              ) : (
                <Time value={instant(s.created_at)} />
              ),
          },
          { label: t('mail.col.id'), value: (s) => <code style={{ fontSize: '0.8rem' }}>{s.resend_id}</code> },
          {
            label: t('mail.col.actions'),
            value: (s) =>
              s.status === 'scheduled' ? (
                <button type="button" class="danger small" aria-label={t('mail.sent.cancelLabel', { id: s.resend_id })} onClick={() => setCanceling(s)}>
                  {t('mail.cancel')}
                </button>
              ) : null,
          },
        ]}
      />
      {list.data ? (
        <p class="muted" style={{ margin: '0.75rem 0 0', fontSize: '0.9rem' }}>
          {rows.length >= 50 ? t('mail.sent.newest', { count: 50 }) : t('mail.sent.count', { count: rows.length })}
        </p>
      ) : null}
    </section>
  );
}

export function SentPage() {
  const mailbox = useQueryParam('mailbox');
  return (
    <Page title={t('mail.nav.sent')}>
      <MailboxPicker id="sent-mailbox" label={t('mail.mailbox')} value={mailbox} />
      {mailbox ? <SentList key={mailbox} mailbox={mailbox} /> : null}
    </Page>
  );
}
