// The task tools over MCP with the official client, each doing what its REST face does, in the key's
// tenant only: license_verify (and revoke / deactivate through tool_call, confirmed), workflow_run
// (previewed by the workflow's dry run, then run), robots_send_message (the robot gets the command).
import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { waitFor } from '../../../test/helpers/processes.js';
import { registerOwner } from '../../../test/helpers/actors.js';
import { ownerWithRobot, type Owner, RobotSocket, type RobotsApp, robotsApp } from '../../../test/helpers/robots.js';

type Result = { isError?: boolean; structuredContent?: any; content: Array<{ type: string; text?: string }> };
const SCOPES = ['licenses:manage', 'workflows:manage', 'workflows:read', 'robots:use'];

describe('agents: task tools (license, workflow, robot message)', () => {
  let t: RobotsApp;
  let owner: Owner;
  let stranger: Owner;
  let robot: { robotId: string; token: string };
  let client: Client;
  let theirs: Client;

  const keyOf = async (who: Owner) => {
    const made = await t.request('POST', '/api/v2/api-keys', { body: { name: 'agent', scopes: SCOPES }, headers: who.headers });
    assert.equal(made.status, 201, made.text);
    return made.body.raw_key as string;
  };
  const connect = async (who: Owner) => {
    const c = new Client({ name: 'task-tools', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await c.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${await keyOf(who)}` } } }));
    return c;
  };
  const call = (c: Client, name: string, args: Record<string, unknown>) => c.callTool({ name, arguments: args }) as Promise<Result>;
  const viaTail = (c: Client, name: string, args: Record<string, unknown>) => call(c, 'tool_call', { name, arguments: args });
  /** A destructive call: preview (nothing happens), then the same arguments with its token. */
  const confirmed = async (run: (args: Record<string, unknown>) => Promise<Result>, args: Record<string, unknown>) => {
    const preview = await run(args);
    assert.equal(preview.structuredContent?.confirmationRequired, true, JSON.stringify(preview));
    return { preview, done: await run({ ...args, confirm: preview.structuredContent.confirm }) };
  };
  const license = async (email: string) => {
    const made = await call(client, 'licensing_generate', { plan: 'monthly', email });
    assert.notEqual(made.isError, true, JSON.stringify(made));
    return made.structuredContent as { license_id: string; activation_code: string };
  };

  before(async () => {
    t = await robotsApp({ extraPlugins: ['billing', 'workflows', 'agents'], settings: { workflows: { pollIntervalMs: 50 } } });
    ({ owner, robot } = await ownerWithRobot(t, 'agent-owner'));
    stranger = await registerOwner(t, 'agent-stranger');
    client = await connect(owner);
    theirs = await connect(stranger);
  });
  after(async () => {
    await client?.close();
    await theirs?.close();
    await t?.close();
  });

  it('license_verify answers as POST /license/api/verify does, binding the device; an invalid code is isValid false with the reason', async () => {
    const lic = await license('buyer@example.org');
    const args = { activation_code: lic.activation_code, email: 'buyer@example.org', device_id: 'laptop-1', device_name: 'Laptop' };
    const verified = await call(client, 'license_verify', args);
    assert.notEqual(verified.isError, true, JSON.stringify(verified));
    assert.equal(verified.structuredContent.isValid, true);
    assert.equal(verified.structuredContent.license.key, lic.license_id);
    const rest = await t.request('POST', '/license/api/verify', { body: args });
    assert.equal(rest.status, 200, rest.text);
    assert.equal(rest.body.license.key, verified.structuredContent.license.key);
    assert.equal(rest.body.expiresAt, verified.structuredContent.license.expiresAt);
    const pk = (await t.app.db('licensing_licenses').where('license_id', lic.license_id).first()).id;
    assert.deepEqual(
      (await t.app.db('licensing_devices').where('license_pk', pk).select('device_id')).map((d) => d.device_id),
      ['laptop-1'],
    );

    const wrong = await call(client, 'license_verify', { ...args, email: 'someone@example.org' });
    assert.notEqual(wrong.isError, true, 'an invalid license is a verdict, not a failed call');
    assert.deepEqual(
      [wrong.structuredContent.isValid, wrong.structuredContent.code, wrong.structuredContent.reason],
      [false, 'INVALID_LICENSE', 'LICENSE_NOT_FOUND'],
    );
  });

  it('another tenant’s key does not find the license, and binds nothing to it', async () => {
    const lic = await license('private@example.org');
    const probe = await call(theirs, 'license_verify', { activation_code: lic.activation_code, email: 'private@example.org', device_id: 'intruder' });
    assert.equal(probe.structuredContent.isValid, false);
    assert.equal(probe.structuredContent.reason, 'LICENSE_NOT_FOUND');
    const pk = (await t.app.db('licensing_licenses').where('license_id', lic.license_id).first()).id;
    assert.equal((await t.app.db('licensing_devices').where('license_pk', pk)).length, 0);
    // The preview looks the license up: another tenant's is refused at once, and no token is issued to confirm with.
    const preview = await viaTail(theirs, 'license_revoke', { license_id: lic.license_id });
    assert.equal(preview.isError, true, 'revoking another tenant’s license is refused at the preview');
    assert.equal(preview.structuredContent, undefined);
    assert.equal((await t.app.db('licensing_licenses').where('license_id', lic.license_id).first()).status, 'active');
  });

  it('license_deactivate_device and license_revoke (long tail, destructive): nothing before the confirmation, then done', async () => {
    const lic = await license('ending@example.org');
    const args = { activation_code: lic.activation_code, email: 'ending@example.org', device_id: 'phone-1' };
    assert.equal((await call(client, 'license_verify', args)).structuredContent.isValid, true);

    const off = await confirmed((a) => viaTail(client, 'license_deactivate_device', a), { license_id: lic.license_id, device_id: 'phone-1' });
    assert.equal(off.preview.structuredContent.preview.tool, 'license_deactivate_device');
    assert.notEqual(off.done.isError, true, JSON.stringify(off.done));
    assert.equal(off.done.structuredContent.status, 'deactivated');
    assert.equal((await call(client, 'license_verify', args)).structuredContent.reason, 'DEVICE_DEACTIVATED');

    const preview = await viaTail(client, 'license_revoke', { license_id: lic.license_id, reason: 'refund' });
    assert.equal((await t.app.db('licensing_licenses').where('license_id', lic.license_id).first()).status, 'active', 'a preview changes nothing');
    const revoked = await viaTail(client, 'license_revoke', { license_id: lic.license_id, reason: 'refund', confirm: preview.structuredContent.confirm });
    assert.equal(revoked.structuredContent.status, 'revoked');
    const row = await t.app.db('licensing_licenses').where('license_id', lic.license_id).first();
    assert.deepEqual([row.status, row.status_reason], ['revoked', 'refund']);
    assert.equal((await call(client, 'license_verify', { ...args, device_id: undefined })).structuredContent.reason, 'LICENSE_REVOKED');
  });

  it('workflow_run: the preview is its dry run (nothing runs); confirmed, a run starts and its steps run; another tenant’s key finds nothing', async () => {
    const steps = [{ id: 'issue', action: 'licensing.generate', input: { plan: 'yearly', email: '{{trigger.email}}' } }];
    const made = await t.request('POST', '/api/v2/workflows', {
      headers: owner.headers,
      body: { name: 'Issue a license', trigger: { type: 'manual' }, steps },
    });
    assert.equal(made.status, 201, made.text);
    const args = { workflow: 'Issue a license', payload: { email: 'flow@example.org' } };

    const dry = await call(client, 'workflow_run', { ...args, dryRun: true });
    assert.equal(dry.structuredContent.dryRun, true);
    assert.equal(dry.structuredContent.preview.would_run, true);
    const { preview, done } = await confirmed((a) => call(client, 'workflow_run', a), args);
    assert.equal(preview.structuredContent.preview.wouldDo.steps[0].input.email, 'flow@example.org');
    assert.notEqual(done.isError, true, JSON.stringify(done));
    assert.equal(done.structuredContent.workflow.id, made.body.id);
    assert.equal(done.structuredContent.status, 'pending');
    const runs = await t.app.db('workflows_runs').where({ workflow_id: made.body.id }).select('id', 'tenant_id', 'trigger_type');
    assert.deepEqual(
      runs.map((r) => [Number(r.id), r.tenant_id, r.trigger_type]),
      [[done.structuredContent.run_id, owner.tenantId, 'manual']],
    );
    await waitFor('the run’s license', async () =>
      Boolean(await t.app.db('licensing_licenses').where({ tenant_id: owner.tenantId, email: 'flow@example.org' }).first()),
    );

    // The preview already looks the workflow up in the key's tenant: not found, and no token to confirm with.
    const probe = await call(theirs, 'workflow_run', { workflow: made.body.id });
    assert.equal(probe.isError, true, JSON.stringify(probe));
    assert.equal(JSON.parse(probe.content[0].text ?? '{}').error, 'workflow_not_found');
    assert.equal((await t.app.db('workflows_runs').where({ workflow_id: made.body.id })).length, 1, 'another tenant starts nothing');
  });

  it('robots_send_message: confirmed, the robot gets the command over its WebSocket; another tenant’s key cannot reach the robot', async () => {
    const socket = await RobotSocket.open(t, robot.robotId, robot.token);
    try {
      const args = { robotId: robot.robotId, type: 'text', titleList: ['Zhang San'], content: 'hello from an agent' };
      const { preview, done } = await confirmed((a) => call(client, 'robots_send_message', a), args);
      assert.equal(preview.structuredContent.preview.arguments.content, 'hello from an agent');
      // The preview looks the robot up: it names the robot and the chats.
      const shown = preview.structuredContent.preview.wouldDo;
      assert.deepEqual([shown.robot.robotId, shown.chats], [robot.robotId, ['Zhang San']]);
      assert.match(shown.effect, /sends a text message to 1 chat/);
      assert.notEqual(done.isError, true, JSON.stringify(done));
      const [frame] = await socket.waitFor((f) => f.type === 'command' && f.data.commandId === done.structuredContent.commandId);
      assert.equal(frame.data.commandParams.content, 'hello from an agent');
      const row = await t.app.db('robots_commands').where('command_id', done.structuredContent.commandId).first();
      assert.equal(row.tenant_id, owner.tenantId);

      const before = (await t.app.db('robots_commands')).length;
      const tokens = async () => (await t.app.db('agents_confirmations').where('tenant_id', stranger.tenantId)).length;
      const tokensBefore = await tokens();
      const other = await call(theirs, 'robots_send_message', { ...args, content: 'not mine' });
      assert.equal(other.isError, true, 'another tenant’s robot: refused at the preview');
      assert.match(JSON.parse(other.content[0].text ?? '{}').message, /not found/);
      assert.equal(await tokens(), tokensBefore, 'no token issued for it');
      assert.equal((await t.app.db('robots_commands')).length, before, 'no command from another tenant’s key');
    } finally {
      await socket.close();
    }
  });
});
