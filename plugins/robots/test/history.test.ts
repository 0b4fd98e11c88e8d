import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import { addUser, registerOwner } from '../../../test/helpers/actors.js';
import { bearer, activate, newCodes, ownerWithRobot, poll, result, robotsApp, sendText, type Owner, type RobotsApp } from '../../../test/helpers/robots.js';

// GET /api/robots/{robotId}/messages and /commands: beside the seed, in its style, for the admin
// UI's robot page. Times come from a manual clock, so every field of every row is asserted exactly.

const START = '2026-06-01T12:00:00.000Z';
const TTL_MINUTES = 10;
const at = (ms: number) => new Date(Date.parse(START) + ms).toISOString();

function assertError(res: { status: number; body: any; text: string }, status: number): void {
  assert.equal(res.status, status, res.text);
  assert.deepEqual(Object.keys(res.body).sort(), ['code', 'data', 'message'], res.text);
  assert.equal(res.body.code, status, res.text);
  assert.equal(typeof res.body.message, 'string');
}

describe('robots: a robot’s messages and command log (/api/robots/{robotId}/messages, /commands)', () => {
  const clock = new ManualClock(START);
  let t: RobotsApp;
  let owner: Owner;
  let robot: Awaited<ReturnType<typeof ownerWithRobot>>['robot'];
  const get = (path: string, headers = owner.headers) => t.wb('GET', `/api/robots/${robot.robotId}${path}`, { headers });
  const report = async (body: Record<string, unknown>) => {
    const res = await t.wb('POST', '/api/robot/messages', { body: { robotId: robot.robotId, ...body }, headers: bearer(robot.token) });
    assert.equal(res.status, 200, res.text);
    return res.body.data.messageId as string;
  };
  const send = async (content: string) => {
    const res = await sendText(t, owner, robot.robotId, content);
    assert.equal(res.status, 200, res.text);
    return res.body.data.commandId as string;
  };

  before(async () => {
    t = await robotsApp({ clock, robots: { commandTtlMinutes: TTL_MINUTES } });
    ({ owner, robot } = await ownerWithRobot(t, 'history'));
  });
  after(async () => t?.close());

  describe('messages', () => {
    const ids: string[] = [];
    before(async () => {
      clock.set(at(1000));
      ids.push(await report({ spoken: 'hello', receivedName: 'Zhang San', roomType: 1 }));
      clock.set(at(2000));
      ids.push(
        await report({ spoken: '@bot price?', receivedName: 'Li Si', groupName: 'Buyers', roomType: 2, atMe: true, timestamp: '2026-06-01T11:59:58.000Z' }),
      );
      clock.set(at(3000));
      ids.push(await report({ spoken: '[image]', receivedName: 'Wang Wu', fileBase64: Buffer.from('a picture').toString('base64') }));
    });

    const expected = () => [
      {
        messageId: ids[2],
        spoken: '[image]',
        receivedName: 'Wang Wu',
        groupName: null,
        atMe: false,
        roomType: null,
        hasFile: true,
        timestamp: null,
        createdAt: at(3000),
      },
      {
        messageId: ids[1],
        spoken: '@bot price?',
        receivedName: 'Li Si',
        groupName: 'Buyers',
        atMe: true,
        roomType: 2,
        hasFile: false,
        timestamp: '2026-06-01T11:59:58.000Z',
        createdAt: at(2000),
      },
      {
        messageId: ids[0],
        spoken: 'hello',
        receivedName: 'Zhang San',
        groupName: null,
        atMe: false,
        roomType: 1,
        hasFile: false,
        timestamp: null,
        createdAt: at(1000),
      },
    ];

    it('lists them newest first, every field', async () => {
      const res = await get('/messages');
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { code: 0, message: 'success', data: { total: 3, list: expected() } });
    });

    it('pages with page and pageSize', async () => {
      const first = await get('/messages?page=1&pageSize=2');
      assert.equal(first.status, 200, first.text);
      assert.deepEqual(first.body.data, { total: 3, list: expected().slice(0, 2) });
      assert.deepEqual((await get('/messages?page=2&pageSize=2')).body.data, { total: 3, list: expected().slice(2) });
      assert.deepEqual((await get('/messages?page=3&pageSize=2')).body.data, { total: 3, list: [] });
    });
  });

  describe('commands', () => {
    const ids: Record<'expired' | 'succeeded' | 'failed' | 'pending', string> = { expired: '', succeeded: '', failed: '', pending: '' };
    /** When the first command had expired and the rest were sent (ms after START). */
    const t1 = (TTL_MINUTES + 1) * 60_000 + 10_000;
    before(async () => {
      clock.set(at(10_000));
      ids.expired = await send('nobody took this');
      clock.set(at(t1));
      assert.equal(await t.app.scheduler.runNow('robots.expire-commands'), 'succeeded');
      clock.set(at(t1 + 1000));
      ids.succeeded = await send('first');
      clock.set(at(t1 + 2000));
      ids.failed = await send('second');
      clock.set(at(t1 + 3000));
      assert.equal((await poll(t, robot.token)).body.data.commands.length, 2); // both handed out: sent
      clock.set(at(t1 + 4000));
      assert.equal((await result(t, robot.token, robot.robotId, ids.succeeded, 0)).status, 200);
      clock.set(at(t1 + 5000));
      assert.equal((await result(t, robot.token, robot.robotId, ids.failed, 7)).status, 200);
      clock.set(at(t1 + 6000));
      ids.pending = await send('third');
    });

    const params = (content: string) => ({ type: 'text', titleList: ['Zhang San'], content, atList: [] });
    const resultOf = (commandId: string, errorCode: number) => ({
      robotId: robot.robotId,
      commandId,
      errorCode,
      errorReason: '',
      executionTimeMs: 25,
      successList: ['Zhang San'],
      failList: [],
    });
    const expires = (createdMs: number) => at(createdMs + TTL_MINUTES * 60_000);
    const expected = () => ({
      pending: {
        commandId: ids.pending,
        commandType: 'send_message',
        commandParams: params('third'),
        status: 'pending',
        result: null,
        createdBy: owner.id,
        createdAt: at(t1 + 6000),
        sentAt: null,
        completedAt: null,
        expiresAt: expires(t1 + 6000),
      },
      failed: {
        commandId: ids.failed,
        commandType: 'send_message',
        commandParams: params('second'),
        status: 'failed',
        result: resultOf(ids.failed, 7),
        createdBy: owner.id,
        createdAt: at(t1 + 2000),
        sentAt: at(t1 + 3000),
        completedAt: at(t1 + 5000),
        expiresAt: expires(t1 + 2000),
      },
      succeeded: {
        commandId: ids.succeeded,
        commandType: 'send_message',
        commandParams: params('first'),
        status: 'succeeded',
        result: resultOf(ids.succeeded, 0),
        createdBy: owner.id,
        createdAt: at(t1 + 1000),
        sentAt: at(t1 + 3000),
        completedAt: at(t1 + 4000),
        expiresAt: expires(t1 + 1000),
      },
      expired: {
        commandId: ids.expired,
        commandType: 'send_message',
        commandParams: params('nobody took this'),
        status: 'expired',
        result: null,
        createdBy: owner.id,
        createdAt: at(10_000),
        sentAt: null,
        completedAt: null,
        expiresAt: expires(10_000),
      },
    });

    it('lists the log newest first with each command’s status and parsed result', async () => {
      const res = await get('/commands');
      assert.equal(res.status, 200, res.text);
      const e = expected();
      assert.deepEqual(res.body, { code: 0, message: 'success', data: { total: 4, list: [e.pending, e.failed, e.succeeded, e.expired] } });
    });

    it('pages, and filters by status', async () => {
      const e = expected();
      assert.deepEqual((await get('/commands?pageSize=3&page=2')).body.data, { total: 4, list: [e.expired] });
      for (const status of ['pending', 'failed', 'succeeded', 'expired'] as const) {
        const res = await get(`/commands?status=${status}`);
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.body.data, { total: 1, list: [e[status]] }, status);
      }
      assert.deepEqual((await get('/commands?status=sent')).body.data, { total: 0, list: [] });
      assert.deepEqual((await get('/commands?status=awaiting_approval&page=1&pageSize=5')).body.data, { total: 0, list: [] });
    });
  });

  it('a bad query or robot id: 400 in the envelope', async () => {
    for (const query of ['page=0', 'page=abc', 'pageSize=0', 'pageSize=201', 'pageSize=1.5']) {
      assertError(await get(`/messages?${query}`), 400);
      assertError(await get(`/commands?${query}`), 400);
    }
    assertError(await get('/commands?status=done'), 400);
    assertError(await t.wb('GET', '/api/robots/not-a-robot-id/messages', { headers: owner.headers }), 400);
    assertError(await t.wb('GET', '/api/robots/not-a-robot-id/commands', { headers: owner.headers }), 400);
  });

  it('without a user token: 401 (none, or the robot’s own token)', async () => {
    for (const path of ['/messages', '/commands']) {
      const none = await t.wb('GET', `/api/robots/${robot.robotId}${path}`);
      assertError(none, 401);
      assert.equal(none.body.data, null);
      assertError(await get(path, bearer(robot.token)), 401);
    }
  });

  it('another tenant’s robot, a deleted robot and (for a member) another member’s robot: 404', async () => {
    const stranger = await registerOwner(t, 'stranger');
    for (const path of ['/messages', '/commands']) assertError(await get(path, stranger.headers), 404);

    // Two members of the owner's tenant; the first has a robot of their own (a code bound to them).
    const first = await addUser(t, owner.tenantId, 'member', { label: 'first' });
    const second = await addUser(t, owner.tenantId, 'member', { label: 'second' });
    const theirs = await activate(t, (await newCodes(t, owner, 1, first.id))[0]);
    const member = (who: Owner, path: string) => t.wb('GET', `/api/robots/${theirs.robotId}${path}`, { headers: who.headers });
    for (const path of ['/messages', '/commands']) {
      assert.deepEqual((await member(first, path)).body, { code: 0, message: 'success', data: { total: 0, list: [] } });
      assertError(await member(second, path), 404);
      assert.equal((await member(owner, path)).status, 200, 'an owner sees every robot of the tenant');
      assertError(await get(path, first.headers), 404); // the owner's robot, seen by a member
    }

    const [code] = await newCodes(t, owner);
    const gone = await activate(t, code);
    assert.equal((await t.wb('DELETE', `/api/robots/${gone.robotId}`, { headers: owner.headers })).status, 200);
    assertError(await t.wb('GET', `/api/robots/${gone.robotId}/commands`, { headers: owner.headers }), 404);
  });
});
