import type { EventSpec } from 'plinth/plugin';

/** Every payload names the license, its product and its kind: `robot` for WorkBot's activation codes, `license` otherwise. */
// Generic over its arguments so each schema keeps its literal type (api.ts derives the payload types from it).
const license = <const P extends Record<string, unknown> = {}, const R extends readonly string[] = []>(extra?: P, required?: R) =>
  ({
    type: 'object',
    required: ['license_id', 'product', 'kind', ...((required ?? []) as R)],
    properties: { license_id: { type: 'string' }, product: { type: 'string' }, kind: { enum: ['license', 'robot'] }, ...((extra ?? {}) as P) },
  }) as const;

export const licensingEvents = {
  'license.generated': { version: 1, schema: license({ plan: { type: 'string' }, email: { type: ['string', 'null'] } }) },
  'license.activated': {
    version: 1,
    description: 'A device was bound to a license for the first time',
    schema: license({ device_id: { type: 'string' }, device_name: { type: ['string', 'null'] } }, ['device_id']),
  },
  'license.revoked': { version: 1, schema: license({ reason: { type: ['string', 'null'] } }) },
  'license.disabled': { version: 1, schema: license({ reason: { type: ['string', 'null'] } }) },
  'license.expired': { version: 1, schema: license() },
  'license.device_deactivated': { version: 1, schema: license({ device_id: { type: 'string' } }, ['device_id']) },
} as const satisfies Record<string, EventSpec>;
