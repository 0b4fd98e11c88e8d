// The workflow editor (owners and admins): name; the trigger (an event from the catalogue with its
// plugin and payload schema, a cron expression, a webhook whose URL and secret are shown once, or
// manual); the condition as a JSON Schema; the ordered steps, each an action from the catalogue
// with a form generated from its input schema and its retry settings. Saving a changed trigger,
// condition or steps makes a new version. A dry run shows what a sample payload would do.
// ?id=<uuid> edits a saved workflow; without it the page makes a new one.
import { useMemo, useState } from 'preact/hooks';
import { api, ErrorBanner, Page, t, Time, tx, useApi, useQueryParam } from 'plinth/plugin/ui';
import { sampleText } from './sample.js';
import {
  Badge,
  BASE,
  ConfirmDialog,
  editHref,
  errorsUnder,
  fieldErrors,
  FieldMessages,
  fieldStyle,
  go,
  isPlainObject,
  PAGES,
  parseJson,
  RunNowDialog,
  runsOfHref,
  useAction,
  type ActionInfo,
  type EventInfo,
  type Workflow,
} from './shared.js';

import { type StepDraft, type Draft, type Reveal, stepDraft, toDraft, BLANK, freshId, toDefinition, savedDefinition, sameJson } from './editor-draft.js';
import { TriggerCard, ConditionCard } from './editor-trigger.js';
import { StepEditor } from './editor-step.js';
import { type DryRunResult, DryRunCard, VersionsCard, SecretsCard } from './editor-cards.js';

