// "Try it": answer a sample message the way a robot would (POST /api/ai/try), optionally with a robot's
// AI settings or one provider first; nothing is sent to anyone. Shows the reply, who answered with
// which model and tokens, every provider tried, and the knowledge entry when the builtin answered.
// Without the tenant's AI consent the server refuses: the page says so and can turn it on.
import { useState } from 'preact/hooks';
import { api, ApiError, ErrorBanner, formatNumber, Page, Table, t, tx, useApi } from 'plinth/plugin/ui';
import { Badge, BASE, duration, fieldStyle, PAGES, useAction, useRobots, withQuery, type List, type ProviderRow, type Reply } from './shared.js';

/** POST /api/ai/try. */
interface Answer {
  reply: string;
  provider: string;
  model: string;
  tokensIn: number;
  tokensOut: number;
  attempts: Array<{ provider: string; outcome: string; latencyMs: number; error?: string }>;
  entry: { id: number; question: string; score: number } | null;
}

/** The auth plugin's tenant settings (GET/PATCH /api/v2/tenant/settings). */
const SETTINGS = '/api/v2/tenant/settings';

/** AI consent is off: what that means, and a button that turns it on (this page is for owners and admins). */
function ConsentOff(props: { onEnabled(): void }) {
  const { error, busy, run } = useAction();
  const enable = () =>
    run(async () => {
      await api(SETTINGS, { method: 'PATCH', body: { ai_consent_enabled: true } });
      props.onEnabled();
    });
  return (
    <section class="callout-warning" aria-labelledby="consent-title">
      <h2 id="consent-title">{t('ai.try.consent.title')}</h2>
      <p>{tx('ai.try.consent.body', { path: SETTINGS, code: (text: string) => <code>{text}</code> })}</p>
      <ErrorBanner error={error} />
      <button type="button" disabled={busy} onClick={() => void enable()}>
        {busy ? t('ai.try.consent.turningOn') : t('ai.try.consent.turnOn')}
      </button>
    </section>
  );
}

function Result(props: { answer: Answer }) {
  const a = props.answer;
  return (
    <section class="card" aria-labelledby="answer-title">
      <h2 id="answer-title">{t('ai.try.reply')}</h2>
      <blockquote
        style={{ margin: '0 0 1rem', padding: '0.6rem 0.9rem', borderLeft: '3px solid var(--accent)', background: 'var(--bg)', whiteSpace: 'pre-wrap' }}
      >
        {a.reply}
      </blockquote>
      <dl class="facts">
        <dt>{t('ai.try.answeredBy')}</dt>
        <dd>
          <code>{a.provider}</code>
        </dd>
        <dt>{t('ai.try.model')}</dt>
        <dd>{a.model || '—'}</dd>
        <dt>{t('ai.try.tokens')}</dt>
        <dd>
          {formatNumber(a.tokensIn)} / {formatNumber(a.tokensOut)}
        </dd>
        {a.provider === 'builtin' ? (
          <>
            <dt>{t('ai.try.entry')}</dt>
            <dd>
              {a.entry ? (
                <>
                  <a href={withQuery(PAGES.knowledge, { q: a.entry.question })}>{a.entry.question}</a>{' '}
                  <span class="muted">
                    {t('ai.try.entryScore', {
                      id: a.entry.id,
                      score: a.entry.score > 0 ? t('ai.try.score', { score: a.entry.score.toFixed(2) }) : t('ai.try.keywordRule'),
                    })}
                  </span>
                </>
              ) : (
                <span class="muted">{t('ai.try.noMatch')}</span>
              )}
            </dd>
          </>
        ) : null}
      </dl>
      <Table
        caption={t('ai.try.attempts')}
        rows={a.attempts}
        columns={[
          { label: t('ai.try.col.provider'), value: (a) => <code>{a.provider}</code> },
          { label: t('ai.try.col.outcome'), value: (a) => <Badge value={a.outcome} /> },
          { label: t('ai.try.col.latency'), value: (a) => duration(a.latencyMs), class: 'num' },
          { label: t('ai.try.col.error'), value: (a) => (a.error ? <span class="error-text">{a.error}</span> : '—') },
        ]}
      />
      <p class="muted" style={{ margin: '0.75rem 0 0', fontSize: '0.9rem' }}>
        {tx('ai.try.nothingSent', { link: (text: string) => <a href={PAGES.calls}>{text}</a> })}
      </p>
    </section>
  );
}

