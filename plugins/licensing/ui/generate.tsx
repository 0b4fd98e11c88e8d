// "Generate license": plan, email, device cap, days, a note and how many; then the new activation
// code, shown large with a Copy button (or the batch's codes, with Copy all). They can be looked up
// again in the list, but this is the handover. A field the server names in its error is outlined.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, CopyText, Dialog, ErrorBanner } from 'plinth/plugin/ui';
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
/** The server's cap on one call's `count` (plugins/licensing/routes/schemas.ts MAX_BATCH). */
const MAX_COUNT = 500;

/** The form's fields by the names the server's messages use ("email is required", "body.count: must be <= 500"). */
const FIELDS = ['plan', 'email', 'device_cap', 'days', 'user_hint', 'count'] as const;
type Field = (typeof FIELDS)[number];

/** The field a refusal is about: MISSING_EMAIL, or the field its message names; null when it names none. */
export function invalidField(error: Error | null): Field | null {
  if (!(error instanceof ApiError)) return null;
  if (error.code === 'MISSING_EMAIL') return 'email';
  return FIELDS.find((f) => new RegExp(`(^|[\\s.'"/])${f}\\b`).test(error.message)) ?? null;
}

function GenerateForm(props: { onGenerated(licenses: Generated[]): void; onCancel(): void }) {
  const [plan, setPlan] = useState<Plan>('monthly');
  const [email, setEmail] = useState('');
  const [cap, setCap] = useState(DEFAULT_CAP);
  const [days, setDays] = useState('');
  const [note, setNote] = useState('');
  const [count, setCount] = useState('1');
  const { error, busy, run } = useAction();
  const invalid = invalidField(error);
  // aria-invalid (outlined by shell.css) and the banner read as the field's description.
  const mark = (field: Field) => (invalid === field ? { 'aria-invalid': true as const, 'aria-describedby': 'generate-error' } : {});

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
        ...(count && count !== '1' ? { count: Number(count) } : {}),
      };
      const reply = await api<{ license: Generated; licenses?: Generated[] }>(`${BASE}/generate`, { body });
      props.onGenerated(reply.licenses ?? [reply.license]);
    });
  };

  return (
    <form onSubmit={submit} noValidate>
      <div id="generate-error">
        <ErrorBanner error={error} />
      </div>
      <div class="form-row">
        <div>
          <label for="generate-plan">Plan</label>
          <select id="generate-plan" {...mark('plan')} value={plan} onChange={(e) => setPlan(e.currentTarget.value as Plan)} style={fieldStyle}>
            {PLANS.map((p) => (
              <option key={p.plan} value={p.plan}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="generate-email">Customer email</label>
          <input
            id="generate-email"
            {...mark('email')}
            type="email"
            autoFocus
            autoComplete="off"
            maxLength={320}
            placeholder="customer@example.com"
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </div>
      </div>
      <div class="form-row">
        <div>
          <label for="generate-cap">Device cap</label>
          <input id="generate-cap" {...mark('device_cap')} type="number" min={1} max={10000} value={cap} onInput={(e) => setCap(e.currentTarget.value)} />
        </div>
        <div>
          <label for="generate-days">Days (optional)</label>
          <input
            id="generate-days"
            {...mark('days')}
            type="number"
            min={1}
            max={36500}
            placeholder={`plan default: ${PLANS.find((p) => p.plan === plan)!.days}`}
            value={days}
            onInput={(e) => setDays(e.currentTarget.value)}
          />
        </div>
      </div>
      <div class="form-row">
        <div>
          <label for="generate-count">How many</label>
          <input id="generate-count" {...mark('count')} type="number" min={1} max={MAX_COUNT} value={count} onInput={(e) => setCount(e.currentTarget.value)} />
        </div>
        <div />
      </div>
      <label for="generate-note">Note (optional)</label>
      <textarea
        id="generate-note"
        {...mark('user_hint')}
        rows={2}
        maxLength={500}
        placeholder="e.g. order 1042, reseller, …"
        value={note}
        onInput={(e) => setNote(e.currentTarget.value)}
        style={{ ...fieldStyle, resize: 'vertical' }}
      />
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

/** A batch: every code in a list, and Copy all (one code a line) to paste into a spreadsheet or a mail. */
function NewCodes(props: { licenses: Generated[]; onAnother(): void; onDone(): void }) {
  const { licenses } = props;
  const section = useRef<HTMLElement>(null);
  useEffect(() => section.current?.querySelector('button')?.focus(), []);
  return (
    <section ref={section} aria-labelledby="new-codes-title">
      <p class="notice" role="status">
        {licenses.length} licenses are ready for {licenses[0].email} ({licenses[0].plan}, up to {licenses[0].device_cap} devices each).
      </p>
      <h3 id="new-codes-title" class="muted" style={{ fontSize: '0.85rem', margin: '0 0 0.4rem', textTransform: 'uppercase', letterSpacing: '0.05em' }}>
        Activation codes
      </h3>
      <CopyText text={licenses.map((l) => l.activation_code).join('\n')} label="all new activation codes" />
      <ol aria-label="New activation codes" style={{ maxHeight: '14rem', overflow: 'auto', margin: '0.75rem 0 0', paddingLeft: '2.5rem' }}>
        {licenses.map((l) => (
          <li key={l.license_id}>
            <code>{l.activation_code}</code> <span class="muted">{l.license_id}</span>
          </li>
        ))}
      </ol>
      <div class="form-actions">
        <button type="button" onClick={props.onDone}>
          Done
        </button>
        <button type="button" class="secondary" onClick={props.onAnother}>
          Generate more
        </button>
      </div>
    </section>
  );
}

/** The dialog: the form, then the new code(s). `onGenerated` lets the page refresh its list behind it. */
export function GenerateDialog(props: { onClose(): void; onGenerated(): void }) {
  const [made, setMade] = useState<Generated[] | null>(null);
  let body: ComponentChildren;
  if (made?.length === 1) body = <NewCode license={made[0]} onAnother={() => setMade(null)} onDone={props.onClose} />;
  else if (made) body = <NewCodes licenses={made} onAnother={() => setMade(null)} onDone={props.onClose} />;
  else
    body = (
      <GenerateForm
        onCancel={props.onClose}
        onGenerated={(licenses) => {
          setMade(licenses);
          props.onGenerated();
        }}
      />
    );
  return (
    <Dialog title="Generate a license" onClose={props.onClose}>
      {body}
    </Dialog>
  );
}
