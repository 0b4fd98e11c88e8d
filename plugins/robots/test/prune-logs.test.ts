// The daily robots.prune-logs job: system logs older than settings.robots.logRetentionDays go, newer stay; finished
// commands and old messages likewise; revoked and expired tokens go, valid ones stay.
import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { bearer, ownerWithRobot, poll, result, robotsApp, sendText } from '../../../test/helpers/robots.js';

describe('robots: log retention', () => {
  let t: TestApp;
  const clock = new ManualClock('2026-06-01T12:00:00.000Z');
  before(async () => {
    t = await createTestApp({ clock, plugins: ['auth', 'licensing', 'robots'], settings: { robots: { logRetentionDays: 30 } } });
  });
  after(async () => t?.close());

  it('deletes log rows older than the retention and keeps the rest', async () => {
    const row = (at: string, message: string) => ({ tenant_id: null, type: 'api_error', level: 'warn', message, details: '{}', ip: null, created_at: at });
    await t.app.db('robots_logs').insert([row('2026-04-01T00:00:00.000Z', 'old'), row('2026-05-25T00:00:00.000Z', 'recent')]);
    assert.equal(await t.app.scheduler.runNow('robots.prune-logs'), 'succeeded');
    const left = await t.app.db('robots_logs').whereIn('message', ['old', 'recent']).pluck('message');
    assert.deepEqual(left, ['recent']);
  });
});

describe('robots: message and command retention', () => {
  const clock = new ManualClock('2026-01-01T12:00:00.000Z');
  const DAY = 86_400_000;
  it('finished commands go with the logs, pending ones stay; messages (with their files) after messageRetentionDays', async () => {
    const t = await robotsApp({ clock, robots: { logRetentionDays: 30, messageRetentionDays: 60, tokenTtlHours: 8760 } });
    try {
      const { owner, robot } = await ownerWithRobot(t, 'retention');
      const report = (spoken: string) =>
        t.wb('POST', '/api/robot/messages', { body: { spoken, fileBase64: Buffer.from(spoken).toString('base64') }, headers: bearer(robot.token) });
      const first = (await report('first')).body.data.messageId as string;
      assert.equal((await sendText(t, owner, robot.robotId, 'done soon')).status, 200);
      const [done] = (await poll(t, robot.token, robot.robotId)).body.data.commands;
      assert.equal((await result(t, robot.token, robot.robotId, done.commandId)).status, 200);
      assert.equal((await sendText(t, owner, robot.robotId, 'still pending')).status, 200);

      clock.advance(45 * DAY);
      const second = (await report('second')).body.data.messageId as string;
      assert.equal(await t.app.scheduler.runNow('robots.prune-logs'), 'succeeded');
      const statuses = await t.app.db('robots_commands').orderBy('id').pluck('status');
      assert.ok(!statuses.includes('succeeded'), `the finished command is gone: ${statuses}`);
      assert.equal(statuses.length, 1, 'the unfinished one stays');
      assert.deepEqual(await t.app.db('robots_messages').orderBy('id').pluck('message_id'), [first, second]);

      clock.advance(30 * DAY);
      assert.equal(await t.app.scheduler.runNow('robots.prune-logs'), 'succeeded');
      assert.deepEqual(await t.app.db('robots_messages').orderBy('id').pluck('message_id'), [second]);
      assert.deepEqual(await t.app.db('robots_message_files').orderBy('message_id').pluck('message_id'), [second], 'the file went with its message');
    } finally {
      await t.close();
    }
  });
});

describe('robots: token retention', () => {
  const clock = new ManualClock('2026-03-01T12:00:00.000Z');
  const HOUR = 3_600_000;
  it('revoked and expired tokens go (a row per refresh); valid ones stay and keep working', async () => {
    const t = await robotsApp({ clock, robots: { tokenTtlHours: 1 } });
    try {
      const refresh = async (refreshToken: string) => {
        const res = await t.wb('POST', '/api/robot/refresh-token', { body: { refreshToken } });
        assert.equal(res.status, 200, res.text);
        return res.body.data.token as string;
      };
      const { robot } = await ownerWithRobot(t, 'tokens');
      // A second robot whose access token simply runs out (1 hour), unrevoked.
      const idle = (await ownerWithRobot(t, 'idle')).robot;
      clock.advance(2 * HOUR);
      // Each refresh revokes the access token before it: three revoked rows, then the valid one.
      await refresh(robot.refreshToken);
      await refresh(robot.refreshToken);
      const current = await refresh(robot.refreshToken);
      assert.equal(Number((await t.app.db('robots_tokens').count({ n: '*' }))[0].n), 7);

      assert.equal(await t.app.scheduler.runNow('robots.prune-logs'), 'succeeded');
      const left = await t.app.db('robots_tokens as k').join('robots_robots as r', 'r.id', 'k.robot_pk').orderBy('k.id').select('r.robot_id', 'k.kind');
      assert.deepEqual(
        left.map((k: { robot_id: string; kind: string }) => [k.robot_id, k.kind]),
        [
          [robot.robotId, 'refresh'],
          [idle.robotId, 'refresh'],
          [robot.robotId, 'access'],
        ],
        'each robot’s refresh token and the one valid access token',
      );
      const run = await t.app.db('core_job_runs').where('job', 'robots.prune-logs').orderBy('id', 'desc').first('report');
      assert.equal(JSON.parse(run.report).deleted.robots_tokens, 4);
      assert.equal((await poll(t, current, robot.robotId)).status, 200, 'the valid access token still works');
      assert.equal(typeof (await refresh(robot.refreshToken)), 'string', 'and so does the refresh token');
      assert.equal((await poll(t, idle.token, idle.robotId)).status, 401, 'an expired one is refused as before');
    } finally {
      await t.close();
    }
  });
});
