/**
 * The password rules, as plain functions: the server refuses by them (services/passwords.ts) and
 * the admin UI's sign-up, setup and change-password pages judge by them as the password is typed,
 * so the meter never calls a password fine that the server then refuses. Both load the same list
 * of common passwords (zxcvbn-ts's, ~49k): the server at its first check, the browser when a page
 * with a password field opens.
 */

export interface PasswordBounds {
  min: number;
  max: number;
}

/** Strength of a password the rules accept: 1 weak … 4 strong. */
export type Strength = 1 | 2 | 3 | 4;

export const STRENGTH_LABELS: Record<Strength, string> = { 1: 'weak', 2: 'fair', 3: 'good', 4: 'strong' };

/** Whether `password` is on the list (the list holds lower-case entries). */
export type CommonCheck = (password: string) => boolean;

/** Why the server refuses `password` (the message of its 422), or null when it accepts it. */
export function passwordProblem(password: string, bounds: PasswordBounds, isCommon: CommonCheck): string | null {
  const length = [...password].length;
  if (length < bounds.min) return `must be at least ${bounds.min} characters`;
  if (length > bounds.max) return `must be at most ${bounds.max} characters`;
  if (isCommon(password.toLowerCase())) return 'is too common; choose a less guessable password';
  return null;
}

/**
 * How hard an accepted password is to guess, roughly: the bits of its length over the kinds of
 * character it uses, less for a common word with digits or symbols stuck on ("Password123!") and for
 * few distinct characters. A hint for the person typing; the server's rule is passwordProblem.
 */
export function passwordStrength(password: string, isCommon: CommonCheck): Strength {
  const chars = [...password];
  let pool = 0;
  if (/[a-z]/.test(password)) pool += 26;
  if (/[A-Z]/.test(password)) pool += 26;
  if (/\d/.test(password)) pool += 10;
  if (/[^\w\s]|_|\s/.test(password)) pool += 33;
  if (/[^\x00-\x7f]/.test(password)) pool += 100;
  let bits = chars.length * Math.log2(Math.max(pool, 2));
  const core = password.toLowerCase().replace(/[\d\W_]+$/u, '');
  if (core.length >= 3 && core !== password.toLowerCase() && isCommon(core)) bits = Math.min(bits, 30);
  if (new Set(chars).size <= Math.max(3, chars.length / 3)) bits = Math.min(bits, 30);
  return bits < 40 ? 1 : bits < 60 ? 2 : bits < 80 ? 3 : 4;
}
