// The HTTP load generator when wrk is not installed (lib/wrk.ts is used when it is), in a process
// of its own so it never shares a CPU budget (or an event loop) with the bench's bookkeeping: reads
// one run's spec from BENCH_LOAD (JSON), runs autocannon, prints `RESULT <json>` with the counts,
// latencies and its own CPU time (process.cpuUsage() around the run: Node's start-up and module
// loading are left out, as wrk's start is negligible). `variants` (optional) are
// {headers, body} pairs merged over the base request, cycled round-robin across all requests.
import autocannon from 'autocannon';

const spec = JSON.parse(process.env.BENCH_LOAD ?? 'null');
if (!spec) throw new Error('BENCH_LOAD is required');
const { url, method = 'GET', headers, body, variants, connections, durationSec } = spec;

let next = 0;
const setupRequest = (req) => {
  const v = variants[next++ % variants.length];
  return { ...req, headers: { ...req.headers, ...v.headers }, ...(v.body === undefined ? {} : { body: v.body }) };
};

const cpu = process.cpuUsage();
const result = await autocannon({
  url,
  connections,
  duration: durationSec,
  pipelining: 1,
  timeout: 10,
  method,
  headers,
  body,
  ...(variants?.length ? { requests: [{ setupRequest }] } : {}),
});
const used = process.cpuUsage(cpu);
console.log(
  `RESULT ${JSON.stringify({
    ok: result['2xx'],
    duration: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodeStats: result.statusCodeStats,
    clientCpuUs: used.user + used.system,
  })}`,
);
