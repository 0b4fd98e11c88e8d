// API keys: list, create (the raw key is shown once), rotate and revoke.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ErrorBanner, Page, Table, Time, useApi } from 'plinth/plugin/ui';
import { BASE, StatusBadge, useAction } from './shared.js';
import type { ApiKeyView as ApiKey } from '../services/api-keys.js';

type NewKey = ApiKey & { raw_key: string };

interface Grantable {
  scope: string;
  description: string;
}

const statusOf = (key: ApiKey) => (!key.is_active ? 'revoked' : key.expires_at && new Date(key.expires_at) <= new Date() ? 'expired' : 'active');

/** The raw key, this once: a warning, the key, and Copy (the clipboard, or else the text selected). */
function SecretBox(props: { title: string; secret: string; onDone(): void }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState('');
  useEffect(() => input.current?.focus(), []); // brings the box into view, the key selected
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.secret);
      setCopied('Copied to the clipboard.');
    } catch {
      input.current?.select(); // no clipboard access (an insecure origin, a denied permission)
      setCopied('Selected: press Ctrl+C (⌘C on a Mac) to copy it.');
    }
  };
  return (
    <section class="callout-warning" aria-labelledby="secret-title">
      <h2 id="secret-title">{props.title}</h2>
      <p>
        Copy this key now and keep it somewhere safe. <strong>It will not be shown again</strong>: only its first characters are stored in readable form.
      </p>
      <div class="secret">
        <input ref={input} readOnly aria-label="New API key" value={props.secret} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" onClick={copy}>
          Copy
        </button>
      </div>
      <p class="muted" role="status">
        {copied}
      </p>
      <button type="button" class="secondary" onClick={props.onDone}>
        Done, I have stored it
      </button>
    </section>
  );
}

function CreateKey(props: { onCreated(key: NewKey): void }) {
  const grantable = useApi<Grantable[]>(`${BASE}/api-keys/scopes`);
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [days, setDays] = useState('');
  const { error, setError, busy, run } = useAction();

  const toggle = (scope: string, on: boolean) => setChosen((c) => (on ? [...c, scope] : c.filter((s) => s !== scope)));
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!chosen.length) return setError(new Error('Choose at least one scope.'));
    await run(async () => {
      const key = await api<NewKey>(`${BASE}/api-keys`, { body: { name: name.trim(), scopes: chosen, ...(days ? { expires_in_days: Number(days) } : {}) } });
      setName('');
      setChosen([]);
      setDays('');
      props.onCreated(key);
    });
  };

  return (
    <form class="card" onSubmit={submit} aria-labelledby="create-key-title">
      <h2 id="create-key-title">Create a key</h2>
      <ErrorBanner error={error ?? grantable.error} />
      <div class="form-row">
        <div>
          <label for="key-name">Name</label>
          <input id="key-name" required maxLength={120} placeholder="e.g. ci" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div>
          <label for="key-days">Expires in days (optional)</label>
          <input id="key-days" type="number" min={1} max={3650} placeholder="never" value={days} onInput={(e) => setDays(e.currentTarget.value)} />
        </div>
      </div>
      <fieldset class="checks">
        <legend>Scopes</legend>
        {grantable.data?.map((g) => (
          <label key={g.scope}>
            <input type="checkbox" checked={chosen.includes(g.scope)} onChange={(e) => toggle(g.scope, e.currentTarget.checked)} />
            <span>
              <code>{g.scope}</code> <span class="muted">{g.description}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <div class="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
      </div>
    </form>
  );
}

export function ApiKeysPage() {
  const keys = useApi<ApiKey[]>(`${BASE}/api-keys`);
  const [shown, setShown] = useState<{ title: string; secret: string } | null>(null);
  const { error, run } = useAction();

  const rotate = (key: ApiKey) =>
    confirm(`Replace the secret of "${key.name}"? The current secret stops working at once.`) &&
    run(async () => {
      const next = await api<NewKey>(`${BASE}/api-keys/${key.id}/rotate`, { method: 'POST' });
      setShown({ title: `New secret for "${next.name}"`, secret: next.raw_key });
      keys.reload();
    });
  const revoke = (key: ApiKey) =>
    confirm(`Revoke "${key.name}"? Anything using it is refused from now on.`) &&
    run(async () => {
      await api(`${BASE}/api-keys/${key.id}`, { method: 'DELETE' });
      keys.reload();
    });

  return (
    <Page title="API keys">
      {shown ? <SecretBox key={shown.secret} title={shown.title} secret={shown.secret} onDone={() => setShown(null)} /> : null}
      <ErrorBanner error={error ?? keys.error} />
      <div class="card">
        <Table
          rows={keys.data ?? []}
          rowKey={(k) => k.id}
          empty={keys.loading ? 'Loading…' : 'No API keys yet.'}
          columns={[
            { label: 'Name', value: 'name' },
            { label: 'Key', value: (k) => <code>{k.key_prefix}…</code> },
            { label: 'Scopes', value: (k) => k.scopes.join(', ') },
            { label: 'Created', value: (k) => <Time value={k.created_at} /> },
            { label: 'Last used', value: (k) => <Time value={k.last_used_at} /> },
            { label: 'Expires', value: (k) => (k.expires_at ? <Time value={k.expires_at} /> : 'never') },
            { label: 'Status', value: (k) => <StatusBadge status={statusOf(k)} /> },
            {
              label: 'Actions',
              value: (k) =>
                k.is_active ? (
                  <span class="row-actions">
                    <button type="button" class="secondary small" onClick={() => rotate(k)}>
                      Rotate
                    </button>
                    <button type="button" class="danger small" onClick={() => revoke(k)}>
                      Revoke
                    </button>
                  </span>
                ) : null,
            },
          ]}
        />
      </div>
      <CreateKey
        onCreated={(key) => {
          setShown({ title: `Your new key "${key.name}"`, secret: key.raw_key });
          keys.reload();
        }}
      />
    </Page>
  );
}
