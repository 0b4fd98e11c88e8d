import { AppError, type CoreErrorCode } from 'plinth/plugin';
import type { RobotsErrorCode } from '../api.js';

/** A robots error: its code one of robots' (api.ts) or the core's, so no other code compiles. */
export type RobotsError = AppError<RobotsErrorCode | CoreErrorCode>;

/** Who holds an activation code a device asked for (the seed's `code_in_use` details). */
export interface CodeHolder {
  existingDeviceId: string | null;
  existingRobotId: string | null;
  activatedAt: string | null;
}

/**
 * Every coded error the robots plugin throws, by what happened: a throw site reads
 * `throw RobotsErrors.codeNotFound()`, and what a client can meet is read here.
 * The core's generic helpers without a code (`AppError.notFound('…')`, `AppError.validation`) stay at their sites.
 */
export const RobotsErrors = {
  // Credentials.
  robotTokenInvalid: () => new AppError(401, 'invalid_token', 'invalid or revoked robot token'),
  refreshTokenInvalid: () => new AppError(401, 'invalid_token', 'invalid or expired refresh token'),
  notWorkbotAdmin: () => new AppError(403, 'not_workbot_admin', "WorkBot administration is for superadmins and the admins of WorkBot's home tenant"),
  manageScopeMissing: () => new AppError(403, 'missing_scope', 'this API key lacks the robots:manage scope'),
  noHomeTenant: (why: string) => new AppError(503, 'no_home_tenant', why),

  // Activation codes.
  codeNotFound: (code?: string) => new AppError(404, 'INVALID_CODE', code === undefined ? 'activation code not found' : `activation code ${code} not found`),
  codeInUse: (holder: CodeHolder) =>
    new AppError(409, 'code_in_use', 'this activation code is used by another device; ask an administrator to unbind it', { details: holder }),
  codeOfAnotherUser: (robotExists: boolean) =>
    new AppError(
      403,
      'code_of_another_user',
      robotExists ? 'the robot of this activation code belongs to another user' : 'this activation code is bound to another user',
    ),

  // Commands and messages.
  commandNotSent: (commandId: string | number, status: string) =>
    new AppError(409, 'not_sent', `command ${commandId} is ${status}; it was never sent to the robot`),
  commandNotAwaitingApproval: (commandId: string | number, status: string) =>
    new AppError(409, 'not_awaiting_approval', `command ${commandId} is ${status}, not awaiting approval`),
  fileTooLarge: (maxBytes: number) => new AppError(413, 'file_too_large', `fileBase64 is over ${maxBytes} bytes`),
} satisfies Record<string, (...args: never[]) => RobotsError>;
