// My profile → Two-factor authentication: set up an authenticator app (QR code or the secret typed
// in, then its first code), the ten recovery codes shown once, turning it off and new recovery codes
// (each with a fresh code). Under the server's policy without it, this is the page the admin UI
// opens first: nothing else answers until it is set up.
import { useState } from 'preact/hooks';
import { api, CopyText, ErrorBanner, Time, useApi } from 'plinth/plugin/ui';
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
        Save these recovery codes somewhere safe (a password manager, or printed). Each one signs you in once if you lose your authenticator app. They are not
        shown again.
      </p>
      <ul class="recovery-codes" aria-label="Recovery codes" style={{ columns: 2, listStyle: 'none', padding: 0, fontFamily: 'monospace' }}>
        {props.codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <p>
        <CopyText text={props.codes.join('\n')} label="all recovery codes" />
      </p>
      <div class="form-actions">
        <button type="button" onClick={props.onDone}>
          I have saved my recovery codes
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
      <p>Scan this QR code with your authenticator app (Google Authenticator, 1Password, Aegis, Authy…), or type the secret into it.</p>
      <img src={props.enrollment.qr_code} alt="QR code for your authenticator app" width={200} height={200} style={{ background: '#fff' }} />
      <p>
        Secret: <CopyText text={props.enrollment.secret} label="the secret" />
      </p>
      <ErrorBanner error={error} />
      <label for="mfa-confirm-code">The 6-digit code the app shows</label>
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
          {busy ? 'Checking…' : 'Turn on two-factor sign-in'}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
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
        <span class="badge badge-ok">on</span> since <Time value={props.status.confirmed_at} /> · {props.status.recovery_codes_left} recovery codes left
      </p>
      <ErrorBanner error={error} />
      <label for="mfa-manage-code">A code from your app, or a recovery code</label>
      <input id="mfa-manage-code" autoComplete="one-time-code" required value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
      <div class="form-actions">
        <button
          type="button"
          class="secondary"
          disabled={busy || !typed.trim()}
          onClick={() => act('/auth/mfa/recovery-codes', (r) => props.onCodes(r.recovery_codes))}
        >
          New recovery codes
        </button>
        <button type="button" class="danger" disabled={busy || !typed.trim()} onClick={() => act('/auth/mfa/totp/disable', () => props.onChanged())}>
          Turn off two-factor sign-in
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
            This server requires two-factor sign-in for your account. Set it up to continue: nothing else opens until you do.
          </p>
        ) : (
          <p>Sign in with a code from an authenticator app as well as your password.</p>
        )}
        <ErrorBanner error={error} />
        <button type="button" disabled={busy} onClick={start}>
          Set up an authenticator app
        </button>
      </div>
    );

  return (
    <section class="card" aria-labelledby="mfa-title">
      <h2 id="mfa-title">Two-factor authentication</h2>
      <ErrorBanner error={status.error} />
      {body ?? (
        <p class="muted" role="status">
          Loading…
        </p>
      )}
    </section>
  );
}
