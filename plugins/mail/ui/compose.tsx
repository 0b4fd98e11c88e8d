// Compose: from one of the caller's mailboxes (?from=… preselects it), to, subject, text and an
// optional time to send at; then the server's answer (the message id and its status) or its error.
import { useState } from 'preact/hooks';
import { api, ErrorBanner, Page, t, tx, useQueryParam } from 'plinth/plugin/ui';
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
    if (at && Number.isNaN(new Date(at).getTime())) return setError(new Error(t('mail.compose.badTime')));
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
    <Page title={t('mail.nav.compose')}>
      {result ? (
        <div class="notice" role="status">
          {t('mail.compose.result', { status: result.status, to: result.to })} <code>{result.id}</code> <StatusBadge status={result.status} />{' '}
          <a href={link(PAGES.sent, { mailbox: result.from })}>{t('mail.compose.seeSent', { from: result.from })}</a>
        </div>
      ) : null}
      <form class="card" onSubmit={submit} noValidate aria-labelledby="compose-title" style={{ maxWidth: '48rem' }}>
        <h2 id="compose-title">{t('mail.compose.title')}</h2>
        <ErrorBanner error={explain(error) ?? mailboxes.error} />
        {mailboxes.data && !addresses.length ? (
          <p class="muted">{tx('mail.compose.noMailbox', { link: (text: string) => <a href={PAGES.mailboxes}>{text}</a> })}</p>
        ) : null}
        <div class="form-row">
          <div>
            <label for="compose-from">{t('mail.compose.from')}</label>
            <select id="compose-from" value={sender} onChange={(e) => setFrom(e.currentTarget.value)} style={fieldStyle}>
              {addresses.length ? null : <option value="">{mailboxes.loading ? t('mail.compose.loadingMailboxes') : t('mail.compose.noMailboxes')}</option>}
              {addresses.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="compose-to">{t('mail.compose.to')}</label>
            <input
              id="compose-to"
              type="text"
              autoComplete="off"
              maxLength={5000}
              placeholder={t('mail.compose.toPlaceholder')}
              value={to}
              onInput={(e) => setTo(e.currentTarget.value)}
            />
          </div>
        </div>
        <label for="compose-subject">{t('mail.compose.subject')}</label>
        <input id="compose-subject" maxLength={998} value={subject} onInput={(e) => setSubject(e.currentTarget.value)} />
        <label for="compose-text">{t('mail.compose.text')}</label>
        <textarea id="compose-text" rows={10} value={text} onInput={(e) => setText(e.currentTarget.value)} style={{ ...fieldStyle, resize: 'vertical' }} />
        <div class="form-row">
          <div style={{ maxWidth: '20rem' }}>
            <label for="compose-at">{t('mail.compose.at')}</label>
            <input id="compose-at" type="datetime-local" value={at} onInput={(e) => setAt(e.currentTarget.value)} />
          </div>
        </div>
        <div class="form-actions">
          <button type="submit" disabled={busy || !sender}>
            {busy ? t('mail.compose.sending') : at ? t('mail.compose.schedule') : t('mail.compose.send')}
          </button>
          <span class="muted" style={{ fontSize: '0.9rem' }}>
            {at ? t('mail.compose.laterHint') : t('mail.compose.nowHint')}
          </span>
        </div>
      </form>
    </Page>
  );
}
