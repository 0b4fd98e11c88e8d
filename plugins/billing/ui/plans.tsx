// The Plans page's forms: a plan's editor (name, prices in major units, public, limits, features)
// and the form that creates one (the page itself is plans-page.tsx). Over 400 lines: the editor's
// fields are one form, with their price and limit parsing beside them.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, t, tOr, tx } from 'plinth/plugin/ui';
import type { Plan } from '../services/plans.js';
import { BASE, ErrorBanner, FieldError, fieldErrors, fieldProps, formatMoney, planName, selectStyle, toMajor, toMinor, useAction } from './shared.js';

/** A form's text as the API's value: "" is null (unlimited), anything else a number (the server checks it is whole). */
const toLimit = (text: string) => (text.trim() === '' ? null : Number(text));
/**
 * The typed prices (major units, e.g. 9.99) in the minor units the API stores; a field's message
 * instead (the form shows it and sends nothing) when one is not an amount.
 */
function toPrices(form: {
  price_monthly: string;
  price_yearly: string;
  currency: string;
}): { price_monthly: number; price_yearly: number } | Record<string, string> {
  const monthly = toMinor(form.price_monthly, form.currency);
  const yearly = toMinor(form.price_yearly, form.currency);
  if (typeof monthly === 'number' && typeof yearly === 'number') return { price_monthly: monthly, price_yearly: yearly };
  return {
    ...(typeof monthly === 'number' ? {} : { price_monthly: monthly.problem }),
    ...(typeof yearly === 'number' ? {} : { price_yearly: yearly.problem }),
  };
}
const isPrices = (p: ReturnType<typeof toPrices>): p is { price_monthly: number; price_yearly: number } => typeof p.price_monthly === 'number';

/** A text input with its label and the server's complaint about it. */
function Field(props: {
  id: string;
  label: string;
  path: string;
  errors: Record<string, string>;
  value: string;
  onInput(value: string): void;
  type?: 'text' | 'number' | 'money';
  hint?: string;
  required?: boolean;
  maxLength?: number;
}) {
  const input = {
    id: props.id,
    required: props.required,
    value: props.value,
    onInput: (e: { currentTarget: HTMLInputElement }) => props.onInput(e.currentTarget.value),
    ...fieldProps(props.errors, props.path, props.id),
  };
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      {props.type === 'number' ? (
        <input type="number" min={0} step={1} {...input} />
      ) : props.type === 'money' ? (
        <input type="text" inputMode="decimal" autoComplete="off" maxLength={16} {...input} />
      ) : (
        <input type="text" maxLength={props.maxLength} {...input} />
      )}
      {props.hint ? (
        <span class="muted" style={{ fontSize: '0.85rem' }}>
          {props.hint}
        </span>
      ) : null}
      <FieldError errors={props.errors} path={props.path} id={props.id} />
    </div>
  );
}

const isCurrencyCode = (currency: string) => /^[a-z]{3}$/i.test(currency.trim());
/** A price's label with the currency's code beside it once one is typed: "Monthly price (USD)". */
const priceLabel = (cycle: 'monthly' | 'yearly', currency: string) =>
  t('billing.plan.price', { cycle, currency: isCurrencyCode(currency) ? currency.trim().toUpperCase() : 'none' });
/** "= $9.99" under a typed price: how tenants will see it. */
function priceHint(text: string, currency: string): string {
  const minor = toMinor(text, currency);
  return typeof minor === 'number' && isCurrencyCode(currency)
    ? t('billing.plan.priceShown', { price: formatMoney(minor, currency.trim()) })
    : t('billing.plan.priceExample');
}

interface Draft {
  display_name: string;
  description: string;
  currency: string;
  price_monthly: string;
  price_yearly: string;
  is_public: boolean;
  limits: Record<string, string>;
  /** null: every feature, including ones a plugin adds later. */
  features: string[] | null;
}

/** A feature as GET /admin/features lists it (declared by a plugin's manifest). */
export interface Feature {
  name: string;
  description: string;
  plugin: string;
  scopes: string[];
}

