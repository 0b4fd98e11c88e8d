import { AppError, type CoreErrorCode } from 'plinth/plugin';
import type { AgentsErrorCode } from '../api.js';

/** An agents error: its code one of agents' (api.ts) or the core's, so no other code compiles. */
export type AgentsError = AppError<AgentsErrorCode | CoreErrorCode>;

/**
 * Every coded error the agents plugin throws, by what happened: a throw site reads
 * `throw AgentsErrors.unknownTool(name)`, and what a client can meet is read here.
 * The core's generic helpers without a code (`AppError.notFound('…')`, `AppError.validation`) stay at their sites.
 */
export const AgentsErrors = {
  // The MCP endpoint.
  originNotAllowed: (origin: string) =>
    new AppError(403, 'origin_not_allowed', `Origin ${origin.slice(0, 200)} may not call this endpoint (settings.agents.allowedOrigins)`),
  accessTokenRefused: () => new AppError(401, 'invalid_token', 'The access token is unknown, expired, revoked or for another resource'),
  postOnly: () => new AppError(405, 'method_not_allowed', 'The MCP endpoint is stateless: POST only', { headers: { Allow: 'POST' } }),
  unknownTool: (name: string) => new AppError(404, 'unknown_tool', `no tool "${name}" for this key (tools_search lists them)`),
  confirmationInvalid: () => new AppError(409, 'confirmation_invalid', 'the confirmation token is unknown, spent, expired or for other arguments'),

  // OAuth consent and skills.
  signInUnfinished: () => new AppError(403, 'mfa_enrollment_required', 'finish signing in first (the admin UI shows the step that is required)'),
  skillNotFound: (name: string) => new AppError(404, 'skill_not_found', `no skill named ${name}`),
} satisfies Record<string, (...args: never[]) => AgentsError>;
