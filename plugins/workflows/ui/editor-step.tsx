import { t, tOr, tx } from 'plinth/plugin/ui';
import { SchemaForm } from './schema-form.js';
import { errorsUnder, FieldMessages, fieldStyle, isPlainObject, type ActionInfo, type JsonSchema } from './shared.js';

import { type StepDraft, RETRY_DEFAULTS, freshId } from './editor-draft.js';
import { pluginName } from './editor-trigger.js';

/** What the action catalogue says an action does, in the UI's language when the catalogue knows the action (by its name). */
const actionDescription = (action: ActionInfo) => tOr(`workflows.step.action.${action.name}`, action.description);

/**
 * The action's input schema with its fields' descriptions in the UI's language, where the catalogue
 * knows them (`workflows.step.input.<action>.<field>`); the form shows them as the fields' hints.
 */
function localInput(action: ActionInfo): JsonSchema {
  const properties = isPlainObject(action.input.properties) ? (action.input.properties as Record<string, JsonSchema>) : null;
  if (!properties) return action.input;
  const described = Object.entries(properties).map(([field, s]) => [
    field,
    isPlainObject(s) && typeof s.description === 'string' ? { ...s, description: tOr(`workflows.step.input.${action.name}.${field}`, s.description) } : s,
  ]);
  return { ...action.input, properties: Object.fromEntries(described) };
}