const draftOf = (plan: Plan): Draft => ({
  display_name: plan.display_name,
  description: plan.description,
  currency: plan.currency,
  price_monthly: toMajor(plan.price_monthly, plan.currency),
  price_yearly: toMajor(plan.price_yearly, plan.currency),
  is_public: plan.is_public,
  limits: Object.fromEntries(Object.entries(plan.limits).map(([metric, limit]) => [metric, limit === null ? '' : String(limit)])),
  features: plan.features,
});

/** A feature's description: the catalogue's for the features the bundled plugins declare, else the English its manifest gives. */
const featureDescription = (f: Feature) => tOr(`billing.feature.${f.name}`, f.description);

/**
 * The features the plan's tenants get: every one (null), or the ones ticked. A tenant whose plan
 * lacks a feature loses its scopes (the API answers 403 naming the plan and the feature).
 */
function FeatureFields(props: {
  idPrefix: string;
  catalogue: readonly Feature[];
  features: string[] | null;
  errors: Record<string, string>;
  onChange(features: string[] | null): void;
}) {
  const all = props.features === null;
  const chosen = new Set(props.features ?? props.catalogue.map((f) => f.name));
  const toggle = (name: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(name);
    else next.delete(name);
    props.onChange(props.catalogue.map((f) => f.name).filter((n) => next.has(n)));
  };
  return (
    <fieldset>
      <legend>{t('billing.plan.features')}</legend>
      <div class="checks">
        <label>
          <input type="checkbox" checked={all} onChange={(e) => props.onChange(e.currentTarget.checked ? null : props.catalogue.map((f) => f.name))} />
          <span>{t('billing.plan.everyFeature')}</span>
        </label>
        {props.catalogue.map((f) => (
          <label key={f.name}>
            <input type="checkbox" disabled={all} checked={chosen.has(f.name)} onChange={(e) => toggle(f.name, e.currentTarget.checked)} />
            <span>
              <code>{f.name}</code> {featureDescription(f)}{' '}
              <span class="muted">
                (<code>{f.plugin}</code>)
              </span>
            </span>
          </label>
        ))}
      </div>
      <FieldError errors={props.errors} path="features" id={`${props.idPrefix}-features`} />
    </fieldset>
  );
}

/** One number per limit (empty: unlimited), and a way to add a limit for another metric. */
function LimitFields(props: {
  idPrefix: string;
  limits: Record<string, string>;
  errors: Record<string, string>;
  onChange(limits: Record<string, string>): void;
}) {
  const [metric, setMetric] = useState('');
  const add = () => {
    const name = metric.trim();
    if (name && !(name in props.limits)) props.onChange({ ...props.limits, [name]: '' });
    setMetric('');
  };
  return (
    <fieldset>
      <legend>{t('billing.plan.limits')}</legend>
      <div class="form-row">
        {Object.entries(props.limits).map(([name, value]) => {
          const id = `${props.idPrefix}-limit-${name}`;
          return (
            <div key={name}>
              <label for={id}>
                <code>{name}</code>
              </label>
              <input
                id={id}
                type="number"
                min={0}
                step={1}
                placeholder={t('billing.limit.unlimited')}
                value={value}
                onInput={(e) => props.onChange({ ...props.limits, [name]: e.currentTarget.value })}
                {...fieldProps(props.errors, `limits.${name}`, id)}
              />
              <FieldError errors={props.errors} path={`limits.${name}`} id={id} />
            </div>
          );
        })}
      </div>
      <div class="inline-form" style={{ marginTop: '0.9rem', marginBottom: 0 }}>
        <div class="grow">
          <label for={`${props.idPrefix}-new-limit`}>{t('billing.plan.addLimitFor')}</label>
          <input
            id={`${props.idPrefix}-new-limit`}
            placeholder={t('billing.plan.metricExample')}
            pattern="[a-z][a-z0-9_]{0,63}"
            value={metric}
            onInput={(e) => setMetric(e.currentTarget.value)}
          />
        </div>
        <button type="button" class="secondary" onClick={add}>
          {t('billing.plan.addLimit')}
        </button>
      </div>
    </fieldset>
  );
}

