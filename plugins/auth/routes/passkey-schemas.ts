/**
 * The passkey routes' schemas: the authenticator's answers as @simplewebauthn/browser hands them
 * over (base64url fields, bounded), and the replies /openapi.json documents. The ceremony options
 * are WebAuthn's PublicKeyCredential*OptionsJSON, passed to the browser as they are.
 */
import { validatorOnFirstUse } from 'plinth/plugin';
import { arrayOf, bool, body, int, isoTime, nullable, reply, str } from 'plinth/plugin';

const b64url = (maxLength: number) => ({ type: 'string', pattern: '^[A-Za-z0-9_-]*$', maxLength }) as const;
/** A credential id: at most 1023 bytes by the spec, 1364 characters of base64url. */
const credentialId = { ...b64url(1400), minLength: 1 };
const transports = { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 32 } };
const extensions = { type: 'object', maxProperties: 20 };
const attachment = { enum: ['platform', 'cross-platform'] };
export const passkeyName = { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' } as const;

/** RegistrationResponseJSON (navigator.credentials.create()). */
const registrationResponse = {
  type: 'object',
  required: ['id', 'rawId', 'type', 'response', 'clientExtensionResults'],
  properties: {
    id: credentialId,
    rawId: credentialId,
    type: { const: 'public-key' },
    authenticatorAttachment: attachment,
    clientExtensionResults: extensions,
    response: {
      type: 'object',
      required: ['clientDataJSON', 'attestationObject'],
      properties: {
        clientDataJSON: b64url(4096),
        attestationObject: b64url(65_536),
        authenticatorData: b64url(65_536),
        transports,
        publicKeyAlgorithm: { type: 'integer' },
        publicKey: b64url(8192),
      },
    },
  },
};

/** AuthenticationResponseJSON (navigator.credentials.get()). */
export const authenticationResponse = {
  type: 'object',
  required: ['id', 'rawId', 'type', 'response', 'clientExtensionResults'],
  properties: {
    id: credentialId,
    rawId: credentialId,
    type: { const: 'public-key' },
    authenticatorAttachment: attachment,
    clientExtensionResults: extensions,
    response: {
      type: 'object',
      required: ['clientDataJSON', 'authenticatorData', 'signature'],
      properties: {
        clientDataJSON: b64url(4096),
        authenticatorData: b64url(8192),
        signature: b64url(8192),
        userHandle: b64url(128),
      },
    },
  },
};

export const registrationBody = body({ response: registrationResponse, name: passkeyName }, ['response']);
export const renameBody = body({ name: passkeyName }, ['name']);
export const signInOptionsBody = body({ email: { type: 'string', minLength: 1, maxLength: 320 } });
export const signInBody = body({ response: authenticationResponse }, ['response']);

/** The admin UI's sign-in (POST /admin/api/login `{ passkey }`) checks the answer with the same schema. */
export const validateAuthenticationResponse = validatorOnFirstUse(authenticationResponse);

const credentialRef = reply({ id: str, type: { const: 'public-key' }, transports: arrayOf(str) }, ['transports']);

/** PublicKeyCredentialCreationOptionsJSON: for @simplewebauthn/browser's startRegistration({ optionsJSON }). */
export const registrationOptionsReply = reply(
  {
    challenge: str,
    rp: reply({ name: str, id: str }),
    user: reply({ id: str, name: str, displayName: str }),
    pubKeyCredParams: arrayOf(reply({ type: str, alg: int })),
    timeout: int,
    excludeCredentials: arrayOf(credentialRef),
    authenticatorSelection: reply({ residentKey: str, userVerification: str, requireResidentKey: bool }, ['requireResidentKey']),
    attestation: str,
  },
  ['timeout', 'excludeCredentials', 'authenticatorSelection', 'attestation'],
);

/** PublicKeyCredentialRequestOptionsJSON: for startAuthentication({ optionsJSON }). */
export const signInOptionsReply = reply({ challenge: str, rpId: str, timeout: int, allowCredentials: arrayOf(credentialRef), userVerification: str }, [
  'timeout',
  'allowCredentials',
]);

/** A passkey as its owner sees it: never the key. */
export const passkeyReply = reply({
  id: str,
  name: str,
  /** singleDevice, or multiDevice (synced between devices). */
  device_type: { enum: ['singleDevice', 'multiDevice'] },
  backed_up: bool,
  transports: arrayOf(str),
  created_at: isoTime,
  last_used_at: nullable(isoTime),
});
export const passkeyListReply = arrayOf(passkeyReply);
