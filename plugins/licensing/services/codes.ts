import { randomInt } from 'node:crypto';
import type { LicenseCodeFormat } from '../api.js';

/** No 0/O, 1/I (nor L): codes are read aloud and typed by hand. */
export const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

export type CodeFormat = LicenseCodeFormat;

const draw = (n: number) => Array.from({ length: n }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

/** `XXXXX-XXXXX-XXXXX` (the seed's format) or 8 characters (WorkBot's activation codes). */
export function newCode(format: CodeFormat): string {
  return format === 'short8' ? draw(8) : `${draw(5)}-${draw(5)}-${draw(5)}`;
}

export const newLicenseId = () => `LIC-${draw(8)}`;

/** Codes are compared case-insensitively and without surrounding spaces. */
export const normalizeCode = (code: string) => code.trim().toUpperCase();
