/** One earlier chat turn given as context. */
const turn = {
  type: 'object',
  required: ['role', 'content'],
  additionalProperties: false,
  properties: { role: { enum: ['user', 'assistant'] }, content: { type: 'string', minLength: 1, maxLength: 20000 } },
};

/** A question outside a chat: the "try it" box and the workflows' `ai.reply` action. */
export const askSchema = {
  type: 'object',
  required: ['text'],
  additionalProperties: false,
  properties: {
    text: { type: 'string', minLength: 1, maxLength: 20000 },
    robotId: { type: 'string', maxLength: 64, description: "answer with this robot's AI settings" },
    provider: { type: 'string', pattern: '^[a-z0-9_-]{1,40}$', description: 'try this provider first' },
    context: { type: 'array', maxItems: 100, items: turn },
  },
};
