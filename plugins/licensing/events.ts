import type { EventSpec } from '../../core/plugins/contract.js';

const license = (extra: Record<string, unknown> = {}, required: string[] = []) => ({ type: 'object', required: ['license_id', ...required], properties: { license_id: { type: 'string' }, ...extra } });

export const licensingEvents: Record<string, EventSpec> = {
  'license.generated': { version: 1, schema: license({ product: { type: 'string' }, plan: { type: 'string' }, email: { type: ['string', 'null'] } }) },
  'license.activated': { version: 1, description: 'A device was bound to a license for the first time', schema: license({ device_id: { type: 'string' }, device_name: { type: ['string', 'null'] } }, ['device_id']) },
  'license.revoked': { version: 1, schema: license({ reason: { type: ['string', 'null'] } }) },
  'license.disabled': { version: 1, schema: license({ reason: { type: ['string', 'null'] } }) },
  'license.expired': { version: 1, schema: license() },
  'license.device_deactivated': { version: 1, schema: license({ device_id: { type: 'string' } }, ['device_id']) },
};
