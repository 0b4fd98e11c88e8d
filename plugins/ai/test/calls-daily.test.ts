// GET /workbot/api/ai/calls/daily (beside seed 004, in its envelope): the AI call log per day with the
// cost, for the tenant or one robot, made by real calls (the "try it" box asking a fake provider over
// the official SDK), on the days the platform's clock says. A robot's days for its owner and the
// tenant's admins; the tenant's for its admins; another tenant's robot is not found.
import assert from 'node:assert/strict';
import { addUser } from '../../../test/helpers/actors.js';
import { activate, bearer, newCodes, ownerWithRobot, type Owner } from '../../../test/helpers/robots.js';
import { FakeProvider } from './fake-providers.js';
import { aiApp, setConsent, setProvider, type RobotsApp } from './helpers.js';

const DAY = 86_400_000;
const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

describe('ai: calls per day with their cost', () => {
  // Real time, or as many days before it as a test sets (calls on earlier days, made the real way).
  const clock = { offset: 0, now: () => new Date(Date.now() + clock.offset) };
  let t: RobotsApp;
  let fake: FakeProvider;
  let owner: Owner;
  let member: Owner;
  let other: Owner;
  let robotA: string;
  let robotToken: string;
  let memberRobot: string;
  let robotB: string;

  const daily = (who: Owner | Record<string, string>, query = '') =>
    t.wb('GET', `/api/ai/calls/daily${query}`, { headers: 'headers' in who ? (who as Owner).headers : (who as Record<string, string>) });
  const ask = async (who: Owner, robotId: string) => {
    const res = await t.wb('POST', '/api/ai/try', { body: { text: 'when are you open?', robotId, provider: 'fake' }, headers: who.headers });
    assert.equal(res.status, 200, res.text);
  };

  before(async () => {
    fake = await new FakeProvider('openai').start();
    // Per million tokens: 1000 in at 1 and 500 out at 2 cost 2000 millionths (0.002).
    t = await aiApp({ clock, ai: { prices: { 'fake-model': { input: 1, output: 2 } }, currency: 'EUR' } });
    const a = await ownerWithRobot(t, 'calls-a');
    owner = a.owner;
    robotA = a.robot.robotId;
    robotToken = a.robot.token;
    member = await addUser(t, owner.tenantId, 'member', { label: 'calls-member' });
    const [code] = await newCodes(t, owner, 1, member.id);
    memberRobot = (await activate(t, code)).robotId;
    const b = await ownerWithRobot(t, 'calls-b');
    other = b.owner;
    robotB = b.robot.robotId;
    for (const who of [owner, other]) {
      await setConsent(t, who, true);
      await setProvider(t, who, 'fake', { kind: 'openai', baseUrl: fake.baseUrl, apiKey: 'sk-test', model: 'fake-model' });
    }
    fake.script = [{ reply: 'At nine.', tokensIn: 1000, tokensOut: 500 }];
    // Two days ago: one answered call of robot A.
    clock.offset = -2 * DAY;
    try {
      await ask(owner, robotA);
    } finally {
      clock.offset = 0;
    }
    // Today: robot A twice (one after the provider failed: a failed attempt, then the builtin responder
    // answers at no cost), the member's robot once, and tenant B's robot once.
    await ask(owner, robotA);
    fake.script = [{ status: 500 }, { reply: 'At nine.', tokensIn: 1000, tokensOut: 500 }];
    await ask(owner, robotA);
    fake.script = [{ reply: 'At nine.', tokensIn: 1000, tokensOut: 500 }];
    await ask(owner, memberRobot); // (only admins use the try box; the calls are the robot's all the same)
    await ask(other, robotB);
  });
  after(async () => {
    await t?.close();
    await fake?.close();
  });

  it("a robot's days, oldest first, every day listed: calls that answered, attempts that failed, the cost", async () => {
    const res = await daily(owner, `?robotId=${robotA}&days=3`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.code, 0);
    const now = Date.now();
    assert.deepEqual(res.body.data, {
      currency: 'EUR',
      days: [
        { date: dayOf(now - 2 * DAY), calls: 1, failed: 0, cost: 0.002 },
        { date: dayOf(now - DAY), calls: 0, failed: 0, cost: 0 },
        { date: dayOf(now), calls: 2, failed: 1, cost: 0.002 },
      ],
    });
    // The same figures as the call log they come from.
    const log = await t.wb('GET', `/api/ai/calls?robotId=${robotA}&pageSize=100`, { headers: owner.headers });
    assert.equal(log.body.data.total, 4);
    assert.deepEqual(log.body.data.list.map((c: { outcome: string; provider: string }) => `${c.provider}:${c.outcome}`).sort(), [
      'builtin:ok',
      'fake:error',
      'fake:ok',
      'fake:ok',
    ]);
  });

  it('30 days by default, ending today; the tenant’s days (its admins) count every robot of the tenant and no other', async () => {
    const tenant = await daily(owner);
    assert.equal(tenant.status, 200, tenant.text);
    assert.equal(tenant.body.data.days.length, 30);
    assert.deepEqual(tenant.body.data.days.at(-1), { date: dayOf(Date.now()), calls: 3, failed: 1, cost: 0.004 });
    assert.deepEqual(tenant.body.data.days.at(-3), { date: dayOf(Date.now() - 2 * DAY), calls: 1, failed: 0, cost: 0.002 });
    const theirs = await daily(other, '?days=3');
    assert.deepEqual(
      theirs.body.data.days.map((d: { calls: number }) => d.calls),
      [0, 0, 1],
    );
    assert.deepEqual((await daily(other, `?robotId=${robotB}&days=1`)).body.data.days, [{ date: dayOf(Date.now()), calls: 1, failed: 0, cost: 0.002 }]);
  });

  it('another tenant’s robot is not found, for its owner and its admins alike; an unknown robot too', async () => {
    for (const [who, robotId] of [
      [other, robotA],
      [owner, robotB],
      [owner, 'no-such-robot'],
    ] as const) {
      const res = await daily(who, `?robotId=${robotId}`);
      assert.equal(res.status, 404, res.text);
      assert.deepEqual(res.body, { code: 404, message: `robot ${robotId} not found`, data: null });
    }
  });

  it('a member sees their own robot’s days, not another’s, and not the whole tenant’s', async () => {
    const mine = await daily(member, `?robotId=${memberRobot}&days=1`);
    assert.equal(mine.status, 200, mine.text);
    assert.deepEqual(mine.body.data.days, [{ date: dayOf(Date.now()), calls: 1, failed: 0, cost: 0.002 }]);
    assert.equal((await daily(member, `?robotId=${robotA}`)).status, 404);
    const tenant = await daily(member);
    assert.equal(tenant.status, 403, tenant.text);
    assert.match(tenant.body.message, /owners and admins/);
    // The owner (an admin of the tenant) sees the member's robot.
    assert.equal((await daily(owner, `?robotId=${memberRobot}&days=1`)).body.data.days[0].calls, 1);
  });

  it('needs ai:read: a key with it reads, one without is 403; no token or a robot’s token is 401', async () => {
    const key = async (scopes: string[]) => {
      const res = await t.request('POST', '/api/v2/api-keys', { body: { name: scopes.join(' '), scopes }, headers: owner.headers });
      assert.equal(res.status, 201, res.text);
      return { 'x-api-key': res.body.raw_key as string };
    };
    assert.equal((await daily(await key(['ai:read']), '?days=1')).body.data.days[0].calls, 3);
    const refused = await daily(await key(['account:read']), '?days=1');
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.message, 'missing scope ai:read');
    assert.equal((await t.wb('GET', '/api/ai/calls/daily')).status, 401);
    const asRobot = await t.wb('GET', `/api/ai/calls/daily?robotId=${robotA}`, { headers: bearer(robotToken) });
    assert.equal(asRobot.status, 401, asRobot.text);
  });

  it('days is 1…366 and nothing else is taken: 400 naming the field', async () => {
    for (const q of ['days=0', 'days=367', 'days=abc', 'days=1.5', 'robotId=', 'since=2026-01-01']) {
      const res = await daily(owner, `?${q}`);
      assert.equal(res.status, 400, `${q}: ${res.text}`);
      assert.match(res.body.message, /query/, q);
    }
    assert.equal((await daily(owner, '?days=366')).body.data.days.length, 366);
  });
});
