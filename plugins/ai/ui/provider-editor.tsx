// Add or change a model provider (PUT /api/ai/providers/{name}). The API key is write-only: it is never
// shown; left empty it stays as it is, and "Remove the stored key" clears it.
import { useState } from 'preact/hooks';
import { api, Dialog, ErrorBanner, t } from 'plinth/plugin/ui';
import { BASE, fieldStyle, useAction, type ProviderRow, type Reply } from './shared.js';

const NAME = /^[a-z0-9_-]{1,40}$/;

/** `provider` null: a new one. A provider from the config is saved as the tenant's own of the same name. */
export function ProviderDialog(props: { provider: ProviderRow | null; onClose(): void; onSaved(provider: ProviderRow): void }) {
  const p = props.provider;
  const [name, setName] = useState(p?.name ?? '');
  const [kind, setKind] = useState<ProviderRow['kind']>(p?.kind ?? 'openai');
  const [baseUrl, setBaseUrl] = useState(p?.baseUrl ?? '');
  const [apiKey, setApiKey] = useState('');
  const [removeKey, setRemoveKey] = useState(false);
  const [model, setModel] = useState(p?.model ?? '');
  const [timeout, setTimeoutMs] = useState(p ? String(p.timeoutMs) : '');
  const [priority, setPriority] = useState(String(p?.priority ?? 0));
  const [enabled, setEnabled] = useState(p?.enabled ?? true);
  const { error, setError, busy, run } = useAction();
  // A tenant's copy of a config provider starts without the config's key.
  const hasKey = p?.source === 'tenant' && p.hasApiKey;
  const keyPlaceholder = hasKey ? t('ai.provider.keyStored') : p?.source === 'config' && p.hasApiKey ? t('ai.provider.keyNotCopied') : t('ai.provider.keyNone');

  const submit = (event: Event) => {
    event.preventDefault();
    const id = name.trim();
    if (!NAME.test(id)) return setError(new Error(t('ai.provider.badName')));
    if (id === 'builtin') return setError(new Error(t('ai.provider.builtinName')));
    if (!baseUrl.trim()) return setError(new Error(t('ai.provider.noUrl')));
    const body: Record<string, unknown> = { kind, baseUrl: baseUrl.trim(), model: model.trim() || null, priority: Number(priority) || 0, enabled };
    if (timeout.trim()) body.timeoutMs = Number(timeout);
    if (removeKey) body.apiKey = '';
    else if (apiKey) body.apiKey = apiKey; // empty: keep the stored key
    void run(async () => {
      const reply = await api<Reply<ProviderRow>>(`${BASE}/ai/providers/${encodeURIComponent(id)}`, { method: 'PUT', body });
      props.onSaved(reply.data);
      props.onClose();
    });
  };

  return (
    <Dialog title={p ? t('ai.provider.editTitle', { name: p.name }) : t('ai.provider.addTitle')} onClose={props.onClose}>
      <form onSubmit={submit} noValidate autoComplete="off">
        {p?.source === 'config' ? (
          <p class="muted" style={{ margin: '0 0 0.5rem' }}>
            {t('ai.provider.fromConfig')}
          </p>
        ) : null}
        <ErrorBanner error={error} />
        <div class="form-row">
          <div>
            <label for="provider-name">{t('ai.provider.name')}</label>
            <input
              id="provider-name"
              autoFocus={!p}
              readOnly={Boolean(p)}
              maxLength={40}
              placeholder={t('ai.provider.namePlaceholder')}
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
            />
          </div>
          <div>
            <label for="provider-kind">{t('ai.provider.kind')}</label>
            <select id="provider-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as ProviderRow['kind'])} style={fieldStyle}>
              <option value="openai">{t('ai.provider.kindOpenai')}</option>
              <option value="dify">Dify</option>
            </select>
          </div>
        </div>
        <label for="provider-url">{t('ai.provider.baseUrl')}</label>
        <input
          id="provider-url"
          type="url"
          autoFocus={Boolean(p)}
          maxLength={500}
          value={baseUrl}
          onInput={(e) => setBaseUrl(e.currentTarget.value)}
          aria-describedby="provider-url-hint"
        />
        <span id="provider-url-hint" class="muted" style={{ fontSize: '0.85rem' }}>
          {t(`ai.provider.urlHint.${kind}`)}
        </span>
        <label for="provider-key">{t('ai.provider.key')}</label>
        <input
          id="provider-key"
          type="password"
          autoComplete="new-password"
          maxLength={500}
          disabled={removeKey}
          placeholder={keyPlaceholder}
          value={apiKey}
          onInput={(e) => setApiKey(e.currentTarget.value)}
        />
        {hasKey ? (
          <div class="checks">
            <label>
              <input type="checkbox" checked={removeKey} onChange={(e) => setRemoveKey(e.currentTarget.checked)} />
              <span>{t('ai.provider.removeKey')}</span>
            </label>
          </div>
        ) : null}
        <div class="form-row">
          <div>
            <label for="provider-model">{t('ai.provider.model')}</label>
            <input
              id="provider-model"
              maxLength={100}
              placeholder={kind === 'dify' ? t('ai.provider.modelDify') : t('ai.provider.modelPlaceholder')}
              value={model}
              onInput={(e) => setModel(e.currentTarget.value)}
            />
          </div>
          <div>
            <label for="provider-timeout">{t('ai.provider.timeout')}</label>
            <input
              id="provider-timeout"
              type="number"
              min={100}
              max={300000}
              step={100}
              placeholder={t('ai.provider.timeoutPlaceholder')}
              value={timeout}
              onInput={(e) => setTimeoutMs(e.currentTarget.value)}
            />
          </div>
          <div>
            <label for="provider-priority">{t('ai.provider.priority')}</label>
            <input id="provider-priority" type="number" min={-1000} max={1000} step={1} value={priority} onInput={(e) => setPriority(e.currentTarget.value)} />
          </div>
        </div>
        <div class="checks">
          <label>
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
            <span>{t('ai.provider.enabled')}</span>
          </label>
        </div>
        <div class="form-actions">
          <button type="submit" disabled={busy}>
            {busy ? t('ai.saving') : p ? t('ai.provider.save') : t('ai.provider.add')}
          </button>
          <button type="button" class="secondary" onClick={props.onClose}>
            {t('ai.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