/** Saves with PATCH, sending `limits` as the full map. */
export function PlanEditor(props: { plan: Plan; catalogue: readonly Feature[]; onSaved(): void; onClose(): void }) {
  const { plan } = props;
  const [draft, setDraft] = useState(() => draftOf(plan));
  const [saved, setSaved] = useState('');
  const { error, busy, run } = useAction();
  const [typed, setTyped] = useState<Record<string, string>>({});
  const errors = { ...fieldErrors(error), ...typed };
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => form.current?.scrollIntoView({ block: 'start' }), []); // opened from the table above
  const set =
    <K extends keyof Draft>(key: K) =>
    (value: Draft[K]) =>
      setDraft((d) => ({ ...d, [key]: value }));
  const id = `plan-${plan.id}`;

  const submit = async (event: Event) => {
    event.preventDefault();
    setSaved('');
    const prices = toPrices(draft);
    setTyped(isPrices(prices) ? {} : (prices as Record<string, string>));
    if (!isPrices(prices)) return;
    const body = {
      display_name: draft.display_name.trim(),
      description: draft.description.trim(),
      currency: draft.currency.trim().toLowerCase(),
      ...prices,
      is_public: draft.is_public,
      limits: Object.fromEntries(Object.entries(draft.limits).map(([metric, text]) => [metric, toLimit(text)])),
      features: draft.features,
    };
    if (await run(() => api(`${BASE}/admin/plans/${plan.id}`, { method: 'PATCH', body }))) {
      setSaved(t('billing.plan.saved', { name: body.display_name }));
      props.onSaved();
    }
  };

  return (
    <form ref={form} class="card" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{tx('billing.plan.editTitle', { id: plan.id, code: (text: string) => <code>{text}</code> })}</h2>
      <ErrorBanner error={error} />
      {saved ? (
        <p class="notice" role="status">
          {saved}
        </p>
      ) : null}
      <div class="form-row">
        <Field
          id={`${id}-name`}
          label={t('billing.plan.displayName')}
          path="display_name"
          errors={errors}
          required
          maxLength={120}
          value={draft.display_name}
          onInput={set('display_name')}
        />
        <Field
          id={`${id}-description`}
          label={t('billing.plan.description')}
          path="description"
          errors={errors}
          maxLength={500}
          value={draft.description}
          onInput={set('description')}
        />
      </div>
      <div class="form-row">
        <Field
          id={`${id}-monthly`}
          label={priceLabel('monthly', draft.currency)}
          type="money"
          path="price_monthly"
          errors={errors}
          required
          hint={priceHint(draft.price_monthly, draft.currency)}
          value={draft.price_monthly}
          onInput={set('price_monthly')}
        />
        <Field
          id={`${id}-yearly`}
          label={priceLabel('yearly', draft.currency)}
          type="money"
          path="price_yearly"
          errors={errors}
          required
          hint={priceHint(draft.price_yearly, draft.currency)}
          value={draft.price_yearly}
          onInput={set('price_yearly')}
        />
        <Field
          id={`${id}-currency`}
          label={t('billing.plan.currency')}
          path="currency"
          errors={errors}
          required
          maxLength={3}
          value={draft.currency}
          onInput={set('currency')}
        />
      </div>
      <div class="checks">
        <label>
          <input type="checkbox" checked={draft.is_public} onChange={(e) => set('is_public')(e.currentTarget.checked)} />
          <span>{t('billing.plan.public')}</span>
        </label>
      </div>
      <LimitFields idPrefix={id} limits={draft.limits} errors={errors} onChange={set('limits')} />
      <FeatureFields idPrefix={id} catalogue={props.catalogue} features={draft.features} errors={errors} onChange={set('features')} />
      <div class="form-actions">
        <button type="submit" disabled={busy}>
          {t(busy ? 'billing.plan.saving' : 'billing.plan.save')}
        </button>
        <button type="button" class="secondary" onClick={props.onClose}>
          {t('billing.plan.close')}
        </button>
      </div>
    </form>
  );
}

