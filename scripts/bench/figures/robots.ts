// Longer than most (~470 lines): setup, the push-latency figure and the report figure share the phone fleet.
// The robots (WorkBot) figures, set up through the API the way the operator and the phones do: the
// operator (superadmin, the admin of WorkBot's home tenant, on the operator plan) generates activation codes
// (POST /workbot/api/admin/activation-codes, at most 500 a call) and each phone activates one
// (POST /workbot/api/robot-ids/activate). Activations come from many loopback addresses
// (127.0.x.y, 25 each) as phones would from many IPs, so the route's fixed 30/min per-IP limit is
// met, not lifted. settings.robots.requestsPerMinute (60 per token by default) is raised for the
// run: a bench owner sends thousands of commands a minute. Everything else is the default config.
//
// robots-push-latency: 1,000 robots hold real WebSockets (workers/robot-sockets.mjs, its own
// process); the bench sends POST /workbot/api/robot/send-message with the owner's token to random
// robots, a few at a time, and times each from just before the request to the command frame's
// arrival on that robot's socket (both clocks CLOCK_MONOTONIC). Each robot acknowledges with
// POST /workbot/api/robot/command-result, as the app does, so the queue stays empty. Beside it the
// same fleet and sender against the bare ws-push server (ceilings/ws-push.ts), alternating.
//
// robots-message-reports: POST /workbot/api/robot/messages (~100-byte `spoken`) spread over 200
// robots and their tokens, against sqlite-durable-write or, on PostgreSQL, pg-durable-write (the
// same durable transaction with the raw driver and no framework), alternating.
//
// startWorkbotPlinth, setupRobots, Fleet, pushRun and percentile are exported for ad-hoc profiling
// scripts (e.g. a concurrency sweep with BENCH_PLINTH_NODE_ARGS=--cpu-prof).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { durableWrite } from '../ceilings/index.js';
import { messageReports } from '../ceilings/sqlite-durable-write.js';
import { wsPush } from '../ceilings/ws-push.js';
import { alternate, measureHttp, rounds, warmupHttp } from '../lib/autocannon.js';
import type { BenchContext, FigureModule, Measurement } from '../lib/context.js';
import { benchDialect } from '../lib/database.js';
import { startPlinth, type PlinthServer } from '../lib/plinth.js';
import { cleanEnv, cpuSeconds, makeTempDir, releasingOnStop, removeTempDir, spawnChild, type Child, type RunningServer } from '../lib/process.js';
import { againstCeiling, median, ratioTarget, spreadOf, tidy, type Figure } from '../lib/results.js';

const W = '/workbot';
/** The operator (superadmin) every robots setup logs in as; PLINTH_ADMIN_EMAIL / _PASSWORD of the Plinth it starts. */
export const ADMIN = { email: 'bench@plinth.test', password: 'bench-password-123' };
const CODES_PER_CALL = 500; // the activation-codes route's maximum `count`
const ACTIVATIONS_PER_IP = 25; // under the activate route's 30 a minute per IP
const ACTIVATION_CONCURRENCY = 8;
const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'workers', 'robot-sockets.mjs');

export interface BenchRobot {
  robotId: string;
  token: string;
}

interface Reply {
  status: number;
  body: any;
  text: string;
}

/** One JSON request over node:http (keep-alive through `agent`; `localAddress` picks the loopback source IP). */
function call(
  baseUrl: string,
  method: string,
  urlPath: string,
  options: { body?: unknown; headers?: Record<string, string>; agent?: http.Agent; localAddress?: string } = {},
): Promise<Reply> {
  const url = new URL(urlPath, baseUrl);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        agent: options.agent ?? false,
        localAddress: options.localAddress,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = null;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            // not JSON; the caller reports `text`
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, text });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** `call`, failing with the step's name, the status and the body unless the status is `expect`. */
async function step(what: string, expect: number, reply: Promise<Reply>): Promise<any> {
  let r: Reply;
  try {
    r = await reply;
  } catch (err) {
    throw new Error(`robots setup: ${what} failed: ${(err as Error).message}`);
  }
  if (r.status !== expect) throw new Error(`robots setup: ${what} failed: HTTP ${r.status} (expected ${expect}): ${r.text.slice(0, 500)}`);
  return r.body;
}

