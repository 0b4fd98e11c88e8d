import { AppError } from 'plinth/plugin';
import type { LicensingErrorCode, LicensingReason } from '../api.js';

/** A licensing error: its code one of the catalogue's (api.ts), so no other code compiles. */
export type LicensingError = AppError<LicensingErrorCode>;

/**
 * An error in the seed's closed set of codes with the finer reason beside it: the `success`
 * envelope renders `{ code, reason }`, other faces (robots) find the reason in their details.
 */
const withReason = (status: number, code: LicensingErrorCode, reason: LicensingReason, message: string): LicensingError =>
  new AppError(status, code, message, { details: { reason } });

const ENDED = { revoked: 'LICENSE_REVOKED', disabled: 'LICENSE_DISABLED', expired: 'LICENSE_EXPIRED' } as const;

/**
 * Every error the licensing plugin throws, by what happened (Fastify's one catalogue of coded
 * errors): a throw site reads `throw LicensingErrors.licenseNotFound(id)`, and what a client can
 * meet is read here, in one place. The codes are the seed's (core/http/envelopes.ts
 * SUCCESS_ERROR_CODES); the core's generic errors (validation, rate limits, plans) are mapped to
 * them by the `success` envelope.
 */
export const LicensingErrors = {
  // The admin API's credential: every failure is the seed's INVALID_API_KEY.
  credentialRefused: (message: string) => new AppError(401, 'INVALID_API_KEY', message),
  credentialMissing: () => new AppError(401, 'INVALID_API_KEY', 'an X-API-Key header is required'),
  scopeMissing: (scope: string) => new AppError(403, 'INVALID_API_KEY', `this API key lacks the ${scope} scope`),

  // What a request must carry, checked before anything else (the seed's order).
  activationCodeMissing: () => new AppError(400, 'MISSING_LICENSE', 'activation_code is required'),
  emailMissing: () => new AppError(400, 'MISSING_EMAIL', 'email is required'),
  emailMalformed: () => new AppError(400, 'INVALID_REQUEST', 'email is not an email address'),

  // The admin API's licenses and devices.
  licenseNotFound: (licenseId: string) => withReason(404, 'INVALID_LICENSE', 'LICENSE_NOT_FOUND', `license ${licenseId} not found`),
  deviceNotBound: (licenseId: string, deviceId: string) =>
    withReason(404, 'INVALID_REQUEST', 'DEVICE_NOT_FOUND', `device ${deviceId} is not bound to ${licenseId}`),
  deviceCapReached: (licenseId: string, cap: number) =>
    withReason(409, 'INVALID_REQUEST', 'DEVICE_LIMIT_REACHED', `license ${licenseId} already has ${cap} active device(s)`),

  // POST /api/verify: a license a client may not run with (403 INVALID_LICENSE, the reason beside it).
  noMatchingLicense: () => withReason(403, 'INVALID_LICENSE', 'LICENSE_NOT_FOUND', 'the activation code does not exist or does not match this email'),
  licenseEnded: (status: 'revoked' | 'disabled' | 'expired') => withReason(403, 'INVALID_LICENSE', ENDED[status], `this license has been ${status}`),
  licenseExpired: () => withReason(403, 'INVALID_LICENSE', 'LICENSE_EXPIRED', 'this license has expired'),
  deviceNotActivated: () => withReason(403, 'INVALID_LICENSE', 'DEVICE_NOT_ACTIVATED', 'this device is not activated for this license; verify it first'),
  deviceSlotsTaken: (cap: number) =>
    withReason(403, 'INVALID_LICENSE', 'DEVICE_LIMIT_REACHED', `this license is already active on ${cap} device(s); deactivate one first`),
  deviceDeactivated: () => withReason(403, 'INVALID_LICENSE', 'DEVICE_DEACTIVATED', 'this device has been deactivated for this license'),

  // Generating: a product another plugin sells (WorkBot's) is issued only by it, with its kind.
  productReserved: (product: string, by: string) =>
    withReason(400, 'INVALID_REQUEST', 'PRODUCT_RESERVED', `product ${JSON.stringify(product)} is reserved: its licenses are issued by ${by}`),
} satisfies Record<string, (...args: never[]) => LicensingError>;
