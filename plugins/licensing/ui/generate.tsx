// "Generate license": plan, email, device cap, days, a note and how many; then the new activation
// code, shown large with a Copy button (or the batch's codes, with Copy all). They can be looked up
// again in the list, but this is the handover. A field the server names in its error is outlined.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, CopyText, Dialog, ErrorBanner, t, tx } from 'plinth/plugin/ui';
import { BASE, fieldStyle, planName, useAction, ValidUntil, type Plan } from './shared.js';

interface Generated {
  license_id: string;
  activation_code: string;
  email: string;
  plan: Plan;
  device_cap: number;
  valid_until: string | null;
}

const PLANS: Array<{ plan: Plan; days: string }> = [
  { plan: 'monthly', days: '30' },
  { plan: 'yearly', days: '365' },
  { plan: 'lifetime', days: 'never' },
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
          <label for="generate-plan">{t('licensing.generate.plan')}</label>
          <select id="generate-plan" {...mark('plan')} value={plan} onChange={(e) => setPlan(e.currentTarget.value as Plan)} style={fieldStyle}>
            {PLANS.map((p) => (
              <option key={p.plan} value={p.plan}>
                {t(`licensing.generate.plan.${p.plan}`)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="generate-email">{t('licensing.generate.email')}</label>
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
          <label for="generate-cap">{t('licensing.generate.cap')}</label>
          <input id="generate-cap" {...mark('device_cap')} type="number" min={1} max={10000} value={cap} onInput={(e) => setCap(e.currentTarget.value)} />
        </div>
        <div>
          <label for="generate-days">{t('licensing.generate.days')}</label>
          <input
            id="generate-days"
            {...mark('days')}
            type="number"
            min={1}
            max={36500}
            placeholder={t('licensing.generate.daysPlaceholder', { days: PLANS.find((p) => p.plan === plan)!.days })}
            value={days}
            onInput={(e) => setDays(e.currentTarget.value)}
          />
        </div>
      </div>
      <div class="form-row">
        <div>
          <label for="generate-count">{t('licensing.generate.count')}</label>
          <input id="generate-count" {...mark('count')} type="number" min={1} max={MAX_COUNT} value={count} onInput={(e) => setCount(e.currentTarget.value)} />
        </div>
        <div />
      </div>
      <label for="generate-note">{t('licensing.generate.note')}</label>
      <textarea
        id="generate-note"
        {...mark('user_hint')}
        rows={2}
        maxLength={500}
        placeholder={t('licensing.generate.notePlaceholder')}
        value={note}
        onInput={(e) => setNote(e.currentTarget.value)}
        style={{ ...fieldStyle, resize: 'vertical' }}
      />
      <div class="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? t('licensing.generate.generating') : t('licensing.generate.submit')}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          {t('licensing.cancel')}
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
        {tx('licensing.generate.ready', { id: license.license_id, b: (text: string) => <strong>{text}</strong> })}
      </p>
      <h3 id="new-code-title" class="muted" style={{ fontSize: '0.85rem', margin: '0 0 0.4rem', textTransform: 'uppercase', letterSpacing: '0.05em' }}>
        {t('licensing.generate.code')}
      </h3>
      <CopyText text={license.activation_code} label={t('licensing.generate.codeLabel')} big />
      <dl class="facts" style={{ marginTop: '1rem' }}>
        <dt>{t('licensing.facts.email')}</dt>
        <dd>{license.email}</dd>
        <dt>{t('licensing.facts.plan')}</dt>
        <dd>{planName(license.plan)}</dd>
        <dt>{t('licensing.facts.devices')}</dt>
        <dd>{t('licensing.generate.upTo', { cap: license.device_cap })}</dd>
        <dt>{t('licensing.facts.validUntil')}</dt>
        <dd>
          <ValidUntil value={license.valid_until} />
        </dd>
      </dl>
      <div class="form-actions">
        <button type="button" onClick={props.onDone}>
          {t('licensing.generate.done')}
        </button>
        <button type="button" class="secondary" onClick={props.onAnother}>
          {t('licensing.generate.another')}
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
        {t('licensing.generate.batchReady', {
          count: licenses.length,
          email: licenses[0].email,
          plan: planName(licenses[0].plan),
          cap: licenses[0].device_cap,
        })}
      </p>
      <h3 id="new-codes-title" class="muted" style={{ fontSize: '0.85rem', margin: '0 0 0.4rem', textTransform: 'uppercase', letterSpacing: '0.05em' }}>
        {t('licensing.generate.codes')}
      </h3>
      <CopyText text={licenses.map((l) => l.activation_code).join('\n')} label={t('licensing.generate.codesLabel')} />
      <ol aria-label={t('licensing.generate.codesList')} style={{ maxHeight: '14rem', overflow: 'auto', margin: '0.75rem 0 0', paddingLeft: '2.5rem' }}>
        {licenses.map((l) => (
          <li key={l.license_id}>
            <code>{l.activation_code}</code> <span class="muted">{l.license_id}</span>
          </li>
        ))}
      </ol>
      <div class="form-actions">
        <button type="button" onClick={props.onDone}>
          {t('licensing.generate.done')}
        </button>
        <button type="button" class="secondary" onClick={props.onAnother}>
          {t('licensing.generate.more')}
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
    <Dialog title={t('licensing.generate.title')} onClose={props.onClose}>
      {body}
    </Dialog>
  );
}
