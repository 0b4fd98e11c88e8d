// Passkeys over the API: adding one (options, then the authenticator's answer) and the refusals
// (a replayed or someone else's challenge, a wrong origin or relying party, no user verification,
// an API key); listing, renaming and removing, each user only their own; the audit rows.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { TestApp } from '../../../test/helpers/app.js';
import { type Actor, addUser, registerOwner } from '../../../test/helpers/actors.js';
import { api, auditRows, authApp } from './helpers.js';
import { SoftAuthenticator } from './passkey-authenticator.js';

const ORIGIN = 'http://plinth.test'; // the test app's server.publicUrl
const hashOf = (challenge: string) => createHash('sha256').update(challenge).digest('hex');

describe('auth: adding and managing passkeys', () => {
  let t: TestApp;
  let alice: Actor;
  let bob: Actor;
  const device = new SoftAuthenticator(ORIGIN);

  const options = (who: Actor) => api(t, 'POST', '/auth/passkeys/registration/options', { headers: who.headers });
  const verify = (who: Actor, body: unknown) => api(t, 'POST', '/auth/passkeys/registration/verify', { headers: who.headers, body });
  const rows = (userId: string) => t.app.db('auth_passkeys').where('user_id', userId).orderBy('created_at');
  const challenges = () => t.app.db('auth_passkey_challenges');

  /** Options, then the device's answer: the reply of the verify step. */
  async function add(who: Actor, name?: string, bend = {}) {
    const res = await options(who);
    assert.equal(res.status, 200, res.text);
    const made = device.create(res.body, bend);
    return { made, options: res.body, res: await verify(who, { response: made.response, ...(name ? { name } : {}) }) };
  }

  before(async () => {
    t = await authApp();
    alice = await registerOwner(t, 'alice');
    bob = await addUser(t, alice.tenantId, 'admin', { label: 'bob' });
  });
  after(() => t?.close());

  it('options: this site as the relying party, the user id as handle, a discoverable credential with user verification', async () => {
    const res = await options(alice);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.rp, { name: 'Plinth', id: 'plinth.test' });
    assert.equal(Buffer.from(res.body.user.id, 'base64url').toString('utf8'), alice.id);
    assert.equal(res.body.user.name, alice.email);
    assert.deepEqual(res.body.authenticatorSelection, { residentKey: 'required', userVerification: 'required', requireResidentKey: true });
    assert.equal(res.body.attestation, 'none');
    assert.deepEqual(res.body.excludeCredentials, []);
    // Kept hashed, for this user, for 5 minutes.
    const kept = await challenges().where('user_id', alice.id);
    assert.equal(kept.length, 1);
    assert.equal(kept[0].challenge_hash, hashOf(res.body.challenge));
    assert.equal(kept[0].purpose, 'registration');
  });

  it('adds a passkey: 201 with its name, the row with the public key and counter, the audit row; the challenge is spent', async () => {
    const { made, options: asked, res } = await add(alice, 'Laptop');
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.name, 'Laptop');
    assert.equal(res.body.device_type, 'singleDevice');
    assert.equal(res.body.backed_up, false);
    assert.deepEqual(res.body.transports, ['internal']);
    assert.equal(res.body.last_used_at, null);
    assert.equal(JSON.stringify(res.body).includes('public_key'), false, 'the key is never shown');
    const [row] = await rows(alice.id);
    assert.equal(row.id, res.body.id);
    assert.equal(row.credential_id, made.credential.id);
    assert.equal(Number(row.counter), 0);
    assert.ok(row.public_key.length > 40);
    assert.equal(await challenges().where('challenge_hash', hashOf(asked.challenge)).first(), undefined, 'spent');
    const [audit] = await auditRows(t, 'passkey.added', { target_id: row.id });
    assert.equal(audit.actor_id, alice.id);
    assert.equal(audit.tenant_id, alice.tenantId);
    assert.equal(JSON.parse(audit.details).name, 'Laptop');
  });

  it('the same answer again is refused (the challenge was used) and adds nothing', async () => {
    const { made } = await add(alice, 'Phone');
    const again = await verify(alice, { response: made.response, name: 'Phone again' });
    assert.equal(again.status, 400, again.text);
    assert.equal(again.body.code, 'invalid_challenge');
    assert.deepEqual(
      (await rows(alice.id)).map((r) => r.name),
      ['Laptop', 'Phone'],
    );
  });

  it('a challenge issued to someone else is refused, and stays theirs to answer', async () => {
    const theirs = await options(bob);
    const made = device.create(theirs.body);
    const res = await verify(alice, { response: made.response });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.code, 'invalid_challenge');
    assert.equal((await rows(alice.id)).length, 2);
    const own = await verify(bob, { response: made.response, name: 'Bob key' });
    assert.equal(own.status, 201, own.text);
  });

  for (const [what, bend] of [
    ['another origin', { origin: 'http://evil.test' }],
    ['another relying party', { rpId: 'evil.test' }],
    ['no user verification', { userVerified: false }],
    ['a sign-in answer', { type: 'webauthn.get' }],
  ] as const) {
    it(`${what}: refused (passkey_refused), nothing added`, async () => {
      const before = (await rows(alice.id)).length;
      const { res } = await add(alice, 'Bent', bend);
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.code, 'passkey_refused');
      assert.equal((await rows(alice.id)).length, before);
    });
  }

  it('the options leave out the passkeys the user has; a passkey registered already (to anyone) is refused', async () => {
    const res = await options(alice);
    assert.deepEqual(res.body.excludeCredentials.map((c: { id: string }) => c.id).sort(), (await rows(alice.id)).map((r) => r.credential_id).sort());
    // A device answers Alice's options with Bob's passkey (its id and key): it is Bob's.
    const bobs = device.credentials.find((c) => c.userHandle !== res.body.user.id)!;
    const again = await verify(alice, { response: device.create(res.body, { reuse: bobs }).response });
    assert.equal(again.status, 409, again.text);
    assert.equal(again.body.code, 'passkey_exists');
    assert.equal((await rows(alice.id)).length, 2);
    assert.equal((await rows(bob.id)).length, 1);
  });

  it('an answer naming another id than the one its authenticator signed is refused', async () => {
    const res = await options(alice);
    const [bobs] = await rows(bob.id);
    const made = device.create(res.body);
    const bent = await verify(alice, { response: { ...made.response, id: bobs.credential_id, rawId: bobs.credential_id } });
    assert.equal(bent.status, 400, bent.text);
    assert.equal(bent.body.code, 'passkey_refused');
    assert.equal((await rows(alice.id)).length, 2);
  });

  it('an API key cannot add a passkey (it would become a full session), a body without an answer is 422', async () => {
    const key = await api(t, 'POST', '/api-keys', { headers: alice.headers, body: { name: 'k', scopes: ['account:manage', 'account:read'] } });
    assert.equal(key.status, 201, key.text);
    const res = await api(t, 'POST', '/auth/passkeys/registration/options', { headers: { 'x-api-key': key.body.raw_key } });
    assert.equal(res.status, 403, res.text);
    assert.equal((await api(t, 'POST', '/auth/passkeys/registration/verify', { headers: alice.headers, body: { name: 'x' } })).status, 422);
    assert.equal((await api(t, 'POST', '/auth/passkeys/registration/options', {})).status, 401);
    // A key may list its owner's passkeys (account:read), as it reads the profile.
    const listed = await api(t, 'GET', '/auth/passkeys', { headers: { 'x-api-key': key.body.raw_key } });
    assert.equal(listed.status, 200, listed.text);
    assert.equal(listed.body.length, 2);
  });

  it('lists only my passkeys, oldest first', async () => {
    const mine = await api(t, 'GET', '/auth/passkeys', { headers: alice.headers });
    assert.equal(mine.status, 200, mine.text);
    assert.deepEqual(
      mine.body.map((p: { name: string }) => p.name),
      ['Laptop', 'Phone'],
    );
    const his = await api(t, 'GET', '/auth/passkeys', { headers: bob.headers });
    assert.deepEqual(
      his.body.map((p: { name: string }) => p.name),
      ['Bob key'],
    );
  });

  it('renames my passkey (audited); another user cannot rename or remove it (404, nothing changes)', async () => {
    const [laptop] = await rows(alice.id);
    const res = await api(t, 'PATCH', `/auth/passkeys/${laptop.id}`, { headers: alice.headers, body: { name: 'Work laptop' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.name, 'Work laptop');
    assert.equal((await t.app.db('auth_passkeys').where('id', laptop.id).first()).name, 'Work laptop');
    const [audit] = await auditRows(t, 'passkey.renamed', { target_id: laptop.id });
    assert.deepEqual(JSON.parse(audit.details), { from: 'Laptop', to: 'Work laptop' });

    // Bob is an admin of the same tenant: still not his.
    const rename = await api(t, 'PATCH', `/auth/passkeys/${laptop.id}`, { headers: bob.headers, body: { name: 'mine now' } });
    assert.equal(rename.status, 404, rename.text);
    const remove = await api(t, 'DELETE', `/auth/passkeys/${laptop.id}`, { headers: bob.headers });
    assert.equal(remove.status, 404, remove.text);
    assert.equal((await t.app.db('auth_passkeys').where('id', laptop.id).first()).name, 'Work laptop');
    assert.equal((await auditRows(t, 'passkey.removed')).length, 0);
    assert.equal((await api(t, 'PATCH', `/auth/passkeys/${laptop.id}`, { headers: alice.headers, body: { name: '  ' } })).status, 422);
  });

  it('removes my passkey: 204, the row is gone, the audit row names it', async () => {
    const [, phone] = await rows(alice.id);
    const res = await api(t, 'DELETE', `/auth/passkeys/${phone.id}`, { headers: alice.headers });
    assert.equal(res.status, 204, res.text);
    assert.equal(await t.app.db('auth_passkeys').where('id', phone.id).first(), undefined);
    const [audit] = await auditRows(t, 'passkey.removed', { target_id: phone.id });
    assert.equal(audit.actor_id, alice.id);
    assert.equal(JSON.parse(audit.details).name, 'Phone');
    assert.equal((await api(t, 'DELETE', `/auth/passkeys/${phone.id}`, { headers: alice.headers })).status, 404);
  });

  it('/openapi.json documents the passkey routes', async () => {
    const doc = await t.request('GET', '/openapi.json');
    const paths = Object.keys(doc.body.paths).filter((p) => p.includes('/passkeys'));
    assert.deepEqual(paths.sort(), [
      '/api/v2/auth/passkeys',
      '/api/v2/auth/passkeys/registration/options',
      '/api/v2/auth/passkeys/registration/verify',
      '/api/v2/auth/passkeys/sign-in/options',
      '/api/v2/auth/passkeys/sign-in/verify',
      '/api/v2/auth/passkeys/{id}',
    ]);
    const signIn = doc.body.paths['/api/v2/auth/passkeys/sign-in/verify'].post;
    assert.ok(signIn.requestBody, 'the answer is documented');
    assert.ok(signIn.responses['200'], 'and the login reply');
  });
});
