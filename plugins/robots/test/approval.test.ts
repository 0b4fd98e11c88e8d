// require_approval (a tenant setting of the auth plugin): a member's command waits until an owner
// or admin approves it (then it is delivered like any command) or rejects it (never delivered).
import assert from 'node:assert/strict';
import { addUser, registerOwner } from '../../../test/helpers/actors.js';
import { activate, bearer, newCodes, poll, result, robotsApp, type RobotsApp } from '../../../test/helpers/robots.js';

describe('robots: commands awaiting approval', () => {
  let t: RobotsApp;
  before(async () => {
    t = await robotsApp();
  });
  after(async () => t?.close());

  async function setup() {
    const owner = await registerOwner(t, 'approver');
    const member = await addUser(t, owner.tenantId, 'member', { label: 'sender' });
    const [code] = await newCodes(t, owner, 1, member.id);
    const robot = await activate(t, code);
    const settings = await t.request('PATCH', '/api/v2/tenant/settings', { headers: owner.headers, body: { require_approval: true } });
    assert.equal(settings.status, 200, settings.text);
    const send = (who: { headers: Record<string, string> }, content: string) =>
      t.wb('POST', '/api/robot/send-message', { headers: who.headers, body: { robotId: robot.robotId, type: 'text', titleList: ['Li'], content } });
    return { owner, member, robot, send };
  }

  it('a member’s command waits, is invisible to the robot, and is delivered once approved (audited)', async () => {
    const { owner, member, robot, send } = await setup();
    const sent = await send(member, 'please approve me');
    assert.equal(sent.status, 200, sent.text);
    assert.equal(sent.body.data.status, 'awaiting_approval');
    assert.deepEqual((await poll(t, robot.token)).body.data.commands, [], 'not handed to the robot');

    const waiting = await t.wb('GET', '/api/robot/commands/awaiting-approval', { headers: owner.headers });
    assert.equal(waiting.status, 200);
    assert.deepEqual(
      waiting.body.data.commands.map((c: { commandId: string }) => c.commandId),
      [sent.body.data.commandId],
    );
    assert.equal(
      (await t.wb('POST', `/api/robot/commands/${sent.body.data.commandId}/approve`, { headers: member.headers })).status,
      403,
      'a member cannot approve',
    );

    const approved = await t.wb('POST', `/api/robot/commands/${sent.body.data.commandId}/approve`, { headers: owner.headers });
    assert.equal(approved.status, 200, approved.text);
    assert.equal(approved.body.data.status, 'pending');
    const polled = await poll(t, robot.token);
    assert.deepEqual(
      polled.body.data.commands.map((c: { commandId: string }) => c.commandId),
      [sent.body.data.commandId],
    );
    const again = await t.wb('POST', `/api/robot/commands/${sent.body.data.commandId}/approve`, { headers: owner.headers });
    assert.equal(again.status, 409, 'only a waiting command can be decided');
    const audit = await t.app.db('auth_audit_logs').where({ action: 'robots.command.approved', target_id: sent.body.data.commandId });
    assert.equal(audit.length, 1);
  });

  it('a rejected command is never delivered; an owner’s own command does not wait', async () => {
    const { owner, member, robot, send } = await setup();
    const sent = await send(member, 'no');
    const rejected = await t.wb('POST', `/api/robot/commands/${sent.body.data.commandId}/reject`, { headers: owner.headers });
    assert.equal(rejected.status, 200, rejected.text);
    assert.equal(rejected.body.data.status, 'rejected');
    assert.deepEqual((await poll(t, robot.token)).body.data.commands, []);
    const reported = await result(t, robot.token, robot.robotId, sent.body.data.commandId);
    assert.equal(reported.status, 409, 'a result for a command never sent is refused');
    assert.equal((await t.app.db('robots_commands').where('command_id', sent.body.data.commandId).first()).status, 'rejected');
    assert.equal((await t.app.db('auth_audit_logs').where({ action: 'robots.command.rejected', target_id: sent.body.data.commandId })).length, 1);

    // An owner sees the member's robot (tenant admin) and is not held back.
    const own = await send(owner, 'from the owner');
    assert.equal(own.body.data.status, 'pending');
    const other = await registerOwner(t, 'stranger');
    assert.equal(
      (await t.wb('POST', `/api/robot/commands/${own.body.data.commandId}/reject`, { headers: other.headers })).status,
      404,
      'another tenant cannot decide',
    );
    assert.equal(
      (await t.wb('GET', '/api/robot/commands/awaiting-approval', { headers: bearer(robot.token) })).status,
      403,
      'a robot is not an owner or admin',
    );
  });
});
