// Upgrading a database whose robots kept their AI settings in robots' own column (robots_robots.ai,
// JSON): the ai plugin's migration copies them into its table (ai_robot_settings), the WorkBot face
// shows them as before, and the AI replies follow them. Runs on SQLite and PostgreSQL alike.
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.js';
import { activate, newCodes, ownerWithRobot, robotsApp } from '../../../test/helpers/robots.js';
import { FakeProvider } from './fake-providers.js';
import { RobotSocket, bearer, decisionOf, setConsent, setProvider, type RobotsApp } from './helpers.js';

describe('ai: robots’ AI settings survive the move to the ai plugin', () => {
  let database: TestDatabase;
  let fake: FakeProvider;
  let t: RobotsApp;
  /** What the robots of the old database were, by role. */
  const ids: Record<'answering' | 'off' | 'bare' | 'deleted' | 'broken', string> = {} as never;
  let owner: Awaited<ReturnType<typeof ownerWithRobot>>['owner'];
  let tokens: Record<'answering' | 'off', string>;

  before(async () => {
    fake = await new FakeProvider('openai').start();
    database = await createTestDatabase();
    // The old database: robots without the ai plugin, its settings written in robots' column as
    // robots wrote them (only the fields a request gave).
    const old = await robotsApp({ database });
    try {
      const first = await ownerWithRobot(old, 'upgrade');
      owner = first.owner;
      const [code] = await newCodes(old, owner);
      const second = await activate(old, code);
      tokens = { answering: first.robot.token, off: second.token };
      ids.answering = first.robot.robotId;
      ids.off = second.robotId;
      for (const name of ['bare', 'deleted', 'broken'] as const) {
        const made = await old.wb('POST', '/api/robots', { headers: owner.headers, body: { name } });
        assert.equal(made.status, 200, made.text);
        ids[name] = made.body.data.robotId;
      }
      assert.equal((await old.wb('DELETE', `/api/robots/${ids.deleted}`, { headers: owner.headers })).status, 200);
      const legacy: Record<string, string> = {
        answering: JSON.stringify({
          aiMode: 'third_party',
          aiProvider: 'llm',
          aiModel: 'legacy-model',
          aiTemperature: 0.3,
          aiMaxTokens: 123,
          aiScenario: 'returns and refunds',
          replyDelayMin: 0,
          replyDelayMax: 0,
        }),
        off: JSON.stringify({ aiMode: 'off', aiCallLimitDaily: 50 }),
        bare: '{}',
        deleted: JSON.stringify({ aiProvider: 'dify', aiContextLength: 4 }),
        broken: '{not json',
      };
      for (const [role, ai] of Object.entries(legacy))
        await old.app
          .db('robots_robots')
          .where('robot_id', ids[role as keyof typeof ids])
          .update({ ai });
    } finally {
      await old.close(); // a borrowed database stays
    }
    // The upgrade: the same database, now with the ai plugin.
    t = await robotsApp({ database, extraPlugins: ['ai'], settings: { ai: { allowPrivateProviders: true } } });
  });
  after(async () => {
    await t?.close();
    await database?.drop();
    await fake?.close();
  });

  it('copies every robot’s settings (deleted robots too) into ai_robot_settings; a robot that set nothing, or unreadable settings, get no row', async () => {
    const rows = await t.app.db('ai_robot_settings').whereIn('robot_id', Object.values(ids)).select();
    const byId = Object.fromEntries(rows.map((r: Record<string, any>) => [r.robot_id, r]));
    assert.deepEqual(Object.keys(byId).sort(), [ids.answering, ids.off, ids.deleted].sort());
    const a = byId[ids.answering];
    assert.deepEqual(
      [a.tenant_id, a.mode, a.provider, a.model, Number(a.temperature), a.max_tokens, a.scenario, a.reply_delay_min, a.reply_delay_max],
      [owner.tenantId, 'third_party', 'llm', 'legacy-model', 0.3, 123, 'returns and refunds', 0, 0],
    );
    assert.equal(a.context_length, null, 'an unset field stays unset (its default applies)');
    assert.deepEqual([byId[ids.off].mode, byId[ids.off].call_limit_daily], ['off', 50]);
    assert.deepEqual([byId[ids.deleted].provider, byId[ids.deleted].context_length], ['dify', 4]);
  });

  it('the WorkBot face shows them as before: detail and list', async () => {
    const detail = await t.wb('GET', `/api/robots/${ids.answering}`, { headers: owner.headers });
    assert.equal(detail.status, 200, detail.text);
    const d = detail.body.data;
    assert.deepEqual(
      [
        d.aiMode,
        d.aiProvider,
        d.aiModel,
        d.aiTemperature,
        d.aiMaxTokens,
        d.aiContextLength,
        d.aiScenario,
        d.replyDelayMin,
        d.replyDelayMax,
        d.aiCallLimitDaily,
      ],
      ['third_party', 'llm', 'legacy-model', 0.3, 123, 10, 'returns and refunds', 0, 0, 1000],
    );
    const list = (await t.wb('GET', '/api/robots', { headers: owner.headers })).body.data.list;
    const modes = Object.fromEntries(list.map((r: { robotId: string; aiMode: string; aiProvider: string }) => [r.robotId, [r.aiMode, r.aiProvider]]));
    assert.deepEqual(modes[ids.off], ['off', 'builtin']);
    assert.deepEqual(modes[ids.bare], ['builtin', 'builtin']);
    assert.deepEqual(modes[ids.broken], ['builtin', 'builtin']);
  });

  it('replies follow the moved settings: the provider, model, temperature, tokens and scenario; aiMode off answers nothing', async () => {
    await setConsent(t, owner, true);
    await setProvider(t, owner, 'llm', { kind: 'openai', baseUrl: fake.baseUrl });
    fake.script = [{ reply: 'refunds take five days' }];
    const socket = await RobotSocket.open(t, ids.answering, tokens.answering);
    const sent = await t.wb('POST', '/api/robot/messages', {
      body: { robotId: ids.answering, spoken: 'where is my refund?', receivedName: 'Li' },
      headers: bearer(tokens.answering),
    });
    assert.equal(sent.status, 200, sent.text);
    const [cmd] = await socket.waitFor((f) => f.type === 'command');
    assert.equal(cmd.data.commandParams.content, 'refunds take five days');
    const asked = fake.received[0].body;
    assert.deepEqual([asked.model, asked.temperature, asked.max_tokens], ['legacy-model', 0.3, 123]);
    assert.match(JSON.stringify(asked.messages[0]), /returns and refunds/, 'the scenario is in the system prompt');
    assert.equal((await decisionOf(t, sent.body.data.messageId)).status, 'answered');
    await socket.close();

    const quiet = await t.wb('POST', '/api/robot/messages', { body: { robotId: ids.off, spoken: 'hello?', receivedName: 'Wu' }, headers: bearer(tokens.off) });
    assert.equal(quiet.status, 200, quiet.text);
    const decision = await decisionOf(t, quiet.body.data.messageId);
    assert.deepEqual([decision.status, decision.reason], ['skipped', 'ai_off']);
    assert.equal(fake.received.length, 1, 'nothing asked for the robot whose AI is off');
  });
});
