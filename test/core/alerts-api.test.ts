// The alerts service and its faces (issue 37, Alerts): alerts.raise()/clear() for conditions that
// are facts, who is told (the superadmins through the auth plugin's filter, alerts.notify.emails),
// the audit log, several instances evaluating at once, GET /admin/api/alerts and the System page's
// data for superadmins only, and a workflow of the operator tenant that forwards core.alert.raised
// to a webhook; instances that evaluate in turn leave each other's per-instance alerts alone.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { Alerts } from '../../core/alerts/alerts.js';
import { registerOwner } from '../helpers/actors.js';
import { alertsApp, expectCleared, expectRaisedOnce, OPERATOR, rowsOf, signInOperator } from '../helpers/alerts.js';
import type { TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/processes.js';

describe('alerts: raise and clear, who is told, the API', function () {
  this.timeout(60_000);
  let t: TestApp;
  let alerts: Alerts;
  before(async () => {
    t = await alertsApp({ plugins: ['workflows'], settings: { workflows: { http: { allowPrivate: true }, pollIntervalMs: 50 } } });
    alerts = t.app.container.resolve('alerts');
  });
  after(async () => t?.close());

  it('raise() and clear(): a fact rather than a state, raised once however often it is reported, then cleared by its raiser', async () => {
    const report = { key: 'test.failover:primary', severity: 'warning' as const, summary: 'The primary failed over', details: { to: 'secondary' } };
    const raise = async () => {
      await alerts.raise(report);
      await alerts.raise({ ...report, summary: 'The primary failed over' });
    };
    const alert = await expectRaisedOnce(t, 'test.failover:primary', raise);
    assert.deepEqual(alert.details, { to: 'secondary' });
    await alerts.evaluate();
    assert.equal((await rowsOf(t, 'test.failover:primary'))[0].cleared_at, null, 'evaluate() leaves a raised fact alone');
    await expectCleared(t, 'test.failover:primary', () => alerts.clear('test.failover:primary'));
    assert.equal(await alerts.clear('test.failover:primary'), null, 'nothing open to clear');
    await assert.rejects(alerts.raise({ key: 'events.dead', severity: 'warning', summary: 'x' }), /belongs to the condition "events\.dead"/);
  });

  it('each raising and clearing is in the audit log, by the system', async () => {
    const [raised] = await rowsOf(t, 'test.failover:primary');
    const rows = await t.app.db('auth_audit_logs').where('target_id', String(raised.id)).orderBy('id').select('action', 'actor_type', 'target_type', 'details');
    assert.deepEqual(
      rows.map((r) => [r.action, r.actor_type, r.target_type, JSON.parse(r.details).key]),
      [
        ['alert.raised', 'system', 'alert', 'test.failover:primary'],
        ['alert.cleared', 'system', 'alert', 'test.failover:primary'],
      ],
    );
  });

  it('GET /admin/api/alerts and the System page data: open and recently cleared alerts, for superadmins only', async () => {
    await alerts.raise({ key: 'test.open', severity: 'critical', summary: 'Something is open', details: { n: 1 } });
    const admin = await signInOperator(t);
    const open = await t.request('GET', '/admin/api/alerts?open=true', { headers: admin.headers });
    assert.equal(open.status, 200, open.text);
    assert.deepEqual(
      open.body.items.map((a: { key: string; severity: string; cleared_at: null }) => [a.key, a.severity, a.cleared_at]),
      [['test.open', 'critical', null]],
    );
    const cleared = await t.request('GET', '/admin/api/alerts?open=false&limit=5', { headers: admin.headers });
    assert.deepEqual(
      cleared.body.items.map((a: { key: string }) => a.key),
      ['test.failover:primary'],
    );
    assert.equal((await t.request('GET', '/admin/api/alerts?limit=0', { headers: admin.headers })).status, 422);

    const system = await t.request('GET', '/admin/api/system', { headers: admin.headers });
    assert.equal(system.status, 200, system.text);
    assert.deepEqual(
      system.body.alerts.open.map((a: { key: string }) => a.key),
      ['test.open'],
    );
    assert.deepEqual(
      system.body.alerts.recently_cleared.map((a: { key: string }) => a.key),
      ['test.failover:primary'],
    );

    const owner = await registerOwner(t, 'alerts');
    assert.equal((await t.request('GET', '/admin/api/alerts', { headers: owner.headers })).status, 403, 'a tenant owner is not the operator');
    assert.equal((await t.request('GET', '/admin/api/system', { headers: owner.headers })).status, 403);
    assert.equal((await t.request('GET', '/admin/api/alerts')).status, 401);
    await alerts.clear('test.open');
  });

  it('a workflow of the operator tenant triggered by core.alert.raised runs and forwards the alert to a webhook', async () => {
    const hits: string[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        hits.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const admin = await signInOperator(t);
      const events = await t.request('GET', '/api/v2/workflows/events', { headers: admin.headers });
      const listed = events.body.find((e: { name: string }) => e.name === 'core.alert.raised');
      assert.equal(listed?.plugin, 'core', 'the event catalogue lists the core’s alert events');
      assert.deepEqual(listed.schema.required, ['id', 'key', 'severity', 'summary', 'details', 'raised_at', 'cleared_at']);

      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
      const created = await t.request('POST', '/api/v2/workflows', {
        headers: admin.headers,
        body: {
          name: 'Forward alerts',
          enabled: true,
          trigger: { type: 'event', event: 'core.alert.raised' },
          steps: [{ id: 'post', action: 'http.request', input: { url, body: { text: '{{trigger.severity}}: {{trigger.summary}}', key: '{{trigger.key}}' } } }],
        },
      });
      assert.equal(created.status, 201, created.text);

      await alerts.raise({ key: 'test.forwarded', severity: 'critical', summary: 'Forward me' });
      await t.app.events.flush();
      await waitFor('the workflow to post the alert', () => hits.length > 0);
      assert.deepEqual(JSON.parse(hits[0]), { text: 'critical: Forward me', key: 'test.forwarded' });
      const run = await t.app.db('workflows_runs').where('workflow_id', created.body.id).first('status', 'trigger_type');
      assert.equal(run.trigger_type, 'event');
      await waitFor(
        'the run to succeed',
        async () => (await t.app.db('workflows_runs').where('workflow_id', created.body.id).first('status'))?.status === 'succeeded',
      );
    } finally {
      receiver.close();
      await alerts.clear('test.forwarded');
    }
  });

  it("per instance: another host leaves this host's alert alone; one nobody reported for an hour is cleared, as is a condition no instance has", async () => {
    alerts.addCondition('test.local', async () => [{ key: 'test.local', severity: 'warning', summary: 'This host is low' }], { perInstance: true });
    alerts.addCondition('test.plugin', async () => [{ key: 'test.plugin', severity: 'warning', summary: 'A condition of a plugin' }]);
    await alerts.evaluate();
    assert.equal((await rowsOf(t, 'test.local'))[0].host, os.hostname(), 'the host it is about');
    assert.equal((await rowsOf(t, 'test.plugin'))[0].host, null);

    // Another instance (another host, whose own disk is fine; the plugin is not enabled there), now and an hour on.
    const { db, logger, events, hooks } = t.app.container.cradle;
    const elsewhere = (laterMs: number) => {
      const other = new Alerts({ db, logger, events, hooks, host: 'other-host', clock: { now: () => new Date(Date.now() + laterMs) } });
      other.addCondition('test.local', async () => [], { perInstance: true });
      return other;
    };
    assert.deepEqual((await elsewhere(0).evaluate()).cleared, [], 'not its disk, not its plugin');
    const cleared = await elsewhere(61 * 60_000).evaluate();
    assert.deepEqual(cleared.cleared.map((a) => a.key).sort(), ['test.local', 'test.plugin'], 'nobody reported them for an hour');
  });
});

describe('alerts: alerts.notify and several instances', function () {
  this.timeout(60_000);
  let a: TestApp;
  let b: TestApp;
  before(async () => {
    const notify = { superadmins: false, emails: ['oncall@ops.test', 'Pager@ops.test'] };
    a = await alertsApp({ overrides: { alerts: { notify } } });
    b = await alertsApp({ database: a.database, overrides: { alerts: { notify } } });
  });
  after(async () => {
    await b?.close();
    await a?.close();
  });

  it('two instances evaluating at once raise one alert (one row, one event); the mail goes to alerts.notify.emails only', async () => {
    for (const t of [a, b]) t.app.config.alerts.thresholds.diskFreePercent = 100;
    const both = await Promise.all([a, b].map((t) => t.app.container.resolve('alerts').evaluate()));
    assert.equal(both.flatMap((r) => r.raised).filter((x) => x.key === 'disk.free').length, 1, 'one of them raised it');
    assert.equal((await rowsOf(a, 'disk.free')).length, 1);
    await a.app.events.flush();
    await b.app.events.flush();
    const raised = await a.app.db('core_events').where('name', 'core.alert.raised').count({ n: '*' });
    assert.equal(Number(raised[0].n), 1);
    const mails = await a.app.db('core_mail_outbox').where('subject', 'like', '[Plinth critical]%').select('to');
    assert.deepEqual(
      mails.map((m: { to: string }) => JSON.parse(m.to)),
      [['oncall@ops.test', 'Pager@ops.test']],
      `not the superadmin ${OPERATOR.email}`,
    );
  });
});
