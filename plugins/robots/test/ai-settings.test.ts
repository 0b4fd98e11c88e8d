// A robot's AI fields on WorkBot's face (seed 004: aiMode, aiProvider, aiModel, …) are kept by the
// ai plugin (`robotAiSettings`, its table ai_robot_settings). Without the ai plugin they show their
// defaults — the same the ai plugin shows for a robot that set nothing — and a request may still
// carry them (accepted, nothing kept). With it, they are the tenant's own: another tenant reaches
// neither the robot nor its settings.
import assert from 'node:assert/strict';
import { registerOwner } from '../../../test/helpers/actors.js';
import { ownerWithRobot, robotsApp, type RobotsApp } from '../../../test/helpers/robots.js';

const AI_KEYS = [
  'aiMode',
  'aiProvider',
  'aiModel',
  'aiTemperature',
  'aiMaxTokens',
  'aiContextLength',
  'aiScenario',
  'replyDelayMin',
  'replyDelayMax',
  'aiCallLimitDaily',
];
const pick = (d: Record<string, unknown>) => Object.fromEntries(AI_KEYS.map((k) => [k, d[k]]));

/** A robot made in the dashboard with only a name: its AI fields as the detail shows them. */
async function bareRobotFields(t: RobotsApp, label: string) {
  const owner = await registerOwner(t, label);
  const made = await t.wb('POST', '/api/robots', { headers: owner.headers, body: { name: 'Bare' } });
  assert.equal(made.status, 200, made.text);
  const detail = await t.wb('GET', `/api/robots/${made.body.data.robotId}`, { headers: owner.headers });
  assert.equal(detail.status, 200, detail.text);
  return { owner, robotId: made.body.data.robotId as string, fields: pick(detail.body.data) };
}

describe('robots: AI fields without the ai plugin', () => {
  let t: RobotsApp;
  before(async () => {
    t = await robotsApp();
  });
  after(async () => t?.close());

  it('show their defaults; create and update accept them (still validated) and keep nothing', async () => {
    const { owner, robotId, fields } = await bareRobotFields(t, 'no-ai');
    assert.deepEqual(fields, {
      aiMode: 'builtin',
      aiProvider: 'builtin',
      aiModel: null,
      aiTemperature: 0.7,
      aiMaxTokens: 2000,
      aiContextLength: 10,
      aiScenario: null,
      replyDelayMin: 1,
      replyDelayMax: 3,
      aiCallLimitDaily: 1000,
    });
    const put = await t.wb('PUT', `/api/robots/${robotId}`, { headers: owner.headers, body: { name: 'Renamed', aiMode: 'off', aiModel: 'm' } });
    assert.equal(put.status, 200, put.text);
    const after = (await t.wb('GET', `/api/robots/${robotId}`, { headers: owner.headers })).body.data;
    assert.equal(after.name, 'Renamed');
    assert.deepEqual(pick(after), fields, 'nothing kept without the ai plugin');
    const made = await t.wb('POST', '/api/robots', { headers: owner.headers, body: { name: 'With AI fields', aiMode: 'third_party' } });
    assert.equal(made.status, 200, made.text);
    const list = (await t.wb('GET', '/api/robots', { headers: owner.headers })).body.data.list;
    assert.deepEqual(
      list.map((r: { aiMode: string; aiProvider: string }) => [r.aiMode, r.aiProvider]),
      [
        ['builtin', 'builtin'],
        ['builtin', 'builtin'],
      ],
    );
    const bad = await t.wb('PUT', `/api/robots/${robotId}`, { headers: owner.headers, body: { aiTemperature: 5 } });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(await t.app.db.schema.hasTable('ai_robot_settings'), false, "the ai plugin's table is not there");
  });
});

describe('robots: AI fields with the ai plugin', () => {
  let t: RobotsApp;
  before(async () => {
    t = await robotsApp({ extraPlugins: ['ai'] });
  });
  after(async () => t?.close());

  it('a robot that set nothing shows what it shows without the ai plugin, and nothing is kept for it', async () => {
    const without = await robotsApp();
    let expected: Record<string, unknown>;
    try {
      expected = (await bareRobotFields(without, 'defaults-off')).fields;
    } finally {
      await without.close();
    }
    const { robotId, fields } = await bareRobotFields(t, 'defaults-on');
    assert.deepEqual(fields, expected);
    assert.equal(await t.app.db('ai_robot_settings').where('robot_id', robotId).first(), undefined);
  });

  it('create keeps the fields given with the robot; a refused one (400) makes no robot and keeps nothing', async () => {
    const owner = await registerOwner(t, 'create');
    const made = await t.wb('POST', '/api/robots', { headers: owner.headers, body: { name: 'Helper', aiMode: 'off', aiCallLimitDaily: 7 } });
    assert.equal(made.status, 200, made.text);
    const id = made.body.data.robotId;
    const row = await t.app.db('ai_robot_settings').where('robot_id', id).first();
    assert.deepEqual([row.tenant_id, row.mode, row.call_limit_daily, row.provider], [owner.tenantId, 'off', 7, null]);
    const listed = (await t.wb('GET', '/api/robots', { headers: owner.headers })).body.data.list;
    assert.deepEqual(
      listed.map((r: { robotId: string; aiMode: string }) => [r.robotId, r.aiMode]),
      [[id, 'off']],
    );

    const refused = await t.wb('POST', '/api/robots', { headers: owner.headers, body: { name: 'Slow', replyDelayMin: 9, replyDelayMax: 2 } });
    assert.equal(refused.status, 400, refused.text);
    assert.ok(
      refused.body.data.fields.some((f: { path: string }) => f.path === 'body.replyDelayMin'),
      refused.text,
    );
    assert.equal(
      await t.app
        .db('robots_robots')
        .where({ tenant_id: owner.tenantId })
        .count({ n: '*' })
        .first()
        .then((r) => Number(r?.n)),
      1,
    );
    assert.equal(
      await t.app
        .db('ai_robot_settings')
        .where({ tenant_id: owner.tenantId })
        .count({ n: '*' })
        .first()
        .then((r) => Number(r?.n)),
      1,
    );
  });

  it("another tenant can neither read nor change a robot's AI fields", async () => {
    const { owner: a, robot } = await ownerWithRobot(t, 'tenant-a');
    const b = await registerOwner(t, 'tenant-b');
    assert.equal((await t.wb('PUT', `/api/robots/${robot.robotId}`, { headers: a.headers, body: { aiScenario: 'support' } })).status, 200);
    const read = await t.wb('GET', `/api/robots/${robot.robotId}`, { headers: b.headers });
    assert.equal(read.status, 404, read.text);
    const write = await t.wb('PUT', `/api/robots/${robot.robotId}`, { headers: b.headers, body: { aiScenario: 'stolen', aiMode: 'off' } });
    assert.equal(write.status, 404, write.text);
    const row = await t.app.db('ai_robot_settings').where('robot_id', robot.robotId).first();
    assert.deepEqual([row.tenant_id, row.scenario, row.mode], [a.tenantId, 'support', null]);
  });
});
