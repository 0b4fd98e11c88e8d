// API keys: list, create (the raw key is shown once), rotate and revoke.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ErrorBanner, Page, t, Table, Time, tOr, tx, useApi } from 'plinth/plugin/ui';
import { BASE, StatusBadge, useAction } from './shared.js';
import type { ApiKeyView as ApiKey } from '../services/api-keys.js';

type NewKey = ApiKey & { raw_key: string };

interface Grantable {
  scope: string;
  description: string;
}

/** A built-in scope's description in the UI's language; a scope this catalogue does not know (a third-party plugin's) in its plugin's words. */
const scopeDescription = (g: Grantable) => tOr(`auth.scope.${g.scope}`, g.description);

const statusOf = (key: ApiKey) => (!key.is_active ? 'revoked' : key.expires_at && new Date(key.expires_at) <= new Date() ? 'expired' : 'active');

/** The raw key, this once: a warning, the key, and Copy (the clipboard, or else the text selected). */
function SecretBox(props: { title: string; secret: string; onDone(): void }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState('');
  useEffect(() => input.current?.focus(), []); // brings the box into view, the key selected
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.secret);
      setCopied(t('auth.keys.copied'));
    } catch {
      input.current?.select(); // no clipboard access (an insecure origin, a denied permission)
      setCopied(t('kit.copy.selected'));
    }
  };
  return (
    <section class="callout-warning" aria-labelledby="secret-title">
      <h2 id="secret-title">{props.title}</h2>
      <p>{tx('auth.keys.copyNow', { strong: (text: string) => <strong>{text}</strong> })}</p>
      <div class="secret">
        <input ref={input} readOnly aria-label={t('auth.keys.newKey')} value={props.secret} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" onClick={copy}>
          {t('kit.copy.button')}
        </button>
      </div>
      <p class="muted" role="status">
        {copied}
      </p>
      <button type="button" class="secondary" onClick={props.onDone}>
        {t('auth.keys.stored')}
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
    if (!chosen.length) return setError(new Error(t('auth.keys.chooseScope')));
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
      <h2 id="create-key-title">{t('auth.keys.createTitle')}</h2>
      <ErrorBanner error={error ?? grantable.error} />
      <div class="form-row">
        <div>
          <label for="key-name">{t('auth.passkeys.name')}</label>
          <input
            id="key-name"
            required
            maxLength={120}
            placeholder={t('auth.keys.namePlaceholder')}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </div>
        <div>
          <label for="key-days">{t('auth.keys.days')}</label>
          <input
            id="key-days"
            type="number"
            min={1}
            max={3650}
            placeholder={t('auth.keys.never')}
            value={days}
            onInput={(e) => setDays(e.currentTarget.value)}
          />
        </div>
      </div>
      <fieldset class="checks">
        <legend>{t('auth.keys.scopes')}</legend>
        {grantable.data?.map((g) => (
          <label key={g.scope}>
            <input type="checkbox" checked={chosen.includes(g.scope)} onChange={(e) => toggle(g.scope, e.currentTarget.checked)} />
            <span>
              <code>{g.scope}</code> <span class="muted">{scopeDescription(g)}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <div class="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? t('auth.register.busy') : t('auth.keys.create')}
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
    confirm(t('auth.keys.rotateConfirm', { name: key.name })) &&
    run(async () => {
      const next = await api<NewKey>(`${BASE}/api-keys/${key.id}/rotate`, { method: 'POST' });
      setShown({ title: t('auth.keys.newSecret', { name: next.name }), secret: next.raw_key });
      keys.reload();
    });
  const revoke = (key: ApiKey) =>
    confirm(t('auth.keys.revokeConfirm', { name: key.name })) &&
    run(async () => {
      await api(`${BASE}/api-keys/${key.id}`, { method: 'DELETE' });
      keys.reload();
    });

  return (
    <Page title={t('auth.nav.api-keys')}>
      {shown ? <SecretBox key={shown.secret} title={shown.title} secret={shown.secret} onDone={() => setShown(null)} /> : null}
      <ErrorBanner error={error ?? keys.error} />
      <div class="card">
        <Table
          rows={keys.data ?? []}
          rowKey={(k) => k.id}
          empty={keys.loading ? t('kit.loading') : t('auth.keys.empty')}
          columns={[
            { label: t('auth.passkeys.name'), value: 'name' },
            { label: t('auth.keys.key'), value: (k) => <code>{k.key_prefix}…</code> },
            { label: t('auth.keys.scopes'), value: (k) => <code>{k.scopes.join(', ')}</code> },
            { label: t('shell.system.col.created'), value: (k) => <Time value={k.created_at} /> },
            { label: t('auth.sessions.lastUsed'), value: (k) => <Time value={k.last_used_at} /> },
            { label: t('auth.keys.expires'), value: (k) => (k.expires_at ? <Time value={k.expires_at} /> : t('auth.keys.never')) },
            { label: t('shell.outbox.statusLabel'), value: (k) => <StatusBadge status={statusOf(k)} /> },
            {
              label: t('auth.actions'),
              value: (k) =>
                k.is_active ? (
                  <span class="row-actions">
                    <button type="button" class="secondary small" onClick={() => rotate(k)}>
                      {t('auth.keys.rotate')}
                    </button>
                    <button type="button" class="danger small" onClick={() => revoke(k)}>
                      {t('auth.keys.revoke')}
                    </button>
                  </span>
                ) : null,
            },
          ]}
        />
      </div>
      <CreateKey
        onCreated={(key) => {
          setShown({ title: t('auth.keys.yourNewKey', { name: key.name }), secret: key.raw_key });
          keys.reload();
        }}
      />
    </Page>
  );
}
