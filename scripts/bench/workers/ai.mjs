// Bench worker for the ai plugin (runs the built dist/, in-process, SQLite in PLINTH_DATA_DIR):
//   builtin ENTRIES SECONDS CONNECTIONS: builtin replies/s on a knowledge base of ENTRIES
//     question/answer entries (the answer path of a reply: keyword rules, then the ranking);
//   overhead COUNT: the whole reply to COUNT robot messages (decide, limits, context, one provider
//     call to a local OpenAI-compatible server that answers at once, call log, queued command), one
//     at a time; per-reply times in ms.
// Prints `RESULT <json>` on its last line.
import http from 'node:http';
import { createApp } from '../../../dist/core/app.js';

const [mode, a, b, c] = process.argv.slice(2);
const app = await createApp({
  overrides: {
    plugins: ['auth', 'licensing', 'robots', 'ai'],
    log: { level: 'warn' },
    scheduler: { enabled: false },
    settings: { ai: { allowPrivateProviders: true } },
  },
});
await app.start({ listen: false });
await app.events.stop(); // the worker calls the responder itself; the outbox must not race it
const ai = app.container.resolve('aiServices');
const db = app.db;
const now = new Date().toISOString();

const EN = [
  'order',
  'refund',
  'shipping',
  'invoice',
  'password',
  'account',
  'delivery',
  'price',
  'discount',
  'warranty',
  'return',
  'payment',
  'card',
  'address',
  'store',
  'hours',
  'coupon',
  'member',
  'points',
  'size',
];
const ZH = [
  '订单',
  '退款',
  '运费',
  '发票',
  '密码',
  '账户',
  '配送',
  '价格',
  '折扣',
  '保修',
  '退货',
  '付款',
  '银行卡',
  '地址',
  '门店',
  '营业时间',
  '优惠券',
  '会员',
  '积分',
  '尺码',
];
const pick = (list, i, k) => list[(i * 7 + k * 13) % list.length];
const question = (i) =>
  i % 2
    ? `How do I change the ${pick(EN, i, 1)} for my ${pick(EN, i, 2)} ${pick(EN, i, 3)} number ${i}?`
    : `怎么修改${pick(ZH, i, 1)}和${pick(ZH, i, 2)}的${pick(ZH, i, 3)} 第${i}号？`;

async function seedKnowledge(tenantId, entries) {
  const rows = Array.from({ length: entries }, (_, i) => ({
    tenant_id: tenantId,
    kind: 'faq',
    question: question(i),
    answer: `Answer ${i}`,
    keywords: '[]',
    priority: 0,
    enabled: true,
    created_at: now,
    updated_at: now,
  }));
  for (let i = 0; i < rows.length; i += 50) await db('ai_knowledge').insert(rows.slice(i, i + 50)); // SQLite's compound-insert term limit
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

try {
  if (mode === 'builtin') {
    const [entries, seconds, connections] = [Number(a), Number(b), Number(c)];
    const tenantId = 'bench-tenant';
    await seedKnowledge(tenantId, entries);
    const request = (text) => ({ tenantId, temperature: 0.7, maxTokens: 100, system: '', messages: [{ role: 'user', content: text }], user: 'bench' });
    const built = performance.now();
    await ai.answerer.answer(request('warm up'), { mode: 'builtin' }, { robotId: null, messageId: null, source: 'try' });
    const buildMs = performance.now() - built;
    const asks = Array.from({ length: 200 }, (_, i) =>
      i % 2 ? `how to change ${pick(EN, i * 31, 1)} of my ${pick(EN, i * 31, 2)}` : `我想修改${pick(ZH, i * 31, 1)}的${pick(ZH, i * 31, 3)}`,
    );
    const deadline = performance.now() + seconds * 1000;
    const cpu = process.cpuUsage();
    let replies = 0;
    let matched = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: connections }, async (_, k) => {
        while (performance.now() < deadline) {
          const answer = await ai.answerer.answer(
            request(asks[(replies + k) % asks.length]),
            { mode: 'builtin' },
            { robotId: null, messageId: null, source: 'try' },
          );
          if (answer.reply.entry) matched++;
          replies++;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    console.log(`RESULT ${JSON.stringify({ value: replies / elapsed, cpuUs: (used.user + used.system) / replies, buildMs, matchedShare: matched / replies })}`);
  } else if (mode === 'overhead') {
    const count = Number(a);
    const provider = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'x',
            object: 'chat.completion',
            created: 0,
            model: 'instant',
            choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 5, completion_tokens: 1 },
          }),
        );
      });
    });
    await new Promise((r) => provider.listen(0, '127.0.0.1', r));
    const tenantId = 'bench-tenant';
    await db('auth_tenants').insert({ id: tenantId, name: 'bench', status: 'active', created_at: now, updated_at: now });
    await db('auth_tenant_settings')
      .insert({ tenant_id: tenantId, allowed_numbers: '[]', require_approval: false, ai_consent_enabled: true, updated_at: now })
      .onConflict('tenant_id')
      .merge();
    const robots = app.container.resolve('robotsServices');
    const { robotId } = await robots.robots.create({ tenantId, userId: 'bench-user', admin: true }, 'bench robot', {
      aiMode: 'third_party',
      aiProvider: 'instant',
      replyDelayMin: 0,
      replyDelayMax: 0,
      aiCallLimitDaily: 1_000_000,
      aiContextLength: 10,
    });
    await ai.registry.upsert(tenantId, 'instant', { kind: 'openai', baseUrl: `http://127.0.0.1:${provider.address().port}/v1` });
    const robot = await db('robots_robots').where('robot_id', robotId).first();
    const times = [];
    const providerTimes = [];
    for (let i = 0; i < count + 20; i++) {
      const { messageId } = await robots.messages.report(
        { id: robot.id, robot_id: robotId, tenant_id: tenantId },
        { spoken: `question ${i}`, receivedName: `contact ${i % 50}` },
      );
      const payload = {
        robot_id: robotId,
        message_id: messageId,
        spoken: `question ${i}`,
        received_name: `contact ${i % 50}`,
        group_name: null,
        at_me: false,
        conversation: `contact:contact ${i % 50}`,
        from_operator: false,
      };
      const t0 = performance.now();
      const decision = await ai.responder.handle(tenantId, payload);
      const ms = performance.now() - t0;
      if (decision.status !== 'answered') throw new Error(`message ${i} was not answered: ${JSON.stringify(decision)}`);
      if (i >= 20) {
        times.push(ms); // the first 20 warm up (SDK, statements, JIT)
        const call = await db('ai_calls').where('message_id', messageId).first('latency_ms');
        providerTimes.push(Number(call.latency_ms));
      }
    }
    provider.close();
    times.sort((x, y) => x - y);
    providerTimes.sort((x, y) => x - y);
    console.log(
      `RESULT ${JSON.stringify({
        p50: percentile(times, 50),
        p99: percentile(times, 99),
        providerP50: percentile(providerTimes, 50),
        providerP99: percentile(providerTimes, 99),
      })}`,
    );
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} finally {
  await app.stop();
}
