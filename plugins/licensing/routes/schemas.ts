/**
 * The license server face's route schemas (seed 002): the request bodies and queries the routes
 * accept and the replies they answer, which /openapi.json documents and checkReplies holds them to.
 * Replies are what the routes pass to `ok()`; the face's `{ success: true, … }` is put around them.
 */
import { arrayOf, body, int, isoTime, nullable, reply, str } from 'plinth/plugin';

/** The most licenses one generate call makes (`count`). */
export const MAX_BATCH = 500;

const plans = ['monthly', 'yearly', 'lifetime'];
const licenseId = { type: 'string', minLength: 1, maxLength: 16 };
const deviceId = { type: 'string', minLength: 1, maxLength: 200 };

// Requests

/** The seed's bodies stay open as they always were: a field they do not list is ignored, not refused. */
const seedBody = (properties: Record<string, unknown>, required: string[]) => body(properties, required, { additionalProperties: true });

export const generateBody = seedBody(
  {
    plan: { enum: plans },
    email: { type: 'string', maxLength: 320 },
    device_cap: { type: 'integer', minimum: 1, maximum: 10000 },
    days: { type: 'integer', minimum: 1, maximum: 36500 },
    user_hint: { type: 'string', maxLength: 500 },
    // Beside the seed: that many licenses alike (the admin UI's "How many"), all or none.
    count: { type: 'integer', minimum: 1, maximum: MAX_BATCH },
    // Beside the seed: the product the license is for (`default`); a reserved one (`workbot`) is a 400.
    product: { type: 'string', minLength: 1, maxLength: 40 },
  },
  ['plan'],
);

export const revokeBody = seedBody({ license_id: licenseId, reason: { type: 'string', maxLength: 500 } }, ['license_id']);

/** deactivate-device and activate-device. */
export const deviceBody = seedBody({ license_id: licenseId, device_id: deviceId }, ['license_id', 'device_id']);

export const licensesQuery = {
  type: 'object',
  properties: { status: { enum: ['active', 'revoked', 'expired', 'disabled'] }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
};

export const daysQuery = { type: 'object', additionalProperties: false, properties: { days: { type: 'integer', minimum: 1, maximum: 366, default: 30 } } };

/** Any string: an id that cannot exist is the seed's 404 INVALID_LICENSE, not a refused request. */
export const licenseParams = { type: 'object', required: ['license_id'], properties: { license_id: str } };

const verifyFields = {
  activation_code: { type: 'string', maxLength: 64 },
  email: { type: 'string', maxLength: 320 },
  device_id: deviceId,
  device_name: { type: 'string', maxLength: 200 },
  ip_address: { type: 'string', maxLength: 64 },
};

/**
 * The seed's verify body. activation_code and email are not `required`: the seed's
 * clients get MISSING_LICENSE / MISSING_EMAIL for them (the route checks), not INVALID_REQUEST.
 */
export const verifyBody = seedBody(verifyFields, []);

export const licenseFileQuery = { type: 'object', required: ['device_id'], properties: verifyFields };

// Replies

const plan = { enum: [...plans, 'custom'] };
const status = { enum: ['active', 'revoked', 'expired', 'disabled'] };
/** A day as `YYYY-MM-DD` (UTC). */
const day = { type: 'string', format: 'date' };

/** A license as generate answers it (seed 002). */
const generated = reply({
  license_id: str,
  activation_code: str,
  email: nullable(str),
  plan,
  device_cap: int,
  valid_until: nullable(isoTime),
});

/** The seed's `license`; with `count`, `licenses` lists them all (the first is `license`). */
export const generateReply = reply({ license: generated, licenses: arrayOf(generated) }, ['licenses']);

/** revoke, deactivate-device, activate-device: the seed's bare `{ "success": true }`. */
export const doneReply = reply({});

/** A license in the seed's list. */
const listed = reply({
  id: int,
  license_id: str,
  activation_code: str,
  email: nullable(str),
  plan,
  device_limit: int,
  issued_at: isoTime,
  valid_until: nullable(isoTime),
  user_hint: nullable(str),
  status,
  created_at: isoTime,
  updated_at: isoTime,
  active_devices: int,
});

export const licensesReply = reply({ licenses: arrayOf(listed) });

export const statsReply = reply({
  stats: reply({
    total_licenses: int,
    active_licenses: int,
    plan_statistics: { ...reply({ monthly: int, yearly: int, lifetime: int }), additionalProperties: int },
    active_devices: int,
  }),
});

export const activationsDailyReply = reply({ days: arrayOf(reply({ date: day, activations: int })) });

/** One license with everything the engine keeps of it (the admin UI's device page). */
const license = reply({
  id: int,
  license_id: str,
  tenant_id: str,
  product: str,
  kind: { enum: ['license', 'robot'] },
  activation_code: str,
  email: nullable(str),
  plan,
  device_cap: int,
  active_devices: int,
  issued_at: isoTime,
  valid_until: nullable(isoTime),
  user_hint: nullable(str),
  status,
  status_reason: nullable(str),
  price: nullable(int),
  currency: nullable(str),
  bound_user_id: nullable(str),
  created_at: isoTime,
  updated_at: isoTime,
});

const device = reply({
  id: int,
  license_pk: int,
  device_id: str,
  device_name: nullable(str),
  ip_address: nullable(str),
  status: { enum: ['active', 'deactivated'] },
  first_seen_at: isoTime,
  last_seen_at: isoTime,
  deactivated_at: nullable(isoTime),
});

export const licenseReply = reply({ license, devices: arrayOf(device) });

/** The seed's health body, as is: not in the face's envelope. */
export const healthReply = reply({ status: { const: 'ok' }, timestamp: isoTime });

export const verifyReply = reply({
  code: { const: 'SUCCESS' },
  license: reply({ key: str, type: plan, expiresAt: nullable(isoTime) }),
  isValid: { const: true },
  licenseType: plan,
  expiresAt: nullable(isoTime),
  timestamp: isoTime,
});

const signed = { algorithm: { const: 'Ed25519' }, signature_scheme: str, key_id: str };

export const publicKeyReply = reply({ ...signed, public_key: str, public_key_raw: str });

/** `payload` and `signature` are the contract; `unverified_license` is for display only (nothing signs it). */
export const licenseFileReply = reply({
  ...signed,
  payload: str,
  signature: str,
  unverified_license: reply({
    license_id: str,
    product: str,
    plan,
    email: nullable(str),
    device_id: str,
    device_cap: int,
    issued_at: isoTime,
    valid_until: nullable(isoTime),
    signed_at: isoTime,
  }),
});
