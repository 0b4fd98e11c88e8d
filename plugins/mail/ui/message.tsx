// One received message: subject, from, to, the verification code (big, with Copy), tabs for the HTML
// in a sandboxed frame, the text, the headers and the source, attachments, Download .eml and Delete.
//
// The HTML is someone else's: it never touches the page's DOM. It is shown in an
// <iframe sandbox="" srcdoc=…>: an empty sandbox means no scripts, no forms, no popups, no
// top navigation and an opaque origin (no cookies, no access to this page). A CSP of its own on
// top blocks remote content (tracking pixels, web fonts) and any script the sandbox would miss.
import { useEffect, useState } from 'preact/hooks';
import { api, CopyText, ErrorBanner, Time, t, useApi } from 'plinth/plugin/ui';
import { HeadersPanel, MessageTabs, monoBlock, SourcePanel, type MessageTab } from './message-parts.js';
import { BASE, ConfirmDialog, instant, size, type Email } from './shared.js';

const FRAME_HEAD =
  '<!doctype html><html><head><meta charset="utf-8">' +
  `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:">` +
  '<style>html{color-scheme:light}body{margin:0.75rem;font:15px/1.5 ' +
  'system-ui,sans-serif;color:#111;background:#fff;overflow-wrap:anywhere}img{max-width:100%;height:auto}</style>' +
  '</head><body>';

/** The document the frame shows: our head (CSP, base style) first, then the message's HTML. */
export const frameDocument = (html: string) => `${FRAME_HEAD}${html}</body></html>`;

function HtmlBody(props: { html: string; subject: string }) {
  return (
    <iframe
      sandbox=""
      srcdoc={frameDocument(props.html)}
      title={t('mail.message.frameTitle', { subject: props.subject || t('mail.noSubject') })}
      referrerpolicy="no-referrer"
      style={{
        display: 'block',
        width: '100%',
        height: '26rem',
        border: '1px solid var(--border)',
        borderRadius: '6px',
        background: '#fff',
        resize: 'vertical',
        overflow: 'auto',
      }}
    />
  );
}

function TextBody(props: { text: string }) {
  return <pre style={monoBlock}>{props.text}</pre>;
}

const eyebrow = { fontSize: '0.8rem', margin: '1rem 0 0.4rem', textTransform: 'uppercase', letterSpacing: '0.05em' } as const;

export function MessageView(props: { id: number; onLoaded(id: number): void; onDeleted(id: number): void }) {
  const { id } = props;
  const one = useApi<Email>(`${BASE}/email/${id}`);
  const [deleting, setDeleting] = useState(false);
  const [tab, setTab] = useState<MessageTab | null>(null);
  const email = one.data;
  // HTML first when there is some (the Text tab then holds its plain version), else Text.
  const tabs: MessageTab[] = email?.html_content ? ['html', 'text', 'headers', 'source'] : ['text', 'headers', 'source'];
  const current = tab && tabs.includes(tab) ? tab : tabs[0];
  useEffect(() => {
    if (email) props.onLoaded(email.id); // reading it marked it read on the server
  }, [email?.id]);

  return (
    <section class="card" aria-labelledby="message-title" style={{ flex: '1 1 32rem', minWidth: 0 }}>
      {deleting && email ? (
        <ConfirmDialog
          title={t('mail.message.deleteTitle')}
          action={t('mail.message.deleteAction')}
          onClose={() => setDeleting(false)}
          onConfirm={async () => {
            await api(`${BASE}/email/${id}`, { method: 'DELETE' });
            props.onDeleted(id);
          }}
        >
          <p style={{ margin: '0 0 0.75rem' }}>{t('mail.message.deleteBody', { subject: email.subject || t('mail.noSubject'), sender: email.sender })}</p>
        </ConfirmDialog>
      ) : null}
      <ErrorBanner error={one.error} />
      {!email ? (
        one.loading ? (
          <p class="muted" role="status">
            {t('mail.message.loading')}
          </p>
        ) : null
      ) : (
        <>
          <header style={{ display: 'flex', gap: '0.75rem', alignItems: 'flex-start' }}>
            <h2 id="message-title" style={{ flex: 1, fontSize: '1.2rem', overflowWrap: 'anywhere' }}>
              {email.subject || t('mail.noSubject')}
            </h2>
            <span class="row-actions">
              <a href={`${BASE}/email/${id}/download`} download={`${id}.eml`} style={{ alignSelf: 'center', fontSize: '0.9rem' }}>
                {t('mail.message.download')}
              </a>
              <button type="button" class="danger small" onClick={() => setDeleting(true)}>
                {t('mail.delete')}
              </button>
            </span>
          </header>
          <dl class="facts">
            <dt>{t('mail.message.from')}</dt>
            <dd style={{ overflowWrap: 'anywhere' }}>{email.sender_name ? `${email.sender_name} <${email.sender}>` : email.sender || '—'}</dd>
            <dt>{t('mail.col.to')}</dt>
            <dd style={{ overflowWrap: 'anywhere' }}>{email.to_addrs || email.mailbox}</dd>
            <dt>{t('mail.message.received')}</dt>
            <dd>
              <Time value={instant(email.received_at)} />
            </dd>
            <dt>{t('mail.message.size')}</dt>
            <dd>{size(email.size)}</dd>
          </dl>
          {email.verification_code ? (
            <section
              aria-labelledby="code-title"
              style={{ marginTop: '1rem', padding: '0.75rem 1rem', border: '1px solid var(--border)', borderRadius: '6px', background: 'var(--bg)' }}
            >
              <h3 id="code-title" class="muted" style={{ ...eyebrow, margin: '0 0 0.4rem' }}>
                {t('mail.message.code')}
              </h3>
              <CopyText text={email.verification_code} label={t('mail.message.codeLabel')} big />
            </section>
          ) : null}
          <MessageTabs tabs={tabs} current={current} onPick={setTab}>
            {current === 'html' ? (
              <>
                <HtmlBody html={email.html_content} subject={email.subject} />
                <p class="muted" style={{ margin: '0.35rem 0 0', fontSize: '0.8rem' }}>
                  {t('mail.message.sandbox')}
                </p>
              </>
            ) : current === 'text' ? (
              email.content.trim() ? (
                <TextBody text={email.content} />
              ) : (
                <p class="muted">{t('mail.message.noText')}</p>
              )
            ) : current === 'headers' ? (
              <HeadersPanel id={id} />
            ) : (
              <SourcePanel id={id} />
            )}
          </MessageTabs>
          {email.attachments.length ? (
            <>
              <h3 class="muted" style={eyebrow}>
                {t('mail.message.attachments', { count: email.attachments.length })}
              </h3>
              <ul style={{ margin: 0, paddingLeft: '1.2rem' }}>
                {email.attachments.map((a, i) => (
                  <li key={i}>
                    {a.filename ?? t('mail.message.unnamed')}{' '}
                    <span class="muted">
                      · {a.content_type} · {size(a.size)}
                    </span>
                  </li>
                ))}
              </ul>
              <p class="muted" style={{ margin: '0.35rem 0 0', fontSize: '0.8rem' }}>
                {t('mail.message.attachmentsHint')}
              </p>
            </>
          ) : null}
        </>
      )}
    </section>
  );
}
