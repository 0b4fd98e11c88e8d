// My profile: who I am, editing name / username / phone, changing my password.
import { useState } from 'preact/hooks';
import { api, chooseLanguage, ErrorBanner, LANGUAGE_NAMES, LANGUAGES, mayOpenPage, Page, setLanguage, t, Time, useApi, tx } from 'plinth/plugin/ui';
import type { PublicUser as User } from '../api.js';
import { PasskeysSection } from './passkeys.js';
import { TwoFactorSection } from './two-factor.js';
import { BASE, ShortId, useAction } from './shared.js';
import { SessionsSection } from './sessions.js';

function Details(props: { user: User; onChanged(): void }) {
  const { user } = props;
  const [sent, setSent] = useState(false);
  const { error, busy, run } = useAction();
  // The reply's detail is English; the address may have been verified meanwhile (elsewhere), which the reloaded user shows.
  const resend = () =>
    run(async () => {
      await api(`${BASE}/auth/verify-email/request`, { method: 'POST' });
      setSent(true);
      props.onChanged();
    });
  return (
    <section class="card" aria-labelledby="account-title">
      <h2 id="account-title">{t('auth.profile.account')}</h2>
      <ErrorBanner error={error} />
      {sent && !user.email_verified ? (
        <p class="notice" role="status">
          {t('auth.profile.verificationSent')}
        </p>
      ) : null}
      <dl class="facts">
        <dt>{t('auth.account.email')}</dt>
        <dd>
          {user.email ?? '—'}{' '}
          {user.email ? (
            user.email_verified ? (
              <span class="badge badge-ok">{t('auth.profile.verified')}</span>
            ) : (
              <>
                <span class="badge badge-warn">{t('auth.profile.notVerified')}</span>{' '}
                <button type="button" class="secondary small" disabled={busy} onClick={resend}>
                  {t('auth.profile.sendVerification')}
                </button>
              </>
            )
          ) : null}
        </dd>
        <dt>{t('auth.profile.role')}</dt>
        <dd>
          {t('auth.role', { role: user.role })}
          {user.is_superadmin ? ` · ${t('auth.role', { role: 'superadmin' })}` : ''}
        </dd>
        <dt>{t('auth.profile.tenant')}</dt>
        <dd>
          <ShortId id={user.tenant_id} />
        </dd>
        <dt>{t('auth.profile.lastSignIn')}</dt>
        <dd>
          <Time value={user.last_login_at} />
        </dd>
        <dt>{t('auth.profile.memberSince')}</dt>
        <dd>
          <Time value={user.created_at} />
        </dd>
      </dl>
    </section>
  );
}

function ProfileForm(props: { user: User; onSaved(): void }) {
  const [fullName, setFullName] = useState(props.user.full_name);
  const [username, setUsername] = useState(props.user.username ?? '');
  const [phone, setPhone] = useState(props.user.phone ?? '');
  const [language, setChosen] = useState(props.user.language ?? '');
  const [saved, setSaved] = useState('');
  const { error, busy, run } = useAction();

  const submit = async (event: Event) => {
    event.preventDefault();
    setSaved('');
    // Only what changed (an empty field clears the username or phone).
    const { user } = props;
    const wanted = { full_name: fullName.trim(), username: username.trim() || null, phone: phone.trim() || null, language: language || null };
    const body = Object.fromEntries(Object.entries(wanted).filter(([key, value]) => value !== user[key as keyof typeof wanted]));
    if (!Object.keys(body).length) return setSaved(t('auth.profile.unchanged'));
    if (await run(() => api(`${BASE}/users/me`, { method: 'PATCH', body }))) {
      setSaved(t('auth.profile.saved'));
      props.onSaved();
      // The whole admin UI speaks the new choice at once (none chosen: the browser's).
      if ('language' in body) setLanguage(chooseLanguage(language || null));
    }
  };

  return (
    <form class="card" onSubmit={submit} aria-labelledby="profile-title">
      <h2 id="profile-title">{t('auth.profile.profile')}</h2>
      <ErrorBanner error={error} />
      {saved ? (
        <p class="notice" role="status">
          {saved}
        </p>
      ) : null}
      <label for="profile-name">{t('auth.profile.fullName')}</label>
      <input id="profile-name" maxLength={200} autoComplete="name" value={fullName} onInput={(e) => setFullName(e.currentTarget.value)} />
      <div class="form-row">
        <div>
          <label for="profile-username">{t('auth.profile.username')}</label>
          <input
            id="profile-username"
            autoComplete="username"
            placeholder={t('auth.profile.usernameHint')}
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </div>
        <div>
          <label for="profile-phone">{t('auth.profile.phone')}</label>
          <input id="profile-phone" type="tel" autoComplete="tel" placeholder="+4915112345678" value={phone} onInput={(e) => setPhone(e.currentTarget.value)} />
        </div>
      </div>
      <label for="profile-language">{t('auth.profile.language')}</label>
      <select id="profile-language" value={language} onChange={(e) => setChosen(e.currentTarget.value)}>
        <option value="">{t('auth.profile.languageBrowser')}</option>
        {LANGUAGES.map((lang) => (
          <option key={lang} value={lang} lang={lang} translate={false}>
            {LANGUAGE_NAMES[lang]}
          </option>
        ))}
      </select>
      <p class="muted">{t('auth.profile.languageHint')}</p>
      <div class="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? t('auth.saving') : t('auth.profile.save')}
        </button>
      </div>
    </form>
  );
}

