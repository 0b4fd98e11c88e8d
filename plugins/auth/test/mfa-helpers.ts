// Helpers for the second-factor tests: TOTP codes computed by an independent implementation
// (otplib, not the server's otpauth), enrolment through the API, and a sign-in answered with a code.
import assert from 'node:assert/strict';
import { generate } from 'otplib';
import type { ManualClock } from 'plinth/plugin';
import type { Reply } from '../../../test/helpers/app.js';
import type { AuthApp } from './admin-helpers.js';

/** One TOTP time step. */
export const STEP = 30_000;

/** The code an authenticator app shows at `at` (RFC 6238: SHA-1, 6 digits, 30 s), computed by otplib. */
export const codeAt = (secret: string, at: Date): Promise<string> => generate({ secret, epoch: Math.floor(at.getTime() / 1000) });

/** The code for the clock's now. */
export const codeNow = (secret: string, clock: ManualClock): Promise<string> => codeAt(secret, clock.now());

/** Moves the clock to the start of the next time step (a fresh code, with a whole step to use it in). */
export function nextStep(clock: ManualClock): void {
  const now = clock.now().getTime();
  clock.set(new Date(now - (now % STEP) + STEP + 1_000));
}

export interface Enrolled {
  secret: string;
  recoveryCodes: string[];
  enroll: Record<string, any>;
}

/** Enrols an authenticator for the signed-in caller and confirms it with a code (200s expected). */
export async function enrolTotp(t: AuthApp, headers: Record<string, string>, clock: ManualClock): Promise<Enrolled> {
  const enroll = await t.api('POST', '/auth/mfa/totp/enroll', { headers });
  assert.equal(enroll.status, 200, enroll.text);
  const secret = enroll.body.secret as string;
  nextStep(clock);
  const confirm = await t.api('POST', '/auth/mfa/totp/confirm', { headers, body: { code: await codeNow(secret, clock) } });
  assert.equal(confirm.status, 200, confirm.text);
  return { secret, recoveryCodes: confirm.body.recovery_codes, enroll: enroll.body };
}

/** The first step of a password sign-in for a user with a factor: the challenge (200, no tokens). */
export async function challengeFor(t: AuthApp, email: string, password: string): Promise<string> {
  const res = await t.api('POST', '/auth/login', { body: { email, password } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.mfa_required, true, res.text);
  assert.equal(res.body.access_token, undefined, 'no tokens before the second step');
  assert.equal(res.body.refresh_token, undefined, 'no refresh token before the second step');
  return res.body.challenge_token;
}

/** POST /auth/mfa/verify. */
export const verify = (t: AuthApp, challenge: string, answer: { code?: string; recovery_code?: string }): Promise<Reply> =>
  t.api('POST', '/auth/mfa/verify', { body: { challenge_token: challenge, ...answer } });

/** A full sign-in with password and a fresh code (moves the clock to the next step). */
export async function signInWithCode(t: AuthApp, email: string, password: string, secret: string, clock: ManualClock): Promise<Record<string, any>> {
  const challenge = await challengeFor(t, email, password);
  nextStep(clock);
  const res = await verify(t, challenge, { code: await codeNow(secret, clock) });
  assert.equal(res.status, 200, res.text);
  return res.body;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
