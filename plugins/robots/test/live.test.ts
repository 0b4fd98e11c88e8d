// The admin pages' live channel (GET /admin/api/live, server-sent events): a robot that connects, a
// message its phone reports and a command's result are announced to its tenant's open pages at once,
// never to another tenant's; with two instances on one PostgreSQL database, a robot connecting to one
// is announced on a page served by the other.
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.js';
import { openLive as openStream, type LiveEvent } from '../../../test/helpers/live.js';
import { bearer, ownerWithRobot, result, RobotSocket, robotsApp, sendText, type Owner, type RobotsApp } from '../../../test/helpers/robots.js';

const openLive = (t: RobotsApp, who: Owner) => openStream(t.url, who.headers);

const presenceOf = (robotId: string) => (e: LiveEvent) => e.kind === 'robot.presence' && e.data.robotId === robotId;

describe('robots: the admin live channel (/admin/api/live)', () => {
  let t: RobotsApp;
  before(async () => {
    t = await robotsApp();
  });
  after(() => t?.close());

  it("a robot coming and going is announced to its tenant's page, and another tenant's page hears only its own", async () => {
    const a = await ownerWithRobot(t, 'live-a');
    const b = await ownerWithRobot(t, 'live-b');
    const pageA = await openLive(t, a.owner);
    const pageB = await openLive(t, b.owner);
    try {
      const socketA = await RobotSocket.open(t, a.robot.robotId, a.robot.token);
      const online = await pageA.next(presenceOf(a.robot.robotId));
      assert.deepEqual(online.data, { robotId: a.robot.robotId, online: true });
      const socketB = await RobotSocket.open(t, b.robot.robotId, b.robot.token);
      await pageB.next(presenceOf(b.robot.robotId));
      assert.ok(!pageB.events.some(presenceOf(a.robot.robotId)), "B's page never hears of A's robot");
      socketA.ws.close();
      await pageA.next((e) => presenceOf(a.robot.robotId)(e) && e.data.online === false);
      socketB.ws.close();
    } finally {
      pageA.close();
      pageB.close();
    }
  });

  it("a message the phone reports is announced to its tenant's page (robot.message), not to another tenant's", async () => {
    const a = await ownerWithRobot(t, 'live-msg-a');
    const b = await ownerWithRobot(t, 'live-msg-b');
    const pageA = await openLive(t, a.owner);
    const pageB = await openLive(t, b.owner);
    try {
      const reported = await t.wb('POST', '/api/robot/messages', {
        body: { robotId: a.robot.robotId, spoken: 'Is the shop open?', receivedName: 'Zhang San' },
        headers: bearer(a.robot.token),
      });
      assert.equal(reported.status, 200, reported.text);
      const heard = await pageA.next((e) => e.kind === 'robot.message');
      assert.deepEqual(heard.data, { robotId: a.robot.robotId, messageId: reported.body.data.messageId });
      // B's own robot reports next: by the time B hears it, A's message would have come before it.
      const own = await t.wb('POST', '/api/robot/messages', { body: { robotId: b.robot.robotId, spoken: 'hi' }, headers: bearer(b.robot.token) });
      assert.equal(own.status, 200, own.text);
      await pageB.next((e) => e.kind === 'robot.message' && e.data.robotId === b.robot.robotId);
      assert.deepEqual(
        pageB.events.filter((e) => e.data.robotId === a.robot.robotId),
        [],
        "B's page never hears of A's robot",
      );
    } finally {
      pageA.close();
      pageB.close();
    }
  });

  it("a command's result is announced to its tenant's page (robot.command, with its status), not to another tenant's", async () => {
    const a = await ownerWithRobot(t, 'live-cmd-a');
    const b = await ownerWithRobot(t, 'live-cmd-b');
    const pageA = await openLive(t, a.owner);
    const pageB = await openLive(t, b.owner);
    try {
      const sent = await sendText(t, a.owner, a.robot.robotId, 'We open at nine.');
      assert.equal(sent.status, 200, sent.text);
      const commandId = sent.body.data.commandId as string;
      const reported = await result(t, a.robot.token, a.robot.robotId, commandId, 0);
      assert.equal(reported.status, 200, reported.text);
      const heard = await pageA.next((e) => e.kind === 'robot.command');
      assert.deepEqual(heard.data, { robotId: a.robot.robotId, commandId, status: 'succeeded' });
      // A failed one says so; B hears only its own robot's.
      const other = await sendText(t, b.owner, b.robot.robotId, 'hello');
      const failed = await result(t, b.robot.token, b.robot.robotId, other.body.data.commandId, 1);
      assert.equal(failed.status, 200, failed.text);
      assert.deepEqual((await pageB.next((e) => e.kind === 'robot.command')).data, {
        robotId: b.robot.robotId,
        commandId: other.body.data.commandId,
        status: 'failed',
      });
      assert.deepEqual(
        pageB.events.filter((e) => e.data.robotId === a.robot.robotId),
        [],
      );
      assert.equal(pageA.events.filter((e) => e.kind === 'robot.command').length, 1, "A's page hears only its own command");
    } finally {
      pageA.close();
      pageB.close();
    }
  });

  it('asks for a session, and caps the open streams of one person (429)', async () => {
    assert.equal((await fetch(`${t.url}/admin/api/live`)).status, 401);
    const { owner } = await ownerWithRobot(t, 'live-cap');
    const pages = [];
    for (let i = 0; i < 8; i++) pages.push(await openLive(t, owner));
    const ninth = await fetch(`${t.url}/admin/api/live`, { headers: owner.headers });
    assert.equal(ninth.status, 429);
    assert.equal((await ninth.json()).error.code, 'too_many_streams');
    for (const p of pages) p.close();
  });
});

describe('robots: the live channel across two instances (PostgreSQL)', () => {
  let database: TestDatabase;
  let one: RobotsApp;
  let two: RobotsApp;
  before(async () => {
    database = await createTestDatabase({ dialect: 'postgres' });
    one = await robotsApp({ database });
    two = await robotsApp({ database });
  });
  after(async () => {
    await one?.close();
    await two?.close();
    await database?.drop();
  });

  it('a robot connecting to one instance is announced on a page the other serves', async () => {
    const { owner, robot } = await ownerWithRobot(one, 'live-two');
    const page = await openLive(two, owner);
    try {
      const socket = await RobotSocket.open(one, robot.robotId, robot.token);
      assert.deepEqual((await page.next(presenceOf(robot.robotId))).data, { robotId: robot.robotId, online: true });
      socket.ws.close();
    } finally {
      page.close();
    }
  });
});
