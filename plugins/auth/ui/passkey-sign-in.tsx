// The public page "Sign in with a passkey" (linked from the sign-in screen): the device's passkey
// instead of a password and a second factor. Without an email the device offers the passkeys it
// holds for this site; with one, that account's. The admin login sets the session cookie.
import { browserSupportsWebAuthn, startAuthentication } from '@simplewebauthn/browser';
import { useState } from 'preact/hooks';
import { api, ErrorBanner, Page } from 'plinth/plugin/ui';
import { explainCeremony } from './passkeys.js';
import { BASE, useAction } from './shared.js';

type RequestOptions = Parameters<typeof startAuthentication>[0]['optionsJSON'];

export function PasskeySignInPage() {
  const [email, setEmail] = useState('');
  const { error, busy, run } = useAction();
  const supported = browserSupportsWebAuthn();

  const signIn = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const typed = email.trim();
      const optionsJSON = await api<RequestOptions>(`${BASE}/auth/passkeys/sign-in/options`, { body: typed ? { email: typed } : {} });
      const passkey = await startAuthentication({ optionsJSON });
      await api('/admin/api/login', { body: { passkey } });
      location.replace('/admin'); // a full load: the shell starts again, signed in
    });
  };

  return (
    <Page title="Sign in with a passkey">
      {supported ? (
        <form onSubmit={signIn}>
          <p class="muted">Use the fingerprint, face, screen lock or security key you added a passkey with. No password needed.</p>
          <ErrorBanner error={explainCeremony(error)} />
          <label for="passkey-email">Email (optional: leave it empty to choose from the passkeys on this device)</label>
          <input id="passkey-email" type="email" autoComplete="username webauthn" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          <button type="submit" disabled={busy}>
            {busy ? 'Waiting for your passkey…' : 'Use my passkey'}
          </button>
        </form>
      ) : (
        <ErrorBanner error="This browser cannot use passkeys. Sign in with your password, or ask for a sign-in link." />
      )}
      <p>
        <a href="/admin">Back to sign in</a>
      </p>
    </Page>
  );
}
