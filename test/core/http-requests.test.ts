import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestApp, testAuth, type TestApp } from '../helpers/app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const writer = testAuth('u1', 't1', ['member'], ['notes:read', 'notes:write']);

describe('http: routing, envelopes and errors on a real app', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ overrides: { server: { bodyLimit: '200b' } } });
  });
  after(async () => t?.close());

  const noteCount = async () => Number((await t.app.db('example_notes').count({ n: '*' }))[0].n);

  describe('not found', () => {
    it("under a face: 404 in that face's envelope", async () => {
      const res = await t.request('GET', '/example/nope');
      assert.equal(res.status, 404);
      assert.deepEqual(res.body, { detail: 'no route for GET /example/nope', code: 'not_found' });
      const wrongMethod = await t.request('DELETE', '/example/hello');
      assert.equal(wrongMethod.status, 404);
      assert.equal(wrongMethod.body.code, 'not_found');
    });

    it('routers keep matches per method and path: the same request lines, repeated and interleaved, answer as the first time', async () => {
      const lines: Array<[string, string, number]> = [
        ['GET', '/example/hello', 200],
        ['DELETE', '/example/hello', 404],
        ['GET', '/example/notes', 200],
        ['POST', '/example/hello', 404],
        ['GET', `/example/${'x'.repeat(300)}`, 404], // too long to be kept: matched each time
      ];
      for (let round = 0; round < 3; round++) {
        for (const [method, path, status] of lines) {
          const res = await t.request(method, path, { headers: writer });
          assert.equal(res.status, status, `${method} ${path}, round ${round + 1}`);
        }
      }
    });

    it("outside every face: core's plain envelope with the request id", async () => {
      const res = await t.request('GET', '/nowhere');
      assert.equal(res.status, 404);
      assert.deepEqual(res.body, { error: { code: 'not_found', message: 'no route for GET /nowhere' }, request_id: res.headers.get('x-request-id') });
      assert.match(res.headers.get('x-request-id')!, UUID);
    });

    it('a path that only starts with the base is not under the face', async () => {
      const res = await t.request('GET', '/examples/hello');
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'not_found');
    });
  });

  describe('bodies', () => {
    it('malformed JSON: 400 in the face envelope, nothing written', async () => {
      const res = await t.request('POST', '/example/notes', { raw: '{"title": ', headers: { 'content-type': 'application/json', ...writer } });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, { detail: 'request body is not valid JSON', code: 'malformed_json' });
      assert.equal(await noteCount(), 0);
    });

    it('malformed JSON outside a face: 400 in the plain envelope', async () => {
      const res = await t.request('POST', '/admin/api/login', { raw: 'nope{', headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'malformed_json');
    });

    it('a body over server.bodyLimit: 413, nothing written', async () => {
      const res = await t.request('POST', '/example/notes', { body: { title: 'x'.repeat(150), tags: ['a'.repeat(100)] }, headers: writer });
      assert.equal(res.status, 413);
      assert.deepEqual(res.body, { detail: 'request body is too large', code: 'payload_too_large' });
      assert.equal(await noteCount(), 0);
      const small = await t.request('POST', '/example/notes', { body: { title: 'fits' }, headers: writer });
      assert.equal(small.status, 201, 'a body under the limit still goes through');
      await t.app.db('example_notes').del();
    });
  });

  describe('handler errors', () => {
    it('a throwing handler: 500 with the request id, no internals, and the app keeps serving', async () => {
      const res = await t.request('GET', '/example/boom');
      assert.equal(res.status, 500);
      const id = res.headers.get('x-request-id')!;
      assert.match(id, UUID);
      assert.deepEqual(res.body, { detail: `internal error (request id ${id})`, code: 'internal_error', request_id: id });
      assert.ok(!/kaboom|secret|\bat\s/.test(res.text), `leaked internals: ${res.text}`);

      const next = await t.request('GET', '/example/hello');
      assert.equal(next.status, 200);
      assert.deepEqual(next.body, { greeting: 'hello' });
    });

    it('the 500 keeps the id the client sent', async () => {
      const res = await t.request('GET', '/example/boom', { headers: { 'x-request-id': 'trace-500' } });
      assert.equal(res.status, 500);
      assert.equal(res.headers.get('x-request-id'), 'trace-500');
      assert.equal(res.body.request_id, 'trace-500');
    });

    it('an AppError keeps its own status and message', async () => {
      const res = await t.request('GET', '/example/teapot');
      assert.equal(res.status, 418);
      assert.deepEqual(res.body, { detail: 'I am a teapot', code: 'teapot' });
    });
  });

  describe('validation', () => {
    it('body: a missing field', async () => {
      const res = await t.request('POST', '/example/notes', { body: { tags: [] }, headers: writer });
      assert.equal(res.status, 422);
      assert.deepEqual(res.body, { detail: [{ loc: ['body', 'title'], msg: 'is required', type: 'value_error' }], code: 'validation_error' });
    });

    it('body: an extra field', async () => {
      const res = await t.request('POST', '/example/notes', { body: { title: 'ok', colour: 'red' }, headers: writer });
      assert.equal(res.status, 422);
      assert.deepEqual(res.body.detail, [{ loc: ['body', 'colour'], msg: 'is not allowed', type: 'value_error' }]);
    });

    it('body: a wrong type is not coerced', async () => {
      const res = await t.request('POST', '/example/notes', { body: { title: 42 }, headers: writer });
      assert.equal(res.status, 422);
      assert.deepEqual(res.body.detail, [{ loc: ['body', 'title'], msg: 'must be string', type: 'value_error' }]);
    });

    it('body: nested items and several problems at once', async () => {
      const res = await t.request('POST', '/example/notes', { body: { title: '', tags: ['ok', 7] }, headers: writer });
      assert.equal(res.status, 422);
      assert.deepEqual(res.body.detail.map((d: { loc: string[] }) => d.loc.join('.')).sort(), ['body.tags.1', 'body.title']);
    });

    it('body: none at all is an empty object, so the required field is named', async () => {
      const res = await t.request('POST', '/example/notes', { headers: writer });
      assert.equal(res.status, 422);
      assert.deepEqual(res.body, { detail: [{ loc: ['body', 'title'], msg: 'is required', type: 'value_error' }], code: 'validation_error' });
    });

    it('nothing was written by any refused request', async () => {
      assert.equal(await noteCount(), 0);
    });

    it('query: a missing required parameter', async () => {
      const res = await t.request('GET', '/example/search');
      assert.equal(res.status, 422);
      assert.deepEqual(res.body, { detail: [{ loc: ['query', 'q'], msg: 'is required', type: 'value_error' }], code: 'validation_error' });
    });

    it('query: strings are coerced and defaults filled in', async () => {
      const res = await t.request('GET', '/example/search?q=plinth&limit=7');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { q: 'plinth', limit: 7 });
      assert.deepEqual((await t.request('GET', '/example/search?q=plinth')).body, { q: 'plinth', limit: 10 });
    });

    it('query: out of range and not a number', async () => {
      const high = await t.request('GET', '/example/search?q=plinth&limit=51');
      assert.equal(high.status, 422);
      assert.deepEqual(high.body.detail, [{ loc: ['query', 'limit'], msg: 'must be <= 50', type: 'value_error' }]);
      const nan = await t.request('GET', '/example/search?q=plinth&limit=many');
      assert.equal(nan.status, 422);
      assert.deepEqual(nan.body.detail, [{ loc: ['query', 'limit'], msg: 'must be integer', type: 'value_error' }]);
    });

    it('params: a non-numeric id', async () => {
      const res = await t.request('GET', '/example/notes/abc', { headers: writer });
      assert.equal(res.status, 422);
      assert.deepEqual(res.body, { detail: [{ loc: ['params', 'id'], msg: 'must be integer', type: 'value_error' }], code: 'validation_error' });
      const zero = await t.request('GET', '/example/notes/0', { headers: writer });
      assert.equal(zero.status, 422);
      assert.deepEqual(zero.body.detail, [{ loc: ['params', 'id'], msg: 'must be >= 1', type: 'value_error' }]);
    });

    it('params: a numeric id is coerced and reaches the handler', async () => {
      const created = await t.request('POST', '/example/notes', { body: { title: 'by id' }, headers: writer });
      assert.equal(created.status, 201);
      const res = await t.request('GET', `/example/notes/${created.body.id}`, { headers: writer });
      assert.equal(res.status, 200);
      assert.equal(res.body.title, 'by id');
      await t.app.db('example_notes').del();
    });
  });

  describe('reply headers', () => {
    it("a route's JSON reply carries the Content-Type Koa gives JSON", async () => {
      const hello = await t.request('GET', '/example/hello', { headers: writer });
      assert.equal(hello.status, 200);
      assert.equal(hello.headers.get('content-type'), 'application/json; charset=utf-8');
      const notes = await t.request('GET', '/example/notes', { headers: writer });
      assert.equal(notes.headers.get('content-type'), 'application/json; charset=utf-8');
    });
  });

  describe('request ids', () => {
    it('echoes a sane X-Request-Id', async () => {
      for (const id of ['abc-123', 'trace.01_ZZ', 'x'.repeat(128)]) {
        const res = await t.request('GET', '/health', { headers: { 'x-request-id': id } });
        assert.equal(res.headers.get('x-request-id'), id);
      }
    });

    it('replaces a hostile or oversize one', async () => {
      for (const id of ['<script>alert(1)</script>', 'a b', 'x'.repeat(129), '../../etc/passwd', 'id;drop table']) {
        const res = await t.request('GET', '/nowhere', { headers: { 'x-request-id': id } });
        const sent = res.headers.get('x-request-id')!;
        assert.match(sent, UUID, `kept ${JSON.stringify(id)}`);
        assert.equal(res.body.request_id, sent);
        assert.ok(!res.text.includes(id));
      }
    });

    it('gives each request its own id', async () => {
      const [a, b] = await Promise.all([t.request('GET', '/health'), t.request('GET', '/health')]);
      assert.notEqual(a.headers.get('x-request-id'), b.headers.get('x-request-id'));
    });
  });

  describe('core routes', () => {
    it('/health', async () => {
      const res = await t.request('GET', '/health');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { status: 'ok' });
    });

    it('a core route answers with one trailing slash too; a path below one is not the core route', async () => {
      for (const path of ['/health/', '/ready/']) assert.equal((await t.request('GET', path)).status, 200, path);
      assert.equal((await t.request('GET', '/health/x')).status, 404);
    });

    it('/ready on a running app', async () => {
      const res = await t.request('GET', '/ready');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { status: 'ready', database: 'ok', migrations: 'done', state: 'running' });
    });

    it('/openapi.json documents the routes from their schemas', async () => {
      const res = await t.request('GET', '/openapi.json');
      assert.equal(res.status, 200);
      const doc = res.body;
      assert.equal(doc.openapi, '3.1.0');
      assert.deepEqual(doc.servers, [{ url: 'http://plinth.test' }]);
      const post = doc.paths['/example/notes'].post;
      assert.equal(post.summary, 'Create a note');
      assert.deepEqual(post.tags, ['example']);
      assert.equal(post.requestBody.required, true);
      const body = post.requestBody.content['application/json'].schema;
      assert.deepEqual(body.required, ['title']);
      assert.equal(body.additionalProperties, false);
      assert.deepEqual(body.properties.title, { type: 'string', minLength: 1, maxLength: 200 });
      assert.deepEqual(
        Object.keys(post.responses),
        ['201', '400', '401', '403', '413', '415', '422', '429', '4XX', '5XX'],
        'the declared success, the error statuses its schema, guards, body and rate limit can answer, and the face’s errors',
      );
      assert.deepEqual(
        post.security.map((r: Record<string, unknown>) => Object.keys(r)[0]),
        ['bearer', 'apiKey', 'rootToken', 'session'],
        'a guarded route takes any credential the chain knows',
      );

      assert.ok(!doc.paths['/example/notes/:id'], 'Koa-style :params are rewritten');
      const byId = doc.paths['/example/notes/{id}'].get;
      assert.deepEqual(byId.parameters, [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }]);

      const search = doc.paths['/example/search'].get;
      assert.deepEqual(
        search.parameters.map((p: { name: string; in: string; required: boolean }) => [p.name, p.in, p.required]),
        [
          ['q', 'query', true],
          ['limit', 'query', false],
        ],
      );
      assert.deepEqual(search.security, [], 'a public route says so');
      assert.deepEqual(Object.keys(doc.components.securitySchemes), ['bearer', 'apiKey', 'rootToken', 'session']);
    });
  });
});

describe('http: /ready before start', () => {
  let t: TestApp;
  let server: http.Server;
  let url: string;
  before(async () => {
    t = await createTestApp({ start: false });
    server = http.createServer(t.app.koa.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await t?.close();
  });

  it('is 503 with the state while the app is created but not started', async () => {
    const res = await fetch(`${url}/ready`);
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { status: 'not_ready', database: 'ok', migrations: 'done', state: 'created' });
  });

  it('/health is already 200', async () => {
    const res = await fetch(`${url}/health`);
    assert.equal(res.status, 200);
  });

  it('becomes 200 once started', async () => {
    await t.app.start({ listen: false });
    const res = await fetch(`${url}/ready`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { state: string }).state, 'running');
  });
});
