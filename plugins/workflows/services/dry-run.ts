import type { Actions } from 'plinth/plugin';
import type { Clock } from 'plinth/plugin';
import type { Definition } from '../definition.js';
import type { Conditions } from './conditions.js';
import type { DefinitionCheck } from './definitions.js';
import type { TemplateRenderer, TemplateView } from './render.js';

export interface DryRunSource {
  definition: Definition;
  /** A saved version (its condition is compiled once by id); none for an unsaved draft. */
  versionId?: number;
  workflow: { id: string; name: string; version: number };
  /** Names of the workflow's secrets: they render as "[secret]", their values never leave. */
  secretNames: string[];
}

/** What DryRun is built from, passed by name. */
export interface DryRunDeps {
  clock: Clock;
  actions: Actions;
  conditions: Conditions;
  check: DefinitionCheck;
  renderer: TemplateRenderer;
}

/**
 * What a run would do with a sample payload, executing nothing: whether the condition matches,
 * and each step's input as rendered with the problems its action's schema finds. Earlier steps'
 * outputs are the samples given (by step id), since nothing runs to produce them.
 */
export class DryRun {
  constructor(private readonly deps: DryRunDeps) {}

  run(source: DryRunSource, payload: unknown, sampleOutputs: Record<string, unknown> = {}) {
    const { definition } = source;
    const definitionProblems = source.versionId === undefined ? this.deps.check.problems(definition, 'body') : [];
    const usable = !definitionProblems.some((p) => p.path.startsWith('body.condition'));
    const condition = !usable
      ? { matched: false, errors: [] }
      : source.versionId !== undefined
        ? this.deps.conditions.forVersion(source.versionId, definition.condition, payload)
        : definition.condition
          ? this.deps.conditions.match(definition.condition, payload, 'trigger')
          : { matched: true, errors: [] };
    const view: TemplateView = {
      trigger: payload,
      steps: {},
      workflow: source.workflow,
      run: { id: null, trigger_type: 'dry_run', created_at: this.deps.clock.now().toISOString() },
      secrets: Object.fromEntries(source.secretNames.map((n) => [n, '[secret]'])),
    };
    const steps = definition.steps.map((step, index) => {
      const input = this.deps.renderer.render(step.input, view) as Record<string, unknown>;
      // check() fills the schema's defaults in place: show what the action would receive.
      const problems = this.deps.actions.get(step.action)
        ? this.deps.actions.check(step.action, input)
        : [{ path: 'action', message: `unknown action "${step.action}"` }];
      const sample = sampleOutputs[step.id];
      view.steps[String(index)] = view.steps[step.id] = sample === undefined ? null : sample;
      return {
        index,
        id: step.id,
        action: step.action,
        input,
        problems,
        ...(step.action === 'delay' ? { note: 'the run would wait here, parked, and resume when due' } : {}),
      };
    });
    return {
      condition,
      definition_problems: definitionProblems,
      would_run: condition.matched && !definitionProblems.length && steps.every((s) => !s.problems.length),
      steps,
    };
  }
}
