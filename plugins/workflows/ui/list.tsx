// Longer than most (~500 lines): the list and its three creation dialogs share the page's state; the dialogs are next to split out.
// The workflows list: name, trigger, enabled (a toggle for owners and admins), version and the last
// run; search and filters in the URL. Owners and admins create one (blank, from a ready-made
// template, or by importing an exported JSON document), run one now, export, and delete (confirmed).
import { useEffect, useState } from 'preact/hooks';
import { api, CopyText, Dialog, ErrorBanner, formatList, Page, Table, Time, t, tOr, tx, useApi, useQueryParam } from 'plinth/plugin/ui';
import { SchemaForm } from './schema-form.js';
import {
  Badge,
  BASE,
  codeStyle,
  ConfirmDialog,
  editHref,
  fieldErrors,
  fieldStyle,
  go,
  isPlainObject,
  JsonBlock,
  PAGES,
  Pager,
  pageNumber,
  parseJson,
  RunNowDialog,
  runHref,
  runsOfHref,
  setFilter,
  statusText,
  TRIGGER_TYPES,
  triggerText,
  useAction,
  useCanManage,
  withQuery,
  type Definition,
  type JsonSchema,
  type PageOf,
  type RunSummary,
  type Workflow,
} from './shared.js';

const PAGE_SIZE = 20;

/** The newest run of a workflow (one small request per row: the list shows at most a page). */
function LastRun(props: { workflowId: string }) {
  const runs = useApi<PageOf<RunSummary>>(withQuery(`${BASE}/runs`, { workflow_id: props.workflowId, page_size: 1 }));
  const last = runs.data?.items[0];
  if (runs.error) return <span class="muted">?</span>;
  if (!runs.data) return <span class="muted">…</span>;
  if (!last) return <span class="muted">{t('workflows.list.neverRun')}</span>;
  return (
    <span style={{ whiteSpace: 'nowrap' }}>
      <a href={runHref(last.id)} aria-label={t('workflows.list.lastRunLabel', { id: last.id, status: statusText(last.status) })}>
        <Badge value={last.status} />
      </a>{' '}
      <Time value={last.finished_at ?? last.created_at} />
    </span>
  );
}