function EditorForm(props: {
  workflow?: Workflow;
  actions: ActionInfo[] | undefined;
  events: EventInfo[] | undefined;
  onSaved(w: Workflow, notice: string, reveal: Reveal | null): void;
  reveal: Reveal | null;
  notice: string | null;
  reload(): void;
}) {
  const { workflow } = props;
  const [draft, setDraft] = useState<Draft>(() => (workflow ? toDraft(workflow) : { ...BLANK, steps: [] }));
  const [generation, setGeneration] = useState(0);
  const [dry, setDry] = useState<DryRunResult | null>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [runNow, setRunNow] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [loadedVersion, setLoadedVersion] = useState<number | null>(null);
  const { error, setError, busy, run } = useAction();
  const set = (patch: Partial<Draft>) => {
    setLocal({});
    setDraft((d) => ({ ...d, ...patch }));
  };
  const setSteps = (f: (steps: StepDraft[]) => StepDraft[]) => {
    setLocal({});
    setDraft((d) => ({ ...d, steps: f(d.steps) }));
  };
  const errors = { ...fieldErrors(error), ...local };
  const selectedEvent = props.events?.find((e) => e.name === draft.event);
  // From the event's payload and the saved condition (not the draft's: typing in it would restart the dry run's text).
  const sample = useMemo(
    () => sampleText(draft.trigger === 'event' ? selectedEvent?.schema : null, workflow?.condition),
    [selectedEvent?.name, draft.trigger, workflow?.condition],
  );
  // The condition being edited, when it parses (the builder and the raw JSON write the same text).
  const draftSample = () => {
    const parsed = draft.condition.trim() ? parseJson(draft.condition) : { value: null };
    return sampleText(draft.trigger === 'event' ? selectedEvent?.schema : null, isPlainObject(parsed.value) ? parsed.value : null);
  };
  const dirty = workflow
    ? !sameJson(toDefinition(draft).definition, savedDefinition(workflow)) || draft.name !== workflow.name || draft.description !== workflow.description
    : true;

  const addStep = () => setSteps((steps) => [...steps, stepDraft({ id: freshId('step', steps) })]);
  const move = (i: number, by: number) =>
    setSteps((steps) => {
      const next = [...steps];
      const [s] = next.splice(i, 1);
      next.splice(i + by, 0, s);
      return next;
    });

  const save = (event: Event) => {
    event.preventDefault();
    const { definition, problems } = toDefinition(draft);
    if (!draft.name.trim()) problems.name = t('workflows.editor.problem.name');
    if (!definition.steps.length) problems.steps = t('workflows.editor.problem.steps');
    definition.steps.forEach((s, i) => {
      if (!s.action) problems[`steps.${i}.action`] = t('workflows.editor.problem.action');
    });
    setLocal(problems);
    if (Object.keys(problems).length) {
      setError(new Error(t('workflows.editor.notSaved', { count: Object.keys(problems).length })));
      return;
    }
    void run(async () => {
      if (!workflow) {
        const created = await api<Workflow>(BASE, { body: { name: draft.name.trim(), description: draft.description, enabled: draft.enabled, ...definition } });
        props.onSaved(
          created,
          t('workflows.editor.created', { name: created.name, enabled: String(created.enabled) }),
          created.webhook?.url || created.webhook?.secret ? { url: created.webhook.url ?? null, secret: created.webhook.secret ?? null } : null,
        );
        return;
      }
      const changed = !sameJson(definition, savedDefinition(workflow));
      const body: Record<string, unknown> = { name: draft.name.trim(), description: draft.description, ...(changed ? definition : {}) };
      const saved = await api<Workflow>(`${BASE}/${workflow.id}`, { method: 'PATCH', body });
      const reveal = saved.webhook?.url || saved.webhook?.secret ? { url: saved.webhook.url ?? null, secret: saved.webhook.secret ?? null } : null;
      props.onSaved(saved, t(changed ? 'workflows.editor.savedVersion' : 'workflows.editor.savedUnchanged', { version: saved.version }), reveal);
    });
  };

  const dryRun = async (payload: unknown): Promise<DryRunResult> => {
    const { definition, problems } = toDefinition(draft);
    if (Object.keys(problems).length) {
      setLocal(problems);
      throw new Error(t('workflows.editor.fixAbove', { count: Object.keys(problems).length }));
    }
    if (workflow && !dirty) return api<DryRunResult>(`${BASE}/${workflow.id}/dry-run`, { body: { payload } });
    return api<DryRunResult>(`${BASE}/dry-run`, { body: { ...definition, payload } });
  };

  const dryProblems = (i: number) => dry?.steps.find((s) => s.index === i)?.problems.map((p) => `${p.path} ${p.message}`);
  const nameError = errors.name ? [errors.name] : [];

  return (
    <>
      {runNow && workflow ? <RunNowDialog workflow={workflow} onClose={() => setRunNow(false)} /> : null}
      {rotating && workflow ? (
        <ConfirmDialog
          title={t('workflows.editor.rotate.title')}
          action={t('workflows.editor.rotate.action')}
          onClose={() => setRotating(false)}
          onConfirm={async () => {
            const rotated = await api<Workflow>(`${BASE}/${workflow.id}/webhook/rotate`, { method: 'POST' });
            props.onSaved(rotated, t('workflows.editor.rotate.done'), {
              url: rotated.webhook?.url ?? null,
              secret: rotated.webhook?.secret ?? null,
            });
          }}
        >
          <p>{t('workflows.editor.rotate.body', { signed: String(Boolean(workflow.webhook?.signed)) })}</p>
        </ConfirmDialog>
      ) : null}
      {props.notice ? (
        <p class="notice" role="status">
          {props.notice}
        </p>
      ) : null}
      {loadedVersion !== null ? (
        <p class="notice" role="status">
          {t('workflows.editor.loadedVersion', { version: loadedVersion })}
        </p>
      ) : null}
      {workflow?.missing_secrets.length ? (
        <p class="error-banner" role="alert">
          {t('workflows.editor.missingSecrets', { names: workflow.missing_secrets.join(', ') })}
        </p>
      ) : null}
      {workflow ? (
        <section class="card" aria-label={t('workflows.editor.status')}>
          <div class="inline-form" style={{ margin: 0, alignItems: 'center' }}>
            <span>
              {tx('workflows.editor.versionLine', {
                version: workflow.version,
                strong: (text: string) => <strong>{text}</strong>,
                status: <Badge value={workflow.enabled ? 'enabled' : 'disabled'} />,
                time: <Time value={workflow.updated_at} />,
              })}
            </span>
            <div class="grow" />
            <button
              type="button"
              class="secondary"
              disabled={busy}
              onClick={() =>
                run(async () => {
                  const w = await api<Workflow>(`${BASE}/${workflow.id}/${workflow.enabled ? 'disable' : 'enable'}`, { method: 'POST' });
                  props.onSaved(w, t(w.enabled ? 'workflows.editor.enabled' : 'workflows.editor.disabled'), null);
                })
              }
            >
              {t(workflow.enabled ? 'workflows.editor.disable' : 'workflows.editor.enable')}
            </button>
            <button
              type="button"
              class="secondary"
              disabled={!workflow.enabled || dirty}
              title={dirty ? t('workflows.editor.saveFirst') : workflow.enabled ? undefined : t('workflows.editor.enableFirst')}
              onClick={() => setRunNow(true)}
            >
              {t('workflows.editor.runNow')}
            </button>
            <button type="button" class="secondary" onClick={() => go(runsOfHref(workflow.id))}>
              {t('workflows.editor.runs')}
            </button>
          </div>
        </section>
      ) : null}
      <form onSubmit={save} noValidate aria-label={t('workflows.editor.workflow')}>
        <ErrorBanner error={error} />
        <section class="card" aria-labelledby="about-title">
          <h2 id="about-title">{t('workflows.editor.workflow')}</h2>
          <label for="workflow-name">{t('workflows.editor.name')}</label>
          <input
            id="workflow-name"
            autoComplete="off"
            maxLength={200}
            value={draft.name}
            onInput={(e) => set({ name: e.currentTarget.value })}
            aria-describedby="workflow-name-error"
            aria-invalid={nameError.length ? true : undefined}
          />
          <FieldMessages id="workflow-name-error" messages={nameError} />
          <label for="workflow-description">{t('workflows.editor.description')}</label>
          <textarea
            id="workflow-description"
            rows={2}
            maxLength={2000}
            value={draft.description}
            onInput={(e) => set({ description: e.currentTarget.value })}
            style={{ ...fieldStyle, resize: 'vertical' }}
          />
          {!workflow ? (
            <div class="checks">
              <label>
                <input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.currentTarget.checked })} />{' '}
                {t('workflows.editor.enabledOnceSaved')}
              </label>
            </div>
          ) : null}
        </section>
        <TriggerCard
          draft={draft}
          set={set}
          events={props.events}
          errors={errors}
          workflow={workflow}
          reveal={props.reveal}
          onRotate={() => setRotating(true)}
        />
        <ConditionCard draft={draft} set={set} messages={errorsUnder(errors, 'condition')} event={selectedEvent} />
        <section class="card" aria-labelledby="steps-title">
          <h2 id="steps-title">{t('workflows.editor.steps')}</h2>
          <p class="muted" style={{ marginTop: 0 }}>
            {tx('workflows.editor.stepsHint', {
              trigger: <code>{'{{trigger.code}}'}</code>,
              step: <code>{'{{steps.<id>.body}}'}</code>,
              secret: <code>{'{{secrets.name}}'}</code>,
              run: <code>{'{{run.id}}'}</code>,
            })}
          </p>
          {draft.steps.map((step, i) => (
            <StepEditor
              key={`${generation}-${step.key}`}
              step={step}
              index={i}
              count={draft.steps.length}
              actions={props.actions}
              errors={errors}
              problems={dryProblems(i)}
              idFor={(action) => freshId(action, draft.steps, step)}
              onChange={(update) => setSteps((steps) => steps.map((s) => (s.key === step.key ? update(s) : s)))}
              onMove={(by) => move(i, by)}
              onRemove={() => setSteps((steps) => steps.filter((s) => s.key !== step.key))}
            />
          ))}
          {!draft.steps.length ? <p class="muted">{t('workflows.editor.noSteps')}</p> : null}
          <FieldMessages id="steps-errors" messages={errors.steps ? [errors.steps] : []} />
          <button type="button" class="secondary" onClick={addStep}>
            {t('workflows.editor.addStep')}
          </button>
        </section>
        <div class="form-actions" style={{ marginBottom: '1.25rem' }}>
          <button type="submit" disabled={busy}>
            {t(busy ? 'workflows.editor.saving' : workflow ? 'workflows.editor.save' : 'workflows.editor.create')}
          </button>
          {workflow ? <span class="muted">{t('workflows.editor.versionHint', { dirty: String(dirty) })}</span> : null}
        </div>
      </form>
      <DryRunCard
        key={sample}
        sample={sample}
        draftSample={draftSample}
        run={dryRun}
        result={dry}
        onResult={setDry}
        withoutSecrets={Boolean(workflow && dirty && workflow.secrets.length)}
      />
      {workflow ? (
        <>
          <SecretsCard workflow={workflow} onChanged={props.reload} />
          <VersionsCard
            workflow={workflow}
            onLoad={(definition, version) => {
              setDraft((d) => ({ ...toDraft({ name: d.name, description: d.description, enabled: d.enabled, ...definition }) }));
              setGeneration((g) => g + 1);
              setLoadedVersion(version);
              scrollTo({ top: 0 });
            }}
          />
        </>
      ) : null}
    </>
  );
}

