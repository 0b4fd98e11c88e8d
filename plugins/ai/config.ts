export interface ProviderConfig {
  name: string;
  kind: 'openai' | 'dify';
  baseUrl: string;
  apiKey?: string;
  model?: string;
  timeoutMs?: number;
}

export interface AiSettings {
  /** In a group, answer only when the robot is @-mentioned. */
  groupRequiresMention: boolean;
  /** After a human operator writes in a conversation, AI stays out of it this long. */
  takeoverMinutes: number;
  /** The builtin responder's answer when nothing in the knowledge base matches (a tenant may set its own). */
  fallbackAnswer: string;
  /** Per-call timeout when a provider does not set its own. */
  timeoutMs: number;
  /** The system message; `{scenario}` becomes the robot's aiScenario. */
  systemPrompt: string;
  /** Let tenants point providers at loopback/private addresses (a self-hosted Ollama). Off: SSRF guard. Config providers are the operator's and always may. */
  allowPrivateProviders: boolean;
  /** Providers every tenant has (a tenant's own provider of the same name wins). */
  providers: ProviderConfig[];
  /** Estimated prices per million tokens, by model, in `currency` units. */
  prices: Record<string, { input: number; output: number }>;
  currency: string;
  /** Builtin: a match must score at least this (MiniSearch BM25 score) to be used. */
  minScore: number;
  /** The call log, the reply log and idle conversations older than this are deleted daily. */
  logRetentionDays: number;
  /** The `ai.failover` alert: a config provider that failed this many times in this many minutes (its last call too). */
  alerts: { failovers: number; windowMinutes: number };
}

const provider = {
  type: 'object',
  required: ['name', 'kind', 'baseUrl'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9_-]{1,40}$' },
    kind: { enum: ['openai', 'dify'] },
    baseUrl: { type: 'string', format: 'uri' },
    apiKey: { type: 'string' },
    model: { type: 'string', maxLength: 100 },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 300000 },
  },
};

export const aiConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    groupRequiresMention: { type: 'boolean', default: true },
    takeoverMinutes: { type: 'integer', minimum: 1, maximum: 10080, default: 30 },
    fallbackAnswer: {
      type: 'string',
      minLength: 1,
      maxLength: 2000,
      default: "Thanks for your message! I don't have an answer to that yet; a person will get back to you soon.",
    },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 300000, default: 15000 },
    systemPrompt: {
      type: 'string',
      minLength: 1,
      maxLength: 4000,
      default: 'You are a helpful assistant replying in a chat app. Scenario: {scenario}. Answer briefly, in the language of the last message.',
    },
    allowPrivateProviders: { type: 'boolean', default: false },
    logRetentionDays: { type: 'integer', minimum: 1, maximum: 3650, default: 90 },
    providers: { type: 'array', items: provider, default: [] },
    prices: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['input', 'output'],
        additionalProperties: false,
        properties: { input: { type: 'number', minimum: 0 }, output: { type: 'number', minimum: 0 } },
      },
      default: {},
    },
    currency: { type: 'string', pattern: '^[A-Z]{3}$', default: 'USD' },
    minScore: { type: 'number', minimum: 0, default: 1 },
    alerts: {
      type: 'object',
      additionalProperties: false,
      properties: {
        failovers: { type: 'integer', minimum: 1, maximum: 100_000, default: 3 },
        windowMinutes: { type: 'integer', minimum: 1, maximum: 1440, default: 15 },
      },
      default: {},
    },
  },
};
