// HTTP load with autocannon (in the bench process; the servers are children), and the
// ceiling/subject alternation every throughput figure uses.
import autocannon from 'autocannon';
import type { BenchSettings, Measurement } from './context.js';
import { cpuSeconds } from './process.js';

export interface LoadRequest {
  /** Path on the server, e.g. '/health'. */
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Called for every request: headers merged over `headers`, and the body, e.g. to spread the
   * load over many robots and their tokens. Costs the load generator a request build each time. */
  vary?: () => { headers?: Record<string, string>; body?: string };
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
  /** This process's (autocannon's) CPU per 2xx response, in µs. */
  clientCpuUsPerReq: number;
}

const varied = (vary: NonNullable<LoadRequest['vary']>) => (req: Record<string, any>) => {
  const v = vary();
  return { ...req, headers: { ...req.headers, ...v.headers }, ...(v.body === undefined ? {} : { body: v.body }) };
};

/** One autocannon run; any connection error or non-2xx reply fails it rather than flattering the figure. */
export async function runLoad(baseUrl: string, request: LoadRequest, options: { connections: number; durationSec: number; serverPid?: number }): Promise<LoadResult> {
  const url = new URL(request.path ?? '/', baseUrl).toString();
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error(`bench traffic stays on loopback; refusing ${url}`);
  const cpuBefore = options.serverPid ? cpuSeconds(options.serverPid) : 0;
  const clientBefore = process.cpuUsage();
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.durationSec,
    pipelining: 1,
    timeout: 10,
    method: request.method ?? 'GET',
    headers: request.headers,
    body: request.body,
    ...(request.vary ? { requests: [{ setupRequest: varied(request.vary) }] } : {}),
  });
  if (result.errors || result.timeouts || result.non2xx) {
    const codes = Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => `${code}×${s.count}`).join(' ');
    throw new Error(`${request.method ?? 'GET'} ${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx (${codes})`);
  }
  const client = process.cpuUsage(clientBefore);
  const ok = result['2xx'];
  const cpuUsPerReq = options.serverPid && ok ? ((cpuSeconds(options.serverPid) - cpuBefore) * 1e6) / ok : null;
  return { rps: ok / result.duration, p50Ms: result.latency.p50, p99Ms: result.latency.p99, ok, durationSec: result.duration, cpuUsPerReq, clientCpuUsPerReq: ok ? (client.user + client.system) / ok : 0 };
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
 * `runs` rounds of ceiling-then-subject, so drift (thermal, other tenants) hits both alike.
 * Returns the samples of each, in run order.
 */
export async function alternate(
  runs: number,
  ceiling: () => Promise<Measurement>,
  subject: () => Promise<Measurement>,
  log: (msg: string) => void,
  labels: [string, string],
): Promise<{ ceiling: Measurement[]; subject: Measurement[] }> {
  const out = { ceiling: [] as Measurement[], subject: [] as Measurement[] };
  const show = (m: Measurement) => `${Math.round(m.value)}${m.cpuUs === null ? '' : ` (cpu µs each: server ${Math.round(m.cpuUs)}, client ${Math.round(m.clientCpuUs ?? 0)})`}`;
  for (let i = 0; i < runs; i++) {
    out.ceiling.push(await ceiling());
    log(`  run ${i + 1}/${runs}: ${labels[0]} ${show(out.ceiling[i])}`);
    out.subject.push(await subject());
    log(`  run ${i + 1}/${runs}: ${labels[1]} ${show(out.subject[i])}`);
  }
  return out;
}
