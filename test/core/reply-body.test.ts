// core/http/reply.ts setReplyBody: a JSON body gets, before Koa sees it, the Content-Type Koa
// would look up for it; anything else, and a type the route set itself, is left to Koa as before.
import assert from 'node:assert/strict';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Readable } from 'node:stream';
import Koa from 'koa';
import { setReplyBody } from '../../core/http/reply.js';

function contexts() {
  const app = new Koa();
  const make = () => {
    const req = new IncomingMessage(new Socket());
    req.method = 'GET';
    req.url = '/';
    return app.createContext(req, new ServerResponse(req));
  };
  return { set: make(), plain: make() };
}

describe('setReplyBody (core/http/reply.ts)', () => {
  it('gives each body the headers and status a plain ctx.body = … gives it', () => {
    const bodies: unknown[] = [{ a: 1 }, [1, 2], 'text', '<p>html</p>', Buffer.from('x'), null, Object.create(null), new Date(0), Readable.from([])];
    for (const [i, body] of bodies.entries()) {
      const { set, plain } = contexts();
      setReplyBody(set, body);
      plain.body = body;
      assert.deepEqual(set.response.headers, plain.response.headers, `body #${i}`);
      assert.equal(set.status, plain.status, `body #${i}`);
    }
  });

  it('keeps a type the route set itself', () => {
    const { set, plain } = contexts();
    set.type = 'application/problem+json';
    plain.type = 'application/problem+json';
    setReplyBody(set, { a: 1 });
    plain.body = { a: 1 };
    assert.equal(set.response.get('Content-Type'), 'application/problem+json');
    assert.deepEqual(set.response.headers, plain.response.headers);
  });
});
