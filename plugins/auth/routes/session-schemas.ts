/**
 * The schemas of the sessions routes (beside seeds 000 + 001, in their style): a user's own
 * signed-in sessions under /auth/sessions, any user's under /admin/users/{id}/sessions.
 */
import { arrayOf, bool, int, isoTime, nullable, reply, str } from 'plinth/plugin';

const uuid = { type: 'string', format: 'uuid' } as const;

export const sessionParams = { type: 'object', required: ['id'], properties: { id: uuid } } as const;
export const userSessionParams = { type: 'object', required: ['id', 'session_id'], properties: { id: uuid, session_id: uuid } } as const;

/** DELETE /auth/sessions: every other session, or (`include_current`) this one too. */
export const endAllQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { include_current: { type: 'boolean', default: false, description: 'End the session of this request as well (sign out everywhere)' } },
} as const;

export const sessionReply = reply({
  id: str,
  /** `ui`: an admin UI sign-in (its cookie); `api`: a token pair (password, magic link, SMS code). */
  kind: { enum: ['api', 'ui'] },
  /** Browser and system ("Firefox on Linux"), or a program's name ("curl"), read from the user agent. */
  device: str,
  /** The names `device` is made of (all null: an unknown device), for a UI that says it in another language. */
  device_parts: reply({ browser: nullable(str), system: nullable(str), program: nullable(str) }),
  ip: nullable(str),
  user_agent: nullable(str),
  created_at: isoTime,
  /** Up to a minute behind: written at most once a minute, and at every refresh. */
  last_used_at: isoTime,
  expires_at: isoTime,
  /** The session this request was made with. */
  current: bool,
});
export const sessionListReply = arrayOf(sessionReply);
export const sessionsEndedReply = reply({ detail: str, ended: int });
