// Third-party callbacks: a real receiver on loopback (allowed by config here), Standard Webhooks
// signatures checked the way a receiver would, retries through the outbox (each try with the event's
// Idempotency-Key), 3xx as failure, 410 turning the callback off, the delivery log, manual re-send,
// and the SSRF guard.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { bearer, ownerWithRobot, result, robotsApp, sendText, type RobotsApp } from '../../../test/helpers/robots.js';

const SECRET = 'a-very-secret-key-for-tests-123';

interface Hit {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A receiver that answers with the next scripted status (200 once the script runs out). */
async function receiver() {
  const hits: Hit[] = [];
  const script: number[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      hits.push({ path: req.url ?? '', headers: req.headers, body });
      const status = script.shift() ?? 200;
      res.statusCode = status;
      if (status >= 300 && status < 400) res.setHeader('location', 'http://127.0.0.1:1/elsewhere');
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { hits, script, base, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A receiver's check with the spec's library; SECRET is a free-form string, so it is keyed raw (UTF-8). */
function verified(hit: Hit, secret = SECRET): boolean {
  try {
    new Webhook(secret, { format: 'raw' }).verify(hit.body, hit.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

describe('robots: third-party callbacks', () => {
  let t: RobotsApp;
  let rx: Awaited<ReturnType<typeof receiver>>;
  before(async () => {
    rx = await receiver();
    t = await robotsApp({ robots: { allowPrivateCallbacks: true } });
  });
  after(async () => {
    await t?.close();
    await rx?.close();
  });

  const configure = (headers: Record<string, string>, body: Record<string, unknown>) => t.wb('POST', '/api/robot/third-party/config', { headers, body });
  const report = (token: string, robotId: string, spoken: string) => t.wb('POST', '/api/robot/messages', { headers: bearer(token), body: { robotId, spoken } });

  it('message and result callbacks arrive signed; the config never shows the secret', async () => {
    const { owner, robot } = await ownerWithRobot(t, 'signed');
    const res = await configure(owner.headers, {
      robotId: robot.robotId,
      messageCallbackUrl: `${rx.base}/messages`,
      resultCallbackUrl: `${rx.base}/results`,
      enableSignature: true,
      secretKey: SECRET,
    });
    assert.equal(res.status, 200, res.text);
    const view = await t.wb('GET', `/api/robot/third-party/config/${robot.robotId}`, { headers: owner.headers });
    assert.equal(view.status, 200);
    assert.equal(view.body.data.messageCallbackUrl, `${rx.base}/messages`);
    assert.equal(view.body.data.isActive, true);
    assert.ok(!JSON.stringify(view.body).includes(SECRET), 'the secret is write-only');

    rx.hits.length = 0;
    assert.equal((await report(robot.token, robot.robotId, 'hello from a customer')).status, 200);
    const sent = await sendText(t, owner, robot.robotId, 'reply');
    assert.equal((await result(t, robot.token, robot.robotId, sent.body.data.commandId)).status, 200);
    await t.app.events.flush();
    const message = rx.hits.find((h) => h.path === '/messages');
    const outcome = rx.hits.find((h) => h.path === '/results');
    assert.ok(message && outcome, JSON.stringify(rx.hits.map((h) => h.path)));
    assert.ok(verified(message) && verified(outcome), 'signatures verify with the shared secret');
    assert.ok(!verified(message, 'another-secret-entirely-000'), 'and not with another');
    assert.equal(JSON.parse(message.body).data.spoken, 'hello from a customer');
    assert.equal(JSON.parse(outcome.body).data.status, 'succeeded');
  });

  it('a failing receiver (500, then a redirect) is retried until it answers 2xx; the log shows each try; 410 turns the callback off', async () => {
    const { owner, robot } = await ownerWithRobot(t, 'retry');
    assert.equal((await configure(owner.headers, { robotId: robot.robotId, messageCallbackUrl: `${rx.base}/flaky`, enableSignature: false })).status, 200);
    rx.hits.length = 0;
    rx.script.push(500, 302);
    await report(robot.token, robot.robotId, 'retry me');
    for (let i = 0; i < 50 && rx.hits.filter((h) => h.path === '/flaky').length < 3; i++) {
      await t.app.events.flush();
      await new Promise((r) => setTimeout(r, 30));
    }
    assert.equal(rx.hits.filter((h) => h.path === '/flaky').length, 3, 'two failures (500, 3xx) then the success');
    // Delivered at least once: every try of the event carries the same Idempotency-Key (the deployment and the event).
    const keys = rx.hits.filter((h) => h.path === '/flaky').map((h) => h.headers['idempotency-key']);
    const event = rx.hits.find((h) => h.path === '/flaky')!.headers['webhook-id'];
    assert.match(String(keys[0]), new RegExp(`^[0-9a-f]{12}\\.${event}$`));
    assert.deepEqual(keys, [keys[0], keys[0], keys[0]]);
    const log = await t.wb('GET', `/api/robot/third-party/deliveries/${robot.robotId}`, { headers: owner.headers });
    assert.deepEqual(log.body.data.list.map((d: { status: string; response_status: number }) => [d.status, d.response_status]).reverse(), [
      ['failed', 500],
      ['failed', 302],
      ['delivered', 200],
    ]);

    rx.script.push(410);
    await report(robot.token, robot.robotId, 'gone?');
    await t.app.events.flush();
    const gone = rx.hits[rx.hits.length - 1];
    assert.equal(gone.path, '/flaky');
    assert.notEqual(gone.headers['idempotency-key'], keys[0], 'another event, another key');
    const view = await t.wb('GET', `/api/robot/third-party/config/${robot.robotId}`, { headers: owner.headers });
    assert.equal(view.body.data.isActive, false, '410 Gone turns it off');
    const before = rx.hits.length;
    await report(robot.token, robot.robotId, 'not sent');
    await t.app.events.flush();
    assert.equal(rx.hits.length, before, 'nothing is sent to a disabled callback');
  });

  it('a logged delivery can be re-sent by hand', async () => {
    const { owner, robot } = await ownerWithRobot(t, 'resend');
    await configure(owner.headers, { robotId: robot.robotId, messageCallbackUrl: `${rx.base}/again`, enableSignature: false });
    await report(robot.token, robot.robotId, 'once');
    await t.app.events.flush();
    const log = await t.wb('GET', `/api/robot/third-party/deliveries/${robot.robotId}`, { headers: owner.headers });
    const delivery = log.body.data.list[0];
    const count = () => rx.hits.filter((h) => h.path === '/again').length;
    const before = count();
    const res = await t.wb('POST', '/api/robot/third-party/deliveries/resend', {
      headers: owner.headers,
      body: { robotId: robot.robotId, deliveryId: delivery.id },
    });
    assert.equal(res.status, 200, res.text);
    await t.app.events.flush();
    assert.equal(count(), before + 1);
    const [first, again] = rx.hits.filter((h) => h.path === '/again').slice(-2);
    assert.equal(again.headers['idempotency-key'], first.headers['idempotency-key'], 'the same event, the same key: a receiver that has it drops it');
    const missing = await t.wb('POST', '/api/robot/third-party/deliveries/resend', {
      headers: owner.headers,
      body: { robotId: robot.robotId, deliveryId: 999999 },
    });
    assert.equal(missing.status, 404);
  });

  it('errors: signature without a secret 400; another owner’s robot 404; a robot token 401', async () => {
    const { owner, robot } = await ownerWithRobot(t, 'errors');
    const other = await ownerWithRobot(t, 'other');
    const noSecret = await configure(owner.headers, { robotId: robot.robotId, messageCallbackUrl: `${rx.base}/x`, enableSignature: true });
    assert.equal(noSecret.status, 400);
    assert.equal(noSecret.body.code, 400);
    assert.equal((await configure(other.owner.headers, { robotId: robot.robotId, messageCallbackUrl: `${rx.base}/x`, enableSignature: false })).status, 404);
    assert.equal((await t.wb('GET', `/api/robot/third-party/config/${robot.robotId}`, { headers: other.owner.headers })).status, 404);
    assert.equal((await configure(bearer(robot.token), { robotId: robot.robotId, enableSignature: false })).status, 401);
  });
});

describe('robots: callback targets are checked (SSRF guard)', () => {
  let t: RobotsApp;
  before(async () => {
    t = await robotsApp();
  });
  after(async () => t?.close());

  for (const url of [
    'http://127.0.0.1:9/x',
    'http://localhost:9/x',
    'http://10.1.2.3/x',
    'http://192.168.0.10/x',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]:9/x',
    'ftp://example.org/x',
  ]) {
    it(`refuses ${url}`, async () => {
      const { owner, robot } = await ownerWithRobot(t, 'ssrf');
      const res = await t.wb('POST', '/api/robot/third-party/config', {
        headers: owner.headers,
        body: { robotId: robot.robotId, messageCallbackUrl: url, enableSignature: false },
      });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.code, 400);
      assert.equal(
        await t.app
          .db('robots_callbacks')
          .count({ n: '*' })
          .first()
          .then((r) => Number(r?.n)),
        0,
        'nothing stored',
      );
    });
  }
});
