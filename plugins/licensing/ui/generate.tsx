// "Generate license": plan, email, device cap, days and a note; then the new activation code,
// shown large with a Copy button (it can be looked up again in the list, but this is the handover).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, CopyText, Dialog, ErrorBanner } from '../../../core/ui/kit/index.js';
import { BASE, fieldStyle, useAction, ValidUntil, type Plan } from './shared.js';

interface Generated {
  license_id: string;
  activation_code: string;
  email: string;
  plan: Plan;
  device_cap: number;
  valid_until: string | null;
}

const PLANS: Array<{ plan: Plan; label: string; days: string }> = [
  { plan: 'monthly', label: 'Monthly (30 days)', days: '30' },
  { plan: 'yearly', label: 'Yearly (365 days)', days: '365' },
  { plan: 'lifetime', label: 'Lifetime (never ends)', days: 'never' },
];

const DEFAULT_CAP = '5';

function GenerateForm(props: { onGenerated(license: Generated): void; onCancel(): void }) {
  const [plan, setPlan] = useState<Plan>('monthly');
  const [email, setEmail] = useState('');
  const [cap, setCap] = useState(DEFAULT_CAP);
  const [days, setDays] = useState('');
  const [note, setNote] = useState('');
  const { error, busy, run } = useAction();

  // `email` is not `required` in the form: the server's own answer (MISSING_EMAIL) is shown instead.
  const submit = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const body = {
        plan,
        email: email.trim(),
        ...(cap ? { device_cap: Number(cap) } : {}),
        ...(days ? { days: Number(days) } : {}),
        ...(note.trim() ? { user_hint: note.trim() } : {}),
      };
      const { license } = await api<{ license: Generated }>(`${BASE}/generate`, { body });
      props.onGenerated(license);
    });
  };

  return (
    <form onSubmit={submit} noValidate>
      <ErrorBanner error={error} />
      <div class="form-row">
        <div>
          <label for="generate-plan">Plan</label>
          <select id="generate-plan" value={plan} onChange={(e) => setPlan(e.currentTarget.value as Plan)} style={fieldStyle}>
            {PLANS.map((p) => (
              <option key={p.plan} value={p.plan}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="generate-email">Customer email</label>
          <input id="generate-email" type="email" autoFocus autoComplete="off" maxLength={320} placeholder="customer@example.com" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </div>
      </div>
      <div class="form-row">
        <div>
          <label for="generate-cap">Device cap</label>
          <input id="generate-cap" type="number" min={1} max={10000} value={cap} onInput={(e) => setCap(e.currentTarget.value)} />
        </div>
        <div>
          <label for="generate-days">Days (optional)</label>
          <input id="generate-days" type="number" min={1} max={36500} placeholder={`plan default: ${PLANS.find((p) => p.plan === plan)!.days}`} value={days} onInput={(e) => setDays(e.currentTarget.value)} />
        </div>
      </div>
      <label for="generate-note">Note (optional)</label>
      <textarea id="generate-note" rows={2} maxLength={500} placeholder="e.g. order 1042, reseller, …" value={note} onInput={(e) => setNote(e.currentTarget.value)} style={{ ...fieldStyle, resize: 'vertical' }} />
      <div class="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Generating…' : 'Generate'}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function NewCode(props: { license: Generated; onAnother(): void; onDone(): void }) {
  const { license } = props;
  const section = useRef<HTMLElement>(null);
  // The form (and its focused button) is gone: focus moves to the code's Copy button.
  useEffect(() => section.current?.querySelector('button')?.focus(), []);
  return (
    <section ref={section} aria-labelledby="new-code-title">
      <p class="notice" role="status">
        License <strong>{license.license_id}</strong> is ready. Send the customer this activation code:
      </p>
      <h3 id="new-code-title" class="muted" style={{ fontSize: '0.85rem', margin: '0 0 0.4rem', textTransform: 'uppercase', letterSpacing: '0.05em' }}>
        Activation code
      </h3>
      <CopyText text={license.activation_code} label="new activation code" big />
      <dl class="facts" style={{ marginTop: '1rem' }}>
        <dt>Email</dt>
        <dd>{license.email}</dd>
        <dt>Plan</dt>
        <dd>{license.plan}</dd>
        <dt>Devices</dt>
        <dd>up to {license.device_cap}</dd>
        <dt>Valid until</dt>
        <dd>
          <ValidUntil value={license.valid_until} />
        </dd>
      </dl>
      <div class="form-actions">
        <button type="button" onClick={props.onDone}>
          Done
        </button>
        <button type="button" class="secondary" onClick={props.onAnother}>
          Generate another
        </button>
      </div>
    </section>
  );
}

/** The dialog: the form, then the new code. `onGenerated` lets the page refresh its list behind it. */
export function GenerateDialog(props: { onClose(): void; onGenerated(): void }) {
  const [made, setMade] = useState<Generated | null>(null);
  return (
    <Dialog title="Generate a license" onClose={props.onClose}>
      {made ? (
        <NewCode license={made} onAnother={() => setMade(null)} onDone={props.onClose} />
      ) : (
        <GenerateForm
          onCancel={props.onClose}
          onGenerated={(license) => {
            setMade(license);
            props.onGenerated();
          }}
        />
      )}
    </Dialog>
  );
}
