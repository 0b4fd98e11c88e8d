import http from 'node:http';
import https from 'node:https';
import { randomUUID } from 'node:crypto';
import type { ActionCall } from 'plinth/plugin';
import { assertPublicUrl, publicLookup } from 'plinth/plugin';
import { injectTrace } from 'plinth/plugin';
import { webhookHeaders } from 'plinth/plugin';
import type { PluginContext } from 'plinth/plugin';
import type { WorkflowsSettings } from '../config.js';
import { stepDeliveryId } from '../services/step-keys.js';
import { WorkflowsErrors } from '../services/errors.js';
import { workflowsServices } from '../services/own.js';

interface HttpInput {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  sign?: { secret: string; id?: string };
  timeout_ms?: number;
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  truncated: boolean;
}

const input = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    method: { enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'], default: 'POST' },
    url: {
      type: 'string',
      minLength: 1,
      maxLength: 2000,
      description: 'http or https; internal addresses are refused unless settings.workflows.http.allowPrivate',
    },
    headers: {
      type: 'object',
      maxProperties: 50,
      propertyNames: { pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$" },
      additionalProperties: { type: 'string', maxLength: 8192, pattern: '^[^\\r\\n]*$' },
    },
    body: { description: 'A string is sent as is; anything else as JSON' },
    sign: {
      type: 'object',
      additionalProperties: false,
      required: ['secret'],
      description:
        'Standard Webhooks signature (webhook-id, webhook-timestamp, webhook-signature): a whsec_ secret is keyed by its base64-decoded bytes, any ' +
        'other string by its UTF-8 bytes',
      properties: { secret: { type: 'string', minLength: 1, maxLength: 500 }, id: { type: 'string', minLength: 1, maxLength: 200 } },
    },
    timeout_ms: { type: 'integer', minimum: 100, maximum: 300_000 },
  },
};

const output = {
  type: 'object',
  required: ['status', 'headers', 'body'],
  properties: {
    status: { type: 'integer' },
    headers: { type: 'object' },
    body: { description: 'Parsed JSON when the response is JSON, else text' },
    truncated: { type: 'boolean' },
    duration_ms: { type: 'integer' },
  },
};

/** The call's deadline passed (connecting, sending or reading, all told). */
const timedOut = () => Object.assign(new Error('timed out'), { name: 'TimeoutError' });

function send(url: URL, options: http.RequestOptions, body: string | null, limit: number, timeoutMs: number): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      res.on('data', (chunk: Buffer) => {
        if (truncated) return;
        if (size + chunk.length > limit) {
          chunks.push(chunk.subarray(0, limit - size));
          truncated = true;
          res.destroy(); // the rest is not read: a huge response costs nothing more
          done(null, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), truncated });
          return;
        }
        size += chunk.length;
        chunks.push(chunk);
      });
      res.on('end', () => done(null, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), truncated }));
      res.on('error', (err) => done(err));
    });
    // A plain timer, not AbortSignal.timeout: the signal's event target and listeners cost a fifth of a local call's CPU.
    const timer = setTimeout(() => {
      done(timedOut()); // before destroy(): the error the response then emits must not win
      req.destroy();
    }, timeoutMs);
    const done = (err: Error | null, reply?: Reply) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(reply!);
    };
    req.on('error', (err) => done(err));
    req.end(body ?? undefined);
  });
}

function decode(reply: Reply): unknown {
  const text = reply.body.toString('utf8');
  if (!reply.truncated && /\bjson\b/i.test(String(reply.headers['content-type'] ?? ''))) {
    try {
      return JSON.parse(text);
    } catch {
      /* not JSON after all: keep the text */
    }
  }
  return text;
}

/**
 * `http.request`: one HTTP call, optionally signed. 2xx succeeds; 408, 429, 5xx and network
 * errors fail the attempt (the step retries); other statuses (redirects are not followed) fail
 * the step for good. Targets are checked against internal addresses before and while connecting.
 * A step runs at least once, so each call of a run carries an `Idempotency-Key` of its step.
 */
export const httpRequestAction = {
  description: 'Call a URL (optionally signed with HMAC-SHA256, Standard Webhooks style)',
  input,
  output,
  async run(inp: HttpInput, call: ActionCall, c: PluginContext<WorkflowsSettings>) {
    const s = c.settings.http;
    const url = await assertPublicUrl(inp.url, { allowPrivate: s.allowPrivate, field: 'input.url' });
    const body =
      inp.body === undefined || inp.method === 'GET' || inp.method === 'HEAD' ? null : typeof inp.body === 'string' ? inp.body : JSON.stringify(inp.body);
    const headers: Record<string, string> = { 'user-agent': 'Plinth-Workflows/1' };
    if (body !== null) headers['content-type'] = typeof inp.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
    for (const [k, v] of Object.entries(inp.headers ?? {})) headers[k.toLowerCase()] = v;
    // The trace of the request (or event) that started the run, a span of this call's own; a step's own traceparent wins.
    injectTrace(headers);
    const w = call.meta.workflow as { runId?: number; step?: string } | undefined;
    const step = w?.runId && w.step ? { runId: w.runId, id: w.step } : null;
    // The same key on every attempt of this step of this run (see StepKeys), so the receiver can
    // drop a repeat. A key the step sets in its own headers wins: its author may owe the receiver
    // a key of their own making (an order id, a format the API requires, one that a rerun must
    // share), and a template renders the same on every attempt, so it is as stable as ours (one
    // that renders empty, a missing field, gets ours).
    if (step && !headers['idempotency-key']) headers['idempotency-key'] = await workflowsServices.of(c).stepKeys.forStep(step.runId, step.id);
    if (inp.sign) {
      // The id stays the same across a step's retries, so the receiver can drop repeats.
      const id = inp.sign.id ?? (step ? stepDeliveryId(step.runId, step.id) : `msg_${randomUUID()}`);
      const seconds = Math.floor(c.container.resolve('clock').now().getTime() / 1000);
      Object.assign(headers, webhookHeaders(inp.sign.secret, id, seconds, body ?? ''));
    }
    if (body !== null) headers['content-length'] = String(Buffer.byteLength(body));
    const timeout = Math.min(inp.timeout_ms ?? s.defaultTimeoutMs, s.maxTimeoutMs);
    const started = Date.now();
    let reply: Reply;
    try {
      reply = await send(url, { method: inp.method, headers, lookup: s.allowPrivate ? undefined : publicLookup }, body, s.maxResponseBytes, timeout);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ETARGETREFUSED') throw WorkflowsErrors.targetRefused(e.message);
      if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new Error(`${inp.method} ${url.host} timed out after ${timeout} ms`);
      throw new Error(`${inp.method} ${url.host} failed: ${e.message}`);
    }
    const status = reply.status;
    if (status === 408 || status === 429 || status >= 500) throw WorkflowsErrors.upstreamFailed(inp.method, url.host, status);
    if (status < 200 || status >= 300) throw WorkflowsErrors.upstreamRefused(inp.method, url.host, status);
    return { status, headers: reply.headers, body: decode(reply), truncated: reply.truncated, duration_ms: Date.now() - started };
  },
};
