// My profile → Passkeys: add one (this device's fingerprint, face or PIN, or a security key), name,
// rename and remove them. And the words for what a browser says when a ceremony does not finish.
import { browserSupportsWebAuthn, startRegistration, WebAuthnError } from '@simplewebauthn/browser';
import { useState } from 'preact/hooks';
import { api, ApiError, ConfirmDialog, Dialog, ErrorBanner, t, Table, Time, useApi } from 'plinth/plugin/ui';
import { BASE, useAction } from './shared.js';

/** GET /auth/passkeys (services/passkeys.ts PublicPasskey). */
export interface Passkey {
  id: string;
  name: string;
  device_type: 'singleDevice' | 'multiDevice';
  backed_up: boolean;
  transports: string[];
  created_at: string;
  last_used_at: string | null;
}

/** A browser's refusal in words a person can act on; the server's errors as they are. */
export function explainCeremony(error: Error | null): Error | null {
  if (!error || error instanceof ApiError) return error;
  if (error instanceof WebAuthnError && error.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') {
    return new Error(t('auth.passkeys.already'));
  }
  if (error.name === 'NotAllowedError' || error.name === 'AbortError') return new Error(t('auth.passkeys.cancelled'));
  return new Error(t('auth.passkeys.failed', { error: error.message }));
}

function AddPasskey(props: { onAdded(passkey: Passkey): void }) {
  const [name, setName] = useState('');
  const { error, busy, run } = useAction();
  const add = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const optionsJSON = await api<Parameters<typeof startRegistration>[0]['optionsJSON']>(`${BASE}/auth/passkeys/registration/options`, { method: 'POST' });
      const response = await startRegistration({ optionsJSON });
      const passkey = await api<Passkey>(`${BASE}/auth/passkeys/registration/verify`, { body: { response, ...(name.trim() ? { name: name.trim() } : {}) } });
      setName('');
      props.onAdded(passkey);
    });
  };
  return (
    <form class="inline-form" style={{ marginTop: '1rem' }} onSubmit={add}>
      <div class="grow">
        <label for="passkey-name">{t('auth.passkeys.newName')}</label>
        <input
          id="passkey-name"
          maxLength={100}
          placeholder={t('auth.passkeys.namePlaceholder')}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </div>
      <button type="submit" disabled={busy}>
        {busy ? t('auth.passkeys.waiting') : t('auth.passkeys.add')}
      </button>
      <ErrorBanner error={explainCeremony(error)} />
    </form>
  );
}

function RenameDialog(props: { passkey: Passkey; onClose(): void; onSaved(): void }) {
  const [name, setName] = useState(props.passkey.name);
  const { error, busy, run } = useAction();
  const save = async (event: Event) => {
    event.preventDefault();
    if (await run(() => api(`${BASE}/auth/passkeys/${props.passkey.id}`, { method: 'PATCH', body: { name: name.trim() } }))) props.onSaved();
  };
  return (
    <Dialog title={t('auth.passkeys.renameTitle', { name: props.passkey.name })} onClose={props.onClose}>
      <form onSubmit={save}>
        <ErrorBanner error={error} />
        <label for="passkey-rename">{t('auth.passkeys.name')}</label>
        <input id="passkey-rename" required maxLength={100} autoFocus value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <div class="form-actions">
          <button type="submit" disabled={busy}>
            {busy ? t('auth.saving') : t('auth.save')}
          </button>
          <button type="button" class="secondary" onClick={props.onClose}>
            {t('kit.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

const kindOf = (p: Passkey) => t('auth.passkeys.kindOf', { kind: p.device_type === 'multiDevice' ? (p.backed_up ? 'synced' : 'syncable') : 'device' });

/** The Passkeys card of My profile. */
export function PasskeysSection() {
  const list = useApi<Passkey[]>(`${BASE}/auth/passkeys`);
  const [renaming, setRenaming] = useState<Passkey | null>(null);
  const [removing, setRemoving] = useState<Passkey | null>(null);
  const [done, setDone] = useState('');
  const supported = browserSupportsWebAuthn();
  return (
    <section class="card" aria-labelledby="passkeys-title">
      <h2 id="passkeys-title">{t('auth.passkeys.title')}</h2>
      <p class="muted">{t('auth.passkeys.intro')}</p>
      <ErrorBanner error={list.error} />
      {done ? (
        <p class="notice" role="status">
          {done}
        </p>
      ) : null}
      <Table
        rows={list.data ?? []}
        rowKey={(p) => p.id}
        caption={t('auth.passkeys.caption')}
        empty={list.loading ? t('kit.loading') : t('auth.passkeys.empty')}
        columns={[
          { label: t('auth.passkeys.name'), value: 'name' },
          { label: t('auth.passkeys.added'), value: (p) => <Time value={p.created_at} /> },
          { label: t('auth.sessions.lastUsed'), value: (p) => <Time value={p.last_used_at} /> },
          { label: t('auth.passkeys.kind'), value: kindOf },
          {
            label: t('auth.actions'),
            value: (p) => (
              <span class="row-actions">
                <button type="button" class="secondary small" aria-label={t('auth.passkeys.renameLabel', { name: p.name })} onClick={() => setRenaming(p)}>
                  {t('auth.passkeys.rename')}
                </button>
                <button type="button" class="danger small" aria-label={t('auth.passkeys.removeLabel', { name: p.name })} onClick={() => setRemoving(p)}>
                  {t('auth.passkeys.remove')}
                </button>
              </span>
            ),
          },
        ]}
      />
      {supported ? (
        <AddPasskey
          onAdded={(p) => {
            setDone(t('auth.passkeys.addedNotice', { name: p.name }));
            list.reload();
          }}
        />
      ) : (
        <p class="muted">{t('auth.passkeys.unsupported')}</p>
      )}
      {renaming ? (
        <RenameDialog
          passkey={renaming}
          onClose={() => setRenaming(null)}
          onSaved={() => {
            setRenaming(null);
            setDone(t('auth.passkeys.renamed'));
            list.reload();
          }}
        />
      ) : null}
      {removing ? (
        <ConfirmDialog
          title={t('auth.passkeys.removeTitle', { name: removing.name })}
          action={t('auth.passkeys.removeAction')}
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await api(`${BASE}/auth/passkeys/${removing.id}`, { method: 'DELETE' });
            setDone(t('auth.passkeys.removed', { name: removing.name }));
            list.reload();
          }}
        >
          <p>{t('auth.passkeys.removeText')}</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
