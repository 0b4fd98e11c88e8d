/**
 * The second factor's schemas (routes/mfa.ts, and the challenge that /auth/login and
 * /auth/magic-link/verify answer with): the request bodies, and the replies /openapi.json documents.
 */
import { arrayOf, bool, body, int, nullable, reply, str, isoTime } from 'plinth/plugin';
import { loginReply } from './schemas.js';

/** A code from the authenticator app, as typed ("123456" or "123 456"); the service checks the digits. */
const code = { type: 'string', minLength: 6, maxLength: 16, description: 'The 6-digit code the authenticator app shows' } as const;
const recoveryCode = { type: 'string', minLength: 8, maxLength: 64, description: 'One of the recovery codes (xxxx-xxxx-xxxx), each usable once' } as const;
const challengeToken = { type: 'string', minLength: 1, maxLength: 512 } as const;

/** Exactly one of a code and a recovery code. */
const oneAnswer = { oneOf: [{ required: ['code'] }, { required: ['recovery_code'] }] };

export const codeBody = body({ code }, ['code']);
export const answerBody = body({ code, recovery_code: recoveryCode }, [], oneAnswer);
export const verifyBody = body({ challenge_token: challengeToken, code, recovery_code: recoveryCode }, ['challenge_token'], oneAnswer);

/** The first step's reply for a user with a second factor (200: the first step succeeded; no tokens yet). */
export const challengeReply = reply({
  mfa_required: { const: true },
  challenge_token: str,
  methods: arrayOf({ enum: ['totp', 'recovery_code'] }),
  expires_in: int,
});

/** A sign-in's first step: the seed's login reply, or (a user with a second factor) the challenge. */
export const signInReply = { anyOf: [loginReply, challengeReply] };

export const mfaStatusReply = reply({
  enabled: bool,
  /** A set-up was started (a secret shown) and waits for its first code. */
  pending: bool,
  confirmed_at: nullable(isoTime),
  recovery_codes_left: int,
  /** The server's policy requires you to have a second factor. */
  required: bool,
  policy: { enum: ['none', 'superadmins', 'admins', 'everyone'] },
});

export const enrollReply = reply({
  /** Base32, for typing into the app by hand. */
  secret: str,
  otpauth_uri: str,
  /** The URI as a QR code: a data: URL of an SVG image. */
  qr_code: str,
  algorithm: { const: 'SHA1' },
  digits: { const: 6 },
  period: { const: 30 },
});

/** Ten single-use codes, shown this once (stored as SHA-256). */
export const recoveryCodesReply = reply({ recovery_codes: arrayOf(str), detail: str });
