import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.js';
import { registerOwner } from '../../../test/helpers/actors.js';
import { robotsApp, sleep, type Owner, type RobotsApp } from '../../../test/helpers/robots.js';
import { SAMPLE_ENTRIES, SAMPLE_QUESTIONS } from './knowledge-samples.js';

// The builtin responder on a small shop's knowledge base in Chinese and English: questions asked
// in other words than the stored ones, with typos, each answered by the expected entry (or by the
// fallback answer); keyword rules before the ranking; and changes seen at once, on every instance.

const FALLBACK = 'Sorry, I do not know that yet. A colleague will get back to you.';

const match = async (t: RobotsApp, who: Owner, text: string) => {
  const res = await t.wb('POST', '/api/ai/knowledge/match', { body: { text }, headers: who.headers });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.code, 0, res.text);
  return res.body.data as {
    match: { id: number; kind: string; question: string; answer: string; score: number; keyword?: string } | null;
    minScore: number;
    ranking: Array<{ id: number; question: string; score: number }>;
  };
};

async function addEntry(t: RobotsApp, who: Owner, entry: Record<string, unknown>): Promise<number> {
  const res = await t.wb('POST', '/api/ai/knowledge', { body: entry, headers: who.headers });
  assert.equal(res.status, 200, res.text);
  return res.body.data.id;
}

describe('ai: the builtin responder answers sample questions in Chinese and English', () => {
  let t: RobotsApp;
  let owner: Owner;
  const ids = new Map<string, number>();
  const keyOf = (id: number | undefined) => [...ids].find(([, v]) => v === id)?.[0] ?? (id === undefined ? null : `#${id}`);

  before(async () => {
    t = await robotsApp({ extraPlugins: ['ai'], settings: { ai: { fallbackAnswer: FALLBACK } } });
    owner = await registerOwner(t, 'samples');
    for (const { key, ...entry } of SAMPLE_ENTRIES) ids.set(key, await addEntry(t, owner, entry));
  });
  after(async () => t?.close());

  for (const [question, key] of SAMPLE_QUESTIONS) {
    it(`“${question}” → ${key ?? 'nothing (the fallback answer)'}`, async () => {
      const data = await match(t, owner, question);
      const ranking = data.ranking.map((r) => `${keyOf(r.id)} ${r.score.toFixed(2)}`).join(', ');
      assert.equal(keyOf(data.match?.id), key, `ranking: ${ranking || 'none'}`);
      if (key) assert.equal(data.match!.answer, SAMPLE_ENTRIES.find((e) => e.key === key)!.answer);
    });
  }

  it('keyword rules answer before the ranking: the highest priority, then the longest keyword', async () => {
    const complaint = await match(t, owner, '我要投诉，退款太慢了');
    assert.deepEqual(complaint.match, {
      id: ids.get('kw_complaint'),
      kind: 'keyword',
      question: 'Complaints',
      answer: SAMPLE_ENTRIES.find((e) => e.key === 'kw_complaint')!.answer,
      score: 0,
      keyword: '投诉',
    });
    assert.equal(complaint.ranking[0].id, ids.get('zh_refund'), 'the ranking alone would have answered about refunds');
    // 转人工 (priority 5) and 投诉 (priority 10) both appear: the higher priority wins.
    assert.equal((await match(t, owner, '转人工！我要投诉')).match?.keyword, '投诉');
    // 优惠 and 优惠券, both priority 0: the longer keyword wins.
    assert.equal((await match(t, owner, '有优惠券吗')).match?.keyword, '优惠券');
    // A Latin keyword matches whole words only: VIP in "VIP" and "ＶＩＰ", not in "vipassana".
    assert.equal((await match(t, owner, 'any vipassana retreats nearby')).match, null);
  });

  it('a disabled entry never answers; enabling it takes effect at once, and so does an edit or a delete', async () => {
    const weather = ids.get('off_weather')!;
    assert.equal((await match(t, owner, '今天天气怎么样')).match, null);
    const put = (id: number, body: unknown) => t.wb('PUT', `/api/ai/knowledge/${id}`, { body, headers: owner.headers });
    assert.equal((await put(weather, { enabled: true })).status, 200);
    assert.equal((await match(t, owner, '今天天气怎么样')).match?.id, weather);
    assert.equal((await put(weather, { enabled: false })).status, 200);
    assert.equal((await match(t, owner, '今天天气怎么样')).match, null);

    const sundays = await addEntry(t, owner, { question: 'Do you deliver on Sundays?', answer: 'Yes, on Sundays too.', keywords: ['sunday'] });
    assert.equal((await match(t, owner, 'sunday delivery?')).match?.id, sundays);
    assert.equal((await put(sundays, { question: 'Do you deliver on Saturdays?', keywords: ['saturday'] })).status, 200);
    assert.equal((await match(t, owner, 'saturday deliveries')).match?.id, sundays);
    assert.equal((await t.wb('DELETE', `/api/ai/knowledge/${sundays}`, { headers: owner.headers })).status, 200);
    assert.notEqual((await match(t, owner, 'saturday deliveries')).match?.id, sundays);
  });

  it('through the builtin provider (the "try it" box): the entry’s answer, else the fallback answer', async () => {
    const consent = await t.request('PATCH', '/api/v2/tenant/settings', { body: { ai_consent_enabled: true }, headers: owner.headers });
    assert.equal(consent.status, 200, consent.text);
    const ask = async (text: string) => {
      const res = await t.wb('POST', '/api/ai/try', { body: { text, provider: 'builtin' }, headers: owner.headers });
      assert.equal(res.status, 200, res.text);
      return res.body.data;
    };
    const answered = await ask('how can i reset my pasword');
    assert.equal(answered.reply, SAMPLE_ENTRIES.find((e) => e.key === 'en_password')!.answer);
    assert.equal(answered.entry.id, ids.get('en_password'));
    const unknown = await ask('what is the capital of france');
    assert.equal(unknown.reply, FALLBACK);
    assert.equal(unknown.entry, null);
  });
});

