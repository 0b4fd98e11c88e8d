// "Generate codes": how many, for how many days, bound to which user, at what price, with a remark;
// then the new codes, each with Copy (they stay in the list too, but this is the handover).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, CopyText, Dialog, ErrorBanner, t } from 'plinth/plugin/ui';
import { BASE, fieldStyle, useAction, userLabel, type Reply, type UserRow } from './shared.js';

/** One code of POST /api/admin/activation-codes (seed 6.1; validUntil and boundUserId beside it). */
interface NewCode {
  code: string;
  status: 'unused';
  /** Days. */
  validityPeriod: number | null;
  /** Currency units. */
  price: number | null;
  createdAt: string;
  validUntil: string | null;
  boundUserId: number | null;
}

function GenerateForm(props: { users: UserRow[]; onGenerated(codes: NewCode[]): void; onCancel(): void }) {
  const [count, setCount] = useState('1');
  const [days, setDays] = useState('30'); // the seed's example validity
  const [userId, setUserId] = useState('');
  const [price, setPrice] = useState('');
  const [remark, setRemark] = useState('');
  const { error, busy, run } = useAction();

  const submit = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      // Bound to no one (a robot belongs to whoever activates it) unless a user is chosen; the server checks every field (400 names it).
      const body = {
        count: Number(count),
        validityPeriod: Number(days),
        ...(userId ? { boundUserId: Number(userId) } : {}),
        ...(price.trim() ? { price: Number(price) } : {}),
        ...(remark.trim() ? { remark: remark.trim() } : {}),
      };
      const reply = await api<Reply<{ codes: NewCode[] }>>(`${BASE}/admin/activation-codes`, { body });
      props.onGenerated(reply.data.codes);
    });
  };

  return (
    <form onSubmit={submit} noValidate>
      <ErrorBanner error={error} />
      <div class="form-row">
        <div>
          <label for="codes-count">{t('robots.gen.count')}</label>
          <input id="codes-count" type="number" min={1} max={500} autoFocus value={count} onInput={(e) => setCount(e.currentTarget.value)} />
        </div>
        <div>
          <label for="codes-days">{t('robots.gen.days')}</label>
          <input id="codes-days" type="number" min={1} max={3650} value={days} onInput={(e) => setDays(e.currentTarget.value)} />
        </div>
      </div>
      <div class="form-row">
        <div>
          <label for="codes-price">{t('robots.gen.price')}</label>
          <input
            id="codes-price"
            type="number"
            min={0}
            step="0.01"
            inputMode="decimal"
            placeholder={t('robots.gen.pricePlaceholder')}
            value={price}
            onInput={(e) => setPrice(e.currentTarget.value)}
          />
        </div>
        <div>
          <label for="codes-remark">{t('robots.gen.remark')}</label>
          <input id="codes-remark" maxLength={500} value={remark} onInput={(e) => setRemark(e.currentTarget.value)} />
        </div>
      </div>
      <label for="codes-user">{t('robots.gen.user')}</label>
      <select id="codes-user" value={userId} onChange={(e) => setUserId(e.currentTarget.value)} style={fieldStyle}>
        <option value="">{t('robots.gen.anyone')}</option>
        {props.users.map((u) => (
          <option key={u.userId} value={String(u.userId)}>
            {userLabel(u)}
          </option>
        ))}
      </select>
      <div class="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? t('robots.gen.generating') : t('robots.gen.submit')}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          {t('robots.gen.cancel')}
        </button>
      </div>
    </form>
  );
}

function NewCodes(props: { codes: NewCode[]; onDone(): void }) {
  const section = useRef<HTMLElement>(null);
  // The form (and its focused button) is gone: focus moves to the first code's Copy button.
  useEffect(() => section.current?.querySelector('button')?.focus(), []);
  return (
    <section ref={section} aria-labelledby="new-codes-title">
      <p class="notice" role="status">
        {t('robots.gen.ready', { count: props.codes.length })}
      </p>
      <h3 id="new-codes-title" class="muted" style={{ fontSize: '0.85rem', margin: '0 0 0.4rem', textTransform: 'uppercase', letterSpacing: '0.05em' }}>
        {t('robots.gen.new')}
      </h3>
      <ul style={{ listStyle: 'none', padding: 0, margin: 0, display: 'grid', gap: '0.5rem' }}>
        {props.codes.map((c) => (
          <li key={c.code}>
            <CopyText text={c.code} label={t('robots.codes.codeLabel', { code: c.code })} big={props.codes.length === 1} />
          </li>
        ))}
      </ul>
      <div class="form-actions">
        <button type="button" onClick={props.onDone}>
          {t('robots.gen.done')}
        </button>
      </div>
    </section>
  );
}

/** The dialog: the form, then the new codes. `onGenerated` lets the page refresh its list behind it. */
export function GenerateCodesDialog(props: { users: UserRow[]; onClose(): void; onGenerated(): void }) {
  const [made, setMade] = useState<NewCode[] | null>(null);
  return (
    <Dialog title={t('robots.gen.title')} onClose={props.onClose}>
      {made ? (
        <NewCodes codes={made} onDone={props.onClose} />
      ) : (
        <GenerateForm
          users={props.users}
          onCancel={props.onClose}
          onGenerated={(codes) => {
            setMade(codes);
            props.onGenerated();
          }}
        />
      )}
    </Dialog>
  );
}