export function TryPage() {
  const [text, setText] = useState('');
  const [robotId, setRobotId] = useState('');
  const [provider, setProvider] = useState('');
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const { error, setError, busy, run } = useAction();
  const robots = useRobots();
  const providers = useApi<Reply<List<ProviderRow>>>(`${BASE}/ai/providers`);
  const settings = useApi<{ ai_consent_enabled: boolean }>(SETTINGS);
  const consentOff = settings.data?.ai_consent_enabled === false;

  const ask = () => {
    setAnswer(null);
    if (!text.trim()) return setError(new Error(t('ai.try.missing')));
    void run(async () => {
      try {
        const body = { text: text.trim(), ...(robotId ? { robotId } : {}), ...(provider ? { provider } : {}) };
        setAnswer((await api<Reply<Answer>>(`${BASE}/ai/try`, { body })).data);
      } catch (err) {
        if (err instanceof ApiError && err.status === 403) settings.reload(); // consent may have been turned off elsewhere
        throw err;
      }
    });
  };
  const submit = (event: Event) => {
    event.preventDefault();
    ask();
  };
  /** Consent was just turned on: ask again what was refused. */
  const enabled = () => {
    setError(null);
    setNotice(t('ai.try.consent.on'));
    settings.reload();
    if (text.trim()) ask();
  };

  return (
    <Page title={t('ai.try.title')}>
      <ErrorBanner error={robots.error ?? providers.error ?? settings.error} />
      {consentOff ? <ConsentOff onEnabled={enabled} /> : null}
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <form class="card" onSubmit={submit} noValidate aria-labelledby="try-title">
        <h2 id="try-title">{t('ai.try.sample')}</h2>
        <ErrorBanner error={error} />
        <label for="try-text">{t('ai.try.message')}</label>
        <textarea
          id="try-text"
          rows={3}
          maxLength={20000}
          placeholder={t('ai.try.placeholder')}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          style={{ ...fieldStyle, resize: 'vertical' }}
        />
        <div class="form-row">
          <div>
            <label for="try-robot">{t('ai.try.robot')}</label>
            <select id="try-robot" value={robotId} onChange={(e) => setRobotId(e.currentTarget.value)} style={fieldStyle}>
              <option value="">{t('ai.try.noRobot')}</option>
              {(robots.data?.data.list ?? []).map((r) => (
                <option key={r.robotId} value={r.robotId}>
                  {r.name} ({t('ai.try.mode', { mode: r.aiMode })}
                  {r.aiMode === 'third_party' && r.aiProvider ? `: ${r.aiProvider}` : ''})
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="try-provider">{t('ai.try.providerFirst')}</label>
            <select id="try-provider" value={provider} onChange={(e) => setProvider(e.currentTarget.value)} style={fieldStyle}>
              <option value="">{t('ai.try.automatic')}</option>
              <option value="builtin">{t('ai.try.builtinOnly')}</option>
              {(providers.data?.data.list ?? [])
                .filter((p) => p.enabled)
                .map((p) => (
                  <option key={p.name} value={p.name}>
                    {p.name} ({t('ai.providers.kind', { kind: p.kind })}
                    {p.model ? `, ${p.model}` : ''})
                  </option>
                ))}
            </select>
          </div>
        </div>
        <p class="muted" style={{ margin: '0.5rem 0 0', fontSize: '0.9rem' }}>
          {t('ai.try.automaticHint')}
        </p>
        <div class="form-actions">
          <button type="submit" disabled={busy}>
            {busy ? t('ai.try.asking') : t('ai.try.submit')}
          </button>
        </div>
      </form>
      {answer ? <Result answer={answer} /> : null}
    </Page>
  );
}
