// Add or change a model provider (PUT /api/ai/providers/{name}). The API key is write-only: it is never
// shown; left empty it stays as it is, and "Remove the stored key" clears it.
import { useState } from 'preact/hooks';
import { api, Dialog, ErrorBanner } from 'plinth/plugin/ui';
import { BASE, fieldStyle, useAction, type ProviderRow, type Reply } from './shared.js';

const NAME = /^[a-z0-9_-]{1,40}$/;

const URL_HINT: Record<ProviderRow['kind'], string> = {
  openai: 'The API root, e.g. https://api.deepseek.com/v1, https://ark.cn-beijing.volces.com/api/v3 or http://localhost:11434/v1 (Ollama).',
  dify: "The app's API root, e.g. https://api.dify.ai/v1.",
};

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
  const keyPlaceholder = hasKey
    ? 'stored: leave empty to keep it'
    : p?.source === 'config' && p.hasApiKey
      ? "the config's key is not copied: enter one"
      : 'none stored';

  const submit = (event: Event) => {
    event.preventDefault();
    const id = name.trim();
    if (!NAME.test(id)) return setError(new Error('The name is 1 to 40 lowercase letters, digits, - or _.'));
    if (id === 'builtin') return setError(new Error('"builtin" is the built-in responder: name your provider otherwise.'));
    if (!baseUrl.trim()) return setError(new Error('Give the base URL of the API.'));
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
    <Dialog title={p ? `Edit provider ${p.name}` : 'Add a provider'} onClose={props.onClose}>
      <form onSubmit={submit} noValidate autoComplete="off">
        {p?.source === 'config' ? (
          <p class="muted" style={{ margin: '0 0 0.5rem' }}>
            This provider comes from the server's config. Saving makes this tenant's own copy, which replaces it here.
          </p>
        ) : null}
        <ErrorBanner error={error} />
        <div class="form-row">
          <div>
            <label for="provider-name">Name</label>
            <input
              id="provider-name"
              autoFocus={!p}
              readOnly={Boolean(p)}
              maxLength={40}
              placeholder="e.g. deepseek"
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
            />
          </div>
          <div>
            <label for="provider-kind">Kind</label>
            <select id="provider-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as ProviderRow['kind'])} style={fieldStyle}>
              <option value="openai">OpenAI-compatible (OpenAI, DeepSeek, Doubao, Ollama, vLLM)</option>
              <option value="dify">Dify</option>
            </select>
          </div>
        </div>
        <label for="provider-url">Base URL</label>
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
          {URL_HINT[kind]}
        </span>
        <label for="provider-key">API key</label>
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
              <span>Remove the stored key</span>
            </label>
          </div>
        ) : null}
        <div class="form-row">
          <div>
            <label for="provider-model">Model</label>
            <input
              id="provider-model"
              maxLength={100}
              placeholder={kind === 'dify' ? 'set in the Dify app' : 'e.g. deepseek-chat'}
              value={model}
              onInput={(e) => setModel(e.currentTarget.value)}
            />
          </div>
          <div>
            <label for="provider-timeout">Timeout (ms)</label>
            <input
              id="provider-timeout"
              type="number"
              min={100}
              max={300000}
              step={100}
              placeholder="the server's default"
              value={timeout}
              onInput={(e) => setTimeoutMs(e.currentTarget.value)}
            />
          </div>
          <div>
            <label for="provider-priority">Priority</label>
            <input id="provider-priority" type="number" min={-1000} max={1000} step={1} value={priority} onInput={(e) => setPriority(e.currentTarget.value)} />
          </div>
        </div>
        <div class="checks">
          <label>
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
            <span>Enabled: tried in the provider chain</span>
          </label>
        </div>
        <div class="form-actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : p ? 'Save provider' : 'Add provider'}
          </button>
          <button type="button" class="secondary" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
