// Sign-up (public): linked from the sign-in page while settings.auth.registration is `open` or
// `verify`. Email, password (its strength shown) and an optional organisation name, which names the
// new tenant; then the verify-your-email step (`verify`: sign-in waits for the emailed link).
import { useState } from 'preact/hooks';
import { api, ErrorBanner, Page, t, tx } from 'plinth/plugin/ui';
import { boundsOf, NewPasswordField, useRegistrationInfo } from './password-field.js';
import { BASE, useAction } from './shared.js';

export function RegisterPage() {
  const info = useRegistrationInfo();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [organisation, setOrganisation] = useState('');
  const [sent, setSent] = useState<{ email: string } | null>(null);
  const { error, busy, run } = useAction();

  const submit = (event: Event) => {
    event.preventDefault();
    const name = organisation.trim();
    void run(async () =>
      setSent(
        await api<{ detail: string; email: string }>(`${BASE}/auth/register`, {
          body: { email: email.trim(), password, ...(name ? { tenant_name: name } : {}) },
        }),
      ),
    );
  };

  if (info.error) {
    return (
      <Page title={t('auth.nav.register')}>
        <ErrorBanner error={info.error} />
      </Page>
    );
  }
  if (!info.data) {
    return (
      <Page title={t('auth.nav.register')}>
        <p class="muted" role="status">
          {t('kit.loading')}
        </p>
      </Page>
    );
  }
  if (info.data.registration === 'closed') {
    return (
      <Page title={t('auth.register.closed.title')}>
        <p>{t('auth.register.closed.text')}</p>
        <p>
          <a href="/admin">{t('auth.account.backToSignIn')}</a>
        </p>
      </Page>
    );
  }
  if (sent) {
    const verify = info.data.registration === 'verify';
    return (
      <Page title={verify ? t('auth.register.checkMail.title') : t('auth.register.ready.title')}>
        <p class="notice" role="status">
          {verify ? t('auth.register.checkMail.text', { email: sent.email }) : t('auth.register.ready.text', { email: sent.email })}
        </p>
        <p>
          <a href="/admin">{t('auth.account.signIn')}</a>
        </p>
      </Page>
    );
  }
  return (
    <Page title={t('auth.nav.register')}>
      <form onSubmit={submit}>
        <p class="muted">{t('auth.register.intro')}</p>
        <ErrorBanner error={error} />
        <label for="register-email">{t('auth.account.email')}</label>
        <input id="register-email" type="email" autoComplete="email" required autoFocus value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <NewPasswordField id="register-password" label={t('auth.register.password')} value={password} onInput={setPassword} bounds={boundsOf(info.data)} />
        <label for="register-organisation">{t('auth.register.organisation')}</label>
        <input
          id="register-organisation"
          autoComplete="organization"
          maxLength={200}
          aria-describedby="register-organisation-hint"
          value={organisation}
          onInput={(e) => setOrganisation(e.currentTarget.value)}
        />
        <p id="register-organisation-hint" class="muted">
          {t('auth.register.organisationHint')}
        </p>
        <button type="submit" disabled={busy}>
          {busy ? t('auth.register.busy') : t('auth.register.submit')}
        </button>
        <p>{tx('auth.register.haveAccount', { link: (text: string) => <a href="/admin">{text}</a> })}</p>
      </form>
    </Page>
  );
}
