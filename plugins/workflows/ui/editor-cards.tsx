// The editor's side cards for a saved workflow: the dry run, its versions and its secrets.
import { useState } from 'preact/hooks';
import { api, ErrorBanner, Table, t, Time, tx, useApi } from 'plinth/plugin/ui';
import { BASE, codeStyle, ConfirmDialog, FieldMessages, JsonBlock, parseJson, triggerText, useAction, type Definition, type Workflow } from './shared.js';

export interface DryRunResult {
  condition: { matched: boolean; errors: Array<{ path: string; message: string }> };
  definition_problems: Array<{ path: string; message: string }>;
  would_run: boolean;
  steps: Array<{ index: number; id: string; action: string; input: unknown; problems: Array<{ path: string; message: string }>; note?: string }>;
}

/** The dry run's note on a step: the server's words, in the UI's language for the action whose note it is (a delay parks the run). */
const stepNote = (s: DryRunResult['steps'][number]) => (s.action === 'delay' ? t('workflows.editor.dryRun.delayNote') : s.note);

export function DryRunCard(props: {
  run(payload: unknown): Promise<DryRunResult>;
  result: DryRunResult | null;
  onResult(r: DryRunResult | null): void;
  sample: string;
  /** A fresh sample from the trigger and the condition in the editor now (saved or not). */
  draftSample(): string;
  withoutSecrets: boolean;
}) {
  const [text, setText] = useState(props.sample);
  const { error, setError, busy, run } = useAction();
  const r = props.result;
  const submit = (event: Event) => {
    event.preventDefault();
    const parsed = parseJson(text.trim() || '{}');
    if (parsed.error) return setError(new Error(t('workflows.editor.dryRun.badPayload', { error: parsed.error })));
    void run(async () => props.onResult(await props.run(parsed.value)));
  };
  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="dry-run-title">
      <h2 id="dry-run-title">{t('workflows.editor.dryRun.title')}</h2>
      <p class="muted" style={{ marginTop: 0 }}>
        {t('workflows.editor.dryRun.intro')}
      </p>
      {props.withoutSecrets ? (
        <p class="muted" style={{ fontSize: '0.85rem' }}>
          {tx('workflows.editor.dryRun.withoutSecrets', { template: <code>{'{{secrets.…}}'}</code>, masked: <code>[secret]</code> })}
        </p>
      ) : null}
      <ErrorBanner error={error} />
      <label for="dry-run-payload">{t('workflows.editor.dryRun.payload')}</label>
      <textarea id="dry-run-payload" rows={5} spellcheck={false} value={text} onInput={(e) => setText(e.currentTarget.value)} style={codeStyle} />
      <div class="form-actions">
        <button type="submit" class="secondary" disabled={busy}>
          {t(busy ? 'workflows.editor.dryRun.checking' : 'workflows.editor.dryRun.run')}
        </button>
        <button type="button" class="secondary" onClick={() => setText(props.draftSample())}>
          {t('workflows.editor.dryRun.sample')}
        </button>
      </div>
      {r ? (
        <div role="region" aria-label={t('workflows.editor.dryRun.result')} style={{ marginTop: '1rem' }}>
          <p class={r.would_run ? 'notice' : 'error-banner'} role="status">
            {t(r.would_run ? 'workflows.editor.dryRun.wouldRun' : 'workflows.editor.dryRun.wouldNotRun')}
          </p>
          <dl class="facts">
            <dt>{t('workflows.editor.dryRun.condition')}</dt>
            <dd>
              {r.condition.matched ? (
                <span class="badge">{t('workflows.editor.dryRun.matched')}</span>
              ) : (
                <span class="badge badge-danger">{t('workflows.editor.dryRun.notMatched')}</span>
              )}
              {r.condition.errors.length ? <FieldMessages id="dry-run-condition" messages={r.condition.errors.map((e) => `${e.path} ${e.message}`)} /> : null}
            </dd>
            {r.definition_problems.length ? (
              <>
                <dt>{t('workflows.editor.dryRun.definition')}</dt>
                <dd>
                  <FieldMessages id="dry-run-definition" messages={r.definition_problems.map((p) => `${p.path.replace(/^body\./, '')} ${p.message}`)} />
                </dd>
              </>
            ) : null}
          </dl>
          {r.steps.map((s) => (
            <section key={s.index} aria-label={t('workflows.editor.dryRun.stepLabel', { n: s.index + 1, id: s.id })} style={{ marginTop: '0.75rem' }}>
              <h3 style={{ fontSize: '0.95rem', margin: '0 0 0.25rem' }}>
                {tx('workflows.editor.dryRun.stepTitle', { n: s.index + 1, id: s.id, action: <span translate={false}>{s.action}</span> })}{' '}
                {s.problems.length ? (
                  <span class="badge badge-danger">{t('workflows.editor.dryRun.problems', { count: s.problems.length })}</span>
                ) : (
                  <span class="badge">{t('workflows.editor.dryRun.ok')}</span>
                )}
              </h3>
              {s.note ? (
                <p class="muted" style={{ margin: 0 }}>
                  {stepNote(s)}
                </p>
              ) : null}
              <JsonBlock value={s.input} label={t('workflows.editor.dryRun.renderedInput', { n: s.index + 1 })} />
              <FieldMessages id={`dry-run-step-${s.index}`} messages={s.problems.map((p) => `${p.path} ${p.message}`)} />
            </section>
          ))}
        </div>
      ) : null}
    </form>
  );
}

