/**
 * The schemas of the first steps (beside seeds 000 + 001, in their style): the first superadmin's
 * setup link, and what the sign-up page needs to know before it asks anything.
 */
import { body, int, isoTime, nullable, reply, str } from 'plinth/plugin';
import { email, password, token } from './schemas.js';

export const setupCheckBody = body({ token }, ['token']);
export const setupBody = body({ token, password, email }, ['token', 'password']);

export const setupCheckReply = reply({ email: nullable(str), expires_at: isoTime });
export const setupReply = reply({ detail: str, email: str });

export const registrationReply = reply({
  /** `open`: sign in at once; `verify`: after the emailed link; `closed`: no sign-up (POST /auth/register answers 403). */
  registration: { enum: ['open', 'verify', 'closed'] },
  password_min_length: int,
  password_max_length: int,
});
