/**
 * The platform's one rule for an email address, used by every schema's `format: 'email'` (createAjv
 * registers it) and by code that checks an address outside a schema.
 *
 * `local@domain`, where the local part is dot-separated atoms of RFC 5322's atext (letters of any
 * script too, RFC 6531) and the domain is one or more dot-separated labels of letters (any script:
 * an IDN as typed, or its punycode `xn--…`), digits and inner hyphens. One label is enough: a dotless
 * domain is a real mail domain (`admin@localhost`, a first start's own), and so is an intranet
 * host. Refused: quoted local parts, comments, address literals (`[127.0.0.1]`), an all-digit
 * top label (`x@10.0.0.1`), empty atoms or labels (`a..b`, `x@host.`), whitespace, control
 * characters, anything over 64 characters before the `@` or 254 in all (RFC 5321's path).
 */
const ATOM = "[\\p{L}\\p{N}\\p{M}!#$%&'*+/=?^_`{|}~-]+";
const LOCAL_PART = new RegExp(`^${ATOM}(?:\\.${ATOM})*$`, 'u');
const LABEL = /^[\p{L}\p{N}\p{M}](?:[\p{L}\p{N}\p{M}-]{0,61}[\p{L}\p{N}\p{M}])?$/u;

/** RFC 5321: a forward path holds at most 256 octets with its angle brackets. */
export const EMAIL_MAX_LENGTH = 254;

export function isEmailAddress(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > EMAIL_MAX_LENGTH) return false;
  const at = value.lastIndexOf('@');
  if (at < 1 || at > 64) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (!LOCAL_PART.test(local) || !domain || domain.length > 253) return false;
  const labels = domain.split('.');
  return labels.every((label) => LABEL.test(label)) && !/^\d+$/.test(labels[labels.length - 1]);
}
