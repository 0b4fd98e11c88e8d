// The public page "Sign in with a passkey" (linked from the sign-in screen): the device's passkey
// instead of a password and a second factor. Without an email the device offers the passkeys it
// holds for this site; with one, that account's. The admin login sets the session cookie.
import { browserSupportsWebAuthn, startAuthentication } from '@simplewebauthn/browser';
import { useState } from 'preact/hooks';
import { api, ErrorBanner, Page, t } from 'plinth/plugin/ui';
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
    <Page title={t('auth.nav.passkey')}>
      {supported ? (
        <form onSubmit={signIn}>
          <p class="muted">{t('auth.passkey.intro')}</p>
          <ErrorBanner error={explainCeremony(error)} />
          <label for="passkey-email">{t('auth.passkey.email')}</label>
          <input id="passkey-email" type="email" autoComplete="username webauthn" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          <button type="submit" disabled={busy}>
            {busy ? t('auth.passkey.busy') : t('auth.passkey.submit')}
          </button>
        </form>
      ) : (
        <ErrorBanner error={t('auth.passkey.unsupported')} />
      )}
      <p>
        <a href="/admin">{t('auth.account.backToSignIn')}</a>
      </p>
    </Page>
  );
}
