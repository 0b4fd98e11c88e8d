// W3C Trace Context on HTTP in: a request's traceparent is continued (same trace id, a span of our
// own, tracestate passed along), a malformed one or none starts a new trace and never fails the
// request; the reply says which trace (traceresponse) beside X-Request-Id; every log line of the
// request carries trace_id and request_id; the events it emits carry the trace to their handlers.
import assert from 'node:assert/strict';
import { parseTraceparent } from '../../core/observability/trace-context.js';
import { createTestApp, testAuth, type TestApp } from '../helpers/app.js';
import { capturingLogger, type LogLine } from '../helpers/logs.js';
import { waitFor } from '../helpers/processes.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const HEADER = `00-${TRACE}-${PARENT}-01`;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The trace id and span id of a traceparent-shaped header, failing on any other shape. */
function ids(header: string | null): { traceId: string; spanId: string } {
  const m = TRACEPARENT.exec(header ?? '');
  assert.ok(m, `a traceparent-shaped header, got ${header}`);
  return { traceId: m[1], spanId: m[2] };
}

describe('traces: parsing traceparent (W3C Trace Context)', () => {
  it('reads the spec’s example, flags and tracestate included', () => {
    assert.deepEqual(parseTraceparent(HEADER, 'congo=t61rcWkgMzE'), { traceId: TRACE, spanId: PARENT, flags: 1, tracestate: 'congo=t61rcWkgMzE' });
    assert.deepEqual(parseTraceparent(`00-${TRACE}-${PARENT}-00`), { traceId: TRACE, spanId: PARENT, flags: 0 });
  });

  it('a later version is read by its first four fields; version ff, and 00 with more fields, are not', () => {
    assert.equal(parseTraceparent(`cc-${TRACE}-${PARENT}-01-what-the-future-holds`)?.traceId, TRACE);
    assert.equal(parseTraceparent(`ff-${TRACE}-${PARENT}-01`), null);
    assert.equal(parseTraceparent(`00-${TRACE}-${PARENT}-01-extra`), null);
  });

  it('refuses all-zero ids, upper case, wrong lengths and anything else', () => {
    for (const bad of [
      `00-${'0'.repeat(32)}-${PARENT}-01`,
      `00-${TRACE}-${'0'.repeat(16)}-01`,
      `00-${TRACE.toUpperCase()}-${PARENT}-01`,
      `00-${TRACE.slice(1)}-${PARENT}-01`,
      `00-${TRACE}-${PARENT}1-01`,
      `00-${TRACE}-${PARENT}-1`,
      `00_${TRACE}_${PARENT}_01`,
      'garbage',
      '',
    ]) {
      assert.equal(parseTraceparent(bad), null, bad);
    }
    assert.equal(parseTraceparent(undefined), null);
  });
});

describe('traces: HTTP in', () => {
  let t: TestApp;
  let lines: LogLine[];
  before(async () => {
    const captured = capturingLogger('info');
    lines = captured.lines;
    t = await createTestApp({ logger: captured.logger, settings: { example: { failHandlerTimes: 1 } } });
  });
  after(async () => t?.close());

  /** The access log line of the request with this X-Request-Id. */
  const accessLine = (requestId: string) => lines.find((l) => l.msg === 'request' && l.request_id === requestId);

  it('continues a valid traceparent: the same trace, a span of its own; log lines carry trace_id and request_id', async () => {
    const res = await t.request('GET', '/example/slow?ms=0', { headers: { traceparent: HEADER, 'x-request-id': 'trace-test-1' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-request-id'), 'trace-test-1');
    const reply = ids(res.headers.get('traceresponse'));
    assert.equal(reply.traceId, TRACE);
    assert.notEqual(reply.spanId, PARENT, 'this hop has a span id of its own');

    const access = await waitFor('the access log line', () => accessLine('trace-test-1'));
    assert.equal(access.trace_id, TRACE);
    assert.equal(access.span_id, reply.spanId);
    // A line the plugin's handler logged in the request (its child logger) carries them too.
    const inside = lines.find((l) => l.msg === 'slow request started' && l.request_id === 'trace-test-1');
    assert.ok(inside, 'the handler’s own line');
    assert.equal(inside.trace_id, TRACE);
    assert.equal(inside.plugin, 'example');
  });

  it('a malformed traceparent starts a new trace; the request still succeeds', async () => {
    for (const bad of [`00-${TRACE.toUpperCase()}-${PARENT}-01`, `00-${'0'.repeat(32)}-${PARENT}-01`, `00-${TRACE}-${PARENT}`]) {
      const res = await t.request('GET', '/example/hello', { headers: { traceparent: bad } });
      assert.equal(res.status, 200, res.text);
      const reply = ids(res.headers.get('traceresponse'));
      assert.notEqual(reply.traceId, TRACE);
      assert.notEqual(reply.traceId, '0'.repeat(32));
      const access = await waitFor('the access log line', () => accessLine(res.headers.get('x-request-id')!));
      assert.equal(access.trace_id, reply.traceId);
    }
  });

  it('without a traceparent each request starts a trace of its own, errors included', async () => {
    const a = await t.request('GET', '/example/hello');
    const b = await t.request('GET', '/example/boom');
    assert.equal(a.status, 200);
    assert.equal(b.status, 500);
    const [ta, tb] = [ids(a.headers.get('traceresponse')).traceId, ids(b.headers.get('traceresponse')).traceId];
    assert.notEqual(ta, tb);
    // The 500's error line and its access line both name its trace and request.
    const requestId = b.headers.get('x-request-id')!;
    const failed = await waitFor('the error line', () => lines.find((l) => l.msg === 'request failed' && l.request_id === requestId));
    assert.equal(failed.trace_id, tb);
    assert.equal((await waitFor('the access line', () => accessLine(requestId))).trace_id, tb);
  });

  it('an event the request emits carries its trace and tracestate; its handler runs in that trace', async () => {
    const res = await t.request('POST', '/example/notes', {
      body: { title: 'traced' },
      headers: { ...testAuth('u1', 't-trace'), traceparent: HEADER, tracestate: 'vendor=abc' },
    });
    assert.equal(res.status, 201, res.text);
    const row = await t.app.db('core_events').where({ name: 'example.note.created', tenant_id: 't-trace' }).first();
    const meta = JSON.parse(row.meta);
    const stored = ids(meta.traceparent);
    assert.equal(stored.traceId, TRACE);
    assert.equal(stored.spanId, ids(res.headers.get('traceresponse')).spanId, 'the span of the request that emitted it');
    assert.equal(meta.tracestate, 'vendor=abc');

    // The handler fails once (failHandlerTimes): its warning, logged by the dispatcher long after
    // the request ended, is in the request's trace, in a span of the handler's own.
    const warned = await waitFor('the handler’s warning', () => lines.find((l) => l.msg === 'event handler failed' && l.eventId === Number(row.id)));
    assert.equal(warned.trace_id, TRACE);
    assert.notEqual(warned.span_id, stored.spanId);
    assert.equal(warned.request_id, undefined, 'the dispatcher serves no request');
    await waitFor('the retry to deliver it', async () => (await t.app.db('core_events').where('id', row.id).first()).status === 'delivered');
  });
});