/** Plinth with the config's plugins and the bench's settings file; stop() removes both. */
export async function startWorkbotPlinth(): Promise<PlinthServer> {
  const dir = makeTempDir('robots-config');
  const configFile = path.join(dir, 'bench.json');
  fs.writeFileSync(configFile, JSON.stringify({ settings: { robots: { requestsPerMinute: 1_000_000_000 } } }));
  return releasingOnStop(
    () => startPlinth({ env: { PLINTH_CONFIG: configFile, PLINTH_ADMIN_EMAIL: ADMIN.email, PLINTH_ADMIN_PASSWORD: ADMIN.password } }),
    () => removeTempDir(dir),
  );
}

/** 127.0.x.y for the n-th group of activations (the whole 127/8 is loopback on Linux). */
const sourceAddress = (n: number) => `127.0.${Math.floor(n / 250)}.${(n % 250) + 2}`;

/** An owner with `count` activated robots, through the API. */
export async function setupRobots(
  ctx: BenchContext,
  plinth: PlinthServer,
  count: number,
): Promise<{ ownerHeaders: Record<string, string>; robots: BenchRobot[] }> {
  try {
    return await activateRobots(ctx, plinth, count);
  } catch (err) {
    // A 500 names only a request id: the server's own lines say what failed.
    throw new Error(`${(err as Error).message}\nPlinth's last output:\n${plinth.child.output().slice(-4000)}`);
  }
}

async function activateRobots(ctx: BenchContext, plinth: PlinthServer, count: number): Promise<{ ownerHeaders: Record<string, string>; robots: BenchRobot[] }> {
  const base = plinth.url;
  const started = performance.now();
  // WorkBot belongs to the operator: its home tenant's admin (here the superadmin) makes the codes,
  // and the robots are the operator tenant's, on the operator plan (no limits to lift).
  const admin = await step('superadmin login (POST /api/v2/auth/login)', 200, call(base, 'POST', '/api/v2/auth/login', { body: ADMIN }));
  const ownerHeaders = { authorization: `Bearer ${admin.access_token}` };

  const codes: string[] = [];
  while (codes.length < count) {
    const n = Math.min(CODES_PER_CALL, count - codes.length);
    const r = await step(
      `generating ${n} activation codes (POST ${W}/api/admin/activation-codes)`,
      200,
      call(base, 'POST', `${W}/api/admin/activation-codes`, { body: { count: n }, headers: ownerHeaders }),
    );
    codes.push(...r.data.codes.map((c: { code: string }) => c.code));
  }
  const codesMs = performance.now() - started;

  const robots: BenchRobot[] = new Array(count);
  const agents = new Map<string, http.Agent>();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(ACTIVATION_CONCURRENCY, count) }, async () => {
      while (next < count) {
        const i = next++;
        const localAddress = sourceAddress(Math.floor(i / ACTIVATIONS_PER_IP));
        let agent = agents.get(localAddress);
        if (!agent) agents.set(localAddress, (agent = new http.Agent({ keepAlive: true, localAddress } as http.AgentOptions)));
        const deviceInfo = { deviceId: `bench-phone-${i}`, brand: 'Xiaomi', model: 'Mi 10', os: 'Android', osVersion: '13', appVersion: '3.0.1' };
        const r = await step(
          `activating robot ${i + 1}/${count} from ${localAddress} (POST ${W}/api/robot-ids/activate)`,
          201,
          call(base, 'POST', `${W}/api/robot-ids/activate`, { body: { code: codes[i], deviceInfo }, agent, localAddress }),
        );
        robots[i] = { robotId: r.data.robotId, token: r.data.token };
      }
    }),
  );
  for (const agent of agents.values()) agent.destroy();
  ctx.log(
    `  setup: owner and tenant ready, ${count} codes in ${(codesMs / 1000).toFixed(1)} s, ${count} activations in ` +
      `${((performance.now() - started - codesMs) / 1000).toFixed(1)} s`,
  );
  return { ownerHeaders, robots };
}

