import { Secret, TOTP } from 'otpauth';
import { lazy } from 'plinth/plugin';
import { randomToken, sha256 } from 'plinth/plugin';

/**
 * TOTP as every authenticator app does it (RFC 6238 with Google Authenticator's defaults): HMAC-SHA1,
 * 6 digits, 30-second steps; a code is accepted one step either side of the server's clock. The
 * arithmetic is otpauth's; what is ours is which step a code was for (replay, second-factor.ts).
 */
export const TOTP_PERIOD_SECONDS = 30;
const DIGITS = 6;
const WINDOW = 1;
/** 160 bits, the length RFC 4226 recommends (and SHA-1's block of output). */
const SECRET_BYTES = 20;

/** The QR code library builds its matrix in ~40 modules: loaded at the first enrolment, not at boot. */
const qrcode = lazy(() => import('qrcode'));

/** A new shared secret, base32 (what the app's manual entry takes), from the platform's random source. */
export function newTotpSecret(): string {
  return Secret.fromHex(Buffer.from(randomToken(SECRET_BYTES), 'base64url').toString('hex')).base32;
}

const totpOf = (secret: string, label = 'account', issuer = '') =>
  new TOTP({
    issuer,
    label,
    issuerInLabel: Boolean(issuer),
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: DIGITS,
    period: TOTP_PERIOD_SECONDS,
  });

/** The otpauth:// URI an authenticator app reads from the QR code. */
export const totpUri = (secret: string, label: string, issuer: string): string => totpOf(secret, label, issuer).toString();

/** The URI as an SVG QR code in a data: URL (an <img> shows it; the admin UI's CSP allows data: images). */
export async function qrDataUrl(uri: string): Promise<string> {
  const qr = await qrcode();
  const svg = await qr.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}

/** What a person typed: digits only, spaces allowed ("123 456"). */
export const normalizeTotpCode = (code: string): string => code.replace(/\s+/g, '');

/**
 * The time step the code belongs to (within one step of `now`), or null when it matches none.
 * The caller refuses a step that is not newer than the last one accepted.
 */
export function totpStep(secret: string, code: string, now: Date): number | null {
  const token = normalizeTotpCode(code);
  if (!/^\d{6}$/.test(token)) return null;
  const timestamp = now.getTime();
  const delta = totpOf(secret).validate({ token, timestamp, window: WINDOW });
  if (delta === null) return null;
  return TOTP.counter({ period: TOTP_PERIOD_SECONDS, timestamp }) + delta;
}

// --- Recovery codes ------------------------------------------------------------------------------

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'; // no i, l, o, 0, 1: nothing to misread
/** 12 characters of a 31-letter alphabet: 59 bits each, drawn without bias. */
const RECOVERY_LENGTH = 12;
export const RECOVERY_CODES = 10;

/** One recovery code as shown: `abcd-efgh-jkmn`. */
export function newRecoveryCode(): string {
  let out = '';
  while (out.length < RECOVERY_LENGTH) {
    for (const byte of Buffer.from(randomToken(16), 'base64url')) {
      // 248 = 8 × 31: bytes above it would favour the first letters.
      if (byte < 248 && out.length < RECOVERY_LENGTH) out += ALPHABET[byte % ALPHABET.length];
    }
  }
  return `${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8)}`;
}

/** As stored: SHA-256 of the code without dashes or spaces, in lower case (typed any way, it matches). */
export const recoveryCodeHash = (code: string): string => sha256(code.replace(/[\s-]+/g, '').toLowerCase());
