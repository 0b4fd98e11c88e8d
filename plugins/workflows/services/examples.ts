import { AppError } from 'plinth/plugin';
import { newWebhookSecret } from 'plinth/plugin';
import { createAjv, toFieldErrors, type FieldError } from 'plinth/plugin';
import type { Definition } from '../definition.js';
import type { WorkflowTemplate } from '../templates.js';
import type { Workflows } from './workflows.js';
import { WorkflowsErrors } from './errors.js';

/** Writes `value` at a dotted path, making objects on the way (numeric keys index arrays). */
function setAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node: Record<string, unknown> = target;
  for (const [i, key] of keys.entries()) {
    if (i === keys.length - 1) {
      node[key] = value;
      return;
    }
    if (node[key] === null || typeof node[key] !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
}

export interface InstantiateInput {
  name?: string;
  enabled?: boolean;
  params?: Record<string, unknown>;
}

export interface ExamplesDeps {
  templates: WorkflowTemplate[];
  workflows: Workflows;
}

/**
 * The ready-made workflows of settings.workflows.templates: listed for the UI, and instantiated
 * into a tenant with the values of their params (validated by each param's schema); a param left
 * empty that Plinth can make (`generate`) is made and returned once in `generated_params`.
 */
export class Examples {
  private readonly ajv = createAjv({ useDefaults: false, coerceTypes: false });

  constructor(private readonly deps: ExamplesDeps) {}

  list() {
    return this.deps.templates.map((t) => ({
      id: t.id,
      name: t.name,
      description: t.description,
      params: t.params.map(({ target: _t, ...p }) => p),
      ...t.definition,
    }));
  }

  async instantiate(tenantId: string, actor: string | null, templateId: string, input: InstantiateInput) {
    const template = this.deps.templates.find((t) => t.id === templateId);
    if (!template) throw WorkflowsErrors.templateNotFound(templateId);
    const params = input.params ?? {};
    const problems: FieldError[] = [];
    for (const name of Object.keys(params)) {
      if (!template.params.some((p) => p.name === name)) problems.push({ path: `body.params.${name}`, message: 'is not a param of this template' });
    }
    const doc = { ...structuredClone(template.definition), secrets: {} as Record<string, string> } as Definition & { secrets: Record<string, string> };
    const generated: Record<string, string> = {};
    for (const param of template.params) {
      let value = params[param.name];
      if ((value === undefined || value === '') && param.generate === 'webhook_secret') value = generated[param.name] = newWebhookSecret();
      if (value === undefined) {
        if (param.required) problems.push({ path: `body.params.${param.name}`, message: `is required (${param.description || param.name})` });
        continue;
      }
      const validate = this.ajv.compile(param.schema);
      if (!validate(value)) problems.push(...toFieldErrors(validate.errors, `body.params.${param.name}`));
      else setAt(doc as unknown as Record<string, unknown>, param.target, value);
    }
    if (problems.length) throw AppError.validation(problems, 422);
    const { secrets, ...definition } = doc;
    const created = await this.deps.workflows.create(tenantId, actor, {
      name: input.name ?? template.name,
      description: template.description,
      enabled: input.enabled ?? true,
      ...definition,
      secrets,
    });
    // Generated values are secrets: this reply is the only place they are shown.
    return { ...created, generated_params: generated };
  }
}
