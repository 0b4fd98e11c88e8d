// Sent: what one mailbox (?mailbox=…) sent, newest first, with each send's status; a scheduled
// send can be canceled until it goes.
import { useState } from 'preact/hooks';
import { api, ErrorBanner, LiveNote, Page, Table, Time, useLiveApi, useQueryParam } from 'plinth/plugin/ui';
import { BASE, ConfirmDialog, instant, link, MailboxPicker, PAGES, plural, StatusBadge, type SentRow } from './shared.js';

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
          title="Cancel this scheduled message?"
          action="Cancel sending"
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
            “{canceling.subject || '(no subject)'}” to {canceling.recipients} will not be sent.
          </p>
        </ConfirmDialog>
      ) : null}
      <div style={{ display: 'flex', alignItems: 'baseline', gap: '1rem' }}>
        <h2 id="sent-title" style={{ flex: 1 }}>
          Sent from {mailbox}
        </h2>
        <LiveNote open={list.live} fallback={`Live updates are reconnecting: checked every ${POLL_MS / 1000} s.`} />
        <a href={link(PAGES.compose, { from: mailbox })}>Compose</a>
        <button type="button" class="secondary small" onClick={list.reload}>
          Refresh
        </button>
      </div>
      <ErrorBanner error={list.error} />
      <Table
        rows={rows}
        rowKey={(s) => s.id}
        empty={list.loading ? 'Loading…' : 'Nothing sent from this mailbox yet.'}
        columns={[
          { label: 'To', value: (s) => <span style={{ overflowWrap: 'anywhere' }}>{s.recipients}</span> },
          { label: 'Subject', value: (s) => s.subject || '(no subject)' },
          {
            label: 'Status',
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
            label: 'When',
            value: (s) =>
              s.status === 'scheduled' ? (
                <span>
                  for <Time value={instant(s.scheduled_at)} />
                </span>
              ) : s.sent_at ? (
                <Time value={instant(s.sent_at)} />
              ) : (
                <Time value={instant(s.created_at)} />
              ),
          },
          { label: 'Id', value: (s) => <code style={{ fontSize: '0.8rem' }}>{s.resend_id}</code> },
          {
            label: 'Actions',
            value: (s) =>
              s.status === 'scheduled' ? (
                <button type="button" class="danger small" aria-label={`Cancel ${s.resend_id}`} onClick={() => setCanceling(s)}>
                  Cancel
                </button>
              ) : null,
          },
        ]}
      />
      {list.data ? (
        <p class="muted" style={{ margin: '0.75rem 0 0', fontSize: '0.9rem' }}>
          {rows.length >= 50 ? 'The newest 50.' : `${plural(rows.length, 'message', 'messages')}.`}
        </p>
      ) : null}
    </section>
  );
}

export function SentPage() {
  const mailbox = useQueryParam('mailbox');
  return (
    <Page title="Sent">
      <MailboxPicker id="sent-mailbox" label="Mailbox" value={mailbox} />
      {mailbox ? <SentList key={mailbox} mailbox={mailbox} /> : null}
    </Page>
  );
}
