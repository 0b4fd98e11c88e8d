// My profile → Passkeys: add one (this device's fingerprint, face or PIN, or a security key), name,
// rename and remove them. And the words for what a browser says when a ceremony does not finish.
import { browserSupportsWebAuthn, startRegistration, WebAuthnError } from '@simplewebauthn/browser';
import { useState } from 'preact/hooks';
import { api, ApiError, ConfirmDialog, Dialog, ErrorBanner, Table, Time, useApi } from 'plinth/plugin/ui';
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
    return new Error('This device already holds a passkey for your account.');
  }
  if (error.name === 'NotAllowedError' || error.name === 'AbortError')
    return new Error('No passkey was used: the request was cancelled or timed out. Try again.');
  return new Error(`Your browser could not use a passkey: ${error.message}`);
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
        <label for="passkey-name">Name of the new passkey</label>
        <input id="passkey-name" maxLength={100} placeholder="e.g. Laptop" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </div>
      <button type="submit" disabled={busy}>
        {busy ? 'Waiting for your device…' : 'Add a passkey'}
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
    <Dialog title={`Rename "${props.passkey.name}"`} onClose={props.onClose}>
      <form onSubmit={save}>
        <ErrorBanner error={error} />
        <label for="passkey-rename">Name</label>
        <input id="passkey-rename" required maxLength={100} autoFocus value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <div class="form-actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          <button type="button" class="secondary" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

const kindOf = (p: Passkey) => (p.device_type === 'multiDevice' ? (p.backed_up ? 'synced' : 'can sync') : 'this device only');

/** The Passkeys card of My profile. */
export function PasskeysSection() {
  const list = useApi<Passkey[]>(`${BASE}/auth/passkeys`);
  const [renaming, setRenaming] = useState<Passkey | null>(null);
  const [removing, setRemoving] = useState<Passkey | null>(null);
  const [done, setDone] = useState('');
  const supported = browserSupportsWebAuthn();
  return (
    <section class="card" aria-labelledby="passkeys-title">
      <h2 id="passkeys-title">Passkeys</h2>
      <p class="muted">Sign in with your fingerprint, face, screen lock or a security key instead of a password and a second factor.</p>
      <ErrorBanner error={list.error} />
      {done ? (
        <p class="notice" role="status">
          {done}
        </p>
      ) : null}
      <Table
        rows={list.data ?? []}
        rowKey={(p) => p.id}
        caption="Your passkeys"
        empty={list.loading ? 'Loading…' : 'No passkeys yet.'}
        columns={[
          { label: 'Name', value: 'name' },
          { label: 'Added', value: (p) => <Time value={p.created_at} /> },
          { label: 'Last used', value: (p) => <Time value={p.last_used_at} /> },
          { label: 'Kind', value: kindOf },
          {
            label: 'Actions',
            value: (p) => (
              <span class="row-actions">
                <button type="button" class="secondary small" aria-label={`Rename ${p.name}`} onClick={() => setRenaming(p)}>
                  Rename
                </button>
                <button type="button" class="danger small" aria-label={`Remove ${p.name}`} onClick={() => setRemoving(p)}>
                  Remove
                </button>
              </span>
            ),
          },
        ]}
      />
      {supported ? (
        <AddPasskey
          onAdded={(p) => {
            setDone(`Passkey "${p.name}" added.`);
            list.reload();
          }}
        />
      ) : (
        <p class="muted">This browser cannot use passkeys.</p>
      )}
      {renaming ? (
        <RenameDialog
          passkey={renaming}
          onClose={() => setRenaming(null)}
          onSaved={() => {
            setRenaming(null);
            setDone('Passkey renamed.');
            list.reload();
          }}
        />
      ) : null}
      {removing ? (
        <ConfirmDialog
          title={`Remove "${removing.name}"?`}
          action="Remove passkey"
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await api(`${BASE}/auth/passkeys/${removing.id}`, { method: 'DELETE' });
            setDone(`Passkey "${removing.name}" removed.`);
            list.reload();
          }}
        >
          <p>It will no longer sign you in. The device may still list it: remove it there too.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
