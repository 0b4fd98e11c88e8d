// "Try it": answer a sample message the way a robot would (POST /api/ai/try), optionally with a robot's
// AI settings or one provider first; nothing is sent to anyone. Shows the reply, who answered with
// which model and tokens, every provider tried, and the knowledge entry when the builtin answered.
// Without the tenant's AI consent the server refuses: the page says so and can turn it on.
import { useState } from 'preact/hooks';
import { api, ApiError, ErrorBanner, Page, Table, useApi } from 'plinth/plugin/ui';
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
      <h2 id="consent-title">AI processing is off for this tenant</h2>
      <p>
        No message is given to a model, not even the builtin responder, until the tenant's <code>ai_consent_enabled</code> setting is on (
        <code>PATCH {SETTINGS}</code>). Turn it on once your customers have agreed to AI replies.
      </p>
      <ErrorBanner error={error} />
      <button type="button" disabled={busy} onClick={() => void enable()}>
        {busy ? 'Turning on…' : 'Turn on AI processing'}
      </button>
    </section>
  );
}

function Result(props: { answer: Answer }) {
  const a = props.answer;
  return (
    <section class="card" aria-labelledby="answer-title">
      <h2 id="answer-title">Reply</h2>
      <blockquote
        style={{ margin: '0 0 1rem', padding: '0.6rem 0.9rem', borderLeft: '3px solid var(--accent)', background: 'var(--bg)', whiteSpace: 'pre-wrap' }}
      >
        {a.reply}
      </blockquote>
      <dl class="facts">
        <dt>Answered by</dt>
        <dd>
          <code>{a.provider}</code>
        </dd>
        <dt>Model</dt>
        <dd>{a.model || '—'}</dd>
        <dt>Tokens in / out</dt>
        <dd>
          {a.tokensIn.toLocaleString()} / {a.tokensOut.toLocaleString()}
        </dd>
        {a.provider === 'builtin' ? (
          <>
            <dt>Knowledge entry</dt>
            <dd>
              {a.entry ? (
                <>
                  <a href={withQuery(PAGES.knowledge, { q: a.entry.question })}>{a.entry.question}</a>{' '}
                  <span class="muted">
                    (#{a.entry.id}, {a.entry.score > 0 ? `score ${a.entry.score.toFixed(2)}` : 'a keyword rule'})
                  </span>
                </>
              ) : (
                <span class="muted">none matched: the fallback answer</span>
              )}
            </dd>
          </>
        ) : null}
      </dl>
      <Table
        caption="Providers tried, in order"
        rows={a.attempts}
        columns={[
          { label: 'Provider', value: (t) => <code>{t.provider}</code> },
          { label: 'Outcome', value: (t) => <Badge value={t.outcome} /> },
          { label: 'Latency', value: (t) => duration(t.latencyMs), class: 'num' },
          { label: 'Error', value: (t) => (t.error ? <span class="error-text">{t.error}</span> : '—') },
        ]}
      />
      <p class="muted" style={{ margin: '0.75rem 0 0', fontSize: '0.9rem' }}>
        Nothing was sent. Each attempt is in the <a href={PAGES.calls}>AI call log</a>.
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
    if (!text.trim()) return setError(new Error('Write a message to answer.'));
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
    setNotice('AI processing is on for this tenant.');
    settings.reload();
    if (text.trim()) ask();
  };

  return (
    <Page title="Try AI replies">
      <ErrorBanner error={robots.error ?? providers.error ?? settings.error} />
      {consentOff ? <ConsentOff onEnabled={enabled} /> : null}
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <form class="card" onSubmit={submit} noValidate aria-labelledby="try-title">
        <h2 id="try-title">A sample message</h2>
        <ErrorBanner error={error} />
        <label for="try-text">Message</label>
        <textarea
          id="try-text"
          rows={3}
          maxLength={20000}
          placeholder="e.g. when are you open?"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          style={{ ...fieldStyle, resize: 'vertical' }}
        />
        <div class="form-row">
          <div>
            <label for="try-robot">Answer as robot (optional)</label>
            <select id="try-robot" value={robotId} onChange={(e) => setRobotId(e.currentTarget.value)} style={fieldStyle}>
              <option value="">No robot: the tenant's providers</option>
              {(robots.data?.data.list ?? []).map((r) => (
                <option key={r.robotId} value={r.robotId}>
                  {r.name} ({r.aiMode}
                  {r.aiMode === 'third_party' && r.aiProvider ? `: ${r.aiProvider}` : ''})
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="try-provider">Provider first (optional)</label>
            <select id="try-provider" value={provider} onChange={(e) => setProvider(e.currentTarget.value)} style={fieldStyle}>
              <option value="">Automatic</option>
              <option value="builtin">builtin (the knowledge base only)</option>
              {(providers.data?.data.list ?? [])
                .filter((p) => p.enabled)
                .map((p) => (
                  <option key={p.name} value={p.name}>
                    {p.name} ({p.kind}
                    {p.model ? `, ${p.model}` : ''})
                  </option>
                ))}
            </select>
          </div>
        </div>
        <p class="muted" style={{ margin: '0.5rem 0 0', fontSize: '0.9rem' }}>
          Automatic tries the robot's provider (or the tenant's providers by priority) and ends at the builtin responder, as a robot's reply would.
        </p>
        <div class="form-actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Asking…' : 'Get a reply'}
          </button>
        </div>
      </form>
      {answer ? <Result answer={answer} /> : null}
    </Page>
  );
}
