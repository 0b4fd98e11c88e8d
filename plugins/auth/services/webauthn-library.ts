/**
 * @simplewebauthn/server, imported at the first passkey ceremony rather than at boot: with its X.509
 * and ASN.1 parsers and their dependency container it is ~290 modules, a sixth of what a start loads.
 */
let library: Promise<typeof import('@simplewebauthn/server')> | undefined;

export function webauthn(): Promise<typeof import('@simplewebauthn/server')> {
  library ??= import('@simplewebauthn/server');
  return library;
}
