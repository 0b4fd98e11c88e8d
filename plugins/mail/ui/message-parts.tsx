// The message view's tabs (HTML, Text, Headers, Source, as Mailpit has) and the two panels that
// load on demand: the headers in received order (GET /api/email/:id/headers) and the raw source
// (GET /api/email/:id/source, its first SOURCE_VIEW_BYTES only: the rest is in the .eml download).
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, ErrorBanner, t, useApi } from 'plinth/plugin/ui';
import { BASE, size } from './shared.js';

/** How much of a message's source the page shows (a large message's attachments would freeze it). */
export const SOURCE_VIEW_BYTES = 256 * 1024;

export type MessageTab = 'html' | 'text' | 'headers' | 'source';

export const monoBlock = {
  margin: 0,
  padding: '0.75rem',
  border: '1px solid var(--border)',
  borderRadius: '6px',
  background: 'var(--bg)',
  whiteSpace: 'pre-wrap',
  overflowWrap: 'anywhere',
  font: '0.9rem/1.5 ui-monospace, SFMono-Regular, Menlo, monospace',
  maxHeight: '26rem',
  overflow: 'auto',
} as const;

/** A tab list (arrow keys move between tabs, as the ARIA tabs pattern has it) and the chosen tab's panel. */
export function MessageTabs(props: { tabs: MessageTab[]; current: MessageTab; onPick(tab: MessageTab): void; children: ComponentChildren }) {
  const { tabs, current } = props;
  const move = (e: KeyboardEvent) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = tabs[(tabs.indexOf(current) + step + tabs.length) % tabs.length];
    props.onPick(next);
    (document.getElementById(`message-tab-${next}`) as HTMLElement | null)?.focus();
  };
  return (
    <>
      <div
        role="tablist"
        aria-label={t('mail.message.views')}
        onKeyDown={move}
        style={{ display: 'flex', gap: '0.25rem', margin: '1rem 0 0.5rem', flexWrap: 'wrap' }}
      >
        {tabs.map((tab) => (
          <button
            key={tab}
            type="button"
            role="tab"
            id={`message-tab-${tab}`}
            aria-selected={tab === current}
            aria-controls="message-panel"
            tabIndex={tab === current ? 0 : -1}
            class={tab === current ? 'small' : 'secondary small'}
            onClick={() => props.onPick(tab)}
          >
            {t('mail.message.tab', { tab })}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="message-panel" aria-labelledby={`message-tab-${current}`}>
        {props.children}
      </div>
    </>
  );
}

export function HeadersPanel(props: { id: number }) {
  const loaded = useApi<{ headers: Array<{ name: string; value: string }> }>(`${BASE}/email/${props.id}/headers`);
  if (loaded.error) return <ErrorBanner error={loaded.error} />;
  if (!loaded.data)
    return (
      <p class="muted" role="status">
        {t('mail.message.loadingHeaders')}
      </p>
    );
  return (
    <div style={{ maxHeight: '26rem', overflow: 'auto' }}>
      <table aria-label={t('mail.message.headers')}>
        <thead>
          <tr>
            <th scope="col">{t('mail.message.headerName')}</th>
            <th scope="col">{t('mail.message.headerValue')}</th>
          </tr>
        </thead>
        <tbody>
          {loaded.data.headers.map((h, i) => (
            <tr key={i}>
              <th scope="row" style={{ whiteSpace: 'nowrap', verticalAlign: 'top', fontWeight: 600 }}>
                {h.name}
              </th>
              <td style={{ overflowWrap: 'anywhere', fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace', fontSize: '0.85rem' }}>{h.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The source as text (bytes that are not UTF-8 show as U+FFFD); a large one is cut, with the whole in the download. */
export function SourcePanel(props: { id: number }) {
  const [state, setState] = useState<{ text?: string; total?: number; cut?: boolean; error: Error | null }>({ error: null });
  useEffect(() => {
    const abort = new AbortController();
    (async () => {
      const res = await fetch(`${BASE}/email/${props.id}/source?max_bytes=${SOURCE_VIEW_BYTES}`, { credentials: 'same-origin', signal: abort.signal });
      if (!res.ok) {
        const body = await res.json().catch(() => ({}));
        throw new ApiError(res.status, body.code ?? 'error', body.error ?? t('mail.message.sourceError', { status: res.status }));
      }
      const text = await res.text();
      setState({ text, total: Number(res.headers.get('x-source-size')), cut: res.headers.get('x-source-truncated') === '1', error: null });
    })().catch((error: Error) => {
      if (error.name !== 'AbortError') setState({ error });
    });
    return () => abort.abort();
  }, [props.id]);
  if (state.error) return <ErrorBanner error={state.error} />;
  if (state.text === undefined)
    return (
      <p class="muted" role="status">
        {t('mail.message.loadingSource')}
      </p>
    );
  return (
    <>
      {state.cut ? (
        <p class="muted" style={{ margin: '0 0 0.4rem', fontSize: '0.85rem' }}>
          {t('mail.message.sourceCut', { shown: size(SOURCE_VIEW_BYTES), total: size(state.total ?? 0) })}{' '}
          <a href={`${BASE}/email/${props.id}/download`} download={`${props.id}.eml`}>
            {t('mail.message.downloadWhole')}
          </a>
        </p>
      ) : null}
      <div role="region" aria-label={t('mail.message.source')}>
        <pre style={monoBlock}>{state.text}</pre>
      </div>
    </>
  );
}
