// "A key for an agent": a preset (computed by the server for this person: their role, scope limit
// and plan) instead of ticking scopes one by one; the new key fills the page's config snippet, once.
import { useEffect, useState } from 'preact/hooks';
import { api, CopyText, ErrorBanner, mayOpenPage, useAction, useApi } from 'plinth/plugin/ui';

interface Preset {
  id: 'read_only' | 'everything';
  label: string;
  description: string;
  scopes: string[];
  tools: string[];
}

interface NewKey {
  id: string;
  name: string;
  scopes: string[];
  raw_key: string;
  preset: Preset['id'];
}

// The raw key lives only in this page's memory: the snippet shows it until the page is left or
// reloaded, then the placeholder again (the server keeps only its hash).
let shown: string | null = null;
const listeners = new Set<(key: string | null) => void>();
const show = (key: string | null) => {
  shown = key;
  for (const fn of listeners) fn(key);
};

/** The key just made on this page, or null: the snippets put it in place of mf_…. */
export function useNewAgentKey(): string | null {
  const [key, setKey] = useState(shown);
  useEffect(() => {
    listeners.add(setKey);
    return () => void listeners.delete(setKey);
  }, []);
  return key;
}

const API_KEYS_PAGE = '/admin/auth/api-keys';

export function AgentKey() {
  const presets = useApi<{ presets: Preset[] }>('/agents/key-presets');
  const [name, setName] = useState('agent');
  const [choice, setChoice] = useState<Preset['id']>('read_only');
  const [made, setMade] = useState<NewKey | null>(null);
  const create = useAction();
  useEffect(() => () => show(null), []);

  const submit = async (event: Event) => {
    event.preventDefault();
    await create.run(async () => {
      const key = await api<NewKey>('/agents/keys', { body: { name: name.trim(), preset: choice } });
      setMade(key);
      show(key.raw_key);
    });
  };

  return (
    <form class="card" onSubmit={submit} aria-labelledby="agent-key-title">
      <h2 id="agent-key-title">A key for an agent</h2>
      <p>Make an API key with a preset: the configuration above then holds it, ready to copy.</p>
      <ErrorBanner error={create.error ?? presets.error} />
      {made ? (
        <section class="callout-warning" aria-labelledby="agent-key-made">
          <h3 id="agent-key-made">Key "{made.name}" made</h3>
          <p>
            Copy it now (or the configuration above, which holds it). <strong>It will not be shown again</strong>: after you leave or reload this page the
            configuration shows mf_… again.
          </p>
          <CopyText text={made.raw_key} label="new agent key" big />
          <p class="muted">
            {made.scopes.length} scope{made.scopes.length === 1 ? '' : 's'}: {made.scopes.join(', ')}
          </p>
        </section>
      ) : null}
      <div class="form-row">
        <div>
          <label for="agent-key-name">Name</label>
          <input id="agent-key-name" required maxLength={120} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
      </div>
      <fieldset class="checks">
        <legend>Preset</legend>
        {presets.data?.presets.map((p) => (
          <label key={p.id}>
            <input type="radio" name="agent-key-preset" value={p.id} checked={choice === p.id} onChange={() => setChoice(p.id)} />
            <span>
              <strong>{p.label}</strong>{' '}
              <span class="muted">
                {p.description} ({p.scopes.length} scope{p.scopes.length === 1 ? '' : 's'}, {p.tools.length} tool{p.tools.length === 1 ? '' : 's'})
              </span>
            </span>
          </label>
        ))}
        {mayOpenPage(API_KEYS_PAGE) ? (
          <p class="muted">
            Custom: choose the scopes one by one on <a href={API_KEYS_PAGE}>API keys</a>.
          </p>
        ) : null}
      </fieldset>
      <div class="form-actions">
        <button type="submit" disabled={create.busy || !presets.data}>
          {create.busy ? 'Making…' : 'Make the key'}
        </button>
      </div>
    </form>
  );
}
