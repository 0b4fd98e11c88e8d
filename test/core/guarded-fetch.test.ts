// core/net: the outbound guard. One refusal message whatever the reason (a name that does not
// resolve, one that resolves inside, an internal literal), checked before and while connecting;
// guardedFetch is a WHATWG fetch over node:http that follows no redirect. Real local servers.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { AppError } from '../../core/errors.js';
import { guardedFetch } from '../../core/net/guarded-fetch.js';
import { assertPublicUrl, publicLookup } from '../../core/net/public-url.js';

type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; hits: number; close: () => Promise<void> }> {
  const state = { hits: 0 };
  const server = http.createServer((req, res) => {
    state.hits++;
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get hits() {
      return state.hits;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const refusal = (host: string) => (err: unknown) => {
  assert.ok(err instanceof AppError, String(err));
  assert.equal(err.status, 400);
  assert.equal(err.code, 'target_refused');
  assert.equal(err.message, `${host} is not a reachable public host`);
  return true;
};

describe('core/net: the outbound guard', () => {
  describe('assertPublicUrl and publicLookup: one message for every refusal', () => {
    for (const [url, host] of [
      ['http://nothing-here.invalid/x', 'nothing-here.invalid'],
      ['http://127.0.0.1:9/x', '127.0.0.1'],
      ['http://localhost:9/x', 'localhost'],
      ['http://169.254.169.254/latest', '169.254.169.254'],
      ['http://[::1]/x', '[::1]'],
    ]) {
      it(`refuses ${url}`, async () => {
        await assert.rejects(assertPublicUrl(url, { allowPrivate: false }), refusal(host));
      });
    }

    it('allowPrivate lets them through (tests, the operator’s own targets)', async () => {
      assert.equal((await assertPublicUrl('http://127.0.0.1:9/x', { allowPrivate: true })).host, '127.0.0.1:9');
    });

    it('the connect-time lookup refuses an internal answer and no answer alike', async () => {
      for (const name of ['localhost', 'nothing-here.invalid']) {
        const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => publicLookup(name, {}, (e) => resolve(e)));
        assert.equal(err?.code, 'ETARGETREFUSED');
        assert.equal(err?.message, `${name} is not a reachable public host`);
      }
    });
  });

  describe('guardedFetch', () => {
    let echo: Awaited<ReturnType<typeof serve>>;
    let target: Awaited<ReturnType<typeof serve>>;
    let redirect: Awaited<ReturnType<typeof serve>>;
    before(async () => {
      echo = await serve((req, body, res) => {
        if (req.url === '/gzip') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
          return res.end(zlib.gzipSync(JSON.stringify({ zipped: true })));
        }
        if (req.url === '/empty') {
          res.writeHead(204);
          return res.end();
        }
        if (req.url === '/hang') return;
        res.writeHead(201, { 'content-type': 'application/json', 'x-seen': String(req.headers['x-test'] ?? '') });
        res.end(JSON.stringify({ method: req.method, body }));
      });
      target = await serve((_req, _body, res) => res.end('the redirect target'));
      redirect = await serve((_req, _body, res) => {
        res.writeHead(302, { location: `${target.url}/inside` });
        res.end('moved');
      });
    });
    after(async () => Promise.all([echo?.close(), target?.close(), redirect?.close()]));

    it('without allowPrivate, a local server is refused before any connection', async () => {
      const hits = echo.hits;
      await assert.rejects(guardedFetch({ allowPrivate: false })(`${echo.url}/x`), refusal('127.0.0.1'));
      assert.equal(echo.hits, hits);
    });

    it('sends the method, headers and body, and gives a WHATWG Response (status, headers, JSON)', async () => {
      const res = await guardedFetch({ allowPrivate: true })(`${echo.url}/x`, {
        method: 'POST',
        headers: { 'x-test': 'yes', 'content-type': 'application/json' },
        body: JSON.stringify({ a: 1 }),
      });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('x-seen'), 'yes');
      assert.deepEqual(await res.json(), { method: 'POST', body: '{"a":1}' });
    });

    it('decodes a gzip body like fetch does; a 204 has no body', async () => {
      const f = guardedFetch({ allowPrivate: true });
      const zipped = await f(`${echo.url}/gzip`);
      assert.deepEqual(await zipped.json(), { zipped: true });
      assert.equal(zipped.headers.get('content-encoding'), null);
      const empty = await f(`${echo.url}/empty`);
      assert.equal(empty.status, 204);
      assert.equal(await empty.text(), '');
    });

    it('a redirect is an error and its target is never asked', async () => {
      await assert.rejects(guardedFetch({ allowPrivate: true })(`${redirect.url}/x`), /answered 302 .*redirects are not followed/);
      assert.equal(target.hits, 0);
    });

    it('redirects: return hands the 3xx over unfollowed', async () => {
      const res = await guardedFetch({ allowPrivate: true, redirects: 'return' })(`${redirect.url}/x`);
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), `${target.url}/inside`);
      assert.equal(target.hits, 0);
    });

    it('the signal aborts a request that hangs', async () => {
      await assert.rejects(guardedFetch({ allowPrivate: true })(`${echo.url}/hang`, { signal: AbortSignal.timeout(200) }), (err: Error) =>
        ['AbortError', 'TimeoutError'].includes(err.name),
      );
    });
  });
});
