import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import { addUser, registerOwner } from '../../../test/helpers/actors.js';
import { robotsApp, type Owner, type RobotsApp } from '../../../test/helpers/robots.js';

// The knowledge base's HTTP face (/workbot/api/ai/knowledge…): every reply asserted whole, and the
// database checked after each change, including the changes that must not happen (another
// tenant's entry, a member's write, a bad row in an import).

const START = '2026-03-01T08:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(START) + ms).toISOString();

type Reply = { status: number; body: any; text: string };

function assertError(res: Reply, status: number, message?: string, data: unknown = null): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body.code, status, res.text);
  if (message !== undefined) assert.equal(res.body.message, message, res.text);
  assert.deepEqual(res.body.data, data, res.text);
}

const invalid = (fields: Array<{ path: string; message: string }>) => ({
  message: `invalid request: ${fields.map((f) => `${f.path} ${f.message}`).join('; ')}`,
  data: { fields },
});

describe('ai: the knowledge base (/api/ai/knowledge)', () => {
  const clock = new ManualClock(START);
  let t: RobotsApp;
  let owner: Owner;
  let other: Owner;
  let member: Owner;

  const kb = (method: string, path: string, who: Owner, body?: unknown) => t.wb(method, `/api/ai/knowledge${path}`, { body, headers: who.headers });
  const rows = (tenantId: string) => t.app.db('ai_knowledge').where('tenant_id', tenantId).orderBy('id').select('*');
  /** A row as stored, in the API's terms (SQLite keeps booleans as 0/1). */
  const stored = (r: any) => ({
    id: Number(r.id),
    kind: r.kind,
    question: r.question,
    answer: r.answer,
    keywords: JSON.parse(r.keywords),
    priority: Number(r.priority),
    enabled: Boolean(r.enabled),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
  const storedOf = async (tenantId: string) => (await rows(tenantId)).map(stored);

  before(async () => {
    t = await robotsApp({ extraPlugins: ['ai'], clock });
    owner = await registerOwner(t, 'kb-owner');
    other = await registerOwner(t, 'kb-other');
    member = await addUser(t, owner.tenantId, 'member', { label: 'kb-member' });
  });
  after(async () => t?.close());
  beforeEach(async () => {
    await t.app.db('ai_knowledge').delete();
    clock.set(START);
  });

  describe('CRUD', () => {
    it('creates an entry: trimmed, keywords deduplicated (case and width), defaults filled in', async () => {
      const res = await kb('POST', '', owner, {
        question: '  What are your opening hours? ',
        answer: 'Nine to nine, every day.',
        keywords: [' hours ', 'Hours', 'ＨＯＵＲＳ', 'open'],
      });
      assert.equal(res.status, 200, res.text);
      const id = res.body.data.id;
      assert.ok(Number.isInteger(id) && id > 0);
      const entry = {
        id,
        kind: 'faq',
        question: 'What are your opening hours?',
        answer: 'Nine to nine, every day.',
        keywords: ['hours', 'open'],
        priority: 0,
        enabled: true,
        createdAt: START,
        updatedAt: START,
      };
      assert.deepEqual(res.body, { code: 0, message: 'created', data: entry });
      assert.deepEqual(await storedOf(owner.tenantId), [entry]);

      const one = await kb('GET', `/${id}`, owner);
      assert.equal(one.status, 200, one.text);
      assert.deepEqual(one.body, { code: 0, message: 'success', data: entry });
    });

    it('lists newest first, pages with page and pageSize, filters by text (q) and kind', async () => {
      const made = [];
      for (const [i, body] of [
        { question: 'How much is shipping?', answer: 'Free over $99.', keywords: ['postage'] },
        { kind: 'keyword', question: 'Complaints', answer: 'Sorry! An officer will call you.', keywords: ['complaint'], priority: 5 },
        { question: '运费怎么算？', answer: '满99元包邮。', enabled: false },
        { question: '100% refund?', answer: 'Yes, within 7 days.' },
      ].entries()) {
        clock.set(at(i * 1000));
        const res = await kb('POST', '', owner, body);
        assert.equal(res.status, 200, res.text);
        made.push(res.body.data);
      }
      const all = await kb('GET', '', owner);
      assert.deepEqual(all.body, { code: 0, message: 'success', data: { total: 4, list: [...made].reverse() } });

      const page2 = await kb('GET', '?page=2&pageSize=3', owner);
      assert.deepEqual(page2.body.data, { total: 4, list: [made[0]] });
      assert.deepEqual((await kb('GET', '?page=3&pageSize=3', owner)).body.data, { total: 4, list: [] });

      // q searches the question, the answer and the keywords, case-insensitively; % and _ are literal.
      assert.deepEqual((await kb('GET', '?q=POSTAGE', owner)).body.data, { total: 1, list: [made[0]] });
      assert.deepEqual((await kb('GET', `?q=${encodeURIComponent('包邮')}`, owner)).body.data, { total: 1, list: [made[2]] });
      assert.deepEqual((await kb('GET', `?q=${encodeURIComponent('100%')}`, owner)).body.data, { total: 1, list: [made[3]] });
      assert.deepEqual((await kb('GET', '?q=_', owner)).body.data, { total: 0, list: [] });
      assert.deepEqual((await kb('GET', '?kind=keyword', owner)).body.data, { total: 1, list: [made[1]] });
      assert.deepEqual((await kb('GET', '?kind=faq&q=shipping', owner)).body.data, { total: 1, list: [made[0]] });
    });

    it('updates the fields given; createdAt stays, updatedAt moves', async () => {
      const created = (await kb('POST', '', owner, { question: 'Do you ship abroad?', answer: 'Not yet.' })).body.data;
      clock.set(at(60_000));
      const res = await kb('PUT', `/${created.id}`, owner, { answer: 'Yes, to 30 countries.', keywords: ['abroad', 'international'], priority: 3 });
      const entry = { ...created, answer: 'Yes, to 30 countries.', keywords: ['abroad', 'international'], priority: 3, updatedAt: at(60_000) };
      assert.deepEqual(res.body, { code: 0, message: 'updated', data: entry });
      assert.deepEqual(await storedOf(owner.tenantId), [entry]);

      clock.set(at(120_000));
      const off = await kb('PUT', `/${created.id}`, owner, { enabled: false, kind: 'keyword' });
      assert.deepEqual(off.body.data, { ...entry, enabled: false, kind: 'keyword', updatedAt: at(120_000) });
      assert.deepEqual(await storedOf(owner.tenantId), [off.body.data]);
    });

    it('deletes an entry; it is gone (404) afterwards', async () => {
      const keep = (await kb('POST', '', owner, { question: 'Keep me', answer: 'Kept.' })).body.data;
      const gone = (await kb('POST', '', owner, { question: 'Delete me', answer: 'Deleted.' })).body.data;
      const res = await kb('DELETE', `/${gone.id}`, owner);
      assert.deepEqual(res.body, { code: 0, message: 'deleted', data: null });
      assert.deepEqual(await storedOf(owner.tenantId), [keep]);
      assertError(await kb('GET', `/${gone.id}`, owner), 404, `knowledge entry ${gone.id} not found`);
      assertError(await kb('DELETE', `/${gone.id}`, owner), 404, `knowledge entry ${gone.id} not found`);
      assertError(await kb('PUT', `/${gone.id}`, owner, { answer: 'Back?' }), 404, `knowledge entry ${gone.id} not found`);
    });
  });

  describe('tenants and roles', () => {
    it("another tenant's entries are not found: not read, changed, deleted, listed or matched", async () => {
      const mine = (await kb('POST', '', owner, { question: 'What is the wifi password?', answer: 'guest-1234', keywords: ['wifi'] })).body.data;
      for (const [method, body] of [['GET'], ['PUT', { answer: 'stolen' }], ['DELETE']] as const) {
        assertError(await kb(method, `/${mine.id}`, other, body), 404, `knowledge entry ${mine.id} not found`);
      }
      assert.deepEqual((await kb('GET', '', other)).body.data, { total: 0, list: [] });
      const match = await kb('POST', '/match', other, { text: 'what is the wifi password' });
      assert.deepEqual(match.body, { code: 0, message: 'success', data: { match: null, minScore: 1, ranking: [] } });
      assert.deepEqual(await storedOf(owner.tenantId), [mine]);
      assert.deepEqual(await storedOf(other.tenantId), []);
    });

    it('a member reads and tries the knowledge base but cannot change it (403)', async () => {
      const entry = (await kb('POST', '', owner, { question: 'What is the wifi password?', answer: 'guest-1234', keywords: ['wifi'] })).body.data;
      assert.deepEqual((await kb('GET', '', member)).body.data, { total: 1, list: [entry] });
      assert.deepEqual((await kb('GET', `/${entry.id}`, member)).body.data, entry);
      assert.equal((await kb('POST', '/match', member, { text: 'wifi password please' })).body.data.match.id, entry.id);

      const refused = "only the tenant's owners and admins change its AI setup";
      assertError(await kb('POST', '', member, { question: 'Mine?', answer: 'No.' }), 403, refused);
      assertError(await kb('PUT', `/${entry.id}`, member, { answer: 'hacked' }), 403, refused);
      assertError(await kb('DELETE', `/${entry.id}`, member), 403, refused);
      assertError(await kb('POST', '/import', member, { format: 'json', content: '[{"question":"q","answer":"a"}]' }), 403, refused);
      assert.deepEqual(await storedOf(owner.tenantId), [entry]);
    });

    it('needs a signed-in user (401)', async () => {
      assertError(await t.wb('GET', '/api/ai/knowledge'), 401, 'a user token is required');
      assertError(await t.wb('POST', '/api/ai/knowledge', { body: { question: 'q', answer: 'a' } }), 401, 'a user token is required');
    });
  });

  describe('import', () => {
    const importAs = (who: Owner, format: 'csv' | 'json', content: string) => kb('POST', '/import', who, { format, content });
    const entry = (fields: Record<string, unknown>) => ({
      kind: 'faq',
      keywords: [],
      priority: 0,
      enabled: true,
      createdAt: START,
      updatedAt: START,
      ...fields,
    });
    const withoutIds = (list: any[]) => list.map(({ id: _id, ...rest }) => rest);

    it('CSV: adds the good rows in one go and reports each bad row with its number and line', async () => {
      const csv = [
        'Question,Answer,Keywords,Kind,Priority',
        'What are your opening hours?,"We open at 9.',
        'We close at 9.",hours|open,,',
        'Shipping cost?,Free over $99,"shipping, postage",faq,2',
        ',No question here,,,',
        'Complaints,Sorry!,complaint|投诉,keyword,10',
        'Refunds?,Within 7 days,,faq,high',
        ',,,,',
        'Too many,fields,here,faq,1,extra',
        '退货?,七天无理由,,rule,',
        '',
        'A rule,Without keywords,,keyword,',
      ].join('\r\n');
      const res = await importAs(owner, 'csv', csv);
      assert.equal(res.status, 200, res.text);
      const rowError = (row: number, line: number, fields: Array<{ path: string; message: string }>) => ({
        row,
        line,
        message: fields.map((f) => (f.path ? `${f.path} ${f.message}` : f.message)).join('; '),
        fields,
      });
      assert.deepEqual(res.body, {
        code: 0,
        message: 'imported 3 of 8 entries',
        data: {
          imported: 3,
          failed: 5,
          errors: [
            rowError(3, 5, [{ path: 'question', message: 'is required' }]),
            rowError(5, 7, [{ path: 'priority', message: 'must be integer' }]),
            rowError(6, 9, [{ path: '', message: 'has 6 fields; the header names 5' }]),
            rowError(7, 10, [{ path: 'kind', message: 'must be one of "faq", "keyword"' }]),
            rowError(8, 12, [{ path: 'keywords', message: 'a keyword rule needs at least one keyword' }]),
          ],
        },
      });
      assert.deepEqual(withoutIds(await storedOf(owner.tenantId)), [
        entry({ question: 'What are your opening hours?', answer: 'We open at 9.\nWe close at 9.', keywords: ['hours', 'open'] }),
        entry({ question: 'Shipping cost?', answer: 'Free over $99', keywords: ['shipping', 'postage'], priority: 2 }),
        entry({ kind: 'keyword', question: 'Complaints', answer: 'Sorry!', keywords: ['complaint', '投诉'], priority: 10 }),
      ]);
      // The imported entries answer at once.
      const match = await kb('POST', '/match', owner, { text: 'I have a complaint' });
      assert.equal(match.body.data.match.question, 'Complaints');
    });

    it('JSON: an array of entries; what GET returns imports again (id and timestamps are ignored)', async () => {
      const exported = {
        id: 999,
        kind: 'faq',
        question: 'Exported',
        answer: 'Round trip',
        keywords: ['again'],
        priority: 1,
        enabled: false,
        createdAt: '2020-01-01T00:00:00.000Z',
        updatedAt: '2020-01-01T00:00:00.000Z',
      };
      const content = JSON.stringify([
        { question: 'Q1', answer: 'A1', keywords: ['k1'] },
        'not an entry',
        { question: 'Q2' },
        exported,
        { question: 'Q3', answer: 'A3', extra: true },
      ]);
      const res = await importAs(owner, 'json', content);
      assert.deepEqual(res.body, {
        code: 0,
        message: 'imported 2 of 5 entries',
        data: {
          imported: 2,
          failed: 3,
          errors: [
            { row: 2, message: 'must be an object', fields: [{ path: '', message: 'must be an object' }] },
            { row: 3, message: 'answer is required', fields: [{ path: 'answer', message: 'is required' }] },
            { row: 5, message: 'extra is not allowed', fields: [{ path: 'extra', message: 'is not allowed' }] },
          ],
        },
      });
      const list = await storedOf(owner.tenantId);
      assert.deepEqual(withoutIds(list), [
        entry({ question: 'Q1', answer: 'A1', keywords: ['k1'] }),
        entry({ question: 'Exported', answer: 'Round trip', keywords: ['again'], priority: 1, enabled: false }),
      ]);
      assert.notEqual(list[1].id, 999);
    });

    it('a raw text/csv body works too', async () => {
      const res = await t.request('POST', '/workbot/api/ai/knowledge/import', {
        raw: 'question,answer\nHi?,Hello!\n',
        headers: { 'content-type': 'text/csv; charset=utf-8', ...owner.headers },
      });
      assert.deepEqual(res.body, { code: 0, message: 'imported 1 of 1 entries', data: { imported: 1, failed: 0, errors: [] } });
      assert.deepEqual(withoutIds(await storedOf(owner.tenantId)), [entry({ question: 'Hi?', answer: 'Hello!' })]);
    });

    const refusals: Array<[string, 'csv' | 'json', string, string | RegExp]> = [
      ['invalid JSON', 'json', '[{"question":', /^content is not valid JSON: /],
      ['JSON that is not an array', 'json', '{"question":"q","answer":"a"}', 'content must be a JSON array of entries'],
      ['an empty array', 'json', '[]', 'content has no entries'],
      ['an empty CSV', 'csv', '', 'content has no entries'],
      ['a CSV with only its header', 'csv', 'question,answer\n', 'content has no entries'],
      [
        'a CSV with an unknown column',
        'csv',
        'question,answer,score\nq,a,1',
        'content has unknown column "score"; the columns are question, answer, keywords, kind, priority, enabled',
      ],
      [
        'a CSV without an answer column',
        'csv',
        'question,keywords\nq,k',
        'content must have a header row naming the columns question and answer (missing: answer)',
      ],
      ['a CSV naming a column twice', 'csv', 'question,answer,answer\nq,a,b', 'content names the column "answer" twice'],
      ['malformed CSV', 'csv', 'question,answer\n"unterminated,answer\n', /^content is not valid CSV: /],
      ['more than 5,000 rows', 'csv', `question,answer\n${'q,a\n'.repeat(5001)}`, 'content has 5001 entries; at most 5000 can be imported at once'],
    ];
    for (const [what, format, content, message] of refusals) {
      it(`refuses ${what} as a whole (400), writing nothing`, async () => {
        const res = await importAs(owner, format, content);
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.code, 400);
        const text = (res.body.data.fields as Array<{ path: string; message: string }>).map((f) => `${f.path} ${f.message}`).join('; ');
        if (typeof message === 'string') assert.equal(text, message);
        else assert.match(text, message);
        assert.equal(res.body.message, `invalid request: ${text}`);
        assert.deepEqual(await rows(owner.tenantId), []);
      });
    }

    it('refuses a body without format and content, and a raw CSV over 2 MB (413)', async () => {
      const missing = invalid([
        { path: 'body.format', message: 'is required' },
        { path: 'body.content', message: 'is required' },
      ]);
      assertError(await kb('POST', '/import', owner, {}), 400, missing.message, missing.data);
      const big = `question,answer\n${'q,a\n'.repeat(600_000)}`;
      const res = await t.request('POST', '/workbot/api/ai/knowledge/import', { raw: big, headers: { 'content-type': 'text/csv', ...owner.headers } });
      assertError(res, 413, 'the CSV is larger than 2 MB; split it into several imports');
      assert.equal(res.headers.get('connection'), 'close'); // the unread rest of the body ends the connection
      assert.deepEqual(await rows(owner.tenantId), []);
    });
  });

  describe('validation (400, nothing written)', () => {
    const cases: Array<[string, unknown, Array<{ path: string; message: string }>]> = [
      ['no question', { answer: 'a' }, [{ path: 'body.question', message: 'is required' }]],
      ['an unknown field', { question: 'q', answer: 'a', score: 3 }, [{ path: 'body.score', message: 'is not allowed' }]],
      ['a bad kind', { question: 'q', answer: 'a', kind: 'regex' }, [{ path: 'body.kind', message: 'must be one of "faq", "keyword"' }]],
      ['a fractional priority', { question: 'q', answer: 'a', priority: 1.5 }, [{ path: 'body.priority', message: 'must be integer' }]],
      ['a priority out of range', { question: 'q', answer: 'a', priority: 2_000_000 }, [{ path: 'body.priority', message: 'must be <= 1000000' }]],
      [
        'too many keywords',
        { question: 'q', answer: 'a', keywords: Array.from({ length: 51 }, (_, i) => `k${i}`) },
        [{ path: 'body.keywords', message: 'must NOT have more than 50 items' }],
      ],
      ['a blank question', { question: '   ', answer: 'a' }, [{ path: 'question', message: 'must not be blank' }]],
      ['a blank keyword', { question: 'q', answer: 'a', keywords: ['ok', ' '] }, [{ path: 'keywords.1', message: 'must not be blank' }]],
      [
        'a NUL character (the core rule every face shares)',
        { question: 'q\u0000', answer: 'a' },
        [{ path: 'body.question', message: 'must not contain a NUL character' }],
      ],
      [
        'a keyword rule without keywords',
        { kind: 'keyword', question: 'Complaints', answer: 'Sorry.' },
        [{ path: 'keywords', message: 'a keyword rule needs at least one keyword' }],
      ],
    ];
    for (const [what, body, fields] of cases) {
      it(`refuses ${what}`, async () => {
        const { message, data } = invalid(fields);
        assertError(await kb('POST', '', owner, body), 400, message, data);
        assert.deepEqual(await rows(owner.tenantId), []);
      });
    }

    it('refuses an update that leaves an invalid entry, an empty update, and ids that are not ids', async () => {
      const entry = (await kb('POST', '', owner, { question: 'Shipping?', answer: 'Free.' })).body.data;
      const keywordless = invalid([{ path: 'keywords', message: 'a keyword rule needs at least one keyword' }]);
      assertError(await kb('PUT', `/${entry.id}`, owner, { kind: 'keyword' }), 400, keywordless.message, keywordless.data);
      const empty = invalid([{ path: 'body', message: 'must NOT have fewer than 1 properties' }]);
      assertError(await kb('PUT', `/${entry.id}`, owner, {}), 400, empty.message, empty.data);
      const notId = invalid([{ path: 'params.id', message: 'must be integer' }]);
      assertError(await kb('GET', '/abc', owner), 400, notId.message, notId.data);
      const tooBig = invalid([{ path: 'params.id', message: 'must be <= 2147483647' }]);
      assertError(await kb('GET', '/99999999999', owner), 400, tooBig.message, tooBig.data);
      assertError(await kb('GET', '/2147483647', owner), 404, 'knowledge entry 2147483647 not found');
      const badQuery = invalid([{ path: 'query.pageSize', message: 'must be <= 100' }]);
      assertError(await kb('GET', '?pageSize=500', owner), 400, badQuery.message, badQuery.data);
      assert.deepEqual(await storedOf(owner.tenantId), [entry]);
    });
  });
});