/** The editor of one saved workflow (?id=…), reloaded after each save. */
function ExistingEditor(props: {
  id: string;
  actions: ActionInfo[] | undefined;
  events: EventInfo[] | undefined;
  flash: Flash | null;
  setFlash(f: Flash | null): void;
}) {
  const wf = useApi<Workflow>(`${BASE}/${props.id}`);
  const [saved, setSaved] = useState<Workflow | null>(null);
  const [generation, setGeneration] = useState(0);
  const workflow = saved ?? wf.data;
  const flash = props.flash?.id === props.id ? props.flash : null;
  if (!workflow) {
    return (
      <Page title={t('workflows.editor.editTitle')}>
        <ErrorBanner error={wf.error} />
        {wf.loading ? <p class="muted">{t('workflows.loading')}</p> : null}
        <p>
          <a href={PAGES.list}>{t('workflows.editor.allWorkflows')}</a>
        </p>
      </Page>
    );
  }
  return (
    <Page title={workflow.name} actions={<a href={PAGES.list}>{t('workflows.editor.allWorkflows')}</a>}>
      <EditorForm
        key={`${workflow.id}-${generation}`}
        workflow={workflow}
        actions={props.actions}
        events={props.events}
        reveal={flash?.reveal ?? null}
        notice={flash?.notice ?? null}
        reload={() => {
          // Secrets changed: the workflow's facts, not the draft being edited.
          void api<Workflow>(`${BASE}/${props.id}`).then(setSaved, () => wf.reload());
        }}
        onSaved={(w, notice, reveal) => {
          props.setFlash({ id: w.id, notice, reveal });
          setSaved(w);
          setGeneration((g) => g + 1);
        }}
      />
    </Page>
  );
}