describe('ai: the builtin responder on a 10,000-entry knowledge base', () => {
  let t: RobotsApp;
  let owner: Owner;
  const ids = new Map<string, number>();

  /**
   * 10,000 entries of noise that shares no word with the samples: Latin words that all end in
   * "zq" (two edits from any sample word, so not even a typo reaches them) and Chinese from CJK
   * Extension A, which the samples do not use; one entry in a hundred is a keyword rule.
   */
  function noiseCsv(from: number, count: number): string {
    let seed = from + 1;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const latin = Array.from(
      { length: 3000 },
      () => Array.from({ length: 2 + Math.floor(random() * 6) }, () => 'abcdefghijklmnoprstuvwy'[Math.floor(random() * 23)]).join('') + 'zq',
    );
    const cjk = Array.from({ length: 3000 }, () => Array.from({ length: 2 }, () => String.fromCodePoint(0x3400 + Math.floor(random() * 0x19b0))).join(''));
    const words = (list: string[], n: number) => Array.from({ length: n }, () => list[Math.floor(random() ** 2 * list.length)]);
    const lines = ['question,answer,keywords,kind'];
    for (let i = from; i < from + count; i++) {
      const chinese = i % 2 === 0;
      const [question, answer, keywords] = chinese
        ? [words(cjk, 5).join(''), words(cjk, 20).join('，'), words(cjk, 2)]
        : [words(latin, 7).join(' '), words(latin, 25).join(' '), words(latin, 2)];
      lines.push(`${question}?,"${answer}.",${keywords.join('|')},${i % 100 === 0 ? 'keyword' : 'faq'}`);
    }
    return lines.join('\n');
  }

  before(async () => {
    t = await robotsApp({ extraPlugins: ['ai'] });
    owner = await registerOwner(t, 'big');
    for (const from of [0, 5000]) {
      const res = await t.request('POST', '/workbot/api/ai/knowledge/import', {
        raw: noiseCsv(from, 5000),
        headers: { 'content-type': 'text/csv', ...owner.headers },
      });
      assert.deepEqual(
        res.body,
        { code: 0, message: 'imported 5000 of 5000 entries', data: { imported: 5000, failed: 0, errors: [] } },
        res.text.slice(0, 500),
      );
    }
    for (const { key, ...entry } of SAMPLE_ENTRIES) ids.set(key, await addEntry(t, owner, entry));
    const [{ n }] = await t.app.db('ai_knowledge').where('tenant_id', owner.tenantId).count({ n: '*' });
    assert.equal(Number(n), 10_000 + SAMPLE_ENTRIES.length);
  });
  after(async () => t?.close());

  it('still answers every sample question with its entry (or none)', async () => {
    const wrong = [];
    for (const [question, key] of SAMPLE_QUESTIONS) {
      const got = (await match(t, owner, question)).match?.id ?? null;
      if (got !== (key ? ids.get(key) : null)) wrong.push(`${question} → #${got}, expected ${key}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('answers a noise entry asked with its own words, and its keyword rule', async () => {
    const [faq] = await t.app.db('ai_knowledge').where({ tenant_id: owner.tenantId, kind: 'faq' }).orderBy('id').limit(1).offset(4321).select('id', 'question');
    assert.equal((await match(t, owner, faq.question)).match?.id, faq.id);
    const [rule] = await t.app
      .db('ai_knowledge')
      .where({ tenant_id: owner.tenantId, kind: 'keyword' })
      .orderBy('id')
      .limit(1)
      .offset(42)
      .select('id', 'keywords');
    const found = (await match(t, owner, `hello ${JSON.parse(rule.keywords)[0]} there`)).match;
    assert.equal(found?.kind, 'keyword');
    assert.ok(JSON.parse(rule.keywords).includes(found?.keyword), `fired ${found?.keyword}`);
  });

  it('holds at most 20,000 entries: an import past that is refused whole (409)', async () => {
    const count = async () => Number((await t.app.db('ai_knowledge').where('tenant_id', owner.tenantId).count({ n: '*' }))[0].n);
    const upload = (from: number) =>
      t.request('POST', '/workbot/api/ai/knowledge/import', { raw: noiseCsv(from, 5000), headers: { 'content-type': 'text/csv', ...owner.headers } });
    assert.equal((await upload(10_000)).status, 200);
    const had = await count();
    assert.equal(had, 15_000 + SAMPLE_ENTRIES.length);
    const res = await upload(15_000);
    assert.equal(res.status, 409, res.text);
    assert.deepEqual(res.body, { code: 409, message: `the knowledge base holds at most 20000 entries (it has ${had}; adding 5000)`, data: null });
    assert.equal(await count(), had);
  });
});

describe('ai: knowledge-base changes reach every instance (two apps on one PostgreSQL database)', () => {
  let database: TestDatabase;
  let a: RobotsApp;
  let b: RobotsApp;
  let owner: Owner;

  before(async () => {
    database = await createTestDatabase({ dialect: 'postgres' }); // instances share pub/sub through it
    a = await robotsApp({ extraPlugins: ['ai'], database });
    b = await robotsApp({ extraPlugins: ['ai'], database });
    owner = await registerOwner(a, 'instances');
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  /** What B answers, once it answers `expected` (B's index is rebuilt only when A's change reaches it). */
  async function bAnswers(text: string, expected: number | null): Promise<void> {
    let last: number | null = null;
    for (let i = 0; i < 250; i++) {
      last = (await match(b, owner, text)).match?.id ?? null;
      if (last === expected) return;
      await sleep(20);
    }
    assert.fail(`instance B answered “${text}” with ${last}, expected ${expected}`);
  }

  it('B answers with an entry added, disabled, imported and deleted through A', async () => {
    await addEntry(a, owner, { question: 'What are your business hours?', answer: 'Nine to nine.', keywords: ['hours'] });
    assert.equal((await match(b, owner, 'do you deliver on sundays')).match, null); // B has built (and cached) its index

    const sundays = await addEntry(a, owner, { question: 'Do you deliver on Sundays?', answer: 'Yes, on Sundays too.', keywords: ['sunday', 'weekend'] });
    await bAnswers('do you deliver on sundays', sundays);

    const off = await a.wb('PUT', `/api/ai/knowledge/${sundays}`, { body: { enabled: false }, headers: owner.headers });
    assert.equal(off.status, 200, off.text);
    await bAnswers('do you deliver on sundays', null);

    const imported = await a.wb('POST', '/api/ai/knowledge/import', {
      body: { format: 'csv', content: 'question,answer,keywords,kind\n退货,七天无理由退货,退货|退款,keyword\n' },
      headers: owner.headers,
    });
    assert.equal(imported.status, 200, imported.text);
    const [rule] = await a.app.db('ai_knowledge').where({ tenant_id: owner.tenantId, kind: 'keyword' }).pluck('id');
    await bAnswers('我想退款', Number(rule));

    assert.equal((await a.wb('DELETE', `/api/ai/knowledge/${rule}`, { headers: owner.headers })).status, 200);
    await bAnswers('我想退款', null);
  });
});