function PasswordForm() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [done, setDone] = useState(false);
  const { error, setError, busy, run } = useAction();

  const submit = async (event: Event) => {
    event.preventDefault();
    setDone(false);
    if (next !== repeat) return setError(new Error(t('auth.profile.passwordMismatch')));
    await run(async () => {
      await api(`${BASE}/auth/set-password`, { body: { password: next, ...(current ? { current_password: current } : {}) } });
      setCurrent('');
      setNext('');
      setRepeat('');
      setDone(true);
    });
  };

  return (
    <form class="card" onSubmit={submit} aria-labelledby="password-title">
      <h2 id="password-title">{t('auth.register.password')}</h2>
      <ErrorBanner error={error} />
      {done ? (
        <p class="notice" role="status">
          {t('auth.profile.passwordSaved')} {t('auth.profile.othersSignedOut')}
        </p>
      ) : null}
      <label for="password-current">{t('auth.profile.currentPassword')}</label>
      <input id="password-current" type="password" autoComplete="current-password" value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
      <div class="form-row">
        <div>
          <label for="password-new">{t('auth.password.new')}</label>
          <input id="password-new" type="password" autoComplete="new-password" required value={next} onInput={(e) => setNext(e.currentTarget.value)} />
        </div>
        <div>
          <label for="password-repeat">{t('auth.password.repeat')}</label>
          <input id="password-repeat" type="password" autoComplete="new-password" required value={repeat} onInput={(e) => setRepeat(e.currentTarget.value)} />
        </div>
      </div>
      <div class="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? t('auth.saving') : t('auth.profile.changePassword')}
        </button>
      </div>
    </form>
  );
}

const APPLICATIONS_PAGE = '/admin/agents/applications';

export function ProfilePage() {
  const me = useApi<User>(`${BASE}/users/me`);
  return (
    <Page title={t('auth.nav.profile')}>
      <ErrorBanner error={me.error} />
      {me.data ? (
        <>
          <Details user={me.data} onChanged={me.reload} />
          <TwoFactorSection />
          <ProfileForm key={me.data.id} user={me.data} onSaved={me.reload} />
          <PasswordForm />
          <SessionsSection />
          <PasskeysSection />
          {/* OAuth grants are the agents plugin's: its page lists and revokes them, when it is on. */}
          {mayOpenPage(APPLICATIONS_PAGE) ? (
            <div class="card">
              <h2>{t('auth.profile.applications')}</h2>
              <p>{tx('auth.profile.applicationsText', { link: (text: string) => <a href={APPLICATIONS_PAGE}>{text}</a> })}</p>
            </div>
          ) : null}
        </>
      ) : me.loading ? (
        <p class="muted" role="status">
          {t('kit.loading')}
        </p>
      ) : null}
    </Page>
  );
}
