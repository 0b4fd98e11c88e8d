// AI providers (owners and admins): the model providers robots may use, from the config and the
// tenant's own (add, edit, delete; keys write-only), and the builtin responder's fallback answer.
import { useState } from 'preact/hooks';
import { api, ErrorBanner, Page, Table, Time, useApi } from 'plinth/plugin/ui';
import { ProviderDialog } from './provider-editor.js';
import { Badge, BASE, ConfirmDialog, duration, fieldStyle, PAGES, useAction, useCanManage, type List, type ProviderRow, type Reply } from './shared.js';

/** GET /api/ai/settings. */
interface AiSettings {
  fallbackAnswer: string;
  /** false: the config's answer is used. */
  customFallback: boolean;
}

function FallbackAnswer(props: { canManage: boolean }) {
  const settings = useApi<Reply<AiSettings>>(`${BASE}/ai/settings`);
  const current = settings.data?.data;
  const [draft, setDraft] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const { error, setError, busy, run } = useAction();
  const text = draft ?? current?.fallbackAnswer ?? '';

  const save = (fallbackAnswer: string | null) =>
    run(async () => {
      await api(`${BASE}/ai/settings`, { method: 'PUT', body: { fallbackAnswer } });
      setDraft(null);
      setSaved(fallbackAnswer === null ? 'The fallback answer is back to the default.' : 'Saved the fallback answer.');
      settings.reload();
    });
  const submit = (event: Event) => {
    event.preventDefault();
    setSaved(null);
    if (!text.trim()) return setError(new Error('Write the fallback answer, or reset it to the default.'));
    void save(text.trim());
  };

  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="fallback-title">
      <h2 id="fallback-title">Fallback answer</h2>
      <p class="muted" style={{ margin: '0 0 0.5rem' }}>
        What the builtin responder says when nothing in the <a href={PAGES.knowledge}>knowledge base</a> matches a message.
      </p>
      {saved ? (
        <p class="notice" role="status">
          {saved}
        </p>
      ) : null}
      <ErrorBanner error={error ?? settings.error} />
      <label for="fallback-answer">Fallback answer {current && !current.customFallback ? <span class="muted">(the default)</span> : null}</label>
      <textarea
        id="fallback-answer"
        rows={3}
        maxLength={2000}
        readOnly={!props.canManage}
        value={text}
        onInput={(e) => setDraft(e.currentTarget.value)}
        style={{ ...fieldStyle, resize: 'vertical' }}
      />
      {props.canManage ? (
        <div class="form-actions">
          <button type="submit" disabled={busy || !current || draft === null}>
            {busy ? 'Saving…' : 'Save answer'}
          </button>
          {current?.customFallback ? (
            <button type="button" class="secondary" disabled={busy} onClick={() => void save(null)}>
              Reset to default
            </button>
          ) : null}
        </div>
      ) : null}
    </form>
  );
}

export function ProvidersPage() {
  const canManage = useCanManage() ?? false;
  const list = useApi<Reply<List<ProviderRow>>>(`${BASE}/ai/providers`);
  const [editing, setEditing] = useState<ProviderRow | 'new' | null>(null);
  const [deleting, setDeleting] = useState<ProviderRow | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const rows = list.data?.data.list ?? [];

  const remove = async (p: ProviderRow) => {
    await api(`${BASE}/ai/providers/${encodeURIComponent(p.name)}`, { method: 'DELETE' });
    setNotice(`Deleted provider ${p.name}.`);
    list.reload();
  };

  return (
    <Page
      title="AI providers"
      actions={
        canManage ? (
          <button type="button" onClick={() => setEditing('new')}>
            Add provider
          </button>
        ) : null
      }
    >
      {editing ? (
        <ProviderDialog
          provider={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(p) => {
            setNotice(`Saved provider ${p.name}.`);
            list.reload();
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete provider ${deleting.name}?`}
          action="Delete provider"
          onConfirm={() => remove(deleting)}
          onClose={() => setDeleting(null)}
        >
          <p style={{ margin: '0 0 0.5rem' }}>Robots that use it move on to the next provider at once, and its stored key is deleted with it.</p>
        </ConfirmDialog>
      ) : null}
      <p class="muted" style={{ margin: '0 0 1rem' }}>
        A robot in third-party mode tries its own provider first, then the others here by priority (highest first), and ends at the builtin responder, so there
        is always an answer. A timeout, a 429 or a 5xx moves on to the next. <a href={PAGES.try}>Try a reply</a> to see the chain at work.
      </p>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <ErrorBanner error={list.error} />
      <section class="card" aria-label="Providers">
        <Table
          rows={rows}
          rowKey={(p) => p.name}
          empty={!list.data ? (list.error ? 'Not loaded.' : 'Loading…') : 'No providers yet: robots answer with the builtin responder. Add one to use a model.'}
          columns={[
            { label: 'Name', value: (p) => <code>{p.name}</code> },
            { label: 'Kind', value: 'kind' },
            { label: 'Base URL', value: (p) => <span style={{ wordBreak: 'break-all' }}>{p.baseUrl}</span> },
            { label: 'Model', value: (p) => p.model ?? '—' },
            { label: 'Timeout', value: (p) => duration(p.timeoutMs), class: 'num' },
            { label: 'Priority', value: 'priority', class: 'num' },
            { label: 'Status', value: (p) => <Badge value={p.enabled ? 'enabled' : 'disabled'} /> },
            { label: 'API key', value: (p) => (p.hasApiKey ? 'set' : 'none') },
            { label: 'From', value: (p) => (p.source === 'config' ? 'server config' : 'this tenant') },
            { label: 'Updated', value: (p) => <Time value={p.updatedAt} /> },
            {
              label: 'Actions',
              value: (p) =>
                canManage ? (
                  <div class="row-actions">
                    <button
                      type="button"
                      class="secondary small"
                      aria-label={`${p.source === 'config' ? 'Override' : 'Edit'} provider ${p.name}`}
                      onClick={() => setEditing(p)}
                    >
                      {p.source === 'config' ? 'Override' : 'Edit'}
                    </button>
                    {p.source === 'tenant' ? (
                      <button type="button" class="danger small" aria-label={`Delete provider ${p.name}`} onClick={() => setDeleting(p)}>
                        Delete
                      </button>
                    ) : null}
                  </div>
                ) : null,
            },
          ]}
        />
      </section>
      <FallbackAnswer canManage={canManage} />
    </Page>
  );
}
