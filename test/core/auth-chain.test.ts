import assert from 'node:assert/strict';
import { AppError } from '../../core/errors.js';
import { AuthChain, assertRole, assertScope, hasRole, hasScope, SESSION_COOKIE, type Principal } from '../../core/http/auth.js';
import { createTestApp, testAuth, type TestApp } from '../helpers/app.js';

const who = (roles: string[], scopes: Principal['scopes'] = []): Principal => ({ kind: 'user', id: 'u', tenantId: 't', roles, scopes });

describe('auth: roles and scopes', () => {
  it('tenant roles are ranked: owner > admin > member', () => {
    assert.equal(hasRole(who(['owner']), 'admin'), true);
    assert.equal(hasRole(who(['owner']), 'member'), true);
    assert.equal(hasRole(who(['admin']), 'member'), true);
    assert.equal(hasRole(who(['admin']), 'owner'), false);
    assert.equal(hasRole(who(['member']), 'admin'), false);
    assert.equal(hasRole(who([]), 'member'), false);
  });

  it('superadmin passes every role check, ranked or not', () => {
    for (const role of ['member', 'admin', 'owner', 'superadmin', 'robot-operator']) assert.equal(hasRole(who(['superadmin']), role), true, role);
  });

  it('roles outside the ranking match exactly', () => {
    assert.equal(hasRole(who(['support']), 'support'), true);
    assert.equal(hasRole(who(['owner']), 'support'), false, 'a high tenant role does not imply an unranked one');
    assert.equal(hasRole(who(['support']), 'member'), false, 'an unranked role does not rank');
    assert.equal(hasRole(who(['admin']), 'superadmin'), false);
    assert.equal(hasRole(who(['owner']), 'superadmin'), false);
  });

  it('a scope is granted by itself, by resource:* and by *', () => {
    assert.equal(hasScope(who([], ['notes:write']), 'notes:write'), true);
    assert.equal(hasScope(who([], ['notes:*']), 'notes:write'), true);
    assert.equal(hasScope(who([], '*'), 'notes:write'), true);
    assert.equal(hasScope(who(['superadmin'], []), 'notes:write'), true);
    assert.equal(hasScope(who([], ['notes:read']), 'notes:write'), false);
    assert.equal(hasScope(who([], ['licenses:*']), 'notes:write'), false);
    assert.equal(hasScope(who([], ['notes']), 'notes:write'), false);
    assert.equal(hasScope(who(['owner'], []), 'notes:write'), false, 'a role alone grants no scope');
  });

  it('assertRole and assertScope: 401 without a principal, 403 naming what is missing', () => {
    assert.throws(
      () => assertRole(null, 'admin'),
      (e: AppError) => e instanceof AppError && e.status === 401,
    );
    assert.throws(() => assertRole(who(['member']), 'admin', 'support'), { status: 403, message: 'requires role admin or support' });
    assert.equal(assertRole(who(['owner']), 'admin').id, 'u');
    assert.throws(() => assertScope(null, 'notes:read'), { status: 401 });
    assert.throws(() => assertScope(who([], ['notes:read']), 'notes:read', 'notes:write', 'tags:write'), {
      status: 403,
      message: 'missing scope notes:write, tags:write',
    });
    assert.equal(assertScope(who([], ['notes:*']), 'notes:read', 'notes:write').id, 'u');
  });

  it('the chain asks strategies in order; a present but wrong credential throws instead of falling through', async () => {
    const chain = new AuthChain();
    const calls: string[] = [];
    chain.add({
      name: 'strict',
      authenticate: (req) => {
        calls.push('strict');
        if (req.headers['x-key'] === 'bad') throw AppError.unauthorized('bad key');
        return req.headers['x-key'] ? who(['member']) : null;
      },
    });
    chain.add({
      name: 'fallback',
      authenticate: () => {
        calls.push('fallback');
        return who(['superadmin']);
      },
    });
    const req = (headers: Record<string, string>) => ({ headers, query: {}, cookie: () => undefined, ip: '127.0.0.1', path: '/' });
    assert.deepEqual((await chain.authenticate(req({ 'x-key': 'good' })))?.roles, ['member']);
    assert.deepEqual(calls, ['strict']);
    assert.deepEqual((await chain.authenticate(req({})))?.roles, ['superadmin']);
    await assert.rejects(chain.authenticate(req({ 'x-key': 'bad' })), { status: 401, message: 'bad key' });
    assert.deepEqual(calls, ['strict', 'strict', 'fallback', 'strict']);
    assert.throws(() => chain.add({ name: 'strict', authenticate: () => null }), /already registered/);
    assert.deepEqual(chain.names(), ['strict', 'fallback']);
  });
});

