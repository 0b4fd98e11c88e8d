// AI providers (owners and admins): the model providers robots may use, from the config and the
// tenant's own (add, edit, delete; keys write-only), and the builtin responder's fallback answer.
import { useState } from 'preact/hooks';
import { api, ErrorBanner, Page, Table, Time, t, tx, useApi } from 'plinth/plugin/ui';
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
      setSaved(fallbackAnswer === null ? t('ai.fallback.reset') : t('ai.fallback.saved'));
      settings.reload();
    });
  const submit = (event: Event) => {
    event.preventDefault();
    setSaved(null);
    if (!text.trim()) return setError(new Error(t('ai.fallback.missing')));
    void save(text.trim());
  };

  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="fallback-title">
      <h2 id="fallback-title">{t('ai.fallback.title')}</h2>
      <p class="muted" style={{ margin: '0 0 0.5rem' }}>
        {tx('ai.fallback.intro', { kb: (text: string) => <a href={PAGES.knowledge}>{text}</a> })}
      </p>
      {saved ? (
        <p class="notice" role="status">
          {saved}
        </p>
      ) : null}
      <ErrorBanner error={error ?? settings.error} />
      <label for="fallback-answer">
        {t('ai.fallback.label')} {current && !current.customFallback ? <span class="muted">{t('ai.fallback.default')}</span> : null}
      </label>
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
            {busy ? t('ai.saving') : t('ai.fallback.save')}
          </button>
          {current?.customFallback ? (
            <button type="button" class="secondary" disabled={busy} onClick={() => void save(null)}>
              {t('ai.fallback.resetButton')}
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
    setNotice(t('ai.providers.deleted', { name: p.name }));
    list.reload();
  };

  return (
    <Page
      title={t('ai.providers.title')}
      actions={
        canManage ? (
          <button type="button" onClick={() => setEditing('new')}>
            {t('ai.providers.add')}
          </button>
        ) : null
      }
    >
      {editing ? (
        <ProviderDialog
          provider={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(p) => {
            setNotice(t('ai.providers.saved', { name: p.name }));
            list.reload();
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={t('ai.providers.deleteTitle', { name: deleting.name })}
          action={t('ai.providers.deleteAction')}
          onConfirm={() => remove(deleting)}
          onClose={() => setDeleting(null)}
        >
          <p style={{ margin: '0 0 0.5rem' }}>{t('ai.providers.deleteBody')}</p>
        </ConfirmDialog>
      ) : null}
      <p class="muted" style={{ margin: '0 0 1rem' }}>
        {tx('ai.providers.intro', { try: (text: string) => <a href={PAGES.try}>{text}</a> })}
      </p>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <ErrorBanner error={list.error} />
      <section class="card" aria-label={t('ai.providers.section')}>
        <Table
          rows={rows}
          rowKey={(p) => p.name}
          empty={!list.data ? (list.error ? t('ai.notLoaded') : t('ai.loading')) : t('ai.providers.empty')}
          columns={[
            { label: t('ai.providers.col.name'), value: (p) => <code>{p.name}</code> },
            { label: t('ai.providers.col.kind'), value: (p) => t('ai.providers.kind', { kind: p.kind }) },
            { label: t('ai.providers.col.baseUrl'), value: (p) => <span style={{ wordBreak: 'break-all' }}>{p.baseUrl}</span> },
            { label: t('ai.providers.col.model'), value: (p) => p.model ?? '—' },
            { label: t('ai.providers.col.timeout'), value: (p) => duration(p.timeoutMs), class: 'num' },
            { label: t('ai.providers.col.priority'), value: 'priority', class: 'num' },
            { label: t('ai.providers.col.status'), value: (p) => <Badge value={p.enabled ? 'enabled' : 'disabled'} /> },
            { label: t('ai.providers.col.key'), value: (p) => (p.hasApiKey ? t('ai.providers.keySet') : t('ai.providers.keyNone')) },
            { label: t('ai.providers.col.from'), value: (p) => (p.source === 'config' ? t('ai.providers.fromConfig') : t('ai.providers.fromTenant')) },
            { label: t('ai.providers.col.updated'), value: (p) => <Time value={p.updatedAt} /> },
            {
              label: t('ai.providers.col.actions'),
              value: (p) =>
                canManage ? (
                  <div class="row-actions">
                    <button
                      type="button"
                      class="secondary small"
                      aria-label={t('ai.providers.editLabel', { override: p.source === 'config' ? 'yes' : 'no', name: p.name })}
                      onClick={() => setEditing(p)}
                    >
                      {p.source === 'config' ? t('ai.providers.override') : t('ai.edit')}
                    </button>
                    {p.source === 'tenant' ? (
                      <button type="button" class="danger small" aria-label={t('ai.providers.deleteLabel', { name: p.name })} onClick={() => setDeleting(p)}>
                        {t('ai.delete')}
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
