// The Mailboxes page's chart data: mail received per UTC day in the mailboxes the caller sees,
// every day listed, another tenant's mail never counted, the range bounded.
import assert from 'node:assert/strict';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import { utcDay } from '../../../test/helpers/utc-day.js';
import { createMailbox, send, startMailApp, type MailApp } from './helpers.js';

describe('mail: received per day (GET /mail/api/stats/received-daily)', () => {
  let t: MailApp;
  let owner: Actor;
  let other: Actor;
  before(async () => {
    t = await startMailApp();
    owner = await registerOwner(t, 'daily');
    other = await registerOwner(t, 'daily-other');
  });
  after(() => t?.close());

  it("counts today's mail in the caller's mailboxes only, every day listed", async () => {
    const box = await createMailbox(t, owner);
    const firstDay = utcDay();
    await send(t, { to: box, subject: 'one', text: 'x' });
    await send(t, { to: box, subject: 'two', text: 'y' });
    const res = await t.mail('GET', '/api/stats/received-daily?days=3', { headers: owner.headers });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.days.length, 3);
    // The two may fall either side of midnight UTC: both are in the last two days, the last of which is today.
    assert.ok([firstDay, utcDay()].includes(res.body.days[2].date), res.text);
    assert.equal(res.body.days[1].received + res.body.days[2].received, 2, res.text);
    assert.equal(res.body.days[0].received, 0);
    const theirs = await t.mail('GET', '/api/stats/received-daily?days=3', { headers: other.headers });
    assert.equal(
      theirs.body.days.reduce((sum: number, d: { received: number }) => sum + d.received, 0),
      0,
      "another tenant's mail is not counted",
    );
  });

  it('refuses a range outside 1–366 days naming the field, and asks for a session', async () => {
    for (const days of [0, 367, 'x']) {
      const res = await t.mail('GET', `/api/stats/received-daily?days=${days}`, { headers: owner.headers });
      assert.equal(res.status, 400, res.text);
      assert.match(JSON.stringify(res.body), /days/);
    }
    assert.equal((await t.mail('GET', '/api/stats/received-daily')).status, 401);
  });
});
