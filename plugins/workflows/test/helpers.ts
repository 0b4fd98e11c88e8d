// Helpers for the workflows tests: a real app (auth + workflows, plus whatever a test needs) over
// real HTTP (owners and members are the shared actors, test/helpers/actors.ts), a local HTTP receiver that records every
// call (and answers as told), and waiting for runs to finish by reading the database.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import { createTestApp, type Reply, type TestApp } from '../../../test/helpers/app.js';
import type { TestDatabase } from '../../../test/helpers/database.js';
import { waitFor } from '../../../test/helpers/processes.js';

export interface Owner {
  id: string;
  tenantId: string;
  email: string;
  token: string;
  headers: Record<string, string>;
}

export const API = '/api/v2';
export const ADMIN = { email: 'root@workflows.test', password: 'Operator-pass-for-workflows-42' };
const AUTH_LIMITS = { loginPerIpPerMinute: 10_000, loginFailuresPerAccount: 1_000, refreshPerIpPerMinute: 10_000, mailRequestsPerIpPerHour: 10_000 };
export const TERMINAL = ['succeeded', 'failed', 'stopped', 'blocked'];

export interface WorkflowsApp extends TestApp {
  api<T = any>(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string>; raw?: string }): Promise<Reply<T>>;
}

export interface WorkflowsAppOptions {
  /** Enabled besides auth and workflows (e.g. 'example', 'mail', 'licensing', 'robots'). */
  plugins?: string[];
  /** settings.workflows, merged over fast polling and private HTTP targets allowed. */
  workflows?: Record<string, unknown>;
  settings?: Record<string, Record<string, unknown>>;
  database?: TestDatabase;
  clock?: Clock;
  overrides?: Record<string, unknown>;
  logger?: Logger;
}

export async function workflowsApp(options: WorkflowsAppOptions = {}): Promise<WorkflowsApp> {
  const t = (await createTestApp({
    plugins: ['auth', ...(options.plugins ?? []), 'workflows'],
    settings: {
      auth: { admin: ADMIN, limits: AUTH_LIMITS },
      workflows: { pollIntervalMs: 50, http: { allowPrivate: true }, ...(options.workflows ?? {}) },
      ...(options.settings ?? {}),
    },
    database: options.database,
    clock: options.clock,
    overrides: options.overrides as never,
    logger: options.logger,
  })) as WorkflowsApp;
  t.api = (method, path, opts) => t.request(method, `${API}${path}`, opts);
  return t;
}

/** POST /workflows; returns the created workflow. */
export async function createWorkflow(t: WorkflowsApp, owner: Owner, workflow: Record<string, unknown>): Promise<any> {
  const res = await t.api('POST', '/workflows', { headers: owner.headers, body: { name: 'test workflow', ...workflow } });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

/** Waits until the run is in one of `statuses` (any finished state by default), then returns it with its steps (API view). */
export async function waitForRun(t: WorkflowsApp, owner: Owner, runId: number, statuses = TERMINAL, timeoutMs = 20_000): Promise<any> {
  await waitFor(
    `run ${runId} to be ${statuses.join('/')}`,
    async () => {
      const row = await t.app.db('workflows_runs').where('id', runId).first('status');
      return row && statuses.includes(row.status);
    },
    { timeoutMs },
  );
  const res = await t.api('GET', `/workflows/runs/${runId}`, { headers: owner.headers });
  assert.equal(res.status, 200, res.text);
  return res.body;
}

/** The runs of a workflow in the database, oldest first. */
export async function runRows(t: TestApp, workflowId: string): Promise<Array<Record<string, any>>> {
  return t.app.db('workflows_runs').where('workflow_id', workflowId).orderBy('id');
}

export interface Hit {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

type Answer = { status: number; body?: unknown } | 'hang' | 'stall';

/**
 * A local HTTP server that records every request. `respond` decides each answer (by the hit's
 * number, from 1), at once or when its promise settles; by default 200 with `{"ok":true}`. `hang`
 * makes it never answer; `stall` sends a 200's headers and part of its body, then nothing more.
 */
export class Receiver {
  readonly hits: Hit[] = [];
  respond: (hit: Hit, n: number) => Answer | Promise<Answer> = () => ({ status: 200, body: { ok: true } });
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      this.hits.push(hit);
      void Promise.resolve(this.respond(hit, this.hits.length)).then((answer) => {
        if (answer === 'hang') return;
        if (answer === 'stall') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"ok":');
          return;
        }
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body ?? {}));
      });
    });
  });

  static async start(): Promise<Receiver> {
    const r = new Receiver();
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', () => resolve()));
    return r;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** A one-step workflow body calling `url` with http.request. */
export const callStep = (url: string, extra: Record<string, unknown> = {}) => ({
  id: 'call',
  action: 'http.request',
  input: { method: 'POST', url, body: { hello: '{{trigger.name}}' } },
  ...extra,
});
