// "A key for an agent": a preset (computed by the server for this person: their role, scope limit
// and plan) instead of ticking scopes one by one; the new key fills the page's config snippet, once.
import { useEffect, useState } from 'preact/hooks';
import { api, CopyText, ErrorBanner, mayOpenPage, t, tx, useAction, useApi } from 'plinth/plugin/ui';

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
      <h2 id="agent-key-title">{t('agents.key.title')}</h2>
      <p>{t('agents.key.intro')}</p>
      <ErrorBanner error={create.error ?? presets.error} />
      {made ? (
        <section class="callout-warning" aria-labelledby="agent-key-made">
          <h3 id="agent-key-made">{t('agents.key.made', { name: made.name })}</h3>
          <p>{tx('agents.key.once', { strong: (text: string) => <strong>{text}</strong> })}</p>
          <CopyText text={made.raw_key} label={t('agents.key.copyLabel')} big />
          <p class="muted">{t('agents.key.scopes', { count: made.scopes.length, list: made.scopes.join(', ') })}</p>
        </section>
      ) : null}
      <div class="form-row">
        <div>
          <label for="agent-key-name">{t('agents.key.name')}</label>
          <input id="agent-key-name" required maxLength={120} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
      </div>
      <fieldset class="checks">
        <legend>{t('agents.key.preset')}</legend>
        {presets.data?.presets.map((p) => (
          <label key={p.id}>
            <input type="radio" name="agent-key-preset" value={p.id} checked={choice === p.id} onChange={() => setChoice(p.id)} />
            <span>
              <strong>{t(`agents.key.preset.${p.id}`)}</strong>{' '}
              <span class="muted">
                {t(`agents.key.preset.${p.id}.description`)} {t('agents.key.preset.counts', { scopes: p.scopes.length, tools: p.tools.length })}
              </span>
            </span>
          </label>
        ))}
        {mayOpenPage(API_KEYS_PAGE) ? <p class="muted">{tx('agents.key.custom', { link: (text: string) => <a href={API_KEYS_PAGE}>{text}</a> })}</p> : null}
      </fieldset>
      <div class="form-actions">
        <button type="submit" disabled={create.busy || !presets.data}>
          {create.busy ? t('agents.key.submitting') : t('agents.key.submit')}
        </button>
      </div>
    </form>
  );
}
