// AI replies end to end: a robot reports a message over HTTP, the ai plugin calls the robot's
// provider (the official openai SDK against a local fake speaking the chat-completions API, or
// the Dify adapter against a fake Dify), and the reply reaches the robot as a command over its
// WebSocket. The fakes record what they received: model, temperature, max tokens, the context.
import assert from 'node:assert/strict';
import { FakeProvider } from './fake-providers.js';
import { aiApp, connectedRobot, decisionOf, setAi, setConsent, setProvider, type RobotsApp } from './helpers.js';

describe('ai: replies through real providers', () => {
  let t: RobotsApp;
  let openai: FakeProvider;
  let second: FakeProvider;
  let dify: FakeProvider;
  before(async () => {
    t = await aiApp({ ai: { prices: { 'deepseek-chat': { input: 0.5, output: 2 } } } });
    openai = await new FakeProvider('openai').start();
    second = await new FakeProvider('openai').start();
    dify = await new FakeProvider('dify').start();
  });
  after(async () => {
    await t?.close();
    await Promise.all([openai?.close(), second?.close(), dify?.close()]);
  });
  beforeEach(() => {
    for (const fake of [openai, second, dify]) {
      fake.received.length = 0;
      fake.script = [{ reply: 'fake reply' }];
    }
  });

  it('asks the robot’s OpenAI-compatible provider with its settings and the conversation’s context, and the reply reaches the robot', async () => {
    const { owner, robot, socket, report } = await connectedRobot(t, 'openai');
    await setProvider(t, owner, 'deepseek', { kind: 'openai', baseUrl: openai.baseUrl, apiKey: 'sk-test-123', model: 'deepseek-v3' });
    await setAi(t, owner, robot.robotId, {
      aiMode: 'third_party',
      aiProvider: 'deepseek',
      aiModel: 'deepseek-chat',
      aiTemperature: 0.3,
      aiMaxTokens: 256,
      aiContextLength: 3,
      aiScenario: 'after-sales',
      replyDelayMin: 0,
      replyDelayMax: 0,
    });
    openai.script = [{ reply: 'Hello Zhang San, how can I help?', tokensIn: 1000, tokensOut: 500 }, { reply: 'Refunds take 3 days.' }];

    const first = await report({ spoken: 'hello', receivedName: 'Zhang San' });
    assert.equal(first.status, 200, first.text);
    const [cmd1] = await socket.waitFor((f) => f.type === 'command');
    assert.deepEqual(cmd1.data.commandParams, { type: 'text', titleList: ['Zhang San'], content: 'Hello Zhang San, how can I help?', atList: [] });
    const sent = openai.received[0];
    assert.equal(sent.path, '/v1/chat/completions');
    assert.equal(sent.headers.authorization, 'Bearer sk-test-123');
    assert.equal(sent.body.model, 'deepseek-chat');
    assert.equal(sent.body.temperature, 0.3);
    assert.equal(sent.body.max_tokens, 256);
    assert.equal(sent.body.messages[0].role, 'system');
    assert.match(sent.body.messages[0].content, /after-sales/);
    assert.deepEqual(sent.body.messages.slice(1), [{ role: 'user', content: 'hello' }]);
    // The contact goes to the provider as an opaque id, never by name.
    assert.match(sent.body.user, /^u_[0-9a-f]{32}$/);
    assert.ok(!JSON.stringify(sent.headers).includes('Zhang') && !sent.body.user.includes('Zhang'));

    // The next message: the context is the last 3 turns, in order, the AI's own reply included.
    const next = await report({ spoken: 'how long do refunds take?', receivedName: 'Zhang San' });
    await socket.waitFor((f) => f.type === 'command', 2);
    assert.deepEqual(openai.received[1].body.messages.slice(1), [
      { role: 'user', content: 'hello' },
      { role: 'assistant', content: 'Hello Zhang San, how can I help?' },
      { role: 'user', content: 'how long do refunds take?' },
    ]);
    assert.equal(openai.received[1].body.user, sent.body.user, 'the same contact, the same id');
    const decision = await decisionOf(t, next.body.data.messageId);
    assert.equal(decision.status, 'answered');
    assert.equal(decision.provider, 'deepseek');

    // The call log: provider, model, tokens, cost from config prices (per million tokens).
    const calls = await t.wb('GET', `/api/ai/calls?robotId=${robot.robotId}`, { headers: owner.headers });
    assert.equal(calls.status, 200, calls.text);
    assert.equal(calls.body.data.total, 2);
    const oldest = calls.body.data.list[1];
    assert.equal(oldest.provider, 'deepseek');
    assert.equal(oldest.model, 'deepseek-chat');
    assert.equal(oldest.tokensIn, 1000);
    assert.equal(oldest.tokensOut, 500);
    assert.equal(oldest.outcome, 'ok');
    assert.equal(oldest.cost, 0.0015); // 1000 × 0.5/1M + 500 × 2/1M
    // …and the WorkBot statistics count them.
    // aiCost sums the logged costs exactly: 0.0015 + (11 × 0.5 + 7 × 2)/1M rounded to a millionth.
    assert.equal(calls.body.data.list[0].cost, 0.00002);
    const stats = await t.wb('GET', `/api/robots/${robot.robotId}/statistics`, { headers: owner.headers });
    assert.equal(stats.body.data.totalAICalls, 2);
    assert.equal(stats.body.data.aiCost, 0.00152);
    const user = await t.wb('GET', '/api/user/statistics', { headers: owner.headers });
    assert.equal(user.body.data.totalAICalls, 2);
    assert.equal(user.body.data.aiCost, 0.00152);

    // Another contact of the same robot is another id.
    await report({ spoken: 'hi', receivedName: 'Li Si' });
    await socket.waitFor((f) => f.type === 'command', 3);
    assert.match(openai.received[2].body.user, /^u_[0-9a-f]{32}$/);
    assert.notEqual(openai.received[2].body.user, sent.body.user);
    await socket.close();
  });

  it('falls back from a failing provider (5xx) to the next (429) and ends at builtin; every attempt is logged', async () => {
    const { owner, robot, socket, report } = await connectedRobot(t, 'fallback');
    await setProvider(t, owner, 'primary', { kind: 'openai', baseUrl: openai.baseUrl, priority: 1 });
    await setProvider(t, owner, 'backup', { kind: 'openai', baseUrl: second.baseUrl, priority: 0 });
    await setAi(t, owner, robot.robotId, { aiMode: 'third_party', aiProvider: 'primary', replyDelayMin: 0, replyDelayMax: 0 });
    openai.script = [{ status: 500 }];
    second.script = [{ status: 429 }];

    const sent = await report({ spoken: 'anyone there?', receivedName: 'Li Si' });
    const [cmd] = await socket.waitFor((f) => f.type === 'command');
    const settings = await t.wb('GET', '/api/ai/settings', { headers: owner.headers });
    assert.equal(cmd.data.commandParams.content, settings.body.data.fallbackAnswer);
    assert.equal(openai.received.length, 1);
    assert.equal(second.received.length, 1);
    const rows = await t.app.db('ai_calls').where('message_id', sent.body.data.messageId).orderBy('id').select('provider', 'outcome');
    assert.deepEqual(rows, [
      { provider: 'primary', outcome: 'error' },
      { provider: 'backup', outcome: 'rate_limited' },
      { provider: 'builtin', outcome: 'ok' },
    ]);
    assert.equal((await decisionOf(t, sent.body.data.messageId)).provider, 'builtin');
    await socket.close();
  });

  it('a fallback provider is asked with its own model, not the robot’s aiModel (meant for the robot’s provider)', async () => {
    const { owner, robot, socket, report } = await connectedRobot(t, 'fallback-model');
    await setProvider(t, owner, 'primary', { kind: 'openai', baseUrl: openai.baseUrl, model: 'primary-default', priority: 1 });
    await setProvider(t, owner, 'backup', { kind: 'openai', baseUrl: second.baseUrl, model: 'qwen2.5:7b', priority: 0 });
    await setAi(t, owner, robot.robotId, { aiMode: 'third_party', aiProvider: 'primary', aiModel: 'deepseek-chat', replyDelayMin: 0, replyDelayMax: 0 });
    openai.script = [{ status: 503 }];
    second.script = [{ reply: 'from the backup' }];

    const sent = await report({ spoken: 'hello?', receivedName: 'Sun Ba' });
    const [cmd] = await socket.waitFor((f) => f.type === 'command');
    assert.equal(cmd.data.commandParams.content, 'from the backup');
    assert.equal(openai.received[0].body.model, 'deepseek-chat', 'the robot’s provider gets the robot’s model');
    assert.equal(second.received[0].body.model, 'qwen2.5:7b', 'the fallback gets its own');
    assert.equal(second.received[0].body.user, openai.received[0].body.user);
    const rows = await t.app.db('ai_calls').where('message_id', sent.body.data.messageId).orderBy('id').select('provider', 'model', 'outcome');
    assert.deepEqual(rows, [
      { provider: 'primary', model: 'deepseek-chat', outcome: 'error' },
      { provider: 'backup', model: 'qwen2.5:7b', outcome: 'ok' },
    ]);

    // The try box with another provider named: that provider's own model too.
    second.script = [{ reply: 'tried' }];
    const tried = await t.wb('POST', '/api/ai/try', { body: { text: 'hi', robotId: robot.robotId, provider: 'backup' }, headers: owner.headers });
    assert.equal(tried.status, 200, tried.text);
    assert.equal(tried.body.data.model, 'qwen2.5:7b');
    assert.equal(second.received[1].body.model, 'qwen2.5:7b');
    assert.match(second.received[1].body.user, /^u_[0-9a-f]{32}$/);
    await socket.close();
  });

  it('a provider that does not answer in time is a timeout, and the next one answers', async () => {
    const { owner, robot, socket, report } = await connectedRobot(t, 'timeout');
    await setProvider(t, owner, 'slow', { kind: 'openai', baseUrl: openai.baseUrl, timeoutMs: 300, priority: 5 });
    await setProvider(t, owner, 'quick', { kind: 'openai', baseUrl: second.baseUrl, priority: 1 });
    await setAi(t, owner, robot.robotId, { aiMode: 'third_party', aiProvider: 'slow', replyDelayMin: 0, replyDelayMax: 0 });
    openai.script = [{ hang: true }];
    second.script = [{ reply: 'from the quick one' }];
    const sent = await report({ spoken: 'hi', receivedName: 'Wang Wu' });
    const [cmd] = await socket.waitFor((f) => f.type === 'command');
    assert.equal(cmd.data.commandParams.content, 'from the quick one');
    const rows = await t.app.db('ai_calls').where('message_id', sent.body.data.messageId).orderBy('id').select('provider', 'outcome');
    assert.deepEqual(rows, [
      { provider: 'slow', outcome: 'timeout' },
      { provider: 'quick', outcome: 'ok' },
    ]);
    await socket.close();
  });

  it('Dify: sends the new message with the conversation id Dify gave last time', async () => {
    const { owner, robot, socket, report } = await connectedRobot(t, 'dify');
    await setProvider(t, owner, 'dify', { kind: 'dify', baseUrl: dify.baseUrl, apiKey: 'app-dify-key' });
    await setAi(t, owner, robot.robotId, { aiMode: 'third_party', aiProvider: 'dify', replyDelayMin: 0, replyDelayMax: 0 });
    dify.script = [
      { reply: 'Dify says hi', conversationId: 'conv-42' },
      { reply: 'Dify again', conversationId: 'conv-42' },
    ];
    await report({ spoken: '你好', groupName: '测试群1', receivedName: '张三', atMe: true });
    const [cmd] = await socket.waitFor((f) => f.type === 'command');
    assert.deepEqual(cmd.data.commandParams, { type: 'text', titleList: ['测试群1'], content: 'Dify says hi', atList: ['张三'] });
    assert.equal(dify.received[0].path, '/v1/chat-messages');
    assert.equal(dify.received[0].headers.authorization, 'Bearer app-dify-key');
    assert.equal(dify.received[0].body.query, '你好');
    assert.equal(dify.received[0].body.response_mode, 'blocking');
    assert.equal(dify.received[0].body.conversation_id, '');
    assert.match(dify.received[0].body.user, /^u_[0-9a-f]{32}$/, 'Dify too gets an opaque id, not 张三');
    await report({ spoken: '还在吗', groupName: '测试群1', receivedName: '张三', atMe: true });
    await socket.waitFor((f) => f.type === 'command', 2);
    assert.equal(dify.received[1].body.conversation_id, 'conv-42');
    await socket.close();
  });

  it('the reply waits for the robot’s reply delay as a scheduled command (not handed out before it is due), then is pushed', async () => {
    const { owner, robot, socket, report } = await connectedRobot(t, 'delay');
    await setAi(t, owner, robot.robotId, { aiMode: 'builtin', replyDelayMin: 1, replyDelayMax: 1 });
    const started = Date.now();
    const sent = await report({ spoken: 'hello', receivedName: 'Qian Qi' });
    assert.equal(sent.status, 200, sent.text);
    const decision = await decisionOf(t, sent.body.data.messageId);
    assert.equal(decision.status, 'answered');
    const command = await t.app.db('robots_commands').where('command_id', decision.command_id).first();
    assert.ok(command.not_before, 'the command is scheduled');
    const polled = await t.wb('GET', '/api/robot/commands', { headers: { authorization: `Bearer ${robot.token}` } });
    assert.deepEqual(polled.body.data.commands, [], 'not handed out before it is due');
    const [pushed] = await socket.waitFor((f) => f.type === 'command');
    assert.equal(pushed.data.commandId, decision.command_id);
    assert.ok(Date.now() - started >= 950, `pushed after ${Date.now() - started} ms`);
    await socket.close();
  });

  it('the same message answered twice at once (a redelivered event): one decision, one command, one call logged; the loser writes nothing', async () => {
    const { owner, robot, socket, report } = await connectedRobot(t, 'race');
    await setProvider(t, owner, 'deepseek', { kind: 'openai', baseUrl: openai.baseUrl });
    await setAi(t, owner, robot.robotId, { aiMode: 'third_party', aiProvider: 'deepseek', replyDelayMin: 0, replyDelayMax: 0 });
    const sent = await report({ spoken: 'is it in stock?', receivedName: 'Sun Ba' });
    const messageId = sent.body.data.messageId;
    const first = await decisionOf(t, messageId);
    await socket.waitFor((f) => f.type === 'command');
    // The decision forgotten, as if the event came again before it was recorded.
    await t.app.db('ai_replies').where('message_id', messageId).delete();
    const count = async (table: string, where: Record<string, unknown>) => Number((await t.app.db(table).where(where).count({ n: '*' }).first())?.n);
    const robotPk = (await t.app.db('robots_robots').where('robot_id', robot.robotId).first()).id;
    const [commandsBefore, callsBefore] = [await count('robots_commands', { robot_pk: robotPk }), await count('ai_calls', { message_id: messageId })];

    openai.script = [{ reply: 'yes' }, { reply: 'yes' }];
    const payload = {
      robot_id: robot.robotId,
      message_id: messageId,
      spoken: 'is it in stock?',
      received_name: 'Sun Ba',
      group_name: null,
      at_me: false,
      conversation: first.conversation,
      from_operator: false,
    };
    const responder = t.app.container.resolve<{ responder: { handle(tenantId: string, m: typeof payload): Promise<{ status: string }> } }>(
      'aiServices',
    ).responder;
    const outcomes = await Promise.allSettled([responder.handle(owner.tenantId, payload), responder.handle(owner.tenantId, payload)]);
    assert.ok(outcomes.some((o) => o.status === 'fulfilled' && o.value.status === 'answered'));
    for (const o of outcomes) if (o.status === 'rejected') assert.match(String(o.reason), /unique|duplicate/i);

    assert.equal(await count('ai_replies', { message_id: messageId }), 1, 'one decision');
    assert.equal(await count('robots_commands', { robot_pk: robotPk }), commandsBefore + 1, 'one command: the loser’s was never written');
    assert.equal(await count('ai_calls', { message_id: messageId }), callsBefore + 1, 'one call logged: the loser’s went with its command');
    const decided = await t.app.db('ai_replies').where('message_id', messageId).first();
    await socket.waitFor((f) => f.type === 'command' && f.data.commandId === decided.command_id);
    const pushed = new Set(socket.commands().map((f) => f.data.commandId));
    assert.deepEqual([...pushed].sort(), [first.command_id, decided.command_id].sort(), 'only the winner’s command is pushed');
    await socket.close();
  });

  it('consent off: no provider is called, nothing is sent, the message is recorded as not answered', async () => {
    const { owner, robot, socket, report } = await connectedRobot(t, 'consent');
    await setProvider(t, owner, 'deepseek', { kind: 'openai', baseUrl: openai.baseUrl });
    await setAi(t, owner, robot.robotId, { aiMode: 'third_party', aiProvider: 'deepseek', replyDelayMin: 0, replyDelayMax: 0 });
    await setConsent(t, owner, false);
    const sent = await report({ spoken: 'hello?', receivedName: 'Zhao Liu' });
    const decision = await decisionOf(t, sent.body.data.messageId);
    assert.equal(decision.status, 'skipped');
    assert.equal(decision.reason, 'no_consent');
    assert.equal(openai.received.length, 0);
    assert.equal(
      await t.app
        .db('ai_calls')
        .where('message_id', sent.body.data.messageId)
        .count({ n: '*' })
        .first()
        .then((r: any) => Number(r.n)),
      0,
    );
    assert.deepEqual(socket.commands(), []);
    const tried = await t.wb('POST', '/api/ai/try', { body: { text: 'hello' }, headers: owner.headers });
    assert.equal(tried.status, 403, tried.text);
    assert.equal(tried.body.code, 403);
    await socket.close();
  });
});
