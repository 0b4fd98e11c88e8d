// OpenTelemetry, optional: `plinth start` with OTEL_EXPORTER_OTLP_ENDPOINT set exports its spans over
// OTLP/HTTP (to a local receiver here), the request's span in the trace of the traceparent it came
// with, an event's handlers in that trace too, and PostgreSQL's queries under them; the spans of the
// last moments are flushed when it stops. Without the variable, none of its SDK, exporters or
// instrumentations is loaded (a loader hook records every module the process loads).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { testAuth } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { freePort, kill, loadedModules, MODULE_RECORDER, openDatabase, startServer, waitFor, writeConfig, type PlinthProcess } from '../helpers/processes.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT = 'b7ad6b7169203331';
const SERVER_KIND = 2; // OTLP's SPAN_KIND_SERVER

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  scope: string;
}

/** An OTLP/HTTP receiver (JSON): the spans of every POST /v1/traces. */
async function otlpReceiver() {
  const spans: Span[] = [];
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      paths.push(`${req.method} ${req.url}`);
      if (req.url === '/v1/traces') {
        for (const rs of JSON.parse(body).resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) spans.push({ ...s, scope: ss.scope?.name ?? '' });
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { spans, paths, url, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('OpenTelemetry: optional export from plinth start', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let server: PlinthProcess | null = null;
  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    if (server) await kill(server);
    server = null;
    await database.drop();
  });

  it('with OTEL_EXPORTER_OTLP_ENDPOINT: the request’s spans arrive in the incoming trace, flushed when it stops', async () => {
    const rx = await otlpReceiver();
    const modules = path.join(database.dataDir, 'modules.txt');
    try {
      const port = await freePort();
      const env = {
        OTEL_EXPORTER_OTLP_ENDPOINT: rx.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        // Nothing is exported on a timer during the test: what arrives was flushed by the stop.
        OTEL_BSP_SCHEDULE_DELAY: '600000',
        LOADED_MODULES_FILE: modules,
      };
      server = await startServer(writeConfig(database, { server: { port } }), port, { env, nodeArgs: MODULE_RECORDER });
      const base = `http://127.0.0.1:${port}`;
      const hello = await fetch(`${base}/example/hello`, { headers: { traceparent: `00-${TRACE}-${PARENT}-01` } });
      assert.equal(hello.status, 200);
      assert.equal(hello.headers.get('traceresponse')?.split('-')[1], TRACE);
      const note = await fetch(`${base}/example/notes`, {
        method: 'POST',
        headers: { ...testAuth('u1', 't-otel'), 'content-type': 'application/json', traceparent: `00-${TRACE}-${PARENT}-01` },
        body: JSON.stringify({ title: 'traced' }),
      });
      assert.equal(note.status, 201);
      const missing = await fetch(`${base}/example/notes/424242`, { headers: testAuth('u1', 't-otel') });
      assert.equal(missing.status, 404);
      const db = openDatabase(database);
      try {
        await waitFor(
          'the note’s event to be delivered',
          async () => (await db('core_events').where({ tenant_id: 't-otel', status: 'delivered' }).first()) ?? null,
        );
      } finally {
        await db.destroy();
      }
      await fetch(`${base}/health`);
      assert.equal(rx.spans.length, 0, 'nothing exported before the stop (the batch delay is long)');

      server.child.kill('SIGTERM');
      assert.equal((await server.exited).code, 0, server.output());
      const inTrace = rx.spans.filter((s) => s.traceId === TRACE);
      const incoming = inTrace.filter((s) => s.kind === SERVER_KIND && s.parentSpanId === PARENT);
      assert.equal(incoming.length, 2, `the two requests' server spans, children of the caller's span: ${JSON.stringify(rx.spans.map((s) => s.name))}`);
      assert.ok(
        incoming.every((s) => s.scope === '@opentelemetry/instrumentation-http'),
        'made by the HTTP instrumentation',
      );
      assert.ok(
        inTrace.some((s) => s.scope === '@opentelemetry/instrumentation-koa'),
        'Koa middleware spans',
      );
      assert.ok(
        inTrace.some((s) => s.name === 'event example.note.created'),
        'the event’s delivery, in the trace of the request that emitted it',
      );
      if (database.url?.startsWith('postgres')) {
        assert.ok(
          inTrace.some((s) => s.scope === '@opentelemetry/instrumentation-pg'),
          'the queries of the request',
        );
      }
      // Server spans are named after the route template that answered, never the raw path.
      const serverSpans = rx.spans.filter((s) => s.kind === SERVER_KIND).map((s) => s.name);
      assert.ok(serverSpans.includes('GET /example/hello'), JSON.stringify(serverSpans));
      assert.ok(serverSpans.includes('GET /example/notes/:id'), JSON.stringify(serverSpans));
      assert.ok(!serverSpans.some((name) => name.includes('424242') || name.includes('health')), 'no raw ids; probes are not traced');
      assert.ok(!rx.paths.includes('POST /v1/metrics') && !rx.paths.includes('POST /v1/logs'), 'traces only, unless asked');
      // The recorder sees OpenTelemetry here: its silence in the next test means something.
      assert.ok(loadedModules(modules).some((m) => m.includes('/@opentelemetry/sdk-node/')));
    } finally {
      await rx.close();
    }
  });

  it('without it: nothing of the OpenTelemetry SDK is loaded, and traces still reach the logs and replies', async () => {
    const modules = path.join(database.dataDir, 'modules.txt');
    const port = await freePort();
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: undefined, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined, LOADED_MODULES_FILE: modules };
    server = await startServer(writeConfig(database, { server: { port } }), port, { env, nodeArgs: MODULE_RECORDER });
    const res = await fetch(`http://127.0.0.1:${port}/example/hello`, { headers: { traceparent: `00-${TRACE}-${PARENT}-01` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('traceresponse')?.split('-')[1], TRACE);
    await waitFor('the access line with the trace', () => server!.output().includes(`"trace_id":"${TRACE}"`));
    server.child.kill('SIGTERM');
    assert.equal((await server.exited).code, 0, server.output());
    const all = loadedModules(modules);
    assert.ok(
      all.some((m) => m.includes('/node_modules/koa/')),
      'the recorder saw the app’s modules',
    );
    assert.ok(
      all.some((m) => m.includes('/node_modules/pino/')),
      'the recorder saw CommonJS modules',
    );
    // Not even the API (prom-client requires it for exemplars only, patches/prom-client+15.1.3.patch):
    // no SDK, exporter or instrumentation, and no loader hook patching modules.
    assert.deepEqual(
      all.filter((m) => m.includes('/@opentelemetry/')),
      [],
    );
    assert.ok(!all.some((m) => m.includes('in-the-middle')));
  });
});
