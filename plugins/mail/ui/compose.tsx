// Compose: from one of the caller's mailboxes (?from=… preselects it), to, subject, text and an
// optional time to send at; then the server's answer (the message id and its status) or its error.
import { useState } from 'preact/hooks';
import { api, ErrorBanner, Page, useQueryParam } from 'plinth/plugin/ui';
import { BASE, explain, fieldStyle, link, PAGES, StatusBadge, useAction, useMailboxList } from './shared.js';

interface SendReply {
  success: boolean;
  id: string;
  status: string;
}

/** `<input type="datetime-local">` is local time without a zone; the API wants an instant. */
const toInstant = (local: string) => new Date(local).toISOString();

export function ComposePage() {
  const preset = useQueryParam('from');
  const mailboxes = useMailboxList();
  const [from, setFrom] = useState<string | null>(null);
  const [to, setTo] = useState('');
  const [subject, setSubject] = useState('');
  const [text, setText] = useState('');
  const [at, setAt] = useState('');
  const [result, setResult] = useState<(SendReply & { from: string; to: string }) | null>(null);
  const { error, setError, busy, run } = useAction();

  const addresses = (mailboxes.data ?? []).map((m) => m.address);
  if (preset && !addresses.includes(preset)) addresses.unshift(preset);
  const sender = from ?? preset ?? addresses[0] ?? '';

  const submit = (event: Event) => {
    event.preventDefault();
    if (at && Number.isNaN(new Date(at).getTime())) return setError(new Error('The send time is not a valid date.'));
    void run(async () => {
      const body = { from: sender, to: to.trim(), subject: subject.trim(), text, ...(at ? { scheduledAt: toInstant(at) } : {}) };
      const reply = await api<SendReply>(`${BASE}/send`, { body });
      setResult({ ...reply, from: sender, to: body.to });
      setTo('');
      setSubject('');
      setText('');
      setAt('');
    });
  };

  return (
    <Page title="Compose">
      {result ? (
        <div class="notice" role="status">
          {result.status === 'scheduled' ? 'Scheduled' : result.status === 'failed' ? 'Could not send' : 'Sent'} to {result.to}: <code>{result.id}</code>{' '}
          <StatusBadge status={result.status} /> <a href={link(PAGES.sent, { mailbox: result.from })}>See what {result.from} sent</a>
        </div>
      ) : null}
      <form class="card" onSubmit={submit} noValidate aria-labelledby="compose-title" style={{ maxWidth: '48rem' }}>
        <h2 id="compose-title">New message</h2>
        <ErrorBanner error={explain(error) ?? mailboxes.error} />
        {mailboxes.data && !addresses.length ? (
          <p class="muted">
            You have no mailbox to send from. <a href={PAGES.mailboxes}>Create one on the Mailboxes page.</a>
          </p>
        ) : null}
        <div class="form-row">
          <div>
            <label for="compose-from">From</label>
            <select id="compose-from" value={sender} onChange={(e) => setFrom(e.currentTarget.value)} style={fieldStyle}>
              {addresses.length ? null : <option value="">{mailboxes.loading ? 'Loading mailboxes…' : 'No mailboxes'}</option>}
              {addresses.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="compose-to">To</label>
            <input
              id="compose-to"
              type="text"
              autoComplete="off"
              maxLength={5000}
              placeholder="someone@example.org, another@example.org"
              value={to}
              onInput={(e) => setTo(e.currentTarget.value)}
            />
          </div>
        </div>
        <label for="compose-subject">Subject</label>
        <input id="compose-subject" maxLength={998} value={subject} onInput={(e) => setSubject(e.currentTarget.value)} />
        <label for="compose-text">Message</label>
        <textarea id="compose-text" rows={10} value={text} onInput={(e) => setText(e.currentTarget.value)} style={{ ...fieldStyle, resize: 'vertical' }} />
        <div class="form-row">
          <div style={{ maxWidth: '20rem' }}>
            <label for="compose-at">Send at (optional)</label>
            <input id="compose-at" type="datetime-local" value={at} onInput={(e) => setAt(e.currentTarget.value)} />
          </div>
        </div>
        <div class="form-actions">
          <button type="submit" disabled={busy || !sender}>
            {busy ? 'Sending…' : at ? 'Schedule' : 'Send'}
          </button>
          <span class="muted" style={{ fontSize: '0.9rem' }}>
            {at ? 'It waits until then and can be canceled on the Sent page.' : 'Sent now; each recipient counts against the monthly allowance.'}
          </span>
        </div>
      </form>
    </Page>
  );
}
