/**
 * Building blocks for route schemas, shared by every plugin's `schemas.ts`: request bodies that name
 * what they accept, and the reply shapes /openapi.json documents (and `server.checkReplies` holds
 * every reply to). Plugins keep their route schemas in modules of their own and build them from these.
 */
import type { JsonSchema } from '../validation.js';

/** A request body: exactly these properties (anything else is refused, naming the field). */
export const body = (properties: Record<string, unknown>, required: string[] = [], extra: Record<string, unknown> = {}): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
  ...extra,
});

/**
 * A reply object: the properties it always carries (required by default) and those it may. Replies
 * stay open to new properties (`additionalProperties` is not closed) so adding a field never breaks
 * a client or the check; what is listed is checked.
 */
export const reply = (properties: Record<string, unknown>, optional: string[] = []): JsonSchema => ({
  type: 'object',
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  properties,
});

/** `T | null`. */
export const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] });

export const str: JsonSchema = { type: 'string' };
export const int: JsonSchema = { type: 'integer' };
export const num: JsonSchema = { type: 'number' };
export const bool: JsonSchema = { type: 'boolean' };
/** A time as the API writes it: ISO-8601 UTC. */
export const isoTime: JsonSchema = { type: 'string', format: 'date-time' };
/** Free-form JSON object (settings, metadata, an event's payload). */
export const anyObject: JsonSchema = { type: 'object' };
export const arrayOf = (items: JsonSchema): JsonSchema => ({ type: 'array', items });

/** The core pager's reply (`toPage`): `{ items, total, page, page_size, pages }`. */
export const pageOf = (item: JsonSchema): JsonSchema => reply({ items: arrayOf(item), total: int, page: int, page_size: int, pages: int });
