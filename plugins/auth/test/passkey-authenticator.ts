// A software authenticator for the API tests: makes P-256 passkeys and answers WebAuthn ceremonies
// the way a browser hands them to the server (the JSON of @simplewebauthn/browser), with its own
// small CBOR encoder and node:crypto signatures, so nothing here reuses the server library's code.
// Each answer can be bent (origin, RP id, user verification, counter, user handle) to play an attacker.
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

type Cbor = number | string | Uint8Array | Map<number | string, Cbor>;

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

/** RFC 8949 for what COSE keys and attestation objects use: integers, byte and text strings, maps. */
export function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value, 'utf8')]);
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  const parts = [head(5, value.size)];
  for (const [k, v] of value) parts.push(cbor(k), cbor(v));
  return Buffer.concat(parts);
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest();
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

export interface SoftCredential {
  id: string;
  rpId: string;
  /** base64url of the user handle the server gave at registration. */
  userHandle: string;
  privateKey: KeyObject;
  counter: number;
}

/** What an answer may be bent by. */
export interface Bend {
  origin?: string;
  rpId?: string;
  userVerified?: boolean;
  /** The signature counter to report (default: one more than last time). */
  counter?: number;
  userHandle?: string | null;
  type?: string;
  challenge?: string;
  /** create(): answer with this passkey again (its id and key) instead of a new one. */
  reuse?: SoftCredential;
}

interface CreationOptions {
  challenge: string;
  rp: { id?: string };
  user: { id: string };
}
interface RequestOptions {
  challenge: string;
  rpId?: string;
  allowCredentials?: Array<{ id: string }>;
}

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];

  constructor(readonly origin: string) {}

  /** navigator.credentials.create(): a new passkey for the options' user. */
  create(options: CreationOptions, bend: Bend = {}) {
    const privateKey = bend.reuse?.privateKey ?? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
    const cose = cbor(
      new Map<number, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const id = bend.reuse ? Buffer.from(bend.reuse.id, 'base64url') : randomBytes(32);
    const rpId = bend.rpId ?? options.rp.id!;
    const credential: SoftCredential = { id: b64(id), rpId, userHandle: options.user.id, privateKey, counter: 0 };
    const flags = UP | AT | (bend.userVerified === false ? 0 : UV);
    const idLength = Buffer.from([id.length >> 8, id.length & 0xff]);
    const authData = Buffer.concat([sha256(rpId), Buffer.from([flags]), u32(0), Buffer.alloc(16), idLength, id, cose]);
    const attestation = cbor(
      new Map<string, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    const clientData = this.clientData(bend.type ?? 'webauthn.create', bend.challenge ?? options.challenge, bend.origin);
    if (!bend.reuse) this.credentials.push(credential);
    return {
      credential,
      response: {
        id: credential.id,
        rawId: credential.id,
        type: 'public-key',
        response: { clientDataJSON: b64(clientData), attestationObject: b64(attestation), transports: ['internal'] },
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
      },
    };
  }

  /** navigator.credentials.get(): an assertion with `credential` (default: the first one the options allow, or the first made). */
  get(options: RequestOptions, credential?: SoftCredential, bend: Bend = {}) {
    const allowed = options.allowCredentials?.map((c) => c.id) ?? [];
    const cred = credential ?? this.credentials.find((c) => !allowed.length || allowed.includes(c.id));
    if (!cred) throw new Error('no passkey for these options');
    cred.counter = bend.counter ?? cred.counter + 1;
    const flags = UP | (bend.userVerified === false ? 0 : UV);
    const authData = Buffer.concat([sha256(bend.rpId ?? cred.rpId), Buffer.from([flags]), u32(cred.counter)]);
    const clientData = this.clientData(bend.type ?? 'webauthn.get', bend.challenge ?? options.challenge, bend.origin);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), cred.privateKey);
    const userHandle = bend.userHandle === undefined ? cred.userHandle : bend.userHandle;
    return {
      id: cred.id,
      rawId: cred.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64(clientData),
        authenticatorData: b64(authData),
        signature: b64(signature),
        ...(userHandle === null ? {} : { userHandle }),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  private clientData(type: string, challenge: string, origin = this.origin): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
  }
}
