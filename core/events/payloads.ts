import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { JsonSchema } from '../validation.js';

/** An event a plugin declares (its manifest's `events`): the payload's schema, from which its type is derived. */
export interface EventSpec {
  version: number;
  description?: string;
  /** JSON Schema of the payload; workflows list and match against it. */
  schema: JsonSchema;
}

/**
 * Every event's payload type, by event name. Empty in the core, which knows no plugin: each
 * plugin's `api.ts` adds the events it declares by module augmentation, the payloads derived from
 * the JSON Schemas in its `events.ts` (so a schema and its type cannot drift apart):
 *
 *   export type MailEventPayloads = PayloadsOf<typeof mailEvents>;
 *   declare module '../../core/events/payloads.js' { interface EventPayloads extends MailEventPayloads {} }
 *
 * A plugin's `on` handlers and `events.emit` calls then get the payload type by event name.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by module augmentation (each plugin's api.ts)
export interface EventPayloads {}

/** The name of an event some plugin declares. */
export type EventName = keyof EventPayloads & string;

/** The payload of event `N`; a name no plugin declares (tests, ad-hoc events) carries any JSON object. */
export type PayloadOf<N extends string> = N extends EventName ? EventPayloads[N] : Record<string, unknown>;

/** Drops the `[key: string]: unknown` a schema without `additionalProperties: false` adds: a payload has its declared fields. */
type Declared<T> = T extends object ? { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] } : T;

/**
 * The payload types of a plugin's events, from their schemas: the events object must be declared
 * `as const satisfies Record<string, EventSpec>` so each schema keeps its literal type.
 */
export type PayloadsOf<E extends Record<string, EventSpec>> = {
  -readonly [N in keyof E]: E[N]['schema'] extends infer S extends JSONSchema ? Declared<FromSchema<S>> : never;
};
