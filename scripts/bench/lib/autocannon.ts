// HTTP load with autocannon, run in a process of its own (workers/load.mjs) so the load generator
// neither shares the bench process's event loop nor hides its CPU; and the ceiling/subject
// alternation every throughput figure uses, repeated until the runs agree.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchSettings, Measurement } from './context.js';
import { cleanEnv, cpuSeconds, spawnChild, waitForLine } from './process.js';
import { spread } from './results.js';

const loadWorker = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'workers', 'load.mjs');

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
}

/** One autocannon run; any connection error or non-2xx reply fails it rather than flattering the figure. */
export async function runLoad(
  baseUrl: string,
  request: LoadRequest,
  options: { connections: number; durationSec: number; serverPid?: number },
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
  const child = spawnChild('load', process.execPath, [loadWorker], { env: cleanEnv({ BENCH_LOAD: JSON.stringify(spec) }) });
  let result: WorkerResult;
  const cpuBefore = options.serverPid ? cpuSeconds(options.serverPid) : 0;
  try {
    const m = await waitForLine(child, /^RESULT (.+)$/, (options.durationSec + 60) * 1000);
    result = JSON.parse(m[1]) as WorkerResult;
  } finally {
    await child.stop();
  }
  if (result.errors || result.timeouts || result.non2xx) {
    const codes = Object.entries(result.statusCodeStats ?? {})
      .map(([code, s]) => `${code}×${s.count}`)
      .join(' ');
    throw new Error(`${spec.method} ${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx (${codes})`);
  }
  const ok = result.ok;
  // The server's CPU is read around the whole child (start-up included): the child's own start
  // costs the server nothing, so this is the run's work.
  const cpuUsPerReq = options.serverPid && ok ? ((cpuSeconds(options.serverPid) - cpuBefore) * 1e6) / ok : null;
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

export const loadOptions = (s: BenchSettings, serverPid?: number, durationSec = s.durationSec) => ({ connections: s.connections, durationSec, serverPid });

/** One measured HTTP run as a Measurement (req/s, server CPU µs per request). */
export async function measureHttp(server: { url: string; pid: number }, request: LoadRequest, s: BenchSettings): Promise<Measurement> {
  const r = await runLoad(server.url, request, loadOptions(s, server.pid));
  return { value: r.rps, cpuUs: r.cpuUsPerReq, clientCpuUs: r.clientCpuUsPerReq };
}

/** Unmeasured load on a fresh server (JIT, caches), `s.warmupSec` long. */
export async function warmupHttp(server: { url: string }, request: LoadRequest, s: BenchSettings): Promise<void> {
  if (s.warmupSec > 0) await runLoad(server.url, request, loadOptions(s, undefined, s.warmupSec));
}

/**
 * Rounds of ceiling-then-subject, so drift (thermal, other tenants) hits both alike: at least
 * `s.runs`, then more (up to `s.maxRuns`) while either side's spread (max − min over the median)
 * is above `s.maxSpread`. Returns the samples of each, in run order.
 */
export async function alternate(
  s: Pick<BenchSettings, 'runs' | 'maxRuns' | 'maxSpread'>,
  ceiling: () => Promise<Measurement>,
  subject: () => Promise<Measurement>,
  log: (msg: string) => void,
  labels: [string, string],
): Promise<{ ceiling: Measurement[]; subject: Measurement[] }> {
  const out = { ceiling: [] as Measurement[], subject: [] as Measurement[] };
  const show = (m: Measurement) =>
    `${Math.round(m.value)}${m.cpuUs === null ? '' : ` (cpu µs each: server ${Math.round(m.cpuUs)}, client ${Math.round(m.clientCpuUs ?? 0)})`}`;
  const settled = () => spread(out.ceiling.map((m) => m.value)) <= s.maxSpread && spread(out.subject.map((m) => m.value)) <= s.maxSpread;
  for (let i = 0; i < s.runs || (i < s.maxRuns && !settled()); i++) {
    out.ceiling.push(await ceiling());
    log(`  run ${i + 1}: ${labels[0]} ${show(out.ceiling[i])}`);
    out.subject.push(await subject());
    log(`  run ${i + 1}: ${labels[1]} ${show(out.subject[i])}`);
  }
  return out;
}