/** The socket worker: `robots` connected to `server`'s /workbot/ws, recording receipts and acknowledging. */
export class Fleet {
  readonly receipts = new Map<string, bigint>();
  readonly acks = new Map<string, string>();
  readonly closed: string[] = [];
  private ready!: Promise<number>;

  private constructor(
    readonly child: Child,
    private readonly dir: string,
  ) {}

  static async start(name: string, server: RunningServer, robots: BenchRobot[], timeoutMs = 180_000): Promise<Fleet> {
    const dir = makeTempDir('robots-fleet');
    const file = path.join(dir, 'robots.json');
    fs.writeFileSync(file, JSON.stringify(robots));
    const child = spawnChild(name, process.execPath, [worker], {
      env: cleanEnv({
        NODE_ENV: 'production',
        BENCH_NO_ACK: process.env.BENCH_NO_ACK ?? '',
        BENCH_ROBOTS_FILE: file,
        BENCH_WS_URL: `ws://127.0.0.1:${server.port}${W}/ws`,
        BENCH_API_URL: `${server.url}${W}`,
      }),
    });
    const fleet = new Fleet(child, dir);
    fleet.ready = new Promise<number>((resolve, reject) => {
      let buffer = '';
      const timer = setTimeout(
        () => reject(new Error(`${name}: ${robots.length} sockets not open after ${timeoutMs / 1000} s:\n${child.output()}`)),
        timeoutMs,
      );
      child.proc.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) {
          const [kind, a, b] = line.split(' ');
          if (kind === 'RECV') fleet.receipts.set(a, BigInt(b));
          else if (kind === 'ACK') fleet.acks.set(a, b);
          else if (kind === 'CLOSED') fleet.closed.push(`${a} (${b})`);
          else if (kind === 'READY') {
            clearTimeout(timer);
            resolve(Number(a));
          } else if (kind === 'FAIL') {
            clearTimeout(timer);
            reject(new Error(`${name}: ${line.slice(5)}`));
          }
        }
      });
      child.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code}) before its sockets were open:\n${child.output()}`));
      });
    });
    try {
      await fleet.ready;
    } catch (err) {
      await fleet.stop();
      throw err;
    }
    return fleet;
  }

  async stop(): Promise<void> {
    await this.child.stop();
    removeTempDir(this.dir);
  }
}

interface PushRun {
  /** Send to receipt on the robot's socket, ms, in send order. */
  latencies: number[];
  /** Send to the HTTP reply, ms. */
  replies: number[];
  /** Server CPU (user + system) per command, µs, including its acknowledgement. */
  cpuUs: number;
  /** The client's CPU per command, µs: the sending bench process and the socket fleet (which acknowledges). */
  clientCpuUs: number;
}

/** A push run as the runner sees it: value = p50 (ms); p50 and p99 must both settle. */
type PushMeasurement = Measurement & { p50: number; p99: number; run: PushRun };

function asMeasurement(run: PushRun): PushMeasurement {
  const p50 = percentile(run.latencies, 50);
  return { value: p50, cpuUs: run.cpuUs, clientCpuUs: run.clientCpuUs, p50, p99: percentile(run.latencies, 99), run };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `sends` commands to random robots, `concurrency` at a time, each timed from just before its
 * request to its frame's arrival; then waits for every frame and every acknowledgement. Fails on
 * any non-200, a frame that never arrives, an acknowledgement refused, or a socket closed.
 */
export async function pushRun(
  server: RunningServer,
  fleet: Fleet,
  robots: BenchRobot[],
  headers: Record<string, string>,
  sends: number,
  concurrency: number,
): Promise<PushRun> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const sent: Array<{ commandId: string; t0: bigint; replyMs: number }> = [];
  const cpuBefore = cpuSeconds(server.pid);
  const clientBefore = { bench: process.cpuUsage(), fleet: cpuSeconds(fleet.child.pid) };
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < sends) {
          const i = next++;
          const robot = robots[Math.floor(Math.random() * robots.length)];
          const body = { robotId: robot.robotId, type: 'text', titleList: ['Zhang San'], content: `bench push ${i}: the parcel is on its way`, atList: [] };
          const t0 = process.hrtime.bigint();
          const r = await call(server.url, 'POST', `${W}/api/robot/send-message`, { body, headers, agent });
          const replyMs = Number(process.hrtime.bigint() - t0) / 1e6;
          if (r.status !== 200 || r.body?.code !== 0 || !r.body?.data?.commandId)
            throw new Error(`${server.name}: POST ${W}/api/robot/send-message: HTTP ${r.status}: ${r.text.slice(0, 300)}`);
          sent.push({ commandId: r.body.data.commandId, t0, replyMs });
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  const deadline = performance.now() + 20_000;
  const missing = () => sent.filter((s) => !fleet.receipts.has(s.commandId) || !fleet.acks.has(s.commandId));
  while (missing().length && performance.now() < deadline && !fleet.child.hasExited()) await sleep(20);
  const lost = missing();
  if (lost.length) {
    const noFrame = lost.filter((s) => !fleet.receipts.has(s.commandId));
    throw new Error(
      `${server.name}: of ${sent.length} commands, ${noFrame.length} never arrived on their robot's socket and ${lost.length - noFrame.length} were ` +
        `never acknowledged within 20 s (first: ${lost[0].commandId})${fleet.closed.length ? `; sockets closed: ${fleet.closed.slice(0, 5).join(', ')}` : ''}`,
    );
  }
  const refused = sent.filter((s) => fleet.acks.get(s.commandId) !== '200');
  if (refused.length)
    throw new Error(
      `${server.name}: ${refused.length} command-result acknowledgements refused (first: ${refused[0].commandId} -> ${fleet.acks.get(refused[0].commandId)})`,
    );
  if (fleet.closed.length)
    throw new Error(`${server.name}: ${fleet.closed.length} robot sockets closed during the run: ${fleet.closed.slice(0, 5).join(', ')}`);
  const cpuUs = ((cpuSeconds(server.pid) - cpuBefore) * 1e6) / sent.length;
  const bench = process.cpuUsage(clientBefore.bench);
  const clientCpuUs = (bench.user + bench.system + (cpuSeconds(fleet.child.pid) - clientBefore.fleet) * 1e6) / sent.length;
  return { latencies: sent.map((s) => Number(fleet.receipts.get(s.commandId)! - s.t0) / 1e6), replies: sent.map((s) => s.replyMs), cpuUs, clientCpuUs };
}