export function StepEditor(props: {
  step: StepDraft;
  index: number;
  count: number;
  actions: ActionInfo[] | undefined;
  errors: Record<string, string>;
  problems: string[] | undefined;
  /** A step id for an action, unused by the other steps. */
  idFor(action: string): string;
  /** Changes this step (an updater, so two changes in one event both land). */
  onChange(update: (step: StepDraft) => StepDraft): void;
  onMove(by: number): void;
  onRemove(): void;
}) {
  const { step, index, actions } = props;
  const n = index + 1;
  const prefix = `step-${step.key}`;
  const action = actions?.find((a) => a.name === step.action);
  const plugins = [...new Set((actions ?? []).map((a) => a.plugin))].sort();
  const at = `steps.${index}`;
  const inputMessages: Record<string, string[]> = {};
  for (const [path, msg] of Object.entries(props.errors)) {
    if (path === `${at}.input`) (inputMessages[''] ??= []).push(msg);
    else if (path.startsWith(`${at}.input.`)) (inputMessages[path.slice(at.length + 7)] ??= []).push(msg);
  }
  for (const p of props.problems ?? []) {
    const m = /^input\.?(\S*) (.*)$/.exec(p);
    if (m) (inputMessages[m[1]] ??= []).push(t('workflows.step.dryRunProblem', { problem: m[2] }));
  }
  const placed = (path: string) => path === `${at}.id` || path === `${at}.action` || path.startsWith(`${at}.input`) || path.startsWith(`${at}.retry`);
  const other = Object.entries(props.errors)
    .filter(([path]) => (path === at || path.startsWith(`${at}.`)) && !placed(path))
    .map(([path, msg]) => (path === at ? msg : `${path.slice(at.length + 1)}: ${msg}`));
  const retryMessages = errorsUnder(props.errors, `${at}.retry`);
  const setRetry = (k: keyof StepDraft['retry'], v: string) => props.onChange((s) => ({ ...s, retry: { ...s.retry, [k]: v } }));

  return (
    <fieldset aria-label={t('workflows.step.label', { n })} style={{ marginBottom: '1rem' }}>
      <legend>{action ? tx('workflows.step.legendOf', { n, action: <span translate={false}>{action.name}</span> }) : t('workflows.step.label', { n })}</legend>
      <div class="form-row">
        <div>
          <label for={`${prefix}-id`}>{t('workflows.step.id')}</label>
          <input
            id={`${prefix}-id`}
            autoComplete="off"
            spellcheck={false}
            maxLength={40}
            value={step.id}
            onInput={(e) => {
              const id = e.currentTarget.value;
              props.onChange((s) => ({ ...s, id }));
            }}
            aria-describedby={`${prefix}-id-hint ${prefix}-id-error`}
            aria-invalid={props.errors[`${at}.id`] ? true : undefined}
          />
          <span id={`${prefix}-id-hint`} class="muted" style={{ fontSize: '0.8rem' }}>
            {tx('workflows.step.idHint', { template: <code>{`{{steps.${step.id || 'id'}.…}}`}</code> })}
          </span>
          <FieldMessages id={`${prefix}-id-error`} messages={props.errors[`${at}.id`] ? [props.errors[`${at}.id`]] : []} />
        </div>
        <div>
          <label for={`${prefix}-action`}>{t('workflows.step.action')}</label>
          <select
            id={`${prefix}-action`}
            value={step.action}
            onChange={(e) => {
              const name = e.currentTarget.value;
              // An id the editor made (from the old action, or "step") follows the action; one the user typed stays.
              const made = !step.id || /^step(_\d+)?$/.test(step.id) || (step.action !== '' && step.id.startsWith(freshId(step.action, [])));
              const id = made && name ? props.idFor(name) : step.id;
              props.onChange((s) => ({ ...s, action: name, input: {}, invalid: {}, id }));
            }}
            style={fieldStyle}
            aria-describedby={`${prefix}-action-error`}
          >
            <option value="">{actions ? t('workflows.step.chooseAction') : t('workflows.step.loadingActions')}</option>
            {plugins.map((plugin) => (
              <optgroup key={plugin} label={pluginName(plugin)}>
                {actions!
                  .filter((a) => a.plugin === plugin)
                  .map((a) => (
                    // An action's name is an identifier (templates and the API use it), not a word to translate.
                    <option key={a.name} value={a.name} translate={false}>
                      {a.name}
                    </option>
                  ))}
              </optgroup>
            ))}
            {step.action && actions && !action ? <option value={step.action}>{t('workflows.step.notInCatalogue', { action: step.action })}</option> : null}
          </select>
          <FieldMessages id={`${prefix}-action-error`} messages={props.errors[`${at}.action`] ? [props.errors[`${at}.action`]] : []} />
        </div>
      </div>
      {action ? (
        <>
          <p class="muted" style={{ margin: '0.5rem 0 0' }}>
            {actionDescription(action)} <span>{t('workflows.step.fromPlugin', { plugin: pluginName(action.plugin) })}</span>
          </p>
          <div role="group" aria-label={t('workflows.step.inputOf', { n })}>
            <SchemaForm
              key={`${step.key}-${step.action}`}
              schema={localInput(action)}
              value={step.input}
              idPrefix={`${prefix}-in`}
              messages={inputMessages}
              onChange={(input) => props.onChange((s) => ({ ...s, input }))}
              onInvalid={(field, error) =>
                props.onChange((s) => {
                  if ((s.invalid[field] ?? null) === error) return s;
                  const invalid = { ...s.invalid };
                  if (error) invalid[field] = error;
                  else delete invalid[field];
                  return { ...s, invalid };
                })
              }
            />
          </div>
        </>
      ) : null}
      <details
        open={retryMessages.length > 0 || Boolean(step.retry.attempts || step.retry.backoff_base_ms || step.retry.backoff_max_ms)}
        style={{ marginTop: '0.75rem' }}
      >
        <summary>{t('workflows.step.retries')}</summary>
        <div class="form-row">
          <div>
            <label for={`${prefix}-attempts`}>{t('workflows.step.attempts')}</label>
            <input
              id={`${prefix}-attempts`}
              inputMode="numeric"
              placeholder={String(RETRY_DEFAULTS.attempts)}
              value={step.retry.attempts}
              onInput={(e) => setRetry('attempts', e.currentTarget.value)}
            />
          </div>
          <div>
            <label for={`${prefix}-base`}>{t('workflows.step.firstBackoff')}</label>
            <input
              id={`${prefix}-base`}
              inputMode="numeric"
              placeholder={String(RETRY_DEFAULTS.backoff_base_ms)}
              value={step.retry.backoff_base_ms}
              onInput={(e) => setRetry('backoff_base_ms', e.currentTarget.value)}
            />
          </div>
          <div>
            <label for={`${prefix}-max`}>{t('workflows.step.longestBackoff')}</label>
            <input
              id={`${prefix}-max`}
              inputMode="numeric"
              placeholder={String(RETRY_DEFAULTS.backoff_max_ms)}
              value={step.retry.backoff_max_ms}
              onInput={(e) => setRetry('backoff_max_ms', e.currentTarget.value)}
            />
          </div>
        </div>
        <span class="muted" style={{ fontSize: '0.8rem' }}>
          {t('workflows.step.retryHint')}
        </span>
        <FieldMessages id={`${prefix}-retry-errors`} messages={retryMessages} />
      </details>
      <FieldMessages id={`${prefix}-errors`} messages={other} />
      <div class="row-actions" style={{ marginTop: '0.75rem' }}>
        <button type="button" class="secondary small" disabled={index === 0} aria-label={t('workflows.step.moveUp', { n })} onClick={() => props.onMove(-1)}>
          {t('workflows.step.up')}
        </button>
        <button
          type="button"
          class="secondary small"
          disabled={index === props.count - 1}
          aria-label={t('workflows.step.moveDown', { n })}
          onClick={() => props.onMove(1)}
        >
          {t('workflows.step.down')}
        </button>
        <button type="button" class="danger small" aria-label={t('workflows.step.removeLabel', { n })} onClick={props.onRemove}>
          {t('workflows.step.remove')}
        </button>
      </div>
    </fieldset>
  );
}
