// HTTP load in a process of its own, so the load generator neither shares the bench process's
// event loop nor hides its CPU: wrk when it is installed (lib/wrk.ts; its CPU read from
// /proc/<pid>/stat once its run is done), else autocannon in workers/load.mjs (its CPU from
// process.cpuUsage() around the run). BENCH_LOAD_GENERATOR=autocannon|wrk picks one. And the
// ceiling/subject alternation every figure uses, repeated until the runs agree.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchSettings, Measurement } from './context.js';
import { cleanEnv, cpuSeconds, spawnChild, waitForLine, waitIdle } from './process.js';
import { spread } from './results.js';
import { findWrk, runWrk } from './wrk.js';

const loadWorker = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'workers', 'load.mjs');
const wrk = findWrk();

/** Which HTTP load generator this bench uses, for the log. */
export const loadGenerator = wrk ? `wrk (${wrk}, Lua script per run)` : 'autocannon (workers/load.mjs, a child process)';

export interface LoadRequest {
  /** Path on the server, e.g. '/health'. */
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Merged over headers/body, one per request, cycled: e.g. to spread the load over many robots
   * and their tokens. Plain data, since the load generator is another process. */
  variants?: Array<{ headers?: Record<string, string>; body?: string }>;
}

export interface LoadResult {
  /** 2xx responses per second over the run. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  durationSec: number;
  /** Server CPU (user + system) per 2xx response, in µs, when the server's pid was given. */
  cpuUsPerReq: number | null;
  /** The load generator's CPU per 2xx response, in µs. */
  clientCpuUsPerReq: number;
}

interface WorkerResult {
  ok: number;
  duration: number;
  p50: number;
  p99: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
  clientCpuUs: number;
  /** The first non-2xx status and body, when the generator reports it. */
  firstBad?: string;
}

async function autocannonRun(spec: {
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: string;
  variants?: LoadRequest['variants'];
  connections: number;
  durationSec: number;
}): Promise<WorkerResult> {
  const child = spawnChild('load', process.execPath, [loadWorker], { env: cleanEnv({ BENCH_LOAD: JSON.stringify(spec) }) });
  try {
    const m = await waitForLine(child, /^RESULT (.+)$/, (spec.durationSec + 60) * 1000);
    return JSON.parse(m[1]) as WorkerResult;
  } finally {
    await child.stop();
  }
}

/** One load run; any connection error or non-2xx reply fails it rather than flattering the figure. */
export async function runLoad(
  baseUrl: string,
  request: LoadRequest,
  options: { connections: number; durationSec: number; serverPid?: number; threads?: number; drain?: boolean },
): Promise<LoadResult> {
  const url = new URL(request.path ?? '/', baseUrl).toString();
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error(`bench traffic stays on loopback; refusing ${url}`);
  const spec = {
    url,
    method: request.method ?? 'GET',
    headers: request.headers,
    body: request.body,
    variants: request.variants,
    connections: options.connections,
    durationSec: options.durationSec,
  };
  const cpuBefore = options.serverPid ? cpuSeconds(options.serverPid) : 0;
  const result: WorkerResult = wrk ? { ...(await runWrk(wrk, { ...spec, threads: options.threads ?? 1 })), statusCodeStats: {} } : await autocannonRun(spec);
  if (result.errors || result.timeouts || result.non2xx) {
    const codes = Object.entries(result.statusCodeStats ?? {})
      .map(([code, s]) => `${code}×${s.count}`)
      .join(' ');
    const detail = [codes, result.firstBad ? `first: ${result.firstBad}` : ''].filter(Boolean).join('; ');
    throw new Error(`${spec.method} ${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx${detail ? ` (${detail})` : ''}`);
  }
  const ok = result.ok;
  // The server's CPU is read around the whole child (start-up included): the child's own start
  // costs the server nothing, so this is the run's work.
  const cpuUsPerReq = options.serverPid && ok ? ((cpuSeconds(options.serverPid) - cpuBefore) * 1e6) / ok : null;
  // Requests still queued in the server when the generator stopped are not this run's, nor the next's.
  if (options.serverPid && options.drain !== false) await waitIdle(options.serverPid);
  return {
    rps: ok / result.duration,
    p50Ms: result.p50,
    p99Ms: result.p99,
    ok,
    durationSec: result.duration,
    cpuUsPerReq,
    clientCpuUsPerReq: ok ? result.clientCpuUs / ok : 0,
  };
}

