import type { JsonSchema } from 'plinth/plugin';
import { definitionSchema, type Definition } from './definition.js';

/** A value the tenant gives when instantiating a template, written at `target` (a dotted path). */
export interface TemplateParam {
  name: string;
  description: string;
  /** Into the definition (`steps.0.input.robotId`, `condition.properties.mailbox.const`) or a secret (`secrets.webhook_secret`). */
  target: string;
  required: boolean;
  /** Left empty, Plinth makes the value (`webhook_secret`: a Standard Webhooks `whsec_` secret) and shows it once. */
  generate?: 'webhook_secret';
  /** `"x-plinth-ref": "robot"` (any registered ref kind) in it makes the admin UI offer the tenant's things of that kind by name instead of a free-text id. */
  schema: JsonSchema;
}

export interface WorkflowTemplate {
  id: string;
  name: string;
  description: string;
  definition: Definition;
  params: TemplateParam[];
}

export const templateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'description', 'definition'],
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9-]{1,60}$' },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 2000 },
    definition: definitionSchema,
    params: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'target'],
        properties: {
          name: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$' },
          description: { type: 'string', default: '' },
          target: { type: 'string', pattern: '^(steps|trigger|condition|secrets)(\\.[A-Za-z0-9_$-]+)+$' },
          required: { type: 'boolean', default: true },
          generate: { enum: ['webhook_secret'] },
          schema: { type: 'object', default: { type: 'string', minLength: 1 } },
        },
      },
    },
  },
};

/** The examples shipped in config (settings.workflows.templates); a self-hoster may replace or extend them. */
export const defaultTemplates: WorkflowTemplate[] = [
  {
    id: 'forward-verification-codes',
    name: 'Forward verification codes to a robot chat',
    description: 'Each message with a verification code that arrives in a mailbox of the tenant is sent, code first, to a chat by one of your robots.',
    definition: {
      trigger: { type: 'event', event: 'mail.received' },
      condition: { type: 'object', required: ['verification_code'], properties: { verification_code: { type: 'string', minLength: 1 } } },
      steps: [
        {
          id: 'forward',
          action: 'robots.send_message',
          input: { robotId: '', type: 'text', titleList: [''], content: 'Code {{trigger.verification_code}} ({{trigger.subject}}, to {{trigger.mailbox}})' },
        },
      ],
    },
    params: [
      // x-plinth-ref: the admin UI offers the tenant's robots (mailboxes) by name instead of a free-text id.
      {
        name: 'robot_id',
        description: 'The robot that sends the message',
        target: 'steps.0.input.robotId',
        required: true,
        schema: { type: 'string', minLength: 1, 'x-plinth-ref': 'robot' },
      },
      {
        name: 'chat',
        description: 'The chat (contact or group name) that receives the code',
        target: 'steps.0.input.titleList.0',
        required: true,
        schema: { type: 'string', minLength: 1, maxLength: 200 },
      },
      {
        name: 'mailbox',
        description: 'Only mail to this address (all mailboxes when left out)',
        target: 'condition.properties.mailbox.const',
        required: false,
        schema: { type: 'string', format: 'email', 'x-plinth-ref': 'mailbox' },
      },
    ],
  },
  {
    id: 'usage-alert-owner',
    name: 'Email the owner when usage reaches 80%',
    description: 'When a limit of the plan is 80% used in the current period, the tenant owners get an email naming the metric.',
    definition: {
      trigger: { type: 'event', event: 'usage.limit_reached' },
      condition: { type: 'object', required: ['threshold'], properties: { threshold: { const: 80 } } },
      steps: [
        {
          id: 'email_owner',
          action: 'auth.notify_user',
          input: {
            role: 'owner',
            subject: 'Usage of {{trigger.unit}} is at {{trigger.threshold}}%',
            // summary and advice are worded by billing for the metric's kind: a gauge has no period to wait for.
            text: 'Your tenant has {{trigger.summary}} ({{trigger.metric}}). Before the limit stops you: {{trigger.advice}}.',
          },
        },
      ],
    },
    params: [],
  },
  {
    id: 'license-activated-webhook',
    name: 'Call a webhook when a license is activated',
    description:
      'Each first activation of a device on one of your software licenses (not a WorkBot robot activation) is POSTed to your URL, signed the Standard ' +
      'Webhooks way.',
    definition: {
      trigger: { type: 'event', event: 'license.activated' },
      // license.activated also fires when a WorkBot code binds a phone (kind robot): not a license customer.
      condition: { type: 'object', required: ['kind'], properties: { kind: { const: 'license' } } },
      steps: [
        {
          id: 'call',
          action: 'http.request',
          input: {
            method: 'POST',
            url: '',
            body: {
              event: 'license.activated',
              license_id: '{{trigger.license_id}}',
              product: '{{trigger.product}}',
              device_id: '{{trigger.device_id}}',
              device_name: '{{trigger.device_name}}',
            },
            sign: { secret: '{{secrets.webhook_secret}}' },
          },
          retry: { attempts: 5, backoff_base_ms: 2000, backoff_max_ms: 300_000 },
        },
      ],
    },
    params: [
      {
        name: 'url',
        description: 'Your endpoint',
        target: 'steps.0.input.url',
        required: true,
        schema: { type: 'string', format: 'uri', pattern: '^https?://' },
      },
      {
        name: 'secret',
        description: 'The signing secret your endpoint verifies with (left empty, Plinth makes a whsec_ one and shows it once)',
        target: 'secrets.webhook_secret',
        required: false,
        generate: 'webhook_secret',
        schema: { type: 'string', minLength: 16, maxLength: 200 },
      },
    ],
  },
];
