import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { TestApp } from '../../../test/helpers/app.js';
import { createTestApp } from '../../../test/helpers/app.js';
import { createTestDatabase } from '../../../test/helpers/database.js';
import { registerOwner } from '../../../test/helpers/actors.js';
import { api, auditRows, authApp, bearer } from './helpers.js';

const ROOT = `root-${randomBytes(24).toString('base64url')}`;
const ROOT_ME = {
  id: '__root__',
  email: null,
  full_name: 'root token',
  role: 'superadmin',
  tenant_id: null,
  is_superadmin: true,
  auth: { kind: 'root', scopes: '*' },
};

describe('auth: the root token', () => {
  let t: TestApp;
  before(async () => {
    t = await authApp({ auth: { rootToken: ROOT } });
  });
  after(async () => t?.close());

  const uses = async () => (await auditRows(t, 'auth.root_token.used')).length;

  it('as Authorization: Bearer — a superadmin principal, each use audited', async () => {
    const before = await uses();
    const res = await api(t, 'GET', '/auth/me', { headers: bearer(ROOT) });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, ROOT_ME);
    const users = await api(t, 'GET', '/admin/users', { headers: bearer(ROOT) });
    assert.equal(users.status, 200, 'superadmin endpoints accept it');
    const rows = await auditRows(t, 'auth.root_token.used');
    assert.equal(rows.length, before + 2);
    const last = rows[rows.length - 1];
    assert.equal(last.actor_type, 'root');
    assert.equal(last.actor_id, '__root__');
    assert.equal(last.tenant_id, null);
    assert.deepEqual(JSON.parse(last.details), { path: '/api/v2/admin/users' });
    assert.ok(last.ip);
  });

  it('as X-Admin-Token', async () => {
    const before = await uses();
    const res = await api(t, 'GET', '/auth/me', { headers: { 'x-admin-token': ROOT } });
    assert.deepEqual([res.status, res.body], [200, ROOT_ME]);
    assert.equal(await uses(), before + 1);
  });

  it('a wrong X-Admin-Token: 401, even beside a valid access token; nothing audited as a use', async () => {
    const owner = await registerOwner(t);
    const before = await uses();
    const wrong = await api(t, 'GET', '/auth/me', { headers: { 'x-admin-token': `${ROOT}x` } });
    assert.deepEqual([wrong.status, wrong.body], [401, { detail: 'invalid admin token', code: 'invalid_token' }]);
    const mixed = await api(t, 'GET', '/auth/me', { headers: { 'x-admin-token': 'nope', ...owner.headers } });
    assert.equal(mixed.status, 401, 'a wrong admin token never falls through to a weaker credential');
    assert.equal(await uses(), before);
  });

  it('a wrong Bearer is just an invalid access token', async () => {
    const res = await api(t, 'GET', '/auth/me', { headers: bearer(`${ROOT}x`) });
    assert.deepEqual([res.status, res.body.code], [401, 'invalid_token']);
  });

  it('?admin_token= is ignored unless rootTokenInQuery is true', async () => {
    const before = await uses();
    const res = await api(t, 'GET', `/auth/me?admin_token=${encodeURIComponent(ROOT)}`);
    assert.deepEqual([res.status, res.body], [401, { detail: 'authentication required', code: 'unauthorized' }]);
    assert.equal(await uses(), before);
  });

  it('users still authenticate as themselves beside it', async () => {
    const owner = await registerOwner(t);
    const res = await api(t, 'GET', '/auth/me', { headers: owner.headers });
    assert.equal(res.body.id, owner.id);
  });
});

describe('auth: the root token in the query string', () => {
  let t: TestApp;
  before(async () => {
    t = await authApp({ auth: { rootToken: ROOT, rootTokenInQuery: true } });
  });
  after(async () => t?.close());

  it('?admin_token= works when rootTokenInQuery is true, and is audited', async () => {
    const res = await api(t, 'GET', `/auth/me?admin_token=${encodeURIComponent(ROOT)}`);
    assert.deepEqual([res.status, res.body], [200, ROOT_ME]);
    assert.equal((await auditRows(t, 'auth.root_token.used')).length, 1);
    const wrong = await api(t, 'GET', '/auth/me?admin_token=wrong-wrong-wrong-wrong-wrong');
    assert.equal(wrong.status, 401);
  });
});

describe('auth: no root token configured', () => {
  let t: TestApp;
  before(async () => {
    t = await authApp();
  });
  after(async () => t?.close());

  it('is off: the same string is refused everywhere and nothing is audited', async () => {
    assert.equal((await api(t, 'GET', '/auth/me', { headers: bearer(ROOT) })).status, 401);
    assert.equal((await api(t, 'GET', '/auth/me', { headers: { 'x-admin-token': ROOT } })).status, 401);
    assert.equal((await api(t, 'GET', `/auth/me?admin_token=${ROOT}`)).status, 401);
    assert.equal((await api(t, 'GET', '/admin/users', { headers: { 'x-admin-token': ROOT } })).status, 401);
    assert.deepEqual(await auditRows(t, 'auth.root_token.used'), []);
  });

  it('a root token shorter than 24 characters fails the boot', async () => {
    const database = await createTestDatabase();
    try {
      await assert.rejects(createTestApp({ plugins: ['auth'], database, settings: { auth: { rootToken: 'too-short' } } }), /rootToken/);
    } finally {
      await database.drop();
    }
  });
});
