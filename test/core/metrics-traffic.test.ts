// /metrics after real traffic over real protocols, with every plugin on: HTTP on several faces, a
// message over SMTP (nodemailer to the built-in receiver) that a workflow forwards to a robot
// connected over its WebSocket, a mail long-poll held, AI replies through a provider that fails
// over to the builtin one, MCP tool calls with the official client, a job run, a backup, a rate
// limit and a plan limit hit. Each family is then found, parsed, with values that add up.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { login, registerOwner, type Actor } from '../helpers/actors.js';
import { createTestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/processes.js';
import { activate, newCodes, RobotSocket, type RobotsApp } from '../helpers/robots.js';
import { family, observed, scrape, total, type Exposition } from '../helpers/prometheus.js';

const ADMIN = { email: 'root@traffic.test', password: 'Operator-pass-for-traffic-42' };
const TOKEN = `mt_${randomBytes(18).toString('base64url')}`;
const AUTH = { authorization: `Bearer ${TOKEN}` };

describe('metrics: the families after real traffic', function () {
  this.timeout(60_000);
  let t: RobotsApp;
  let owner: Actor;
  let socket: RobotSocket;
  let e: Exposition;
  /** Long-polls held, as scraped while one waited. */
  let heldWhileWaiting = 0;
  let connectionsWhileOpen = 0;
  const smtpPort = () => t.app.container.resolve('smtpPort');

  before(async () => {
    t = (await createTestApp({
      plugins: ['auth', 'billing', 'licensing', 'mail', 'robots', 'ai', 'workflows', 'agents'],
      overrides: { metrics: { token: TOKEN } } as never,
      settings: {
        auth: { admin: ADMIN, limits: { loginPerIpPerMinute: 10_000, loginFailuresPerAccount: 1_000 } },
        mail: { domains: [{ name: 'traffic.test' }] },
        licensing: { verifyPerIpPerMinute: 2, verifyPerCodePerMinute: 100_000 },
        robots: { requestsPerMinute: 100_000 },
        // Operator-configured and first in every chain: nothing listens there, so each reply fails over to builtin.
        ai: { providers: [{ name: 'down', kind: 'openai', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-test', timeoutMs: 2000 }] },
        workflows: { pollIntervalMs: 50 },
      },
    })) as RobotsApp;
    t.wb = (method, path, opts) => t.request(method, `/workbot${path}`, opts);
    owner = await registerOwner(t, 'traffic');

    // HTTP: a 2xx, a 4xx on a face, an unmatched 404.
    assert.equal((await t.request('GET', '/health')).status, 200);
    assert.equal((await t.request('GET', '/api/v2/auth/me')).status, 401);
    assert.equal((await t.request('GET', `/nothing/here/${randomBytes(4).toString('hex')}`)).status, 404);

    // A robot on its socket, and the ready-made workflow that forwards mailed codes to it.
    const box = await t.request('POST', '/mail/api/create', { headers: owner.headers, body: { local: `codes${Date.now()}`, domainIndex: 0 } });
    assert.equal(box.status, 200, box.text);
    const mailbox: string = box.body.email;
    const [code] = await newCodes(t, { ...owner, token: owner.token });
    const robot = await activate(t, code);
    socket = await RobotSocket.open(t, robot.robotId, robot.token);
    const made = await t.request('POST', '/api/v2/workflows/templates/forward-verification-codes/instantiate', {
      headers: owner.headers,
      body: { params: { robot_id: robot.robotId, chat: 'Ops group', mailbox } },
    });
    assert.equal(made.status, 201, made.text);

    // A long-poll for the mailbox, held until the mail below arrives.
    const wait = t.request('GET', `/mail/api/emails/wait?mailbox=${encodeURIComponent(mailbox)}&since=0&timeout=20`, { headers: owner.headers });
    heldWhileWaiting = await waitFor('the long-poll to be held', async () =>
      total(await scrape(t, AUTH), 'plinth_http_long_polls_held', { kind: 'mail_wait' }),
    );
    connectionsWhileOpen = total(await scrape(t, AUTH), 'plinth_websocket_connections', { endpoint: '/workbot/ws' });

    // SMTP: one message stored, one recipient refused.
    const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort(), secure: false, ignoreTLS: true });
    try {
      await smtp.sendMail({ from: 'Acme <no-reply@acme.example>', to: mailbox, subject: 'Your Acme verification code', text: 'Your code is 482913.\n' });
      await assert.rejects(smtp.sendMail({ from: 'x@acme.example', to: 'nobody@traffic.test', text: 'hi' }));
    } finally {
      smtp.close();
    }
    assert.equal((await wait).status, 200);
    await socket.waitFor((f) => f.type === 'command', 1, 15_000);
    await waitFor('the workflow run to finish', async () => (await t.app.db('workflows_runs').where('status', 'succeeded').first('id')) ?? null);

    // AI: a reply that fails over from the provider that is down to builtin.
    assert.equal((await t.request('PATCH', '/api/v2/tenant/settings', { body: { ai_consent_enabled: true }, headers: owner.headers })).status, 200);
    const tried = await t.wb('POST', '/api/ai/try', { body: { text: 'when are you open?' }, headers: owner.headers });
    assert.equal(tried.status, 200, tried.text);

    // MCP: a dry run and a real call of one tool, with the official client.
    const key = await t.request('POST', '/api/v2/api-keys', { body: { name: 'agent', scopes: ['licenses:manage'] }, headers: owner.headers });
    assert.equal(key.status, 201, key.text);
    const client = new Client({ name: 'metrics-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { 'X-API-Key': key.body.raw_key } } }));
    try {
      await client.callTool({ name: 'licensing_generate', arguments: { plan: 'monthly', dryRun: true } });
      await client.callTool({ name: 'licensing_generate', arguments: { plan: 'monthly' } });
    } finally {
      await client.close();
    }

    // A rate limit (licensing's per-address verify budget is 2) and a plan limit (the free plan's 5 API keys).
    for (let i = 0; i < 4; i++) await t.request('POST', '/license/api/verify', { body: { activation_code: `NOPE-${i}`, email: 'who@traffic.test' } });
    for (let i = 0; i < 6; i++) await t.request('POST', '/api/v2/api-keys', { body: { name: `extra ${i}`, scopes: ['account:read'] }, headers: owner.headers });

    // A job run and a backup.
    assert.equal(await t.app.scheduler.runNow('core.retention'), 'succeeded');
    const root = await login(t, ADMIN.email, ADMIN.password);
    const backup = await t.request('POST', '/api/v2/admin/backups', { headers: root.headers });
    assert.equal(backup.status, 201, backup.text);

    await t.app.events.flush();
    e = await scrape(t, AUTH);
  });
  after(async () => {
    socket?.ws.close();
    await t?.close();
  });

  it('HTTP: durations by route template, method, status class and plugin; requests in flight', () => {
    assert.ok(observed(e, 'plinth_http_request_duration_seconds', { route: '/health', method: 'GET', status_class: '2xx', plugin: 'core' }) >= 1);
    assert.ok(observed(e, 'plinth_http_request_duration_seconds', { route: '/api/v2/auth/me', status_class: '4xx', plugin: 'auth' }) >= 1);
    assert.ok(observed(e, 'plinth_http_request_duration_seconds', { route: 'unmatched', status_class: '4xx', plugin: 'none' }) >= 1);
    assert.ok(observed(e, 'plinth_http_request_duration_seconds', { route: '/mail/api/create', plugin: 'mail', status_class: '2xx' }) >= 1);
    assert.ok(observed(e, 'plinth_http_request_duration_seconds', { route: '/mcp', plugin: 'agents' }) >= 2);
    assert.equal(total(e, 'plinth_http_requests_in_flight'), 1);
  });

  it('SMTP: sessions, messages by reply code, refused recipients, message sizes', () => {
    assert.ok(total(e, 'plinth_smtp_sessions_total', { outcome: 'accepted' }) >= 2);
    assert.equal(total(e, 'plinth_smtp_messages_total', { code: '250', outcome: 'accepted' }), 1);
    assert.equal(total(e, 'plinth_smtp_recipients_refused_total', { code: '550' }), 1);
    assert.equal(observed(e, 'plinth_smtp_message_size_bytes'), 1);
    family(e, 'plinth_smtp_sessions_open', 'GAUGE');
  });

  it('the outbox: delivery lag observed, pending and dead counted, handler failures and dead letters declared', () => {
    assert.ok(observed(e, 'plinth_outbox_delivery_lag_seconds') >= 1, 'mail.received reached the workflow');
    assert.equal(total(e, 'plinth_outbox_events', { status: 'dead' }), 0);
    assert.ok(total(e, 'plinth_outbox_events', { status: 'pending' }) >= 0);
    family(e, 'plinth_outbox_oldest_pending_age_seconds', 'GAUGE');
    family(e, 'plinth_outbox_handler_failures_total', 'COUNTER');
    family(e, 'plinth_outbox_dead_lettered_total', 'COUNTER');
  });

  it('jobs: runs by job and outcome with their durations; lease takeovers declared', () => {
    assert.ok(total(e, 'plinth_job_runs_total', { job: 'core.retention', outcome: 'succeeded' }) >= 1);
    assert.ok(observed(e, 'plinth_job_run_duration_seconds', { job: 'core.retention', outcome: 'succeeded' }) >= 1);
    family(e, 'plinth_job_lease_takeovers_total', 'COUNTER');
  });

  it('WebSockets and robots: connections while open, handshakes, the command push latency; long-polls held', () => {
    assert.equal(connectionsWhileOpen, 1);
    assert.equal(total(e, 'plinth_websocket_handshakes_total', { endpoint: '/workbot/ws', outcome: 'accepted' }), 1);
    assert.ok(observed(e, 'plinth_robot_push_latency_seconds') >= 1);
    assert.equal(heldWhileWaiting, 1);
    assert.equal(total(e, 'plinth_http_long_polls_held', { kind: 'mail_wait' }), 0, 'given back once answered');
    family(e, 'plinth_http_long_polls_held', 'GAUGE');
  });

  it('the database: statement durations, pool use, and on SQLite the file and its log', () => {
    assert.ok(observed(e, 'plinth_db_statement_duration_seconds') > 100);
    family(e, 'plinth_db_statement_errors_total', 'COUNTER');
    assert.ok(total(e, 'plinth_db_pool_max_connections') >= 1);
    assert.ok(total(e, 'plinth_db_pool_connections', { state: 'free' }) + total(e, 'plinth_db_pool_connections', { state: 'used' }) >= 0);
    family(e, 'plinth_db_pool_connections', 'GAUGE');
    if (t.app.container.resolve('dialect') === 'sqlite') {
      assert.ok(total(e, 'plinth_sqlite_file_size_bytes', { file: 'database' }) > 0);
      family(e, 'plinth_sqlite_file_size_bytes', 'GAUGE');
    } else {
      assert.ok(!e.families.has('plinth_sqlite_file_size_bytes'));
    }
  });

  it('refusals: by rate-limit bucket and by usage metric', () => {
    assert.equal(total(e, 'plinth_rate_limit_refusals_total', { bucket: 'licensing.verify.ip' }), 2);
    assert.ok(total(e, 'plinth_usage_limit_refusals_total', { metric: 'max_api_keys' }) >= 1);
  });

  it('AI: provider calls by kind and outcome with latency, failures and fallbacks', () => {
    assert.equal(total(e, 'plinth_ai_provider_calls_total', { kind: 'openai', outcome: 'error' }), 1);
    assert.equal(total(e, 'plinth_ai_provider_calls_total', { kind: 'builtin', outcome: 'ok' }), 1);
    assert.equal(total(e, 'plinth_ai_fallbacks_total', { kind: 'openai' }), 1);
    assert.equal(observed(e, 'plinth_ai_provider_call_duration_seconds'), 2);
  });

  it('MCP: tool calls by tool and outcome, with durations', () => {
    assert.equal(total(e, 'plinth_mcp_tool_calls_total', { tool: 'licensing_generate', outcome: 'dry_run' }), 1);
    assert.equal(total(e, 'plinth_mcp_tool_calls_total', { tool: 'licensing_generate', outcome: 'ok' }), 1);
    assert.equal(observed(e, 'plinth_mcp_tool_call_duration_seconds', { tool: 'licensing_generate' }), 2);
  });

  it('workflows and backups: runs finished by status; backups by outcome with the last success time', () => {
    assert.ok(total(e, 'plinth_workflow_runs_finished_total', { status: 'succeeded' }) >= 1);
    assert.equal(total(e, 'plinth_backups_total', { outcome: 'succeeded', trigger: 'manual' }), 1);
    assert.equal(observed(e, 'plinth_backup_duration_seconds', { outcome: 'succeeded' }), 1);
    const last = total(e, 'plinth_backup_last_success_timestamp_seconds');
    assert.ok(Math.abs(Date.now() / 1000 - last) < 600, `last success ${last}`);
    family(e, 'plinth_backup_last_failure_timestamp_seconds', 'GAUGE');
  });

  it("Node's process and event-loop metrics", () => {
    assert.ok(total(e, 'process_cpu_user_seconds_total') > 0);
    assert.ok(total(e, 'nodejs_heap_size_used_bytes') > 0);
    family(e, 'nodejs_eventloop_lag_seconds', 'GAUGE');
    family(e, 'nodejs_gc_duration_seconds', 'HISTOGRAM');
  });
});