/** A new plan; its limits and features start as a copy of another plan's (or none: unlimited, every feature). */
export function CreatePlan(props: { plans: readonly Plan[]; onCreated(id: string): void }) {
  const empty = { id: '', display_name: '', currency: 'usd', price_monthly: '0.00', price_yearly: '0.00' };
  const [form, setForm] = useState(empty);
  const [isPublic, setPublic] = useState(false);
  const [copyFrom, setCopyFrom] = useState('');
  const { error, busy, run } = useAction();
  const [typed, setTyped] = useState<Record<string, string>>({});
  const errors = { ...fieldErrors(error), ...typed };
  const set = (key: keyof typeof empty) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  const source = props.plans.find((p) => p.id === copyFrom) ?? props.plans[0];

  const submit = async (event: Event) => {
    event.preventDefault();
    const prices = toPrices(form);
    setTyped(isPrices(prices) ? {} : (prices as Record<string, string>));
    if (!isPrices(prices)) return;
    const body = {
      id: form.id.trim(),
      display_name: form.display_name.trim(),
      currency: form.currency.trim().toLowerCase(),
      ...prices,
      is_public: isPublic,
      sort_order: props.plans.length,
      limits: copyFrom === 'none' ? {} : (source?.limits ?? {}),
      features: copyFrom === 'none' ? null : (source?.features ?? null),
    };
    if (await run(() => api(`${BASE}/admin/plans`, { body }))) {
      setForm(empty);
      props.onCreated(body.id);
    }
  };

  return (
    <form class="card" onSubmit={submit} aria-labelledby="create-plan-title">
      <h2 id="create-plan-title">{t('billing.create.title')}</h2>
      <ErrorBanner error={error} />
      <div class="form-row">
        <Field
          id="new-plan-id"
          label={t('billing.create.id')}
          path="id"
          errors={errors}
          required
          hint={t('billing.create.idHint')}
          value={form.id}
          onInput={set('id')}
        />
        <Field
          id="new-plan-name"
          label={t('billing.plan.displayName')}
          path="display_name"
          errors={errors}
          required
          maxLength={120}
          value={form.display_name}
          onInput={set('display_name')}
        />
        <div>
          <label for="new-plan-copy">{t('billing.create.copy')}</label>
          <select id="new-plan-copy" value={copyFrom || source?.id || 'none'} onChange={(e) => setCopyFrom(e.currentTarget.value)} style={selectStyle}>
            {props.plans.map((p) => (
              <option key={p.id} value={p.id}>
                {t('billing.create.copyFrom', { name: planName(p) })}
              </option>
            ))}
            <option value="none">{t('billing.create.copyNone')}</option>
          </select>
        </div>
      </div>
      <div class="form-row">
        <Field
          id="new-plan-monthly"
          label={priceLabel('monthly', form.currency)}
          type="money"
          path="price_monthly"
          errors={errors}
          required
          hint={priceHint(form.price_monthly, form.currency)}
          value={form.price_monthly}
          onInput={set('price_monthly')}
        />
        <Field
          id="new-plan-yearly"
          label={priceLabel('yearly', form.currency)}
          type="money"
          path="price_yearly"
          errors={errors}
          required
          hint={priceHint(form.price_yearly, form.currency)}
          value={form.price_yearly}
          onInput={set('price_yearly')}
        />
        <Field
          id="new-plan-currency"
          label={t('billing.plan.currency')}
          path="currency"
          errors={errors}
          required
          maxLength={3}
          value={form.currency}
          onInput={set('currency')}
        />
      </div>
      <div class="checks">
        <label>
          <input type="checkbox" checked={isPublic} onChange={(e) => setPublic(e.currentTarget.checked)} />
          <span>{t('billing.plan.public')}</span>
        </label>
      </div>
      <div class="form-actions">
        <button type="submit" disabled={busy}>
          {t(busy ? 'billing.create.creating' : 'billing.create.submit')}
        </button>
      </div>
    </form>
  );
}