export function VersionsCard(props: { workflow: Workflow; onLoad(definition: Definition, version: number): void }) {
  const versions = useApi<Array<Definition & { version: number; created_by: string | null; created_at: string }>>(`${BASE}/${props.workflow.id}/versions`);
  return (
    <section class="card" aria-labelledby="versions-title">
      <h2 id="versions-title">{t('workflows.editor.versions.title')}</h2>
      <ErrorBanner error={versions.error} />
      <Table
        caption={t('workflows.editor.versions.caption')}
        rows={versions.data ?? []}
        rowKey={(v) => v.version}
        empty={versions.loading ? t('workflows.loading') : t('workflows.editor.versions.empty')}
        columns={[
          {
            label: t('workflows.editor.versions.col.version'),
            value: (v) => t('workflows.editor.versions.number', { version: v.version, current: String(v.version === props.workflow.version) }),
            class: 'num',
          },
          { label: t('workflows.editor.versions.col.saved'), value: (v) => <Time value={v.created_at} /> },
          { label: t('workflows.editor.versions.col.trigger'), value: (v) => triggerText(v.trigger) },
          // Action names are identifiers (templates and the API use them), not words to translate.
          { label: t('workflows.editor.versions.col.steps'), value: (v) => <span translate={false}>{v.steps.map((s) => s.action).join(' → ')}</span> },
          {
            label: t('workflows.editor.versions.col.actions'),
            value: (v) =>
              v.version === props.workflow.version ? null : (
                <button
                  type="button"
                  class="secondary small"
                  aria-label={t('workflows.editor.versions.loadLabel', { version: v.version })}
                  onClick={() => props.onLoad(v, v.version)}
                >
                  {t('workflows.editor.versions.load')}
                </button>
              ),
          },
        ]}
      />
    </section>
  );
}

export function SecretsCard(props: { workflow: Workflow; onChanged(): void }) {
  const [name, setName] = useState(props.workflow.missing_secrets[0] ?? '');
  const [value, setValue] = useState('');
  const [removing, setRemoving] = useState<string | null>(null);
  const { error, busy, run } = useAction();
  const save = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      await api(`${BASE}/${props.workflow.id}/secrets`, { method: 'PATCH', body: { secrets: { [name.trim()]: value } } });
      setValue('');
      setName('');
      props.onChanged();
    });
  };
  const names = [...new Set([...props.workflow.secrets, ...props.workflow.missing_secrets])].sort();
  return (
    <form class="card" onSubmit={save} noValidate aria-labelledby="secrets-title">
      <h2 id="secrets-title">{t('workflows.editor.secrets.title')}</h2>
      <p class="muted" style={{ marginTop: 0 }}>
        {tx('workflows.editor.secrets.intro', { template: <code>{'{{secrets.name}}'}</code>, masked: <code>[secret]</code> })}
      </p>
      {removing ? (
        <ConfirmDialog
          title={t('workflows.editor.secrets.removeTitle', { name: removing })}
          action={t('workflows.editor.secrets.remove')}
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await api(`${BASE}/${props.workflow.id}/secrets`, { method: 'PATCH', body: { secrets: { [removing]: null } } });
            props.onChanged();
          }}
        >
          <p>{t('workflows.editor.secrets.removeBody')}</p>
        </ConfirmDialog>
      ) : null}
      <ErrorBanner error={error} />
      {names.length ? (
        <ul style={{ margin: '0 0 0.5rem', paddingLeft: '1.1rem' }}>
          {names.map((n) => (
            <li key={n}>
              <code>{n}</code>{' '}
              {props.workflow.missing_secrets.includes(n) ? (
                <span class="badge badge-warn">{t('workflows.editor.secrets.notSet')}</span>
              ) : (
                <>
                  <span class="badge badge-ok">{t('workflows.editor.secrets.set')}</span>{' '}
                  <button type="button" class="danger small" aria-label={t('workflows.editor.secrets.removeLabel', { name: n })} onClick={() => setRemoving(n)}>
                    {t('workflows.editor.secrets.remove')}
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      <div class="inline-form">
        <div>
          <label for="secret-name">{t('workflows.editor.secrets.name')}</label>
          <input
            id="secret-name"
            autoComplete="off"
            spellcheck={false}
            maxLength={40}
            placeholder="webhook_secret"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </div>
        <div class="grow">
          <label for="secret-value">{t('workflows.editor.secrets.value')}</label>
          <input
            id="secret-value"
            type="password"
            autoComplete="new-password"
            maxLength={4096}
            value={value}
            onInput={(e) => setValue(e.currentTarget.value)}
          />
        </div>
        <button type="submit" class="secondary" disabled={busy || !name.trim() || !value}>
          {t('workflows.editor.secrets.submit')}
        </button>
      </div>
    </form>
  );
}
