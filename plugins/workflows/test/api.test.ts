// The /api/v2/workflows face: CRUD, versions, enable/disable, catalogues, templates, export and
// import, scopes, and bad input answered in the MoltFlow envelope (422 with loc, 404 with code).
import assert from 'node:assert/strict';
import { addUser, registerOwner } from '../../../test/helpers/actors.js';
import { createWorkflow, Receiver, runRows, waitForRun, workflowsApp, type Owner, type WorkflowsApp } from './helpers.js';

const manual = (steps: unknown[], extra: Record<string, unknown> = {}) => ({ trigger: { type: 'manual' }, steps, ...extra });
const note = (text: string) => ({ id: 'call', action: 'http.request', input: { url: 'http://127.0.0.1:9/', body: { text } } });
const count = async (t: WorkflowsApp, table: string, where: Record<string, unknown> = {}) =>
  Number((await t.app.db(table).where(where).count({ n: '*' }).first())?.n);

describe('workflows: the API', () => {
  let t: WorkflowsApp;
  let owner: Owner;
  before(async () => {
    t = await workflowsApp({ plugins: ['licensing'] });
    owner = await registerOwner(t);
  });
  after(async () => t?.close());

  it('creates a workflow as version 1, reads it back and lists it with pagination and filters', async () => {
    const first = await createWorkflow(t, owner, { name: 'Ping one', description: 'first', ...manual([note('a')]) });
    assert.match(first.id, /^[0-9a-f-]{36}$/);
    assert.equal(first.version, 1);
    assert.equal(first.enabled, true);
    assert.deepEqual(first.trigger, { type: 'manual' });
    assert.equal(first.condition, null);
    assert.equal(first.steps[0].action, 'http.request');
    const second = await createWorkflow(t, owner, { name: 'Ping two', enabled: false, ...manual([note('b')]) });
    assert.equal(second.enabled, false);
    const row = await t.app.db('workflows_workflows').where('id', first.id).first();
    assert.equal(row.tenant_id, owner.tenantId);
    assert.equal(row.created_by, owner.id);
    assert.equal(await count(t, 'workflows_versions', { workflow_id: first.id }), 1);

    const got = await t.api('GET', `/workflows/${first.id}`, { headers: owner.headers });
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, first);

    const page = await t.api('GET', '/workflows?page=1&page_size=1', { headers: owner.headers });
    assert.equal(page.status, 200);
    assert.deepEqual({ total: page.body.total, pages: page.body.pages, n: page.body.items.length }, { total: 2, pages: 2, n: 1 });
    const disabled = await t.api('GET', '/workflows?enabled=false', { headers: owner.headers });
    assert.deepEqual(
      disabled.body.items.map((w: { id: string }) => w.id),
      [second.id],
    );
    const searched = await t.api('GET', '/workflows?search=one', { headers: owner.headers });
    assert.deepEqual(
      searched.body.items.map((w: { id: string }) => w.id),
      [first.id],
    );
  });

  it('editing the definition makes a new version (runs record it); a name change does not; versions are listed and readable', async () => {
    const rx = await Receiver.start();
    try {
      const wf = await createWorkflow(t, owner, manual([{ id: 'call', action: 'http.request', input: { url: rx.url, body: { v: 'one' } } }]));
      const edited = await t.api('PATCH', `/workflows/${wf.id}`, {
        headers: owner.headers,
        body: { steps: [{ id: 'call', action: 'http.request', input: { url: rx.url, body: { v: 'two' } } }] },
      });
      assert.equal(edited.status, 200, edited.text);
      assert.equal(edited.body.version, 2);
      assert.equal(edited.body.steps[0].input.body.v, 'two');
      const renamed = await t.api('PATCH', `/workflows/${wf.id}`, { headers: owner.headers, body: { name: 'Renamed' } });
      assert.equal(renamed.body.version, 2);
      assert.equal(renamed.body.name, 'Renamed');
      assert.equal(await count(t, 'workflows_versions', { workflow_id: wf.id }), 2);

      const versions = await t.api('GET', `/workflows/${wf.id}/versions`, { headers: owner.headers });
      assert.deepEqual(
        versions.body.map((v: { version: number }) => v.version),
        [2, 1],
      );
      const v1 = await t.api('GET', `/workflows/${wf.id}/versions/1`, { headers: owner.headers });
      assert.equal(v1.body.steps[0].input.body.v, 'one');
      const none = await t.api('GET', `/workflows/${wf.id}/versions/9`, { headers: owner.headers });
      assert.equal(none.status, 404);
      assert.equal(none.body.code, 'version_not_found');

      const started = await t.api('POST', `/workflows/${wf.id}/run`, { headers: owner.headers, body: { payload: {} } });
      const run = await waitForRun(t, owner, started.body.run_id);
      assert.equal(run.status, 'succeeded');
      assert.equal(run.version, 2);
      assert.deepEqual(JSON.parse(rx.hits[0].body), { v: 'two' });
      assert.equal((await runRows(t, wf.id))[0].version, 2);
    } finally {
      await rx.close();
    }
  });

  it('two edits at once never make the same version twice: one wins, the other is a 409 (or comes after)', async () => {
    const wf = await createWorkflow(t, owner, manual([note('x')]));
    const edits = await Promise.all(['a', 'b', 'c'].map((x) => t.api('PATCH', `/workflows/${wf.id}`, { headers: owner.headers, body: { steps: [note(x)] } })));
    for (const res of edits) assert.ok([200, 409].includes(res.status), res.text);
    const conflicts = edits.filter((r) => r.status === 409);
    for (const res of conflicts) assert.equal(res.body.code, 'edit_conflict');
    const versions = (await t.app.db('workflows_versions').where('workflow_id', wf.id).orderBy('version')).map((v: { version: number }) => Number(v.version));
    assert.deepEqual(
      versions,
      Array.from({ length: 1 + edits.length - conflicts.length }, (_, i) => i + 1),
    );
    const row = await t.app.db('workflows_workflows').where('id', wf.id).first();
    assert.equal(Number(row.version), versions.length);
  });

  it('refuses bad definitions with 422 naming each field, and writes nothing', async () => {
    const before = await count(t, 'workflows_workflows');
    const cases: Array<[Record<string, unknown>, string[], RegExp]> = [
      [{ trigger: { type: 'manual' }, steps: [note('x')] }, ['body', 'name'], /required/],
      [{ name: 'x', trigger: { type: 'manual' }, steps: [] }, ['body', 'steps'], /fewer than 1/],
      [{ name: 'x', ...manual([{ id: 'a', action: 'nope.nothing', input: {} }]) }, ['body', 'steps', '0', 'action'], /not an action in the catalogue/],
      [{ name: 'x', trigger: { type: 'event', event: 'no.such.event' }, steps: [note('x')] }, ['body', 'trigger', 'event'], /not an event in the catalogue/],
      [{ name: 'x', trigger: { type: 'event' }, steps: [note('x')] }, ['body', 'trigger', 'event'], /required for an event trigger/],
      [{ name: 'x', trigger: { type: 'cron', cron: '61 * * * *' }, steps: [note('x')] }, ['body', 'trigger', 'cron'], /not a cron expression/],
      [{ name: 'x', trigger: { type: 'cron', cron: '0 0 * * * *' }, steps: [note('x')] }, ['body', 'trigger', 'cron'], /five fields/],
      [{ name: 'x', ...manual([note('a'), note('b')]) }, ['body', 'steps', '1', 'id'], /repeats the step id/],
      [{ name: 'x', ...manual([note('x')], { condition: { type: 'nope' } }) }, ['body', 'condition'], /not a valid JSON Schema/],
      [
        { name: 'x', ...manual([{ id: 'a', action: 'http.request', input: { url: 'http://x.test', body: '{{#open}}' } }]) },
        ['body', 'steps', '0', 'input', 'body'],
        /not a valid template/,
      ],
      [{ name: 'x', ...manual([{ id: 'Bad Id', action: 'delay', input: { seconds: 1 } }]) }, ['body', 'steps', '0', 'id'], /pattern/],
      [{ name: 'x', ...manual([{ ...note('x'), retry: { attempts: 0 } }]) }, ['body', 'steps', '0', 'retry', 'attempts'], />= 1/],
    ];
    for (const [body, loc, msg] of cases) {
      const res = await t.api('POST', '/workflows', { headers: owner.headers, body });
      assert.equal(res.status, 422, `${JSON.stringify(body)} → ${res.text}`);
      const hit = res.body.detail.find((d: { loc: string[] }) => d.loc.join('.') === loc.join('.'));
      assert.ok(hit, `${loc.join('.')} in ${res.text}`);
      assert.match(hit.msg, msg);
      assert.equal(hit.type, 'value_error');
    }
    assert.equal(await count(t, 'workflows_workflows'), before, 'no workflow was written');

    const wf = await createWorkflow(t, owner, manual([note('x')]));
    const empty = await t.api('PATCH', `/workflows/${wf.id}`, { headers: owner.headers, body: {} });
    assert.equal(empty.status, 422, empty.text);
    const badEdit = await t.api('PATCH', `/workflows/${wf.id}`, { headers: owner.headers, body: { steps: [{ id: 'a', action: 'nope', input: {} }] } });
    assert.equal(badEdit.status, 422);
    assert.equal(await count(t, 'workflows_versions', { workflow_id: wf.id }), 1, 'no version was written');
    const notUuid = await t.api('GET', '/workflows/123', { headers: owner.headers });
    assert.equal(notUuid.status, 422);
    assert.deepEqual(notUuid.body.detail[0].loc, ['params', 'id']);
    const malformed = await t.api('POST', '/workflows', { headers: owner.headers, raw: '{"name":', body: undefined });
    assert.ok([400, 422].includes(malformed.status), malformed.text);
  });

  it('answers 404 with a code for what is not there', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const [method, path, code] of [
      ['GET', `/workflows/${missing}`, 'workflow_not_found'],
      ['PATCH', `/workflows/${missing}`, 'workflow_not_found'],
      ['DELETE', `/workflows/${missing}`, 'workflow_not_found'],
      ['POST', `/workflows/${missing}/enable`, 'workflow_not_found'],
      ['GET', `/workflows/${missing}/export`, 'workflow_not_found'],
      ['GET', '/workflows/runs/987654', 'run_not_found'],
      ['POST', '/workflows/runs/987654/rerun', 'run_not_found'],
      ['POST', '/workflows/templates/no-such-template/instantiate', 'template_not_found'],
      ['POST', '/workflows/hooks/no-such-token-at-all-here', 'webhook_not_found'],
    ] as const) {
      const res = await t.api(method, path, { headers: owner.headers, body: method === 'PATCH' ? { name: 'x' } : method === 'POST' ? {} : undefined });
      assert.equal(res.status, 404, `${method} ${path}: ${res.text}`);
      assert.equal(res.body.code, code);
      assert.equal(typeof res.body.detail, 'string');
    }
  });

  it('enables and disables; a disabled workflow cannot be run; delete removes it with its versions and runs', async () => {
    const rx = await Receiver.start();
    try {
      const wf = await createWorkflow(t, owner, manual([{ id: 'call', action: 'http.request', input: { url: rx.url } }]));
      const off = await t.api('POST', `/workflows/${wf.id}/disable`, { headers: owner.headers });
      assert.equal(off.status, 200);
      assert.equal(off.body.enabled, false);
      const refused = await t.api('POST', `/workflows/${wf.id}/run`, { headers: owner.headers, body: {} });
      assert.equal(refused.status, 409);
      assert.equal(refused.body.code, 'workflow_disabled');
      assert.equal((await runRows(t, wf.id)).length, 0);
      const on = await t.api('POST', `/workflows/${wf.id}/enable`, { headers: owner.headers });
      assert.equal(on.body.enabled, true);
      const started = await t.api('POST', `/workflows/${wf.id}/run`, { headers: owner.headers, body: {} });
      assert.equal(started.status, 202);
      await waitForRun(t, owner, started.body.run_id);

      const gone = await t.api('DELETE', `/workflows/${wf.id}`, { headers: owner.headers });
      assert.equal(gone.status, 204);
      assert.equal((await t.api('GET', `/workflows/${wf.id}`, { headers: owner.headers })).status, 404);
      assert.equal(await count(t, 'workflows_versions', { workflow_id: wf.id }), 0);
      assert.equal((await runRows(t, wf.id)).length, 0);
      assert.equal(await count(t, 'workflows_run_steps', { run_id: started.body.run_id }), 0);
    } finally {
      await rx.close();
    }
  });

  it('scopes: members read, owners and admins manage; no credentials is 401', async () => {
    const wf = await createWorkflow(t, owner, manual([note('x')]));
    const member = await addUser(t, owner.tenantId, 'member');
    const admin = await addUser(t, owner.tenantId, 'admin');
    assert.equal((await t.api('GET', `/workflows/${wf.id}`, { headers: member.headers })).status, 200);
    assert.equal((await t.api('GET', '/workflows/runs', { headers: member.headers })).status, 200);
    const denied = await t.api('POST', '/workflows', { headers: member.headers, body: { name: 'x', ...manual([note('x')]) } });
    assert.equal(denied.status, 403);
    assert.match(denied.body.detail, /workflows:manage/);
    assert.equal((await t.api('POST', `/workflows/${wf.id}/disable`, { headers: member.headers })).status, 403);
    assert.equal((await t.api('POST', `/workflows/${wf.id}/disable`, { headers: admin.headers })).status, 200);
    assert.equal((await t.api('GET', '/workflows')).status, 401);

    const key = await t.api('POST', '/api-keys', { headers: owner.headers, body: { name: 'reader', scopes: ['workflows:read'] } });
    assert.equal(key.status, 201, key.text);
    const byKey = { 'x-api-key': key.body.raw_key };
    assert.equal((await t.api('GET', '/workflows', { headers: byKey })).status, 200);
    assert.equal((await t.api('DELETE', `/workflows/${wf.id}`, { headers: byKey })).status, 403);
  });

  it('lists the action catalogue and the event catalogue with their schemas', async () => {
    const actions = await t.api('GET', '/workflows/actions', { headers: owner.headers });
    assert.equal(actions.status, 200);
    const byName = new Map(actions.body.map((a: { name: string }) => [a.name, a]));
    for (const name of ['http.request', 'delay', 'stop_if', 'auth.notify_user', 'licensing.generate']) assert.ok(byName.has(name), name);
    const http = byName.get('http.request') as Record<string, any>;
    assert.equal(http.plugin, 'workflows');
    assert.deepEqual(http.input.required, ['url']);
    assert.ok(http.output.properties.status);
    assert.equal(typeof http.description, 'string');

    const events = await t.api('GET', '/workflows/events', { headers: owner.headers });
    const activated = events.body.find((e: { name: string }) => e.name === 'license.activated');
    assert.equal(activated.plugin, 'licensing');
    assert.equal(activated.version, 1);
    assert.deepEqual(activated.schema.required, ['license_id', 'product', 'kind', 'device_id']);
    assert.deepEqual(activated.schema.properties.kind, { enum: ['license', 'robot'] });
    assert.ok(events.body.some((e: { name: string }) => e.name === 'auth.user.created'));

    const openapi = await t.request('GET', '/openapi.json');
    for (const path of ['/api/v2/workflows', '/api/v2/workflows/{id}/run', '/api/v2/workflows/runs/{runId}', '/api/v2/workflows/hooks/{token}'])
      assert.ok(openapi.body.paths[path], path);
  });

  it('exports a workflow as JSON and imports it (disabled) into another tenant: a round trip without secrets', async () => {
    const wf = await createWorkflow(t, owner, {
      name: 'Signed call',
      description: 'calls out',
      trigger: { type: 'event', event: 'license.activated' },
      condition: { type: 'object', required: ['device_id'] },
      steps: [
        {
          id: 'call',
          action: 'http.request',
          input: { url: 'https://example.org/hook', body: { id: '{{trigger.license_id}}' }, sign: { secret: '{{secrets.key}}' } },
          retry: { attempts: 4 },
        },
      ],
      secrets: { key: 'a-very-secret-value' },
    });
    assert.deepEqual(wf.secrets, ['key']);
    assert.ok(!JSON.stringify(wf).includes('a-very-secret-value'));
    const exported = await t.api('GET', `/workflows/${wf.id}/export`, { headers: owner.headers });
    assert.equal(exported.status, 200);
    assert.match(exported.headers.get('content-disposition') ?? '', /attachment/);
    assert.deepEqual(exported.body, {
      plinth_workflow: 1,
      name: 'Signed call',
      description: 'calls out',
      trigger: wf.trigger,
      condition: wf.condition,
      steps: wf.steps,
      secrets: ['key'],
    });
    assert.ok(!exported.text.includes('a-very-secret-value'));

    const other = await registerOwner(t, 'importer');
    const imported = await t.api('POST', '/workflows/import', { headers: other.headers, body: exported.body });
    assert.equal(imported.status, 201, imported.text);
    assert.notEqual(imported.body.id, wf.id);
    assert.equal(imported.body.enabled, false);
    assert.equal(imported.body.version, 1);
    assert.deepEqual(
      { trigger: imported.body.trigger, condition: imported.body.condition, steps: imported.body.steps },
      { trigger: wf.trigger, condition: wf.condition, steps: wf.steps },
    );
    assert.deepEqual(imported.body.missing_secrets, ['key']);
    assert.equal((await t.app.db('workflows_workflows').where('id', imported.body.id).first()).tenant_id, other.tenantId);
    const again = await t.api('GET', `/workflows/${imported.body.id}/export`, { headers: other.headers });
    assert.deepEqual({ ...again.body }, { ...exported.body });

    const wrong = await t.api('POST', '/workflows/import', { headers: other.headers, body: { ...exported.body, plinth_workflow: 2 } });
    assert.equal(wrong.status, 422);
    assert.deepEqual(wrong.body.detail[0].loc, ['body', 'plinth_workflow']);
  });

  it('lists the ready-made templates and instantiates one with its params (422 naming a missing one)', async () => {
    const list = await t.api('GET', '/workflows/templates', { headers: owner.headers });
    assert.deepEqual(
      list.body.map((x: { id: string }) => x.id),
      ['forward-verification-codes', 'usage-alert-owner', 'license-activated-webhook'],
    );
    const hook = list.body.find((x: { id: string }) => x.id === 'license-activated-webhook');
    assert.deepEqual(
      hook.params.map((p: { name: string }) => p.name),
      ['url', 'secret'],
    );
    assert.equal(hook.trigger.event, 'license.activated');
    assert.deepEqual(
      hook.condition,
      { type: 'object', required: ['kind'], properties: { kind: { const: 'license' } } },
      'software licenses only, not WorkBot robot activations',
    );

    const missing = await t.api('POST', '/workflows/templates/license-activated-webhook/instantiate', {
      headers: owner.headers,
      body: { params: { secret: 'sixteen-chars-or-more' } },
    });
    assert.equal(missing.status, 422);
    assert.deepEqual(
      missing.body.detail.map((d: { loc: string[] }) => d.loc.join('.')),
      ['body.params.url'],
    );
    const bad = await t.api('POST', '/workflows/templates/license-activated-webhook/instantiate', {
      headers: owner.headers,
      body: { params: { url: 'not a url', secret: 'short', extra: 1 } },
    });
    assert.equal(bad.status, 422);
    assert.deepEqual([...new Set(bad.body.detail.map((d: { loc: string[] }) => d.loc.join('.')))].sort(), [
      'body.params.extra',
      'body.params.secret',
      'body.params.url',
    ]);

    const made = await t.api('POST', '/workflows/templates/license-activated-webhook/instantiate', {
      headers: owner.headers,
      body: { name: 'On activation', params: { url: 'https://example.org/activated', secret: 'sixteen-chars-or-more' } },
    });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.body.name, 'On activation');
    assert.equal(made.body.steps[0].input.url, 'https://example.org/activated');
    assert.deepEqual(made.body.secrets, ['webhook_secret']);
    assert.deepEqual(made.body.missing_secrets, []);
    const row = await t.app.db('workflows_workflows').where('id', made.body.id).first();
    assert.equal(JSON.parse(row.secrets).webhook_secret, 'sixteen-chars-or-more');
    assert.deepEqual(made.body.generated_params, {}, 'a given secret is not echoed');

    // Without a secret, Plinth makes a Standard Webhooks one and shows it once, in this reply.
    assert.equal(hook.params.find((p: { name: string }) => p.name === 'secret').generate, 'webhook_secret');
    const generated = await t.api('POST', '/workflows/templates/license-activated-webhook/instantiate', {
      headers: owner.headers,
      body: { params: { url: 'https://example.org/activated' } },
    });
    assert.equal(generated.status, 201, generated.text);
    const secret = generated.body.generated_params.secret;
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(Buffer.from(secret.slice(6), 'base64').length, 32);
    const genRow = await t.app.db('workflows_workflows').where('id', generated.body.id).first();
    assert.equal(JSON.parse(genRow.secrets).webhook_secret, secret);
    const shownAgain = await t.api('GET', `/workflows/${generated.body.id}`, { headers: owner.headers });
    assert.ok(!shownAgain.text.includes(secret), 'never shown again');
  });
});
