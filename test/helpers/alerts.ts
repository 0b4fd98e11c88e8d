// The alerts suites' harness: an app with the auth plugin (its first superadmin is who alerts are
// mailed to) and the checks every alert condition goes through: raised once (a second evaluation
// raises nothing, one open row), mailed (one mail in the core outbox to the superadmin), emitted
// (one core.alert.raised event for the operator tenant); then cleared the same way.
import assert from 'node:assert/strict';
import type { Alert } from '../../core/alerts/alerts.js';
import { mergeConfig } from '../../core/config/load.js';
import { login, type Actor } from './actors.js';
import { createTestApp, type TestApp, type TestAppOptions } from './app.js';
import { assertMessageReads } from './card-words.js';

export const OPERATOR = { email: 'operator@alerts.test', password: 'Operator-pass-for-alerts-42' };

/**
 * A running app with auth (+ `plugins`), the core.alerts job on (the harness has it off) but the
 * scheduler's ticks off (the tests evaluate, or run core.alerts, themselves), and the core's
 * thresholds a test machine may cross by itself (its disk, its database) off unless a test sets them.
 */
export function alertsApp(options: TestAppOptions = {}): Promise<TestApp> {
  const quiet = {
    scheduler: { enabled: false },
    alerts: { schedule: '* * * * *', thresholds: { diskFreeBytes: 0, diskFreePercent: 0, databaseBytes: null } },
  };
  return createTestApp({
    ...options,
    plugins: ['auth', ...(options.plugins ?? [])],
    settings: { ...options.settings, auth: { admin: OPERATOR, ...options.settings?.auth } },
    overrides: mergeConfig(quiet, (options.overrides ?? {}) as Record<string, unknown>) as TestAppOptions['overrides'],
  });
}

export const signInOperator = (t: TestApp): Promise<Actor> => login(t, OPERATOR.email, OPERATOR.password);

const alertsOf = (t: TestApp) => t.app.container.resolve('alerts');

/** The rows of one key, oldest first. */
export const rowsOf = (t: TestApp, key: string): Promise<Array<Record<string, any>>> => t.app.db('core_alerts').where('key', key).orderBy('id');

/** The mails in the core outbox with this subject, to whom. */
async function mailsWith(t: TestApp, subject: string): Promise<Array<{ to: string[]; text: string }>> {
  const rows = await t.app.db('core_mail_outbox').where('subject', subject).select('to', 'text');
  return rows.map((r: { to: string; text: string }) => ({ to: JSON.parse(r.to) as string[], text: r.text }));
}

/** The events of one alert raising (`core.alert.raised` or `.cleared`), with their tenant. */
async function eventsOf(t: TestApp, name: string, id: number): Promise<Array<{ tenant_id: string | null; payload: Record<string, any> }>> {
  const rows = await t.app.db('core_events').where('name', name).select('tenant_id', 'payload');
  return rows
    .map((r: { tenant_id: string | null; payload: string }) => ({ tenant_id: r.tenant_id, payload: JSON.parse(r.payload) }))
    .filter((e) => e.payload.id === id);
}

/** The operator tenant: the superadmin's. */
async function operatorTenant(t: TestApp): Promise<string> {
  return (await t.app.db('auth_users').where('email', OPERATOR.email).first('tenant_id')).tenant_id;
}

/**
 * `run` evaluates (alerts.evaluate() unless given, e.g. the core.alerts job); `key` must be raised by
 * the first run and not again by a second. Then, once the events are delivered: one open row, one
 * mail to the superadmin naming it, one core.alert.raised event for the operator tenant.
 */
export async function expectRaisedOnce(t: TestApp, key: string, run?: () => Promise<unknown>): Promise<Alert> {
  const evaluate = run ?? (() => alertsOf(t).evaluate());
  await evaluate();
  await evaluate();
  const rows = await rowsOf(t, key);
  assert.equal(rows.length, 1, `one raising of ${key}: ${JSON.stringify(rows)}`);
  assert.equal(rows[0].cleared_at, null, `${key} is open`);
  const [alert] = (await alertsOf(t).list({ open: true, limit: 500 })).filter((a) => a.key === key);
  assert.ok(alert, `${key} is listed as open`);
  // The admin UI says the summary in the viewer's language by its message (the tests' own test.* alerts have none: the English shows).
  if (!key.startsWith('test.')) assertMessageReads(alert.summary, alert.message, `${key}'s summary`);

  await t.app.events.flush();
  const events = await eventsOf(t, 'core.alert.raised', alert.id);
  assert.equal(events.length, 1, `one core.alert.raised event for ${key}`);
  assert.equal(events[0].tenant_id, await operatorTenant(t), 'for the operator tenant (its workflows may forward it)');
  const raised = events[0].payload;
  assert.deepEqual([raised.key, raised.severity, raised.raised_at, raised.cleared_at], [key, alert.severity, alert.raised_at, null]);
  assert.equal(typeof raised.summary, 'string');
  assert.equal(typeof raised.details, 'object');

  const mails = await mailsWith(t, `[Plinth ${alert.severity}] ${raised.summary}`);
  assert.equal(mails.length, 1, `one mail for ${key}`);
  assert.deepEqual(mails[0].to, [OPERATOR.email]);
  assert.ok(mails[0].text.includes(`${key} (${alert.severity})`), mails[0].text);
  assert.ok((await rowsOf(t, key))[0].notified_at, 'the row records the mail');
  return alert;
}

/** `key` was open; `run` clears it: cleared_at set, one clear mail, one core.alert.cleared event; nothing new is raised. */
export async function expectCleared(t: TestApp, key: string, run?: () => Promise<unknown>): Promise<void> {
  const [open] = await rowsOf(t, key).then((rows) => rows.filter((r) => r.cleared_at === null));
  assert.ok(open, `${key} was open`);
  await (run ?? (() => alertsOf(t).evaluate()))();
  const rows = await rowsOf(t, key);
  assert.equal(rows.length, 1, `still one raising of ${key}`);
  assert.ok(rows[0].cleared_at, `${key} is cleared`);
  assert.ok(!(await alertsOf(t).list({ open: true, limit: 500 })).some((a) => a.key === key), `${key} is no longer open`);

  await t.app.events.flush();
  const events = await eventsOf(t, 'core.alert.cleared', Number(rows[0].id));
  assert.equal(events.length, 1, `one core.alert.cleared event for ${key}`);
  assert.equal(events[0].payload.cleared_at, rows[0].cleared_at);
  assert.equal(events[0].tenant_id, await operatorTenant(t));
  const mails = await mailsWith(t, `[Plinth cleared] ${events[0].payload.summary}`);
  assert.equal(mails.length, 1, `one clear mail for ${key}`);
  assert.deepEqual(mails[0].to, [OPERATOR.email]);
}
