import assert from 'node:assert/strict';
import { Actions, createAjv } from 'plinth/plugin';
import { addUser, registerOwner, type Actor } from '../../../test/helpers/actors.js';
import { activate, newCodes, type RobotsApp } from '../../../test/helpers/robots.js';
import { API, waitForRun, workflowsApp, type WorkflowsApp } from './helpers.js';

// References to the tenant's own things in actions' inputs (`"x-plinth-ref": "<kind>"`): which
// inputs carry them, the lookup each kind's plugin registers (GET /api/v2/workflows/refs/{kind},
// one tenant's things only, managers only), a plugin outside the tree declaring its own kind, and
// the keyword passing through ajv (strict too) while the seed faces' schemas stay as they were.

describe('workflows: references to the tenant’s things (x-plinth-ref)', () => {
  let t: WorkflowsApp & RobotsApp;
  let a: Actor;
  let b: Actor;
  const made = { robotA: '', robotB: '', boxA: '', boxB: '' };

  const refs = (who: Actor, kind: string) => t.api('GET', `/workflows/refs/${kind}`, { headers: who.headers });

  before(async () => {
    t = (await workflowsApp({
      // shelves (test/fixtures/plugins): a plugin outside the tree with a kind of its own.
      plugins: ['licensing', 'mail', 'robots', 'ai', 'shelves'],
      settings: { mail: { domains: [{ name: 'refs.test' }] }, robots: { requestsPerMinute: 100_000 } },
    })) as WorkflowsApp & RobotsApp;
    t.wb = (method, path, opts) => t.request(method, `/workbot${path}`, opts);
    a = await registerOwner(t, 'refs-a');
    b = await registerOwner(t, 'refs-b');
    for (const [who, key, name] of [
      [a, 'robotA', 'Front desk'],
      [b, 'robotB', 'Other tenant’s phone'],
    ] as const) {
      const [code] = await newCodes(t, who);
      made[key] = (await activate(t, code)).robotId;
      const named = await t.wb('PUT', `/api/robots/${made[key]}`, { headers: who.headers, body: { name } });
      assert.equal(named.status, 200, named.text);
    }
    for (const [who, key, local] of [
      [a, 'boxA', 'orders'],
      [b, 'boxB', 'theirs'],
    ] as const) {
      const box = await t.request('POST', '/mail/api/create', { headers: who.headers, body: { local, domainIndex: 0 } });
      assert.equal(box.status, 200, box.text);
      made[key] = box.body.email;
    }
  });
  after(() => t?.close());

  it('the actions’ inputs name what they refer to: robots (send_message, ai.reply), mailboxes (mail.send’s from), users; stop_if’s condition', async () => {
    const res = await t.api('GET', '/workflows/actions', { headers: a.headers });
    assert.equal(res.status, 200, res.text);
    const input = (name: string) => res.body.find((x: { name: string }) => x.name === name).input.properties;
    assert.equal(input('robots.send_message').robotId['x-plinth-ref'], 'robot');
    assert.equal(input('ai.reply').robotId['x-plinth-ref'], 'robot');
    assert.equal(input('mail.send').from['x-plinth-ref'], 'mailbox');
    assert.equal(input('auth.notify_user').user_id['x-plinth-ref'], 'user');
    assert.equal(input('shelves.stock').shelf['x-plinth-ref'], 'shelf');
    assert.equal(input('stop_if').condition['x-plinth-editor'], 'condition');
    // The seed faces' own schemas (shared with the actions) are published as they were.
    const doc = (await t.request('GET', '/openapi.json')).body;
    const body = (path: string) => {
      assert.ok(doc.paths[path]?.post, path);
      return JSON.stringify(doc.paths[path].post.requestBody);
    };
    for (const path of ['/workbot/api/robot/send-message', '/mail/api/send', '/workbot/api/ai/try']) assert.ok(!body(path).includes('x-plinth'), path);
    assert.ok(doc.paths['/api/v2/workflows/refs/{kind}'].get, 'the lookup is documented');
  });

  it('each kind lists one tenant’s own things by name, never another tenant’s', async () => {
    const robots = await refs(a, 'robot');
    assert.equal(robots.status, 200, robots.text);
    assert.deepEqual(robots.body, { kind: 'robot', plugin: 'robots', plural: 'robots', items: [{ id: made.robotA, name: 'Front desk', detail: made.robotA }] });
    const theirs = await refs(b, 'robot');
    assert.deepEqual(
      theirs.body.items.map((i: { id: string }) => i.id),
      [made.robotB],
    );

    const boxes = await refs(a, 'mailbox');
    assert.equal(boxes.status, 200, boxes.text);
    assert.deepEqual(boxes.body.items, [{ id: made.boxA, name: made.boxA }]);
    assert.deepEqual(
      (await refs(b, 'mailbox')).body.items.map((i: { id: string }) => i.id),
      [made.boxB],
    );

    const mia = await addUser(t, a.tenantId, 'member', { label: 'mia', fullName: 'Mia Member' });
    const users = await refs(a, 'user');
    assert.equal(users.status, 200, users.text);
    const names = users.body.items.map((u: { name: string; detail: string }) => `${u.name} · ${u.detail}`).sort();
    assert.deepEqual(names, [`Mia Member · ${mia.email} (member)`, `refs-a owner · ${a.email} (owner)`]);
    assert.ok(!JSON.stringify((await refs(b, 'user')).body).includes(mia.id));

    // A deleted robot is not offered any more.
    assert.equal((await t.wb('DELETE', `/api/robots/${made.robotB}`, { headers: b.headers })).status, 200);
    assert.deepEqual((await refs(b, 'robot')).body.items, []);
  });

  it('a plugin outside the tree gets the same: its kind listed for the tenant, its action runs with the id', async () => {
    const shelvesA = await refs(a, 'shelf');
    assert.equal(shelvesA.status, 200, shelvesA.text);
    assert.deepEqual(shelvesA.body, {
      kind: 'shelf',
      plugin: 'shelves',
      plural: 'shelves',
      items: [
        { id: `shelf-${a.tenantId.slice(0, 8)}`, name: 'Top shelf', detail: 'by the door' },
        { id: 'shelf-2', name: 'Bottom shelf' },
      ],
    });
    const wf = await t.api('POST', '/workflows', {
      headers: a.headers,
      body: { name: 'stock', trigger: { type: 'manual' }, steps: [{ id: 'put', action: 'shelves.stock', input: { shelf: 'shelf-2' } }] },
    });
    assert.equal(wf.status, 201, wf.text);
    const run = await t.api('POST', `/workflows/${wf.body.id}/run`, { headers: a.headers, body: { payload: {} } });
    assert.equal(run.status, 202, run.text);
    const done = await waitForRun(t, { ...a, token: '' }, Number(run.body.run_id ?? run.body.id));
    assert.equal(done.status, 'succeeded', JSON.stringify(done));
  });

  it('refused: no sign-in (401), a member (403), an unknown kind (404), a malformed one (422) — in the face’s envelope', async () => {
    const anonymous = await t.request('GET', `${API}/workflows/refs/robot`);
    assert.equal(anonymous.status, 401, anonymous.text);
    const member = await addUser(t, a.tenantId, 'member');
    const refused = await refs(member, 'robot');
    assert.equal(refused.status, 403, refused.text);
    assert.equal(typeof refused.body.detail, 'string');
    const unknown = await refs(a, 'spaceship');
    assert.equal(unknown.status, 404, unknown.text);
    assert.equal(unknown.body.code, 'unknown_ref_kind');
    for (const bad of ['Robot', '..%2Fusers', 'a'.repeat(41), '%00']) {
      const res = await refs(a, bad);
      assert.equal(res.status, 422, `${bad}: ${res.text}`);
      assert.ok(Array.isArray(res.body.detail), res.text);
    }
  });
});

