/**
 * The ai plugin's route schemas, on the WorkBot face beside seed 004: the request bodies, queries
 * and params its routes accept and the replies they answer (what they pass to `ok()`; the face's
 * `{ code: 0, message, data }` is put around them), for /openapi.json and checkReplies. The ask
 * body is also the input of the `ai.reply` action.
 */
import { arrayOf, body, bool, int, isoTime, nullable, num, reply, str } from 'plinth/plugin';
import { entryCreateSchema, entryUpdateSchema } from '../services/knowledge-entry.js';

// Shared pieces

/** `data: null`: a change that returns nothing. */
export const noData = { type: 'null' };

export const pageQuery = {
  page: { type: 'integer', minimum: 1, default: 1 },
  pageSize: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
};

const fieldErrors = arrayOf(reply({ path: str, message: str }));
const kind = { enum: ['faq', 'keyword'] };

// Providers and settings

const providerName = { type: 'string', pattern: '^[a-z0-9_-]{1,40}$' };
export const providerParams = { type: 'object', required: ['name'], properties: { name: providerName } };
export const providerBody = body(
  {
    kind: { enum: ['openai', 'dify'] },
    baseUrl: { type: 'string', format: 'uri', maxLength: 500 },
    apiKey: { type: 'string', maxLength: 500, description: 'write-only; omit to keep the stored key, "" to remove it' },
    model: { type: ['string', 'null'], maxLength: 100 },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 300000 },
    priority: { type: 'integer', minimum: -1000, maximum: 1000 },
    enabled: bool,
  },
  ['kind', 'baseUrl'],
);

/** A model provider: the config's (every tenant has them) or the tenant's own. The API key is never shown. */
export const providerReply = reply({
  name: str,
  kind: { enum: ['openai', 'dify'] },
  baseUrl: str,
  model: nullable(str),
  timeoutMs: int,
  priority: int,
  enabled: bool,
  hasApiKey: bool,
  source: { enum: ['config', 'tenant'] },
  /** null for the config's providers. */
  updatedAt: nullable(isoTime),
});
export const providerListReply = reply({ list: arrayOf(providerReply) });

export const settingsBody = body({ fallbackAnswer: { type: ['string', 'null'], minLength: 1, maxLength: 2000 } }, ['fallbackAnswer']);
/** The builtin responder's fallback answer; customFallback: the tenant's own rather than the config's. */
export const settingsReply = reply({ fallbackAnswer: str, customFallback: bool });

// Answers ("try it", the ai.reply action) and the call log

/** One earlier chat turn given as context. */
const turn = body({ role: { enum: ['user', 'assistant'] }, content: { type: 'string', minLength: 1, maxLength: 20000 } }, ['role', 'content']);

/** A question outside a chat: the "try it" box and the workflows' `ai.reply` action. */
export const askSchema = body(
  {
    text: { type: 'string', minLength: 1, maxLength: 20000 },
    robotId: { type: 'string', maxLength: 64, description: "answer with this robot's AI settings" },
    provider: { ...providerName, description: 'try this provider first' },
    context: { type: 'array', maxItems: 100, items: turn },
  },
  ['text'],
);

const OUTCOMES = ['ok', 'timeout', 'rate_limited', 'error'];

export const tryReply = reply({
  reply: str,
  /** The provider that answered (`builtin` at the end of the chain). */
  provider: str,
  model: str,
  tokensIn: int,
  tokensOut: int,
  /** Each provider tried, in order. */
  attempts: arrayOf(reply({ provider: str, outcome: { enum: OUTCOMES }, latencyMs: num, error: str }, ['error'])),
  /** The knowledge-base entry the builtin responder answered with. */
  entry: nullable(reply({ id: int, question: str, score: num })),
});

/** The `ai.reply` action's output. */
export const aiReplyOutput = reply({ reply: str, provider: str, model: str }, ['model']);

export const callsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...pageQuery,
    robotId: { type: 'string', maxLength: 64 },
    provider: { type: 'string', maxLength: 40 },
    outcome: { enum: OUTCOMES },
  },
};

export const callsReply = reply({
  total: int,
  /** Of `cost`. */
  currency: str,
  list: arrayOf(
    reply({
      id: int,
      robotId: nullable(str),
      messageId: nullable(str),
      source: { enum: ['message', 'try', 'workflow'] },
      provider: str,
      model: nullable(str),
      tokensIn: int,
      tokensOut: int,
      latencyMs: int,
      outcome: { enum: OUTCOMES },
      error: nullable(str),
      /** Estimated from the config's prices per million tokens. */
      cost: num,
      createdAt: isoTime,
    }),
  ),
});

// Knowledge base

// PostgreSQL's integer: a bigger id is not found rather than a database error.
export const entryParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1, maximum: 2147483647 } } };

export const entryListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...pageQuery,
    q: { type: 'string', maxLength: 200, description: 'text in the question, answer or keywords' },
    kind,
  },
};

/** The entry's fields: one schema with the service's own check of every entry it writes. */
export const createEntryBody = entryCreateSchema;
export const updateEntryBody = entryUpdateSchema;

export const entryReply = reply({
  id: int,
  kind,
  question: str,
  answer: str,
  keywords: arrayOf(str),
  priority: int,
  enabled: bool,
  createdAt: isoTime,
  updatedAt: isoTime,
});
export const entryListReply = reply({ total: int, list: arrayOf(entryReply) });

// Both fields are required for a JSON body; a raw text/csv body (no JSON at all) needs neither.
export const importBody = body({
  format: { enum: ['csv', 'json'] },
  content: {
    type: 'string',
    description: 'csv: a header row (question,answer[,keywords,kind,priority,enabled]) and a row per entry; json: an array of entries',
  },
});
export const importCsv = {
  contentType: 'text/csv',
  schema: { type: 'string', description: 'The CSV itself (as `content` with format csv): a header row and a row per entry' },
};

export const importReply = reply({
  imported: int,
  failed: int,
  /** The rows refused, each with its fields' problems. */
  errors: arrayOf(reply({ row: int, line: int, message: str, fields: fieldErrors }, ['line'])),
});

export const matchBody = body({ text: { type: 'string', minLength: 1, maxLength: 2000 } }, ['text']);

export const matchReply = reply({
  /** The answer (a keyword rule, else the best-ranked entry scoring minScore), or null. */
  match: nullable(reply({ id: int, kind, question: str, answer: str, score: num, keyword: str }, ['keyword'])),
  minScore: num,
  ranking: arrayOf(reply({ id: int, question: str, score: num })),
});

/** GET /api/ai/calls/daily: the tenant's (or one robot's) AI calls and their cost per day. */
export const callsDailyQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    days: { type: 'integer', minimum: 1, maximum: 366, default: 30 },
    robotId: { type: 'string', minLength: 1, maxLength: 64 },
    tz: { type: 'string', maxLength: 64, description: "The days' time zone (IANA, e.g. Asia/Shanghai; the browser's), UTC by default" },
  },
};
export const callsDailyReply = reply({
  currency: str,
  days: arrayOf(reply({ date: { type: 'string', format: 'date' }, calls: int, failed: int, cost: num })),
});
