// A robot reconnecting to another instance while commands keep coming (issue: hardening): it gets
// its backlog first, oldest first, then what is pushed live, and no command twice before its
// result. Two instances on one PostgreSQL database (pushes cross them by pub/sub). A robot holding
// too many sockets on one instance loses its oldest, with close code 4008.
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.js';
import { ownerWithRobot, RobotSocket, robotsApp, sendText, type RobotsApp } from './helpers.js';

describe('robots: reconnect order and the socket cap', () => {
  let database: TestDatabase;
  let a: RobotsApp;
  let b: RobotsApp;
  before(async () => {
    database = await createTestDatabase({ dialect: 'postgres' });
    a = await robotsApp({ database });
    b = await robotsApp({ database, robots: { wsMaxSocketsPerRobot: 2 } });
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await database?.drop();
  });

  it('eight senders on one instance, the robot reconnecting to the other: backlog first in order, then live, none twice', async () => {
    const { owner, robot } = await ownerWithRobot(a, 'reconnect');
    for (let i = 0; i < 8; i++) assert.equal((await sendText(a, owner, robot.robotId, `backlog ${i}`)).status, 200);
    const [socket] = await Promise.all([
      RobotSocket.open(b, robot.robotId, robot.token),
      ...Array.from({ length: 8 }, (_, i) => sendText(a, owner, robot.robotId, `live ${i}`)),
    ]);
    const expected = await a.app
      .db('robots_commands as c')
      .join('robots_robots as r', 'r.id', 'c.robot_pk')
      .where('r.robot_id', robot.robotId)
      .orderBy('c.id')
      .pluck('c.command_id');
    assert.equal(expected.length, 16);
    await socket.waitFor((f) => f.type === 'command', 16);
    const got = socket.commands().map((f) => f.data.commandId as string);
    assert.equal(new Set(got).size, got.length, `no command twice: ${got.join(', ')}`);
    assert.deepEqual(got.slice(0, 8), expected.slice(0, 8), 'the backlog first, oldest first');
    // Commands made at the same moment by concurrent senders have no order among themselves.
    assert.deepEqual([...got].sort(), [...expected].sort(), 'every command, once');
    await socket.close();
  });

  it('a robot over its socket cap on one instance: the oldest socket is closed with 4008, the newest gets pushes', async () => {
    const { owner, robot } = await ownerWithRobot(a, 'cap');
    const first = await RobotSocket.open(b, robot.robotId, robot.token);
    const closed = first.closed();
    const second = await RobotSocket.open(b, robot.robotId, robot.token);
    const third = await RobotSocket.open(b, robot.robotId, robot.token);
    assert.equal(await closed, 4008);
    assert.equal((await sendText(a, owner, robot.robotId, 'to the live ones')).status, 200);
    for (const s of [second, third]) await s.waitFor((f) => f.type === 'command' && f.data.commandParams.content === 'to the live ones');
    await second.close();
    await third.close();
  });
});
