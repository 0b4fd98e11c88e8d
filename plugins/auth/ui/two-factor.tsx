// My profile → Two-factor authentication: set up an authenticator app (QR code or the secret typed
// in, then its first code), the ten recovery codes shown once, turning it off and new recovery codes
// (each with a fresh code). Under the server's policy without it, this is the page the admin UI
// opens first: nothing else answers until it is set up.
import { useState } from 'preact/hooks';
import { api, CopyText, ErrorBanner, t, Time, tx, useApi } from 'plinth/plugin/ui';
import { BASE, useAction } from './shared.js';

/** GET /auth/mfa (services/second-factor.ts FactorStatus). */
interface MfaStatus {
  enabled: boolean;
  pending: boolean;
  confirmed_at: string | null;
  recovery_codes_left: number;
  required: boolean;
  policy: string;
}

/** POST /auth/mfa/totp/enroll. */
interface Enrollment {
  secret: string;
  otpauth_uri: string;
  qr_code: string;
}

/** A code from the app is digits; anything with letters is a recovery code. */
const answerOf = (typed: string) => (/[a-z]/i.test(typed) ? { recovery_code: typed.trim() } : { code: typed.replace(/\s+/g, '') });

function RecoveryCodes(props: { codes: string[]; onDone(): void }) {
  return (
    <div>
      <p class="notice" role="status">
        {t('auth.mfa.saveCodes')}
      </p>
      <ul class="recovery-codes" aria-label={t('auth.mfa.recoveryCodes')} style={{ columns: 2, listStyle: 'none', padding: 0, fontFamily: 'monospace' }}>
        {props.codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <p>
        <CopyText text={props.codes.join('\n')} label={t('auth.mfa.allCodes')} />
      </p>
      <div class="form-actions">
        <button type="button" onClick={props.onDone}>
          {t('auth.mfa.saved')}
        </button>
      </div>
    </div>
  );
}

function SetUp(props: { enrollment: Enrollment; onConfirmed(codes: string[]): void; onCancel(): void }) {
  const [code, setCode] = useState('');
  const { error, busy, run } = useAction();
  const confirm = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const res = await api<{ recovery_codes: string[] }>(`${BASE}/auth/mfa/totp/confirm`, { body: { code: code.replace(/\s+/g, '') } });
      props.onConfirmed(res.recovery_codes);
    });
  };
  return (
    <form onSubmit={confirm}>
      <p>{t('auth.mfa.scan')}</p>
      <img src={props.enrollment.qr_code} alt={t('auth.mfa.qrAlt')} width={200} height={200} style={{ background: '#fff' }} />
      <p>
        {t('auth.mfa.secret')} <CopyText text={props.enrollment.secret} label={t('auth.mfa.theSecret')} />
      </p>
      <ErrorBanner error={error} />
      <label for="mfa-confirm-code">{t('auth.mfa.confirmCode')}</label>
      <input
        id="mfa-confirm-code"
        autoComplete="one-time-code"
        inputMode="numeric"
        pattern="[0-9 ]{6,8}"
        required
        value={code}
        onInput={(e) => setCode(e.currentTarget.value)}
      />
      <div class="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? t('kit.mfa.checking') : t('auth.mfa.turnOn')}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          {t('kit.cancel')}
        </button>
      </div>
    </form>
  );
}

function Manage(props: { status: MfaStatus; onChanged(): void; onCodes(codes: string[]): void }) {
  const [typed, setTyped] = useState('');
  const { error, busy, run } = useAction();
  const act = (path: string, after: (reply: any) => void) =>
    run(async () => {
      const reply = await api(`${BASE}${path}`, { body: answerOf(typed) });
      setTyped('');
      after(reply);
    });
  return (
    <div>
      <p>
        {tx('auth.mfa.onSince', {
          badge: (text: string) => <span class="badge badge-ok">{text}</span>,
          since: <Time value={props.status.confirmed_at} />,
          left: props.status.recovery_codes_left,
        })}
      </p>
      <ErrorBanner error={error} />
      <label for="mfa-manage-code">{t('auth.mfa.manageCode')}</label>
      <input id="mfa-manage-code" autoComplete="one-time-code" required value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
      <div class="form-actions">
        <button
          type="button"
          class="secondary"
          disabled={busy || !typed.trim()}
          onClick={() => act('/auth/mfa/recovery-codes', (r) => props.onCodes(r.recovery_codes))}
        >
          {t('auth.mfa.newCodes')}
        </button>
        <button type="button" class="danger" disabled={busy || !typed.trim()} onClick={() => act('/auth/mfa/totp/disable', () => props.onChanged())}>
          {t('auth.mfa.turnOff')}
        </button>
      </div>
    </div>
  );
}

export function TwoFactorSection() {
  const status = useApi<MfaStatus>(`${BASE}/auth/mfa`);
  const [enrollment, setEnrollment] = useState<Enrollment | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  // Set up because the policy required it: the rest of the admin opens once the codes are saved.
  const [wasRequired, setWasRequired] = useState(false);
  const { error, busy, run } = useAction();
  const start = () =>
    run(async () => {
      setWasRequired(Boolean(status.data?.required && !status.data.enabled));
      setEnrollment(await api<Enrollment>(`${BASE}/auth/mfa/totp/enroll`, { method: 'POST' }));
    });
  const done = () => {
    setCodes(null);
    if (wasRequired)
      location.assign('/admin'); // a full load: the shell learns the step is done
    else status.reload();
  };

  const s = status.data;
  let body;
  if (codes) body = <RecoveryCodes codes={codes} onDone={done} />;
  else if (enrollment)
    body = (
      <SetUp
        enrollment={enrollment}
        onConfirmed={(fresh) => {
          setEnrollment(null);
          setCodes(fresh);
        }}
        onCancel={() => setEnrollment(null)}
      />
    );
  else if (s?.enabled) body = <Manage status={s} onChanged={status.reload} onCodes={setCodes} />;
  else if (s)
    body = (
      <div>
        {s.required ? (
          <p class="notice" role="alert">
            {t('auth.mfa.required')}
          </p>
        ) : (
          <p>{t('auth.mfa.intro')}</p>
        )}
        <ErrorBanner error={error} />
        <button type="button" disabled={busy} onClick={start}>
          {t('auth.mfa.setUp')}
        </button>
      </div>
    );

  return (
    <section class="card" aria-labelledby="mfa-title">
      <h2 id="mfa-title">{t('auth.mfa.title')}</h2>
      <ErrorBanner error={status.error} />
      {body ?? (
        <p class="muted" role="status">
          {t('kit.loading')}
        </p>
      )}
    </section>
  );
}
