// W3C Trace Context on the calls a robot's message causes: the message report's traceparent (a
// phone app's, or a gateway's in front of it) reaches the robot's message callback and the AI
// provider asked for the reply (the official openai SDK and the Dify adapter), each with the same
// trace id and a span id of the call's own; a report without one starts a trace that both share.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../../../test/helpers/processes.js';
import { bearer, ownerWithRobot, robotsApp, type RobotsApp } from '../../../test/helpers/robots.js';
import { FakeProvider } from './fake-providers.js';
import { setAi, setConsent, setProvider } from './helpers.js';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;
const TRACE = '5af7651916cd43dd8448eb211c80319c';
const PARENT = 'c7ad6b7169203331';

/** The trace id and parent id of a W3C traceparent header, failing on any other shape. */
function trace(header: string | string[] | undefined): { traceId: string; parentId: string } {
  const m = TRACEPARENT.exec(String(header ?? ''));
  assert.ok(m, `a W3C traceparent, got ${header}`);
  return { traceId: m[1], parentId: m[2] };
}

/** A callback receiver that records the headers of each call. */
async function receiver() {
  const hits: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits.push(req.headers);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { hits, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/messages`, close: () => new Promise((r) => server.close(r)) };
}

describe('traces: robot callbacks and AI provider calls', () => {
  let t: RobotsApp;
  let openai: FakeProvider;
  let dify: FakeProvider;
  let rx: Awaited<ReturnType<typeof receiver>>;
  before(async () => {
    t = await robotsApp({ extraPlugins: ['ai'], robots: { allowPrivateCallbacks: true }, settings: { ai: { allowPrivateProviders: true } } });
    openai = await new FakeProvider('openai').start();
    dify = await new FakeProvider('dify').start();
    rx = await receiver();
  });
  after(async () => {
    await t?.close();
    await Promise.all([openai?.close(), dify?.close(), rx?.close()]);
  });

  /** A robot whose messages go to the callback receiver and are answered by `provider`. */
  async function robotAnsweredBy(label: string, provider: Record<string, unknown>) {
    const { owner, robot } = await ownerWithRobot(t, label);
    await setConsent(t, owner, true);
    await setProvider(t, owner, label, provider);
    await setAi(t, owner, robot.robotId, { aiMode: 'third_party', aiProvider: label, replyDelayMin: 0, replyDelayMax: 0 });
    const configured = await t.wb('POST', '/api/robot/third-party/config', {
      headers: owner.headers,
      body: { robotId: robot.robotId, messageCallbackUrl: rx.url, enableSignature: false },
    });
    assert.equal(configured.status, 200, configured.text);
    const report = (headers: Record<string, string> = {}) =>
      t.wb('POST', '/api/robot/messages', { headers: { ...bearer(robot.token), ...headers }, body: { robotId: robot.robotId, spoken: 'hello' } });
    return { report };
  }

  it('the report’s traceparent reaches the message callback and the OpenAI-compatible provider', async () => {
    const { report } = await robotAnsweredBy('openai', { kind: 'openai', baseUrl: openai.baseUrl, apiKey: 'sk-test' });
    const res = await report({ traceparent: `00-${TRACE}-${PARENT}-01` });
    assert.equal(res.status, 200, res.text);
    const [callback] = await waitFor('the message callback', () => (rx.hits.length ? rx.hits : null));
    const [asked] = await waitFor('the provider call', () => (openai.received.length ? openai.received : null));

    const fromCallback = trace(callback.traceparent);
    const fromProvider = trace(asked.headers.traceparent);
    assert.equal(fromCallback.traceId, TRACE);
    assert.equal(fromProvider.traceId, TRACE);
    const spans = new Set([PARENT, fromCallback.parentId, fromProvider.parentId]);
    assert.equal(spans.size, 3, 'each call a span of its own');
  });

  it('the Dify adapter’s calls carry it too; a report without a traceparent starts a trace its calls share', async () => {
    rx.hits.length = 0;
    const { report } = await robotAnsweredBy('dify', { kind: 'dify', baseUrl: dify.baseUrl, apiKey: 'app-key' });
    const res = await report();
    assert.equal(res.status, 200, res.text);
    const started = trace(res.headers.get('traceresponse') ?? undefined).traceId;
    assert.notEqual(started, TRACE);
    const [callback] = await waitFor('the message callback', () => (rx.hits.length ? rx.hits : null));
    const [asked] = await waitFor('the Dify call', () => (dify.received.length ? dify.received : null));
    assert.equal(trace(callback.traceparent).traceId, started);
    assert.equal(trace(asked.headers.traceparent).traceId, started);
  });
});
