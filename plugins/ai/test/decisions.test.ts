// When the AI answers and when it must not: groups without an @, human takeover, the daily limit
// per robot and the monthly limit per tenant (through billing), provider settings (write-only
// keys, the SSRF guard), the "try it" endpoint and the workflows' ai.reply action.
import assert from 'node:assert/strict';
import type { Actions } from 'plinth/plugin';
import { ManualClock } from 'plinth/plugin';
import { addUser, registerOwner } from '../../../test/helpers/actors.js';
import { FakeProvider } from './fake-providers.js';
import { aiApp, connectedRobot, decisionOf, setAi, setConsent, setProvider, sleep, type RobotsApp } from './helpers.js';

describe('ai: decisions', () => {
  const clock = new ManualClock(new Date());
  let t: RobotsApp;
  let fake: FakeProvider;
  before(async () => {
    fake = await new FakeProvider('openai').start();
    t = await aiApp({
      clock,
      ai: { takeoverMinutes: 10 },
      billing: { plans: [{ id: 'free', display_name: 'Free', limits: { ai_replies_per_month: 3, max_robots: 10, max_sessions: 10 } }], defaultPlan: 'free' },
    });
  });
  after(async () => {
    await t?.close();
    await fake?.close();
  });

  it('in a group: only when @-mentioned (titleList is the group, atList the sender)', async () => {
    const { robot, socket, report, owner } = await connectedRobot(t, 'group');
    await setAi(t, owner, robot.robotId, { replyDelayMin: 0, replyDelayMax: 0 });
    const quiet = await report({ spoken: 'talking among ourselves', groupName: 'Team', receivedName: 'Ann' });
    assert.deepEqual(await decisionOf(t, quiet.body.data.messageId).then((d) => [d.status, d.reason]), ['skipped', 'not_mentioned']);
    const asked = await report({ spoken: '@bot what are your hours?', groupName: 'Team', receivedName: 'Ann', atMe: true });
    const [cmd] = await socket.waitFor((f) => f.type === 'command');
    assert.deepEqual(cmd.data.commandParams.titleList, ['Team']);
    assert.deepEqual(cmd.data.commandParams.atList, ['Ann']);
    assert.equal((await decisionOf(t, asked.body.data.messageId)).status, 'answered');
    assert.equal(socket.commands().length, 1);
    await socket.close();
  });

  it('a human operator writing in a conversation pauses AI there (only there) until the takeover time is over', async () => {
    const { robot, socket, report, owner } = await connectedRobot(t, 'takeover');
    await setAi(t, owner, robot.robotId, { replyDelayMin: 0, replyDelayMax: 0 });
    const operator = await report({ spoken: 'I will handle this one', receivedName: 'Bob', fromOperator: true });
    assert.equal((await decisionOf(t, operator.body.data.messageId)).reason, 'from_operator');
    const paused = await report({ spoken: 'thanks! one more question', receivedName: 'Bob' });
    assert.deepEqual(await decisionOf(t, paused.body.data.messageId).then((d) => [d.status, d.reason]), ['skipped', 'human_takeover']);
    const elsewhere = await report({ spoken: 'hello', receivedName: 'Carol' });
    assert.equal((await decisionOf(t, elsewhere.body.data.messageId)).status, 'answered', 'another conversation is not paused');
    clock.advance(11 * 60_000);
    const later = await report({ spoken: 'are you there?', receivedName: 'Bob' });
    assert.equal((await decisionOf(t, later.body.data.messageId)).status, 'answered');
    await socket.waitFor((f) => f.type === 'command', 2);
    await socket.close();
  });

  it('the daily limit per robot, then the monthly limit of the plan (usage.limit_reached fires); past a limit nothing is called', async () => {
    const { robot, socket, report, owner } = await connectedRobot(t, 'limits');
    await setProvider(t, owner, 'llm', { kind: 'openai', baseUrl: fake.baseUrl });
    await setAi(t, owner, robot.robotId, { aiMode: 'third_party', aiProvider: 'llm', aiCallLimitDaily: 2, replyDelayMin: 0, replyDelayMax: 0 });
    const statuses: string[] = [];
    for (const text of ['one', 'two', 'three']) {
      const sent = await report({ spoken: text, receivedName: 'Dan' });
      const d = await decisionOf(t, sent.body.data.messageId);
      statuses.push(d.status === 'answered' ? 'answered' : d.reason);
    }
    assert.deepEqual(statuses, ['answered', 'answered', 'daily_limit']);
    assert.equal(fake.received.length, 2);
    const counted = await t.app.db('ai_robot_daily_calls').where({ tenant_id: owner.tenantId, robot_id: robot.robotId });
    assert.deepEqual(
      counted.map((r: { day: string; calls: number }) => [r.day, Number(r.calls)]),
      [[clock.now().toISOString().slice(0, 10), 2]],
    );
    const listed = await t.request('GET', `/workbot/api/robots/${robot.robotId}`, { headers: owner.headers });
    assert.equal(listed.body.data.aiCallsToday, 2, "the seed detail shows the ai plugin's count");

    // The plan allows 3 AI replies a month for the tenant: the 4th (on a new day) is refused.
    // A new UTC day is a new row; dropping today's stands in for the date moving on.
    await t.app.db('ai_robot_daily_calls').where({ tenant_id: owner.tenantId }).delete();
    const third = await report({ spoken: 'four', receivedName: 'Dan' });
    assert.equal((await decisionOf(t, third.body.data.messageId)).status, 'answered');
    const fourth = await report({ spoken: 'five', receivedName: 'Dan' });
    assert.deepEqual(await decisionOf(t, fourth.body.data.messageId).then((d) => [d.status, d.reason]), ['limited', 'monthly_limit']);
    assert.equal(fake.received.length, 3);
    const today = await t.app.db('ai_robot_daily_calls').where({ tenant_id: owner.tenantId, robot_id: robot.robotId }).first('calls');
    assert.equal(Number(today.calls), 1, 'the refused reply took no daily call: it was rolled back with the monthly one');
    const reached = (await t.app.db('core_events').where({ name: 'usage.limit_reached', tenant_id: owner.tenantId })).map((e: { payload: string }) =>
      JSON.parse(e.payload),
    );
    assert.ok(
      reached.some((p: { metric: string }) => p.metric === 'ai_replies_per_month'),
      JSON.stringify(reached),
    );
    await socket.waitFor((f) => f.type === 'command', 3);
    await sleep(50);
    assert.equal(socket.commands().length, 3);
    await socket.close();
  });

  it('provider keys are write-only; a tenant may not point a provider at an internal address', async () => {
    const owner = await registerOwner(t, 'providers');
    await setProvider(t, owner, 'openai', { kind: 'openai', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-secret-value' });
    const list = await t.wb('GET', '/api/ai/providers', { headers: owner.headers });
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(
      list.body.data.list.map((p: any) => [p.name, p.hasApiKey, p.source]),
      [['openai', true, 'tenant']],
    );
    assert.ok(!list.text.includes('sk-secret-value'));
    // Changing the model keeps the key; '' removes it.
    await setProvider(t, owner, 'openai', { kind: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'gpt-4o' });
    assert.equal((await t.app.db('ai_providers').where({ tenant_id: owner.tenantId, name: 'openai' }).first()).api_key, 'sk-secret-value');
    await setProvider(t, owner, 'openai', { kind: 'openai', baseUrl: 'http://127.0.0.1:9/v1', apiKey: '' });
    assert.equal((await t.app.db('ai_providers').where({ tenant_id: owner.tenantId, name: 'openai' }).first()).api_key, null);
    // Validation, and members may not change providers.
    const bad = await t.wb('PUT', '/api/ai/providers/BAD NAME', { body: { kind: 'openai', baseUrl: 'http://x' }, headers: owner.headers });
    assert.equal(bad.status, 400, bad.text);
    const noKind = await t.wb('PUT', '/api/ai/providers/x', { body: { baseUrl: 'http://example.com' }, headers: owner.headers });
    assert.equal(noKind.status, 400);
    const member = await addUser(t, owner.tenantId, 'member');
    assert.equal((await t.wb('PUT', '/api/ai/providers/x', { body: { kind: 'openai', baseUrl: 'http://example.com' }, headers: member.headers })).status, 403);
    assert.equal((await t.wb('DELETE', '/api/ai/providers/nope', { headers: owner.headers })).status, 404);
  });

  it('the SSRF guard (allowPrivateProviders off): an internal base URL is refused', async () => {
    const strict = await aiApp({ ai: { allowPrivateProviders: false } });
    try {
      const owner = await registerOwner(strict, 'ssrf');
      for (const url of ['http://127.0.0.1:11434/v1', 'http://169.254.169.254/latest', 'http://[::1]/v1', 'http://10.1.2.3/v1']) {
        const res = await strict.wb('PUT', '/api/ai/providers/local', { body: { kind: 'openai', baseUrl: url }, headers: owner.headers });
        assert.equal(res.status, 400, `${url}: ${res.text}`);
      }
      assert.equal((await strict.app.db('ai_providers')).length, 0);
    } finally {
      await strict.close();
    }
  });

  it('try: answers with a robot’s settings and sends nothing; the workflows’ ai.reply action answers too', async () => {
    const { owner, robot, socket } = await connectedRobot(t, 'try');
    await setProvider(t, owner, 'llm', { kind: 'openai', baseUrl: fake.baseUrl });
    await setAi(t, owner, robot.robotId, { aiMode: 'third_party', aiProvider: 'llm', aiModel: 'test-model', aiTemperature: 1.1 });
    fake.script = [{ reply: 'a tried answer' }];
    const before = fake.received.length;
    const tried = await t.wb('POST', '/api/ai/try', {
      body: {
        text: 'what do you sell?',
        robotId: robot.robotId,
        context: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: 'hello!' },
        ],
      },
      headers: owner.headers,
    });
    assert.equal(tried.status, 200, tried.text);
    assert.equal(tried.body.data.reply, 'a tried answer');
    assert.equal(tried.body.data.provider, 'llm');
    assert.equal(fake.received[before].body.model, 'test-model');
    assert.equal(fake.received[before].body.temperature, 1.1);
    assert.deepEqual(fake.received[before].body.messages.slice(1), [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello!' },
      { role: 'user', content: 'what do you sell?' },
    ]);
    await sleep(100);
    assert.deepEqual(socket.commands(), []);
    assert.equal((await t.wb('POST', '/api/ai/try', { body: {}, headers: owner.headers })).status, 400);
    assert.equal((await t.wb('POST', '/api/ai/try', { body: { text: 'x', robotId: 'robot_1_ab' }, headers: owner.headers })).status, 404);

    const actions = t.app.container.resolve<Actions>('actions');
    fake.script = [{ reply: 'from the action' }];
    const out = await actions.run<{ reply: string; provider: string }>(
      'ai.reply',
      { text: 'summarise this', provider: 'llm' },
      { tenantId: owner.tenantId, meta: {}, logger: t.app.logger },
    );
    assert.deepEqual([out.reply, out.provider], ['from the action', 'llm']);
    await setConsent(t, owner, false);
    await assert.rejects(actions.run('ai.reply', { text: 'x' }, { tenantId: owner.tenantId, meta: {}, logger: t.app.logger }), /ai_consent_enabled/);
    await socket.close();
  });
});