describe('the x-plinth-ref keyword in the action registry', () => {
  const events = { withMeta: <T>(_m: unknown, fn: () => T) => fn() } as never;
  const input = (ref: unknown) => ({ type: 'object', properties: { x: { type: 'string', 'x-plinth-ref': ref } } });
  const spec = (ref: unknown) => ({ description: 'd', input: input(ref), output: { type: 'object' }, run: async () => ({}) });

  it('a malformed reference stops the boot; a kind is declared once', () => {
    const actions = new Actions(events);
    actions.add('p', 'p.ok', spec('robot'));
    assert.throws(() => actions.add('p', 'p.number', spec(3)), /x-plinth-ref must be a ref kind's name/);
    assert.throws(() => actions.add('p', 'p.caps', spec('Robot')), /x-plinth-ref must be a ref kind's name/);
    actions.addRef('p', 'robot', { plural: 'robots', list: async () => [] });
    assert.throws(() => actions.addRef('q', 'robot', { plural: 'robots', list: async () => [] }), /already declared by "p"/);
    assert.throws(() => actions.addRef('q', 'Bad kind', { plural: 'x', list: async () => [] }), /lowercase letters/);
    assert.deepEqual(
      actions.refs().map((r) => [r.kind, r.plugin]),
      [['robot', 'p']],
    );
  });

  it('validation ignores it; an ajv made strict still compiles it and checks it is a name', () => {
    const strict = createAjv({ strict: true, validateSchema: true });
    const validate = strict.compile(input('robot'));
    assert.equal(validate({ x: 'anything' }), true);
    assert.equal(validate({ x: 1 }), false);
    assert.throws(() => createAjv({ strict: true, validateSchema: true }).compile(input(7)), /x-plinth-ref/);
  });
});
