// Robot callbacks against the Standard Webhooks spec's own library (`standardwebhooks`): with a
// `whsec_` secret the library's default mode verifies message and result callbacks; a secret the
// customer chose freely verifies with `{ format: 'raw' }` (its UTF-8 bytes).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { newWebhookSecret } from 'plinth/plugin';
import { bearer, ownerWithRobot, result, robotsApp, sendText, type RobotsApp } from '../../../test/helpers/robots.js';

interface Hit {
  path: string;
  headers: Record<string, string>;
  body: string;
}

async function receiver() {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      hits.push({ path: req.url ?? '', headers: req.headers as Record<string, string>, body });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { hits, base, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('robots: callbacks verify with the standardwebhooks library', () => {
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

  /** Configures both callbacks under `prefix`, has the robot report a message and a command result, and returns the two deliveries. */
  async function deliveries(label: string, secretKey: string) {
    const { owner, robot } = await ownerWithRobot(t, label);
    const res = await t.wb('POST', '/api/robot/third-party/config', {
      headers: owner.headers,
      body: {
        robotId: robot.robotId,
        messageCallbackUrl: `${rx.base}/${label}/messages`,
        resultCallbackUrl: `${rx.base}/${label}/results`,
        enableSignature: true,
        secretKey,
      },
    });
    assert.equal(res.status, 200, res.text);
    const stored = await t.app
      .db('robots_callbacks as c')
      .join('robots_robots as r', 'r.id', 'c.robot_pk')
      .where('r.robot_id', robot.robotId)
      .first('c.secret', 'c.enable_signature');
    assert.equal(stored.secret, secretKey);
    assert.equal(Boolean(stored.enable_signature), true);
    assert.equal(
      (await t.wb('POST', '/api/robot/messages', { headers: bearer(robot.token), body: { robotId: robot.robotId, spoken: `hi ${label}` } })).status,
      200,
    );
    const sent = await sendText(t, owner, robot.robotId, 'reply');
    assert.equal((await result(t, robot.token, robot.robotId, sent.body.data.commandId)).status, 200);
    await t.app.events.flush();
    const message = rx.hits.find((h) => h.path === `/${label}/messages`);
    const outcome = rx.hits.find((h) => h.path === `/${label}/results`);
    assert.ok(message && outcome, JSON.stringify(rx.hits.map((h) => h.path)));
    const logged = await t.app
      .db('robots_callback_deliveries')
      .whereIn('url', [`${rx.base}/${label}/messages`, `${rx.base}/${label}/results`])
      .select('status', 'kind');
    assert.deepEqual(logged.map((d) => `${d.kind}:${d.status}`).sort(), ['message:delivered', 'result:delivered']);
    return { message, outcome };
  }

  it('a whsec_ secret: message and result callbacks verify in the library default mode', async () => {
    const secret = newWebhookSecret();
    const { message, outcome } = await deliveries('spec', secret);
    const wh = new Webhook(secret);
    const m = wh.verify(message.body, message.headers) as { type: string; data: { spoken: string } };
    assert.match(m.type, /message/);
    assert.equal(m.data.spoken, 'hi spec');
    const r = wh.verify(outcome.body, outcome.headers) as { data: { status: string } };
    assert.equal(r.data.status, 'succeeded');
    assert.throws(() => new Webhook(newWebhookSecret()).verify(message.body, message.headers), /No matching signature/);
    assert.throws(() => wh.verify(message.body.replace('hi spec', 'hi evil'), message.headers), /No matching signature/);
  });

  it('a secret the customer chose freely: verifies with { format: "raw" } (its UTF-8 bytes)', async () => {
    const secret = 'my own secret, chosen by me 42';
    const { message, outcome } = await deliveries('free', secret);
    const wh = new Webhook(secret, { format: 'raw' });
    assert.equal((wh.verify(message.body, message.headers) as { data: { spoken: string } }).data.spoken, 'hi free');
    assert.equal((wh.verify(outcome.body, outcome.headers) as { data: { status: string } }).data.status, 'succeeded');
    assert.throws(
      () => new Webhook(new TextEncoder().encode('another secret entirely'), { format: 'raw' }).verify(message.body, message.headers),
      /No matching signature/,
    );
  });

  it('refuses a whsec_ secretKey that is not base64 (a receiver could not read it), naming the field; nothing stored', async () => {
    const { owner, robot } = await ownerWithRobot(t, 'badspec');
    const res = await t.wb('POST', '/api/robot/third-party/config', {
      headers: owner.headers,
      body: { robotId: robot.robotId, messageCallbackUrl: `${rx.base}/x`, enableSignature: true, secretKey: 'whsec_this is not base64!' },
    });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.code, 400);
    assert.match(res.body.message, /secretKey/);
    const stored = await t.app.db('robots_callbacks as c').join('robots_robots as r', 'r.id', 'c.robot_pk').where('r.robot_id', robot.robotId).first('c.*');
    assert.equal(stored, undefined);
  });
});