describe('auth: the chain on a real app', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => t?.close());

  const notesOf = async (tenant: string) => t.app.db('example_notes').where('tenant_id', tenant).pluck('title');

  describe('the test strategy', () => {
    it('no credentials: 401 in the face envelope', async () => {
      const res = await t.request('GET', '/example/notes');
      assert.equal(res.status, 401);
      assert.deepEqual(res.body, { detail: 'authentication required', code: 'unauthorized' });
      const post = await t.request('POST', '/example/notes', { body: { title: 'anon' } });
      assert.equal(post.status, 401);
      assert.deepEqual(await notesOf('none'), []);
    });

    it('an Authorization scheme no strategy knows is no credential at all', async () => {
      const res = await t.request('GET', '/example/notes', { headers: { authorization: 'Bearer whatever' } });
      assert.equal(res.status, 401);
      assert.equal(res.body.detail, 'authentication required');
    });

    it('malformed test credentials: 401, even with a valid session cookie behind them', async () => {
      for (const authorization of ['Test ;', 'Test u1', 'Test u1;', 'Test ;t1;member;*']) {
        const res = await t.request('GET', '/example/notes', { headers: { authorization } });
        assert.equal(res.status, 401, authorization);
        assert.deepEqual(res.body, { detail: 'malformed test credentials', code: 'unauthorized' });
      }
      const login = await t.request('POST', '/admin/api/login', { body: { email: 'admin@example.test', password: 'correct horse battery' } });
      const cookie = login.headers.get('set-cookie')!.split(';')[0];
      assert.equal((await t.request('GET', '/example/notes', { headers: { cookie } })).status, 200, 'the cookie alone works');
      const both = await t.request('GET', '/example/notes', { headers: { cookie, authorization: 'Test ;' } });
      assert.equal(both.status, 401, 'a broken credential does not fall through to the cookie');
    });

    it('a principal without notes:write: 403 naming the scope, nothing written', async () => {
      const res = await t.request('POST', '/example/notes', { body: { title: 'nope' }, headers: testAuth('r1', 'scoped', ['member'], ['notes:read']) });
      assert.equal(res.status, 403);
      assert.deepEqual(res.body, { detail: 'missing scope notes:write', code: 'forbidden' });
      const none = await t.request('GET', '/example/notes', { headers: testAuth('r1', 'scoped', ['owner'], []) });
      assert.equal(none.status, 403);
      assert.equal(none.body.detail, 'missing scope notes:read');
      assert.deepEqual(await notesOf('scoped'), []);
    });

    it('notes:*, * and superadmin grant notes:write', async () => {
      const cases: Array<[string, string[], string[] | '*']> = [
        ['exact', ['member'], ['notes:write']],
        ['wildcard', ['member'], ['notes:*']],
        ['star', ['member'], '*'],
        ['root', ['superadmin'], []],
      ];
      for (const [title, roles, scopes] of cases) {
        const res = await t.request('POST', '/example/notes', { body: { title }, headers: testAuth('w1', 'scoped', roles, scopes) });
        assert.equal(res.status, 201, title);
      }
      assert.deepEqual(await notesOf('scoped'), ['exact', 'wildcard', 'star', 'root']);
    });

    it('guards run before validation, so an anonymous caller learns nothing about the schema', async () => {
      const res = await t.request('POST', '/example/notes', { body: { bogus: true } });
      assert.equal(res.status, 401);
    });
  });

  describe('tenant isolation', () => {
    it("a tenant never sees another tenant's notes", async () => {
      const created = await t.request('POST', '/example/notes', { body: { title: 'secret of t1' }, headers: testAuth('a', 'iso-t1') });
      assert.equal(created.status, 201);
      assert.equal(created.body.tenant_id, 'iso-t1');
      const id = created.body.id;

      const mine = await t.request('GET', '/example/notes', { headers: testAuth('b', 'iso-t1') });
      assert.deepEqual(
        mine.body.map((n: { title: string }) => n.title),
        ['secret of t1'],
        'another user of the same tenant sees it',
      );

      const theirs = await t.request('GET', '/example/notes', { headers: testAuth('c', 'iso-t2', ['owner']) });
      assert.equal(theirs.status, 200);
      assert.deepEqual(theirs.body, []);

      const direct = await t.request('GET', `/example/notes/${id}`, { headers: testAuth('c', 'iso-t2', ['owner']) });
      assert.equal(direct.status, 404);
      assert.deepEqual(direct.body, { detail: `note ${id} not found`, code: 'not_found' });

      const own = await t.request('GET', `/example/notes/${id}`, { headers: testAuth('a', 'iso-t1') });
      assert.equal(own.status, 200);
      assert.equal(own.body.title, 'secret of t1');
    });

    it('a note created by t2 lands in t2 only', async () => {
      await t.request('POST', '/example/notes', { body: { title: 'of t2' }, headers: testAuth('c', 'iso-t2') });
      assert.deepEqual(await notesOf('iso-t2'), ['of t2']);
      assert.deepEqual(await notesOf('iso-t1'), ['secret of t1']);
    });
  });

  describe('the admin session cookie', () => {
    const login = (password: string, email = 'admin@example.test') => t.request('POST', '/admin/api/login', { body: { email, password } });

    it('login sets an HttpOnly, SameSite=Strict cookie that /admin/api/me accepts', async () => {
      const res = await login('correct horse battery');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { ok: true });
      const setCookie = res.headers.get('set-cookie')!;
      assert.match(setCookie, new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{20,};`));
      assert.match(setCookie, /;\s*httponly/i);
      assert.match(setCookie, /;\s*samesite=strict/i);
      assert.match(setCookie, /;\s*path=\//i);
      assert.doesNotMatch(setCookie, /;\s*secure/i, 'plain HTTP, so not Secure');
      const cookie = setCookie.split(';')[0];

      const me = await t.request('GET', '/admin/api/me', { headers: { cookie } });
      assert.equal(me.status, 200);
      assert.deepEqual(me.body, { id: 'admin', kind: 'user', name: 'admin@example.test', roles: ['superadmin'], tenant_id: null, language: null });

      const system = await t.request('GET', '/admin/api/system', { headers: { cookie } });
      assert.equal(system.status, 200, 'the superadmin session reaches superadmin pages');
    });

    it('without a cookie, or with a made-up one, /admin/api/me is 401 in the plain envelope', async () => {
      const none = await t.request('GET', '/admin/api/me');
      assert.equal(none.status, 401);
      assert.deepEqual(none.body, { error: { code: 'unauthorized', message: 'authentication required' }, request_id: none.headers.get('x-request-id') });
      const forged = await t.request('GET', '/admin/api/me', { headers: { cookie: `${SESSION_COOKIE}=forged-token-value` } });
      assert.equal(forged.status, 401);
    });

    it('a member may not open the superadmin system page', async () => {
      const res = await t.request('GET', '/admin/api/system', { headers: testAuth('m', 't1', ['owner']) });
      assert.equal(res.status, 403);
      assert.equal(res.body.error.code, 'forbidden');
    });

    it('a wrong password or unknown email: 401 and no cookie', async () => {
      for (const res of [await login('wrong'), await login('correct horse battery', 'someone@example.test')]) {
        assert.equal(res.status, 401);
        assert.deepEqual(res.body.error, { code: 'invalid_credentials', message: 'wrong email or password' });
        assert.equal(res.headers.get('set-cookie'), null);
      }
    });

    it('a login body that fails its schema: 422 naming the field', async () => {
      const res = await t.request('POST', '/admin/api/login', { body: { email: 'admin@example.test' } });
      assert.equal(res.status, 422);
      assert.equal(res.body.error.code, 'validation_error');
      assert.deepEqual(res.body.error.details, [{ path: 'body.password', message: 'is required' }]);
    });

    it('logout clears the cookie and ends the session server-side', async () => {
      const cookie = (await login('correct horse battery')).headers.get('set-cookie')!.split(';')[0];
      assert.equal((await t.request('GET', '/admin/api/me', { headers: { cookie } })).status, 200);

      const out = await t.request('POST', '/admin/api/logout', { headers: { cookie } });
      assert.equal(out.status, 200);
      const cleared = out.headers.get('set-cookie')!;
      assert.match(cleared, new RegExp(`^${SESSION_COOKIE}=;`));
      assert.match(cleared, /expires=Thu, 01 Jan 1970 00:00:00 GMT/i);
      assert.match(cleared, /;\s*httponly/i);

      const replay = await t.request('GET', '/admin/api/me', { headers: { cookie } });
      assert.equal(replay.status, 401, 'the old cookie value no longer works');
    });
  });
});
