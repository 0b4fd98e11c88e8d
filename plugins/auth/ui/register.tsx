// Sign-up (public): linked from the sign-in page while settings.auth.registration is `open` or
// `verify`. Email, password (its strength shown) and an optional organisation name, which names the
// new tenant; then the verify-your-email step (`verify`: sign-in waits for the emailed link).
import { useState } from 'preact/hooks';
import { api, ErrorBanner, Page } from 'plinth/plugin/ui';
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
      <Page title="Create an account">
        <ErrorBanner error={info.error} />
      </Page>
    );
  }
  if (!info.data) {
    return (
      <Page title="Create an account">
        <p class="muted" role="status">
          Loading…
        </p>
      </Page>
    );
  }
  if (info.data.registration === 'closed') {
    return (
      <Page title="Registration is closed">
        <p>This server does not take sign-ups: accounts are made by its operator. Ask them for one.</p>
        <p>
          <a href="/admin">Back to sign in</a>
        </p>
      </Page>
    );
  }
  if (sent) {
    const verify = info.data.registration === 'verify';
    return (
      <Page title={verify ? 'Check your email' : 'Your account is ready'}>
        <p class="notice" role="status">
          {verify
            ? `We have sent a link to ${sent.email}. Follow it to verify your address, then sign in. ` +
              '(Already have an account with this address? The mail says so instead.)'
            : `Sign in as ${sent.email}. We have also sent a link to verify your address.`}
        </p>
        <p>
          <a href="/admin">Sign in</a>
        </p>
      </Page>
    );
  }
  return (
    <Page title="Create an account">
      <form onSubmit={submit}>
        <p class="muted">Your own organisation on this server, with you as its owner.</p>
        <ErrorBanner error={error} />
        <label for="register-email">Email</label>
        <input id="register-email" type="email" autoComplete="email" required autoFocus value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <NewPasswordField id="register-password" label="Password" value={password} onInput={setPassword} bounds={boundsOf(info.data)} />
        <label for="register-organisation">Organisation name (optional)</label>
        <input
          id="register-organisation"
          autoComplete="organization"
          maxLength={200}
          aria-describedby="register-organisation-hint"
          value={organisation}
          onInput={(e) => setOrganisation(e.currentTarget.value)}
        />
        <p id="register-organisation-hint" class="muted">
          Names your tenant; without one it is named after your email address.
        </p>
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create my account'}
        </button>
        <p>
          Already have an account? <a href="/admin">Sign in</a>
        </p>
      </form>
    </Page>
  );
}
