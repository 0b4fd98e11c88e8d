// End to end, across plugins over real protocols: a message with a verification code arrives over
// SMTP at a mailbox, the ready-made workflow forwards the code to a robot, and a robot connected
// over the WebSocket receives the send_message command; a license activation makes another
// workflow POST a webhook signed by the standardwebhooks library, verified by a local receiver the way
// docs/plugins/workflows.md shows.
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { Webhook } from 'standardwebhooks';
import { newWebhookSecret } from 'plinth/plugin';
import { waitFor } from '../../../test/helpers/processes.js';
import { activate, newCodes, RobotSocket, type RobotsApp } from '../../../test/helpers/robots.js';
import { registerOwner } from '../../../test/helpers/actors.js';
import { Receiver, runRows, waitForRun, workflowsApp, type Owner, type WorkflowsApp } from './helpers.js';

/** A receiver's check, written as a customer would (docs/plugins/workflows.md): the spec's library over the raw body. */
function verify(secret: string, headers: Record<string, string | string[] | undefined>, rawBody: string): boolean {
  try {
    new Webhook(secret).verify(rawBody, headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

describe('workflows: end to end', () => {
  let t: WorkflowsApp & RobotsApp;
  let owner: Owner;
  before(async () => {
    t = (await workflowsApp({
      plugins: ['licensing', 'mail', 'robots'],
      settings: {
        mail: { domains: [{ name: 'inbox.test' }] },
        licensing: { verifyPerIpPerMinute: 100_000, verifyPerCodePerMinute: 100_000 },
        robots: { requestsPerMinute: 100_000 },
      },
    })) as WorkflowsApp & RobotsApp;
    t.wb = (method, path, opts) => t.request(method, `/workbot${path}`, opts);
    owner = await registerOwner(t, 'e2e');
  });
  after(async () => t?.close());

  it('a verification code mailed over SMTP reaches a robot’s chat through the forwarding workflow', async () => {
    const box = await t.request('POST', '/mail/api/create', { headers: owner.headers, body: { local: `codes${Date.now()}`, domainIndex: 0 } });
    assert.equal(box.status, 200, box.text);
    const mailbox: string = box.body.email;
    const [code] = await newCodes(t, owner);
    const robot = await activate(t, code);
    const socket = await RobotSocket.open(t, robot.robotId, robot.token);
    try {
      const made = await t.api('POST', '/workflows/templates/forward-verification-codes/instantiate', {
        headers: owner.headers,
        body: { params: { robot_id: robot.robotId, chat: 'Ops group', mailbox } },
      });
      assert.equal(made.status, 201, made.text);
      const wf = made.body;
      assert.equal(wf.condition.properties.mailbox.const, mailbox);

      const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: t.app.container.resolve('smtpPort'), secure: false, ignoreTLS: true });
      try {
        await smtp.sendMail({
          from: 'Acme <no-reply@acme.example>',
          to: mailbox,
          subject: 'Your Acme verification code',
          text: 'Hello,\n\nYour verification code is 482913. It expires in 10 minutes.\n',
        });
        await smtp.sendMail({ from: 'news@acme.example', to: mailbox, subject: 'Newsletter', text: 'Nothing to verify here, just news.' });
      } finally {
        smtp.close();
      }

      const [frame] = await socket.waitFor((f) => f.type === 'command', 1, 15_000);
      assert.equal(frame.data.commandType, 'send_message');
      assert.deepEqual(frame.data.commandParams.titleList, ['Ops group']);
      assert.equal(frame.data.commandParams.type, 'text');
      assert.equal(frame.data.commandParams.content, `Code 482913 (Your Acme verification code, to ${mailbox})`);

      const [run] = await waitFor('the run to finish', async () => {
        const rows = await runRows(t, wf.id);
        return rows.length === 1 && rows[0].status === 'succeeded' ? rows : null;
      });
      const detail = await waitForRun(t, owner, run.id);
      assert.equal(detail.trigger.type, 'event');
      assert.equal(detail.trigger_payload.verification_code, '482913');
      assert.equal(detail.steps[0].output.commandId, frame.data.commandId);
      const command = await t.app.db('robots_commands').where('command_id', frame.data.commandId).first();
      assert.equal(command.tenant_id, owner.tenantId);
      assert.equal(command.created_by, `workflow:${wf.id}`);

      // The newsletter (no code) matched no condition: still one run, one command.
      await t.app.events.flush();
      assert.equal((await runRows(t, wf.id)).length, 1);
      assert.equal(socket.commands().length, 1);
      const received = await t.app.db('core_events').where('name', 'mail.received').count({ n: '*' }).first();
      assert.equal(Number(received?.n), 2);
    } finally {
      await socket.close();
    }
  });

  it('a license activation POSTs an HMAC-signed webhook that the receiver verifies; a robot activation does not', async () => {
    const secret = newWebhookSecret();
    const rx = await Receiver.start();
    rx.respond = (hit) => (verify(secret, hit.headers, hit.body) ? { status: 200, body: { verified: true } } : { status: 401, body: { verified: false } });
    try {
      const made = await t.api('POST', '/workflows/templates/license-activated-webhook/instantiate', {
        headers: owner.headers,
        body: { params: { url: `${rx.url}/licenses`, secret } },
      });
      assert.equal(made.status, 201, made.text);
      // A WorkBot code binding a phone first: license.activated (kind robot) in the same tenant.
      const [robotCode] = await newCodes(t, owner);
      await activate(t, robotCode);
      const key = await t.api('POST', '/api-keys', { headers: owner.headers, body: { name: 'licenses', scopes: ['licenses:manage'] } });
      const generated = await t.request('POST', '/license/api/admin/generate', {
        headers: { 'x-api-key': key.body.raw_key },
        body: { plan: 'yearly', email: 'buyer@example.test' },
      });
      assert.equal(generated.status, 200, generated.text);
      const { license_id, activation_code } = generated.body.license;
      const verified = await t.request('POST', '/license/api/verify', {
        body: { activation_code, email: 'buyer@example.test', device_id: 'laptop-1', device_name: 'Laptop' },
      });
      assert.equal(verified.status, 200, verified.text);

      const [run] = await waitFor('the webhook run', async () => {
        await t.app.events.flush();
        const rows = await runRows(t, made.body.id);
        return rows.length === 1 && ['succeeded', 'failed'].includes(rows[0].status) ? rows : null;
      });
      assert.equal(run.status, 'succeeded', run.reason);
      const activations = await t.app.db('core_events').where('name', 'license.activated').where('tenant_id', owner.tenantId).orderBy('id');
      assert.deepEqual(
        activations
          .slice(-2)
          .map((e: { payload: unknown }) => (typeof e.payload === 'string' ? JSON.parse(e.payload) : e.payload))
          .map((p: Record<string, unknown>) => [p.kind, p.product]),
        [
          ['robot', 'workbot'],
          ['license', 'default'],
        ],
        'both activations fired, each naming its kind',
      );
      await t.app.events.flush();
      assert.equal((await runRows(t, made.body.id)).length, 1, 'the robot activation started no run');
      assert.equal(rx.hits.length, 1);
      const hit = rx.hits[0];
      assert.equal(hit.path, '/licenses');
      assert.ok(verify(secret, hit.headers, hit.body), 'the signature verifies with the shared secret');
      assert.ok(!verify(newWebhookSecret(), hit.headers, hit.body));
      assert.deepEqual(JSON.parse(hit.body), { event: 'license.activated', license_id, product: 'default', device_id: 'laptop-1', device_name: 'Laptop' });
      const detail = await waitForRun(t, owner, run.id);
      assert.deepEqual(detail.steps[0].output.body, { verified: true });
      assert.equal(detail.steps[0].input.sign.secret, '[secret]');
    } finally {
      await rx.close();
    }
  });
});