function Filters(props: { q: string; trigger: string; enabled: string }) {
  const [text, setText] = useState(props.q);
  return (
    <form
      class="inline-form"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        setFilter('q', text.trim());
      }}
    >
      <div class="grow">
        <label for="workflows-search">{t('workflows.list.search')}</label>
        <input id="workflows-search" type="search" maxLength={200} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </div>
      <div>
        <label for="workflows-trigger">{t('workflows.list.col.trigger')}</label>
        <select id="workflows-trigger" value={props.trigger} onChange={(e) => setFilter('trigger', e.currentTarget.value)} style={fieldStyle}>
          <option value="">{t('workflows.list.allTriggers')}</option>
          {TRIGGER_TYPES.map((type) => (
            <option key={type} value={type}>
              {t('workflows.list.triggerOption', { type })}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="workflows-enabled">{t('workflows.runs.col.status')}</label>
        <select id="workflows-enabled" value={props.enabled} onChange={(e) => setFilter('enabled', e.currentTarget.value)} style={fieldStyle}>
          <option value="">{t('workflows.list.enabledAny')}</option>
          {['true', 'false'].map((value) => (
            <option key={value} value={value}>
              {t('workflows.list.enabledOption', { enabled: value })}
            </option>
          ))}
        </select>
      </div>
      <button type="submit">{t('workflows.list.searchButton')}</button>
    </form>
  );
}

interface TemplateInfo extends Definition {
  id: string;
  name: string;
  description: string;
  params: Array<{ name: string; description: string; required: boolean; generate?: string; schema: JsonSchema }>;
}

/**
 * A template in the UI's language: the ones Plinth ships are in the catalogue by id (their name,
 * description and params' descriptions); a self-hoster's own templates show as written.
 */
function localized(template: TemplateInfo): TemplateInfo {
  const id = `workflows.templates.${template.id}`;
  return {
    ...template,
    name: tOr(`${id}.name`, template.name),
    description: tOr(`${id}.description`, template.description),
    params: template.params.map((p) => ({ ...p, description: tOr(`${id}.param.${p.name}`, p.description) })),
  };
}

/** "From a template": pick one of settings.workflows.templates, fill in its params, create it. */
function TemplateDialog(props: { onClose(): void }) {
  const templates = useApi<TemplateInfo[]>(`${BASE}/templates`);
  const choices = templates.data?.map(localized);
  const [chosen, setChosen] = useState('');
  const [name, setName] = useState('');
  const [params, setParams] = useState<Record<string, unknown>>({});
  const [invalid, setInvalid] = useState<Record<string, string>>({});
  const [enabled, setEnabled] = useState(true);
  const [made, setMade] = useState<(Workflow & { generated_params: Record<string, string> }) | null>(null);
  const { error, setError, busy, run } = useAction();
  const template = choices?.find((one) => one.id === chosen);
  const errors = fieldErrors(error);
  const paramMessages: Record<string, string[]> = {};
  for (const [path, msg] of Object.entries(errors)) if (path.startsWith('params.')) (paramMessages[path.slice(7)] ??= []).push(msg);
  const schema = template
    ? {
        type: 'object',
        required: template.params.filter((p) => p.required).map((p) => p.name),
        properties: Object.fromEntries(template.params.map((p) => [p.name, { ...p.schema, description: p.description }])),
      }
    : null;

  const submit = (event: Event) => {
    event.preventDefault();
    if (!template) return setError(new Error(t('workflows.list.template.chooseFirst')));
    if (Object.keys(invalid).length) return setError(new Error(t('workflows.list.template.fixFirst', { fields: formatList(Object.keys(invalid)) })));
    void run(async () => {
      const created = await api<Workflow & { generated_params: Record<string, string> }>(`${BASE}/templates/${template.id}/instantiate`, {
        body: { name: name.trim() || template.name, enabled, params },
      });
      // A value Plinth made (a signing secret) is shown here once, before moving on.
      if (Object.keys(created.generated_params ?? {}).length) return setMade(created);
      props.onClose();
      go(editHref(created.id));
    });
  };

  if (made) {
    return (
      <Dialog title={t('workflows.list.template.generatedTitle')} onClose={props.onClose}>
        <section class="callout-warning" aria-labelledby="generated-title">
          <h2 id="generated-title">{t('workflows.list.template.generatedHeading', { name: made.name })}</h2>
          <p>{t('workflows.list.template.generatedOnce')}</p>
          {Object.entries(made.generated_params).map(([param, value]) => (
            <p key={param} style={{ fontSize: '0.85rem' }}>
              {param}:<br />
              <CopyText text={value} label={t('workflows.list.template.generatedLabel', { param })} />
            </p>
          ))}
        </section>
        <div class="form-actions">
          <button
            type="button"
            onClick={() => {
              props.onClose();
              go(editHref(made.id));
            }}
          >
            {t('workflows.list.template.open')}
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title={t('workflows.list.template.title')} onClose={props.onClose}>
      <form onSubmit={submit} noValidate>
        <ErrorBanner error={error ?? templates.error} />
        <label for="template-id">{t('workflows.list.template.label')}</label>
        <select
          id="template-id"
          value={chosen}
          onChange={(e) => {
            setChosen(e.currentTarget.value);
            setParams({});
            setInvalid({});
            setError(null);
          }}
          style={fieldStyle}
        >
          <option value="">{choices ? t('workflows.list.template.choose') : t('workflows.loading')}</option>
          {choices?.map((one) => (
            <option key={one.id} value={one.id}>
              {one.name}
            </option>
          ))}
        </select>
        {template && schema ? (
          <>
            <p class="muted">{template.description}</p>
            <p style={{ fontSize: '0.9rem' }}>
              {triggerText(template.trigger)} → {template.steps.map((s) => s.action).join(' → ')}
            </p>
            <label for="template-name">{t('workflows.list.template.name')}</label>
            <input
              id="template-name"
              autoComplete="off"
              maxLength={200}
              placeholder={template.name}
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
            />
            {template.params.length ? (
              <fieldset>
                <legend>{t('workflows.list.template.settings')}</legend>
                <SchemaForm
                  key={template.id}
                  schema={schema}
                  value={params}
                  idPrefix="template-param"
                  templates={false}
                  messages={paramMessages}
                  onChange={setParams}
                  onInvalid={(field, err) =>
                    setInvalid((cur) => {
                      const next = { ...cur };
                      if (err) next[field] = err;
                      else delete next[field];
                      return next;
                    })
                  }
                />
              </fieldset>
            ) : null}
            <div class="checks">
              <label>
                <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} /> {t('workflows.list.template.enabled')}
              </label>
            </div>
          </>
        ) : null}
        <div class="form-actions">
          <button type="submit" disabled={busy || !template}>
            {t('workflows.list.template.create', { busy: String(busy) })}
          </button>
          <button type="button" class="secondary" onClick={props.onClose}>
            {t('kit.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** "Import JSON": an exported document (pasted or from a file) becomes a new, disabled workflow. */
function ImportDialog(props: { onClose(): void; onImported(): void }) {
  const [text, setText] = useState('');
  const [made, setMade] = useState<Workflow | null>(null);
  const { error, setError, busy, run } = useAction();

  const pick = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    if (file.size > 1024 * 1024) return setError(new Error(t('workflows.list.import.tooLarge', { file: file.name })));
    setText(await file.text());
    setError(null);
  };

  const submit = (event: Event) => {
    event.preventDefault();
    const parsed = parseJson(text.trim());
    if (parsed.error) return setError(new Error(t('workflows.list.import.notJson', { detail: parsed.detail })));
    if (!isPlainObject(parsed.value)) return setError(new Error(t('workflows.list.import.notObject')));
    void run(async () => {
      setMade(await api<Workflow>(`${BASE}/import`, { body: parsed.value }));
      props.onImported();
    });
  };

  return (
    <Dialog title={t('workflows.list.import.title')} onClose={props.onClose}>
      {made ? (
        <>
          <p class="notice" role="status">
            {t('workflows.list.import.imported', {
              name: made.name,
              missing: String(made.missing_secrets.length > 0),
              secrets: made.missing_secrets.join(', '),
            })}
          </p>
          <div class="form-actions">
            <button
              type="button"
              onClick={() => {
                props.onClose();
                go(editHref(made.id));
              }}
            >
              {t('workflows.list.import.openEditor')}
            </button>
            <button type="button" class="secondary" onClick={props.onClose}>
              {t('workflows.list.import.done')}
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={submit} noValidate>
          <ErrorBanner error={error} />
          <label for="import-file">{t('workflows.list.import.file')}</label>
          <input id="import-file" type="file" accept=".json,application/json" onChange={(e) => void pick(e.currentTarget)} />
          <label for="import-json">{t('workflows.list.import.paste')}</label>
          <textarea
            id="import-json"
            rows={10}
            spellcheck={false}
            // JSON, its keys those of the export's format: not words to translate.
            translate={false}
            placeholder={'{ "plinth_workflow": 1, "name": "…", "trigger": { … }, "steps": [ … ] }'}
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
            style={codeStyle}
          />
          <span class="muted" style={{ fontSize: '0.85rem' }}>
            {t('workflows.list.import.hint')}
          </span>
          <div class="form-actions">
            <button type="submit" disabled={busy}>
              {t('workflows.list.import.submit', { busy: String(busy) })}
            </button>
            <button type="button" class="secondary" onClick={props.onClose}>
              {t('kit.cancel')}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

/** "Export": the document GET /workflows/{id}/export gives, to download or copy. */
function ExportDialog(props: { workflow: Workflow; onClose(): void }) {
  const doc = useApi<Record<string, unknown>>(`${BASE}/${props.workflow.id}/export`);
  const [note, setNote] = useState('');
  const text = doc.data ? `${JSON.stringify(doc.data, null, 2)}\n` : '';
  const fileName = `workflow-${
    props.workflow.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || props.workflow.id
  }-v${props.workflow.version}.json`;
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setNote(t('kit.copy.copied'));
    } catch {
      setNote(t('workflows.list.exportDialog.cannotCopy'));
    }
  };
  return (
    <Dialog title={t('workflows.list.exportNamed', { name: props.workflow.name })} onClose={props.onClose}>
      <ErrorBanner error={doc.error} />
      <p class="muted" style={{ marginTop: 0 }}>
        {t('workflows.list.exportDialog.about', { version: props.workflow.version })}
      </p>
      {doc.data ? <JsonBlock value={doc.data} label={t('workflows.list.exportDialog.json')} /> : <p class="muted">{t('workflows.loading')}</p>}
      <div class="form-actions">
        <button type="button" disabled={!doc.data} onClick={download}>
          {tx('workflows.list.exportDialog.download', { file: fileName, code: (name: string) => <code>{name}</code> })}
        </button>
        <button type="button" class="secondary" disabled={!doc.data} onClick={copy}>
          {t('kit.copy.button')}
        </button>
        <span class="muted" role="status">
          {note}
        </span>
      </div>
    </Dialog>
  );
}

export function WorkflowsPage() {
  const q = useQueryParam('q') ?? '';
  const trigger = useQueryParam('trigger') ?? '';
  const enabled = useQueryParam('enabled') ?? '';
  const page = pageNumber(useQueryParam('page'));
  const canManage = useCanManage();
  const list = useApi<PageOf<Workflow>>(withQuery(BASE, { page, page_size: PAGE_SIZE, search: q, trigger_type: trigger, enabled }));
  const [dialog, setDialog] = useState<{ kind: 'template' | 'import' } | { kind: 'run' | 'export' | 'delete'; workflow: Workflow } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const toggle = useAction();
  // The toggle shows the new state at once; the list's reload confirms it (or the error reverts it).
  const [switched, setSwitched] = useState<Record<string, boolean>>({});
  const filtered = Boolean(q || trigger || enabled);
  const isOn = (w: Workflow) => switched[w.id] ?? w.enabled;
  useEffect(() => setSwitched({}), [list.data]);

  const setEnabled = async (w: Workflow, on: boolean) => {
    setSwitched((cur) => ({ ...cur, [w.id]: on }));
    const ok = await toggle.run(async () => {
      await api(`${BASE}/${w.id}/${on ? 'enable' : 'disable'}`, { method: 'POST' });
      setNotice(t('workflows.list.enabledNotice', { on: String(on), name: w.name }));
    });
    if (!ok) setSwitched(({ [w.id]: _, ...rest }) => rest);
    else list.reload();
  };

  const columns = [
    {
      label: t('workflows.list.col.name'),
      class: 'name-col',
      value: (w: Workflow) => (
        <>
          <a class="cell-title" href={canManage ? editHref(w.id) : runsOfHref(w.id)} title={w.name} style={{ fontWeight: 600 }}>
            {w.name}
          </a>
          {w.description ? (
            <div class="muted" style={{ fontSize: '0.85rem' }}>
              {w.description.length > 120 ? `${w.description.slice(0, 120)}…` : w.description}
            </div>
          ) : null}
          {w.missing_secrets.length ? (
            <div class="error-text" style={{ fontSize: '0.85rem' }}>
              {t('workflows.list.missingSecrets', { names: w.missing_secrets.join(', ') })}
            </div>
          ) : null}
        </>
      ),
    },
    { label: t('workflows.list.col.trigger'), value: (w: Workflow) => <code style={{ whiteSpace: 'nowrap' }}>{triggerText(w.trigger)}</code> },
    {
      label: t('workflows.list.col.enabled'),
      value: (w: Workflow) =>
        canManage ? (
          <label style={{ display: 'inline-flex', gap: '0.4rem', alignItems: 'center', margin: 0, fontWeight: 400 }}>
            <input
              type="checkbox"
              checked={isOn(w)}
              disabled={toggle.busy}
              aria-label={t('workflows.list.enabledLabel', { name: w.name })}
              onChange={(e) => void setEnabled(w, e.currentTarget.checked)}
            />
            {t('workflows.list.switch', { on: String(isOn(w)) })}
          </label>
        ) : (
          <Badge value={w.enabled ? 'enabled' : 'disabled'} />
        ),
    },
    { label: t('workflows.runs.col.version'), value: (w: Workflow) => String(w.version), class: 'num' },
    { label: t('workflows.list.col.lastRun'), value: (w: Workflow) => <LastRun workflowId={w.id} /> },
    {
      label: t('workflows.list.col.actions'),
      value: (w: Workflow) => (
        <div class="row-actions">
          {canManage ? (
            <button
              type="button"
              class="small"
              disabled={!isOn(w)}
              title={isOn(w) ? undefined : t('workflows.runs.enableFirst')}
              aria-label={t('workflows.runNow.title', { name: w.name })}
              onClick={() => setDialog({ kind: 'run', workflow: w })}
            >
              {t('workflows.runs.runNow')}
            </button>
          ) : null}
          <button type="button" class="secondary small" aria-label={t('workflows.runs.titleOf', { name: w.name })} onClick={() => go(runsOfHref(w.id))}>
            {t('workflows.list.runs')}
          </button>
          <button
            type="button"
            class="secondary small"
            aria-label={t('workflows.list.exportNamed', { name: w.name })}
            onClick={() => setDialog({ kind: 'export', workflow: w })}
          >
            {t('workflows.list.export')}
          </button>
          {canManage ? (
            <button
              type="button"
              class="danger small"
              aria-label={t('workflows.list.deleteNamed', { name: w.name })}
              onClick={() => setDialog({ kind: 'delete', workflow: w })}
            >
              {t('workflows.list.delete')}
            </button>
          ) : null}
        </div>
      ),
    },
  ];

  const actions = canManage ? (
    <>
      <button type="button" onClick={() => go(PAGES.edit)}>
        {t('workflows.list.new')}
      </button>
      <button type="button" class="secondary" onClick={() => setDialog({ kind: 'template' })}>
        {t('workflows.list.fromTemplate')}
      </button>
      <button type="button" class="secondary" onClick={() => setDialog({ kind: 'import' })}>
        {t('workflows.list.importJson')}
      </button>
    </>
  ) : null;

  return (
    <Page title={t('workflows.list.title')} actions={actions}>
      {dialog?.kind === 'template' ? <TemplateDialog onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'import' ? <ImportDialog onClose={() => setDialog(null)} onImported={list.reload} /> : null}
      {dialog?.kind === 'run' ? <RunNowDialog workflow={dialog.workflow} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'export' ? <ExportDialog workflow={dialog.workflow} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'delete' ? (
        <ConfirmDialog
          title={t('workflows.list.deleteTitle', { name: dialog.workflow.name })}
          action={t('workflows.list.delete')}
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await api(`${BASE}/${dialog.workflow.id}`, { method: 'DELETE' });
            setNotice(t('workflows.list.deleted', { name: dialog.workflow.name }));
            list.reload();
          }}
        >
          <p>{t('workflows.list.deleteBody')}</p>
        </ConfirmDialog>
      ) : null}
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <ErrorBanner error={toggle.error} />
      <section class="card" aria-labelledby="workflows-title">
        <h2 id="workflows-title">{t('workflows.list.heading')}</h2>
        <Filters key={q} q={q} trigger={trigger} enabled={enabled} />
        <ErrorBanner error={list.error} />
        <Table
          caption={t('workflows.list.caption')}
          rows={list.data?.items ?? []}
          rowKey={(w) => w.id}
          empty={
            list.loading && !list.data
              ? t('workflows.loading')
              : filtered
                ? t('workflows.list.noMatch')
                : canManage
                  ? t('workflows.list.emptyManager')
                  : t('workflows.list.empty')
          }
          columns={columns}
        />
        <Pager total={list.data?.total} page={page} pageSize={PAGE_SIZE} count={(count) => t('workflows.list.count', { count })} />
        {canManage === false ? <p class="muted">{t('workflows.list.readOnly')}</p> : null}
      </section>
    </Page>
  );
}
