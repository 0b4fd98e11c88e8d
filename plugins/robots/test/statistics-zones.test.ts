// Beside seed 004: a robot's statistics may count the days of a time zone (`timeZone`), so the admin
// page's chart puts a message on the day the browser shows it on. Without it the days are UTC, as
// the seed's are; an unknown zone is the seed's 400.
import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import { bearer, ownerWithRobot, robotsApp, type RobotsApp } from '../../../test/helpers/robots.js';

describe('robots: statistics by the days of a time zone (timeZone, beside the seed)', () => {
  let t: RobotsApp;
  const clock = new ManualClock('2026-11-25T17:30:00.000Z');
  before(async () => {
    t = await robotsApp({ clock });
  });
  after(() => t?.close());

  it('a message at 17:30 UTC is on the 26th in Shanghai and on the 25th in UTC', async () => {
    const { owner, robot } = await ownerWithRobot(t, 'stats-zones');
    const reported = await t.wb('POST', '/api/robot/messages', { body: { robotId: robot.robotId, spoken: 'late' }, headers: bearer(robot.token) });
    assert.equal(reported.status, 200, reported.text);
    const path = `/api/robots/${robot.robotId}/statistics?startDate=2026-11-24&endDate=2026-11-26`;
    const shanghai = await t.wb('GET', `${path}&timeZone=Asia%2FShanghai`, { headers: owner.headers });
    assert.equal(shanghai.status, 200, shanghai.text);
    assert.deepEqual(shanghai.body.data.messagesByDay, [{ date: '2026-11-26', messageCount: 1 }]);
    assert.equal(shanghai.body.data.totalMessages, 1);
    const utc = await t.wb('GET', path, { headers: owner.headers });
    assert.deepEqual(utc.body.data.messagesByDay, [{ date: '2026-11-25', messageCount: 1 }]);
    const bad = await t.wb('GET', `${path}&timeZone=Mars%2FOlympus`, { headers: owner.headers });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.code, 400);
  });
});