/** Nearest-rank percentile. */
export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

export const robotsPushLatency: FigureModule = {
  name: 'robots-push-latency',
  async run(ctx) {
    const s = ctx.settings;
    const perRun = Math.ceil(s.pushSends / s.runs);
    // Both sides are warmed with 1,000 sends first: Plinth's first thousand commands after boot run
    // ~20 % slower (V8 has not optimised the hot paths yet), and a server lives past them.
    const warm = 1000;
    const plinth = await startWorkbotPlinth();
    const stops: Array<() => Promise<void>> = [() => plinth.stop()];
    try {
      const { ownerHeaders, robots } = await setupRobots(ctx, plinth, s.robots);
      const bare = await wsPush.start();
      stops.push(() => bare.stop());
      let started = performance.now();
      const plinthFleet = await Fleet.start('robot-sockets-plinth', plinth, robots);
      stops.push(() => plinthFleet.stop());
      ctx.log(`  ${robots.length} robot sockets open on Plinth in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      started = performance.now();
      const bareFleet = await Fleet.start('robot-sockets-ws-push', bare, robots);
      stops.push(() => bareFleet.stop());
      ctx.log(`  ${robots.length} robot sockets open on ${wsPush.name} in ${((performance.now() - started) / 1000).toFixed(1)} s`);

      await pushRun(bare, bareFleet, robots, {}, warm, s.pushConcurrency);
      await pushRun(plinth, plinthFleet, robots, ownerHeaders, warm, s.pushConcurrency);
      const show = (m: PushMeasurement) =>
        `p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms (reply p50 ${percentile(m.run.replies, 50).toFixed(2)} ms; cpu µs/command: server ` +
        `${Math.round(m.run.cpuUs)}, client ${Math.round(m.run.clientCpuUs)})`;
      const side = (label: string, run: () => Promise<PushRun>) => ({
        label,
        run: async () => asMeasurement(await run()),
        settleOn: (m: PushMeasurement) => [m.p50, m.p99],
        show,
      });
      const [ceilingRuns, subjectRuns] = await rounds<PushMeasurement>(
        s,
        [
          side(wsPush.name, () => pushRun(bare, bareFleet, robots, {}, perRun, s.pushConcurrency)),
          side('plinth send-message -> socket', () => pushRun(plinth, plinthFleet, robots, ownerHeaders, perRun, s.pushConcurrency)),
        ],
        ctx.log,
      );
      ctx.log(`  load average ${load()}`);

      // Median of the runs' percentiles, like every figure here: one run hit by a burst of other work does not decide it.
      const at = (runs: PushMeasurement[], p: 50 | 99) => runs.map((m) => (p === 50 ? m.p50 : m.p99));
      const note =
        `${robots.length} robots on real WebSockets (worker process), ${subjectRuns.length} × ${perRun} sends to random robots, ${s.pushConcurrency} at ` +
        `a time, each acknowledged with command-result, after ${warm} warm-up sends on each side; median of the runs' percentiles; ` +
        `ratio = ceiling / figure (1 = as fast as the bare push); ` +
        `cpu per command includes its ack, client = the sender and the socket fleet; ceiling: ${wsPush.describe}`;
      const figure = (p: 50 | 99, limit: number): Figure => {
        const value = median(at(subjectRuns, p));
        const ceiling = median(at(ceilingRuns, p));
        return {
          name: `robots-push-latency-p${p}`,
          value: tidy(value),
          unit: 'ms',
          cpuUnit: 'command',
          ceiling_name: `${wsPush.name}-p${p}`,
          ceiling_value: tidy(ceiling),
          ratio: Math.round((ceiling / value) * 1000) / 1000,
          target: { on: 'value', op: '<=', limit },
          samples: at(subjectRuns, p),
          spread: spreadOf(at(subjectRuns, p)),
          ceilingSpread: spreadOf(at(ceilingRuns, p)),
          cpuUs: median(subjectRuns.map((m) => m.run.cpuUs)),
          ceilingCpuUs: median(ceilingRuns.map((m) => m.run.cpuUs)),
          clientCpuUs: median(subjectRuns.map((m) => m.run.clientCpuUs)),
          note,
        };
      };
      return [figure(50, 5), figure(99, 20)];
    } finally {
      for (const stop of stops.reverse()) await stop();
    }
  },
};

const durable = benchDialect === 'postgres' ? 'PostgreSQL, synchronous_commit on' : 'SQLite, the WAL fsynced before each commit resolves';

export const robotsMessageReports: FigureModule = {
  name: 'robots-message-reports',
  async run(ctx) {
    const s = ctx.settings;
    const plinth = await startWorkbotPlinth();
    try {
      const { robots } = await setupRobots(ctx, plinth, s.reportRobots);
      const request = messageReports(robots, `${W}/api/robot/messages`);
      const ceiling = await durableWrite.start();
      try {
        await durableWrite.warmup(ceiling, s);
        await warmupHttp(plinth, request, s);
        const r = await alternate(
          s,
          () => durableWrite.measure(ceiling, s),
          () => measureHttp(plinth, request, s),
          ctx.log,
          [durableWrite.name, `POST ${W}/api/robot/messages`],
        );
        ctx.recordCeiling(durableWrite, r.ceiling);
        ctx.log(`  load average ${load()}`);
        return [
          againstCeiling('robots-message-reports', 'req/s', r.subject, durableWrite.name, r.ceiling, {
            target: ratioTarget,
            note:
              `~100 B spoken, spread over ${robots.length} robots and their tokens, ${s.connections} connections; each = robot-token lookup + ` +
              `usage consume (billing on) + message row + robot counter + outbox event, durable before the 200 (reports arriving together ` +
              `share a commit; the ceiling commits each), ${durable}; access logs off`,
          }),
        ];
      } finally {
        await ceiling.stop();
      }
    } finally {
      await plinth.stop();
    }
  },
};
