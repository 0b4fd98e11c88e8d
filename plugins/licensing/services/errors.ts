import { AppError } from '../../../core/errors.js';

/** The seed's codes (core/http/envelopes.ts SUCCESS_ERROR_CODES) that the licensing engine throws. */
export type SeedCode = 'INVALID_REQUEST' | 'INVALID_LICENSE';

/** Finer reasons a client may show or log; the seed's clients switch on `code` alone. */
export type Reason =
  | 'DEVICE_NOT_FOUND'
  | 'DEVICE_NOT_ACTIVATED'
  | 'DEVICE_DEACTIVATED'
  | 'DEVICE_LIMIT_REACHED'
  | 'LICENSE_NOT_FOUND'
  | 'LICENSE_REVOKED'
  | 'LICENSE_EXPIRED'
  | 'LICENSE_DISABLED';

/**
 * An error in the seed's closed set of codes with the finer reason beside it: the `success`
 * envelope renders `{ code, reason }`, other faces (robots) find the reason in their details.
 */
export const licensingError = (status: number, code: SeedCode, reason: Reason, message: string) => new AppError(status, code, message, { details: { reason } });
