import type { EventSpec } from 'plinth/plugin';

// Generic over its arguments so each schema keeps its literal type (api.ts derives the payload types from it).
const obj = <const R extends readonly string[], const P extends Record<string, unknown>>(required: R, properties: P) =>
  ({ type: 'object', required, properties }) as const;
const userRef = obj(['user_id'], { user_id: { type: 'string' } });

/** The events the auth plugin emits (payloads are versioned JSON Schemas). */
export const authEvents = {
  'auth.user.created': {
    version: 1,
    description: 'A user was created',
    schema: obj(['user_id', 'role'], {
      user_id: { type: 'string' },
      email: { type: ['string', 'null'] },
      phone: { type: ['string', 'null'] },
      role: { type: 'string' },
    }),
  },
  'auth.user.suspended': { version: 1, schema: userRef },
  'auth.user.activated': { version: 1, schema: userRef },
  'auth.user.deleted': { version: 1, schema: userRef },
  'auth.login': {
    version: 1,
    description: 'A user logged in',
    schema: obj(['user_id', 'method'], { user_id: { type: 'string' }, method: { type: 'string' } }),
  },
  'auth.tenant.created': { version: 1, schema: obj(['tenant_id'], { tenant_id: { type: 'string' }, name: { type: 'string' } }) },
  'auth.tenant.deleted': { version: 1, schema: obj(['tenant_id'], { tenant_id: { type: 'string' } }) },
  'auth.tenant.settings_updated': { version: 1, schema: obj(['tenant_id', 'settings'], { tenant_id: { type: 'string' }, settings: { type: 'object' } }) },
  'auth.api_key.created': {
    version: 1,
    schema: obj(['api_key_id'], { api_key_id: { type: 'string' }, user_id: { type: 'string' }, scopes: { type: 'array' } }),
  },
  'auth.api_key.revoked': { version: 1, schema: obj(['api_key_id'], { api_key_id: { type: 'string' } }) },
  'auth.api_key.rotated': { version: 1, schema: obj(['api_key_id'], { api_key_id: { type: 'string' } }) },
} as const satisfies Record<string, EventSpec>;
