// The editor's side cards for a saved workflow: the dry run, its versions and its secrets.
import { useState } from 'preact/hooks';
import { api, ErrorBanner, Table, Time, useApi } from 'plinth/plugin/ui';
import {
  Badge,
  BASE,
  codeStyle,
  ConfirmDialog,
  FieldMessages,
  JsonBlock,
  parseJson,
  plural,
  triggerText,
  useAction,
  type Definition,
  type Workflow,
} from './shared.js';

export interface DryRunResult {
  condition: { matched: boolean; errors: Array<{ path: string; message: string }> };
  definition_problems: Array<{ path: string; message: string }>;
  would_run: boolean;
  steps: Array<{ index: number; id: string; action: string; input: unknown; problems: Array<{ path: string; message: string }>; note?: string }>;
}

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
    if (parsed.error) return setError(new Error(`The sample payload ${parsed.error}`));
    void run(async () => props.onResult(await props.run(parsed.value)));
  };
  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="dry-run-title">
      <h2 id="dry-run-title">Dry run</h2>
      <p class="muted" style={{ marginTop: 0 }}>
        What the workflow in this editor (saved or not) would do with a sample payload: whether the condition matches and each step's input as rendered, checked
        against its action. Nothing runs.
      </p>
      {props.withoutSecrets ? (
        <p class="muted" style={{ fontSize: '0.85rem' }}>
          These are unsaved changes: they are dry-run as a draft, without the workflow's secrets (<code>{'{{secrets.…}}'}</code> renders empty). Save to dry-run
          with them (shown as [secret]).
        </p>
      ) : null}
      <ErrorBanner error={error} />
      <label for="dry-run-payload">Sample payload (JSON)</label>
      <textarea id="dry-run-payload" rows={5} spellcheck={false} value={text} onInput={(e) => setText(e.currentTarget.value)} style={codeStyle} />
      <div class="form-actions">
        <button type="submit" class="secondary" disabled={busy}>
          {busy ? 'Checking…' : 'Dry run'}
        </button>
        <button type="button" class="secondary" onClick={() => setText(props.draftSample())}>
          Sample from the condition
        </button>
      </div>
      {r ? (
        <div role="region" aria-label="Dry run result" style={{ marginTop: '1rem' }}>
          <p class={r.would_run ? 'notice' : 'error-banner'} role="status">
            {r.would_run ? 'It would run: the condition matches and every step’s input is valid.' : 'It would not run as it is: see below.'}
          </p>
          <dl class="facts">
            <dt>Condition</dt>
            <dd>
              {r.condition.matched ? <Badge value="matched" /> : <span class="badge badge-danger">not matched</span>}
              {r.condition.errors.length ? <FieldMessages id="dry-run-condition" messages={r.condition.errors.map((e) => `${e.path} ${e.message}`)} /> : null}
            </dd>
            {r.definition_problems.length ? (
              <>
                <dt>Definition</dt>
                <dd>
                  <FieldMessages id="dry-run-definition" messages={r.definition_problems.map((p) => `${p.path.replace(/^body\./, '')} ${p.message}`)} />
                </dd>
              </>
            ) : null}
          </dl>
          {r.steps.map((s) => (
            <section key={s.index} aria-label={`Dry run of step ${s.index + 1}: ${s.id}`} style={{ marginTop: '0.75rem' }}>
              <h3 style={{ fontSize: '0.95rem', margin: '0 0 0.25rem' }}>
                Step {s.index + 1} · {s.id} ({s.action}){' '}
                {s.problems.length ? <span class="badge badge-danger">{plural(s.problems.length, 'problem', 'problems')}</span> : <Badge value="ok" />}
              </h3>
              {s.note ? (
                <p class="muted" style={{ margin: 0 }}>
                  {s.note}
                </p>
              ) : null}
              <JsonBlock value={s.input} label={`Rendered input of step ${s.index + 1}`} />
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
      <h2 id="versions-title">Versions</h2>
      <ErrorBanner error={versions.error} />
      <Table
        caption="Every saved version, newest first; runs record the version they ran"
        rows={versions.data ?? []}
        rowKey={(v) => v.version}
        empty={versions.loading ? 'Loading…' : 'No versions.'}
        columns={[
          { label: 'Version', value: (v) => (v.version === props.workflow.version ? `${v.version} (current)` : String(v.version)), class: 'num' },
          { label: 'Saved', value: (v) => <Time value={v.created_at} /> },
          { label: 'Trigger', value: (v) => triggerText(v.trigger) },
          { label: 'Steps', value: (v) => v.steps.map((s) => s.action).join(' → ') },
          {
            label: 'Actions',
            value: (v) =>
              v.version === props.workflow.version ? null : (
                <button
                  type="button"
                  class="secondary small"
                  aria-label={`Load version ${v.version} into the editor`}
                  onClick={() => props.onLoad(v, v.version)}
                >
                  Load into editor
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
      <h2 id="secrets-title">Secrets</h2>
      <p class="muted" style={{ marginTop: 0 }}>
        Steps use them as <code>{'{{secrets.name}}'}</code>. Values are write-only: never shown, never exported, and shown as <code>[secret]</code> in runs.
      </p>
      {removing ? (
        <ConfirmDialog
          title={`Remove the secret “${removing}”?`}
          action="Remove"
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await api(`${BASE}/${props.workflow.id}/secrets`, { method: 'PATCH', body: { secrets: { [removing]: null } } });
            props.onChanged();
          }}
        >
          <p>Steps that use it will get an empty value.</p>
        </ConfirmDialog>
      ) : null}
      <ErrorBanner error={error} />
      {names.length ? (
        <ul style={{ margin: '0 0 0.5rem', paddingLeft: '1.1rem' }}>
          {names.map((n) => (
            <li key={n}>
              <code>{n}</code>{' '}
              {props.workflow.missing_secrets.includes(n) ? (
                <span class="badge badge-warn">used but not set</span>
              ) : (
                <>
                  <span class="badge badge-ok">set</span>{' '}
                  <button type="button" class="danger small" aria-label={`Remove the secret ${n}`} onClick={() => setRemoving(n)}>
                    Remove
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      <div class="inline-form">
        <div>
          <label for="secret-name">Name</label>
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
          <label for="secret-value">Value</label>
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
          Set secret
        </button>
      </div>
    </form>
  );
}