/** What the last save said, for the workflow it was about. */
interface Flash {
  id: string;
  notice: string;
  reveal: Reveal | null;
}

/** /admin/workflows/edit: a new workflow, or ?id=… to edit one. */
export function EditorPage() {
  const id = useQueryParam('id');
  const actions = useApi<ActionInfo[]>(`${BASE}/actions`);
  const events = useApi<EventInfo[]>(`${BASE}/events`);
  // Kept above the keyed editors: the notice and the webhook reveal survive the move to ?id=… after a create.
  const [flash, setFlash] = useState<Flash | null>(null);
  const catalogueError = actions.error ?? events.error;
  if (id) {
    return (
      <>
        <ErrorBanner error={catalogueError} />
        <ExistingEditor key={id} id={id} actions={actions.data} events={events.data} flash={flash} setFlash={setFlash} />
      </>
    );
  }
  return (
    <Page title={t('workflows.editor.newTitle')} actions={<a href={PAGES.list}>{t('workflows.editor.allWorkflows')}</a>}>
      <ErrorBanner error={catalogueError} />
      <EditorForm
        actions={actions.data}
        events={events.data}
        reveal={null}
        notice={null}
        reload={() => undefined}
        onSaved={(w, notice, reveal) => {
          setFlash({ id: w.id, notice, reveal });
          go(editHref(w.id));
        }}
      />
    </Page>
  );
}
