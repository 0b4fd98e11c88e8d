import assert from 'node:assert/strict';
import { addUser, registerOwner } from '../../../test/helpers/actors.js';
import { RobotSocket, bearer, ownerWithRobot, robotsApp, sendText, type RobotsApp } from '../../../test/helpers/robots.js';

const day = (offsetDays = 0) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

describe('robots: statistics (8.1 robot, 8.2 user)', () => {
  let t: RobotsApp;
  before(async () => {
    t = await robotsApp();
  });
  after(async () => t?.close());

  it('counts messages, contacts, groups and commands exactly; scoped; validated', async () => {
    const { owner, robot } = await ownerWithRobot(t, 'stats');
    const robotHeaders = bearer(robot.token);
    const report = async (receivedName: string, groupName?: string) => {
      const res = await t.wb('POST', '/api/robot/messages', {
        body: { robotId: robot.robotId, spoken: `hi from ${receivedName}`, receivedName, ...(groupName ? { groupName } : {}) },
        headers: robotHeaders,
      });
      assert.equal(res.status, 200, res.text);
    };
    await report('Zhang San', 'Group One');
    await report('Zhang San', 'Group One');
    await report('Zhang San');
    await report('Li Si', 'Group Two');
    await report('Li Si', 'Group One');

    const ids: string[] = [];
    for (const text of ['a', 'b', 'c', 'd']) {
      const res = await sendText(t, owner, robot.robotId, text);
      assert.equal(res.status, 200, res.text);
      ids.push(res.body.data.commandId);
    }
    const complete = async (commandId: string, errorCode: number, executionTimeMs: number) => {
      const res = await t.wb('POST', '/api/robot/command-result', {
        body: { robotId: robot.robotId, commandId, errorCode, executionTimeMs },
        headers: robotHeaders,
      });
      assert.equal(res.status, 200, res.text);
    };
    await complete(ids[0], 0, 100);
    await complete(ids[1], 0, 300);
    await complete(ids[2], 5, 200);
    // ids[3] stays pending.

    const res = await t.wb('GET', `/api/robots/${robot.robotId}/statistics`, { headers: owner.headers });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.code, 0);
    assert.equal(typeof res.body.message, 'string');
    const today = res.body.data.endDate;
    assert.ok(today === day() || today === day(-1) || today === day(1));
    const start = new Date(Date.parse(`${today}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10);
    assert.deepEqual(res.body.data, {
      robotId: robot.robotId,
      startDate: start,
      endDate: today,
      totalMessages: 5,
      totalAICalls: null,
      aiCost: null,
      avgResponseTime: 0.2,
      successRate: 66.7,
      topContacts: [
        { name: 'Zhang San', messageCount: 3 },
        { name: 'Li Si', messageCount: 2 },
      ],
      topGroups: [
        { name: 'Group One', messageCount: 3 },
        { name: 'Group Two', messageCount: 1 },
      ],
      messagesByDay: [{ date: today, messageCount: 5 }],
      totalCommands: 4,
      succeededCommands: 2,
      failedCommands: 1,
    });

    // A range before today: nothing.
    const past = await t.wb('GET', `/api/robots/${robot.robotId}/statistics?startDate=2020-01-01&endDate=2020-01-31`, { headers: owner.headers });
    assert.equal(past.status, 200, past.text);
    assert.equal(past.body.data.totalMessages, 0);
    assert.equal(past.body.data.totalCommands, 0);
    assert.equal(past.body.data.successRate, 0);
    assert.equal(past.body.data.avgResponseTime, 0);
    assert.deepEqual(past.body.data.topContacts, []);
    assert.deepEqual(past.body.data.messagesByDay, []);
    // An explicit range with today in it: the same numbers.
    const explicit = await t.wb('GET', `/api/robots/${robot.robotId}/statistics?startDate=${today}&endDate=${today}`, { headers: owner.headers });
    assert.equal(explicit.body.data.totalMessages, 5);
    assert.equal(explicit.body.data.succeededCommands, 2);

    // The user's totals, with the robot online.
    const socket = await RobotSocket.open(t, robot.robotId, robot.token);
    const user = await t.wb('GET', '/api/user/statistics', { headers: owner.headers });
    await socket.close();
    assert.equal(user.status, 200, user.text);
    assert.equal(user.body.code, 0);
    assert.deepEqual(user.body.data, {
      startDate: start,
      endDate: today,
      totalRobots: 1,
      totalMessages: 5,
      totalAICalls: null,
      aiCost: null,
      activationCodeCount: 1,
      activeRobots: 1,
      totalCommands: 4,
      succeededCommands: 2,
      failedCommands: 1,
      successRate: 66.7,
    });

    // Validation: 400.
    for (const q of [
      'startDate=2024-03-01&endDate=2024-02-01',
      'startDate=2024-01-01&endDate=2025-01-01',
      'startDate=2024-02-30',
      'startDate=yesterday',
      'endDate=2024-1-1',
    ]) {
      for (const path of [`/api/robots/${robot.robotId}/statistics?${q}`, `/api/user/statistics?${q}`]) {
        const bad = await t.wb('GET', path, { headers: owner.headers });
        assert.equal(bad.status, 400, `${path}: ${bad.text}`);
        assert.equal(bad.body.code, 400);
      }
    }
    // 366 days is the most.
    assert.equal((await t.wb('GET', '/api/user/statistics?startDate=2024-01-01&endDate=2024-12-31', { headers: owner.headers })).status, 200);

    // Another tenant: 404, and its own totals are empty.
    const other = await registerOwner(t, 'other');
    const foreign = await t.wb('GET', `/api/robots/${robot.robotId}/statistics`, { headers: other.headers });
    assert.equal(foreign.status, 404, foreign.text);
    assert.equal(foreign.body.code, 404);
    const otherUser = await t.wb('GET', '/api/user/statistics', { headers: other.headers });
    assert.equal(otherUser.body.data.totalRobots, 0);
    assert.equal(otherUser.body.data.totalMessages, 0);
    assert.equal(otherUser.body.data.totalCommands, 0);

    // A member of the same tenant sees only own robots.
    const member = await addUser(t, owner.tenantId, 'member', { label: 'member' });
    assert.equal((await t.wb('GET', `/api/robots/${robot.robotId}/statistics`, { headers: member.headers })).status, 404);
    const memberUser = await t.wb('GET', '/api/user/statistics', { headers: member.headers });
    assert.equal(memberUser.body.data.totalRobots, 0);
    assert.equal(memberUser.body.data.totalMessages, 0);

    // 401 without a user token (none, or a robot's).
    for (const headers of [{}, robotHeaders]) {
      const robotNo = await t.wb('GET', `/api/robots/${robot.robotId}/statistics`, { headers });
      assert.equal(robotNo.status, 401, robotNo.text);
      assert.equal(robotNo.body.code, 401);
      assert.equal((await t.wb('GET', '/api/user/statistics', { headers })).status, 401);
    }
  });
});