export const loadOptions = (s: BenchSettings, serverPid?: number, durationSec = s.durationSec) => ({
  connections: s.connections,
  durationSec,
  serverPid,
  threads: s.wrkThreads,
});

/** One measured HTTP run as a Measurement (req/s, server CPU µs per request). */
export async function measureHttp(server: { url: string; pid: number }, request: LoadRequest, s: BenchSettings): Promise<Measurement> {
  const r = await runLoad(server.url, request, loadOptions(s, server.pid));
  return { value: r.rps, cpuUs: r.cpuUsPerReq, clientCpuUs: r.clientCpuUsPerReq };
}

/** Unmeasured load on a fresh server (JIT, caches), `s.warmupSec` long; then waits for it to work off its queue. */
export async function warmupHttp(server: { url: string; pid?: number }, request: LoadRequest, s: BenchSettings): Promise<void> {
  if (s.warmupSec > 0) await runLoad(server.url, request, loadOptions(s, server.pid, s.warmupSec));
}

/** One side of a comparison: what one run measures, and which of its numbers must settle. */
export interface Side<T extends Measurement = Measurement> {
  label: string;
  run: () => Promise<T>;
  /** The numbers whose spread across runs must fall to `maxSpread` (default: `value`); e.g. p50 and p99. */
  settleOn?: (m: T) => number[];
  /** The run's log text (default: the value, with server and client CPU per unit). */
  show?: (m: T) => string;
}

const showMeasurement = (m: Measurement) => {
  if (m.cpuUs === null) return `${Math.round(m.value)}`;
  const client = m.clientCpuUs === undefined ? '' : `, client ${Math.round(m.clientCpuUs)}`;
  return `${Math.round(m.value)} (cpu µs each: server ${Math.round(m.cpuUs)}${client})`;
};

/** Whether every number a side settles on has runs within `maxSpread` ((max − min) / median). */
export function isSettled<T extends Measurement>(side: Side<T>, runs: T[], maxSpread: number): boolean {
  const vectors = runs.map((m) => (side.settleOn ? side.settleOn(m) : [m.value]));
  return vectors.length > 0 && vectors[0].every((_, k) => spread(vectors.map((v) => v[k])) <= maxSpread);
}

/**
 * The runner every figure uses: rounds of one run of each side in turn (ceiling, then Plinth, …),
 * so drift (thermal, other tenants) hits all sides alike; at least `s.runs` rounds, then more (up to
 * `s.maxRuns`) while any side's spread is above `s.maxSpread`. A figure still above it after that is
 * printed as unsettled (lib/results.ts). Returns each side's runs, in run order.
 */
export async function rounds<T extends Measurement>(
  s: Pick<BenchSettings, 'runs' | 'maxRuns' | 'maxSpread'>,
  sides: Array<Side<T>>,
  log: (msg: string) => void,
): Promise<T[][]> {
  const out: T[][] = sides.map(() => []);
  const settled = () => sides.every((side, j) => isSettled(side, out[j], s.maxSpread));
  for (let i = 0; i < s.runs || (i < s.maxRuns && !settled()); i++) {
    if (i >= s.runs) log(`  runs spread over more than ±${Math.round((s.maxSpread * 100) / 2)}%: round ${i + 1} of at most ${s.maxRuns}`);
    for (const [j, side] of sides.entries()) {
      const m = await side.run();
      out[j].push(m);
      log(`  run ${i + 1}: ${side.label} ${(side.show ?? showMeasurement)(m)}`);
    }
  }
  return out;
}

/** `rounds` of a ceiling and a subject (Plinth). */
export async function alternate(
  s: Pick<BenchSettings, 'runs' | 'maxRuns' | 'maxSpread'>,
  ceiling: () => Promise<Measurement>,
  subject: () => Promise<Measurement>,
  log: (msg: string) => void,
  labels: [string, string],
): Promise<{ ceiling: Measurement[]; subject: Measurement[] }> {
  const [c, subj] = await rounds(
    s,
    [
      { label: labels[0], run: ceiling },
      { label: labels[1], run: subject },
    ],
    log,
  );
  return { ceiling: c, subject: subj };
}
