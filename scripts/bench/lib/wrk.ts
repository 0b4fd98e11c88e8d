// wrk (Debian's package, https://github.com/wg/wrk) as the HTTP load generator: a C event loop per
// thread, far cheaper per request than a Node client, so on a small machine it takes less of the
// CPU the server under test needs. Each run gets a generated Lua script (`-s`): the method, headers
// and body, the per-request variants pre-formatted in init() and cycled by request(), a response()
// hook counting non-2xx replies (wrk itself only counts statuses > 399), and a done() hook that
// prints `RESULT <json>` and then waits on stdin, so the bench reads the finished process's CPU
// time (user + system of all its threads, /proc/<pid>/stat) before letting it exit.
import fs from 'node:fs';
import path from 'node:path';
import { cleanEnv, cpuSeconds, makeTempDir, removeTempDir, spawnChild, waitForLine } from './process.js';

/** wrk's path when `command -v wrk` would find it (and BENCH_LOAD_GENERATOR is not `autocannon`), else null. */
export function findWrk(): string | null {
  const wanted = process.env.BENCH_LOAD_GENERATOR;
  if (wanted === 'autocannon') return null;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir || '.', 'wrk');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  if (wanted === 'wrk') throw new Error('BENCH_LOAD_GENERATOR=wrk but no wrk on PATH (apt-get install wrk)');
  return null;
}

export interface WrkSpec {
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: string;
  variants?: Array<{ headers?: Record<string, string>; body?: string }>;
  connections: number;
  durationSec: number;
  threads: number;
}

export interface WrkResult {
  /** Replies with a 2xx status. */
  ok: number;
  non2xx: number;
  /** connect + read + write socket errors. */
  errors: number;
  timeouts: number;
  /** Seconds wrk ran (its own measure). */
  duration: number;
  p50: number;
  p99: number;
  /** wrk's CPU time, user + system over all its threads, µs. */
  clientCpuUs: number;
}

/** A Lua string literal for any bytes: printable ASCII as is, everything else as a \ddd escape. */
export function luaString(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    out += byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c ? String.fromCharCode(byte) : `\\${String(byte).padStart(3, '0')}`;
  }
  return `${out}"`;
}

const luaHeaders = (headers: Record<string, string> = {}) =>
  `{ ${Object.entries(headers)
    .map(([k, v]) => `[${luaString(k)}] = ${luaString(v)}`)
    .join(', ')} }`;

/** The run's Lua script: see the file's header. */
export function wrkScript(spec: Pick<WrkSpec, 'method' | 'headers' | 'body' | 'variants'>): string {
  const lines = [
    `wrk.method = ${luaString(spec.method)}`,
    ...Object.entries(spec.headers ?? {}).map(([k, v]) => `wrk.headers[${luaString(k)}] = ${luaString(v)}`),
    spec.body === undefined ? '' : `wrk.body = ${luaString(spec.body)}`,
    '',
    'local threads = {}',
    'function setup(thread)',
    '  thread:set("offset", #threads * 7919)',
    '  table.insert(threads, thread)',
    'end',
    '',
    'non2xx = 0',
    'function response(status, headers, body)',
    '  if status < 200 or status > 299 then',
    '    non2xx = non2xx + 1',
    '    if not first_bad then first_bad = status .. " " .. string.sub(body or "", 1, 200) end',
    '  end',
    'end',
  ];
  if (spec.variants?.length) {
    lines.push(
      '',
      'local variants = {',
      ...spec.variants.map((v) => `  { headers = ${luaHeaders(v.headers)}, body = ${v.body === undefined ? 'nil' : luaString(v.body)} },`),
      '}',
      'local requests, count, next_index',
      'function init(args)',
      '  requests = {}',
      '  for i, v in ipairs(variants) do',
      '    local h = {}',
      '    for k, x in pairs(wrk.headers) do h[k] = x end',
      '    for k, x in pairs(v.headers) do h[k] = x end',
      '    requests[i] = wrk.format(nil, nil, h, v.body or wrk.body)',
      '  end',
      '  count = #requests',
      '  next_index = (offset or 0) % count',
      'end',
      'function request()',
      '  next_index = next_index % count + 1',
      '  return requests[next_index]',
      'end',
    );
  }
  lines.push(
    '',
    'function done(summary, latency, requests)',
    '  local bad, first = 0, ""',
    '  for _, t in ipairs(threads) do',
    '    bad = bad + (t:get("non2xx") or 0)',
    '    if first == "" then first = t:get("first_bad") or "" end',
    '  end',
    '  first = string.gsub(first, "[^%w %.,:;_/=%(%)%[%]{}<>%-]", " ")',
    '  local e = summary.errors',
    '  io.write(string.format(\'RESULT {"requests":%d,"durationUs":%d,"p50Us":%.1f,"p99Us":%.1f,"errors":%d,"timeouts":%d,"non2xx":%d,"firstBad":"%s"}\\n\',',
    '    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write, e.timeout, bad, first))',
    '  io.stdout:flush()',
    '  io.read("*l") -- the bench reads our CPU time, then closes stdin',
    'end',
  );
  return `${lines.join('\n')}\n`;
}

/** One wrk run. Fails on a result line it cannot read; the caller decides about errors and non-2xx. */
export async function runWrk(wrk: string, spec: WrkSpec): Promise<WrkResult & { firstBad: string }> {
  const dir = makeTempDir('wrk');
  const script = path.join(dir, 'load.lua');
  fs.writeFileSync(script, wrkScript(spec));
  const threads = Math.max(1, Math.min(spec.threads, spec.connections));
  const args = ['-t', String(threads), '-c', String(spec.connections), '-d', `${spec.durationSec}s`, '--timeout', '10s', '-s', script, spec.url];
  const child = spawnChild('wrk', wrk, args, { env: cleanEnv({}), stdin: 'pipe' });
  try {
    const m = await waitForLine(child, /^RESULT (\{.*\})\s*$/, (spec.durationSec + 60) * 1000);
    // done() has run: every thread has stopped and wrk waits on stdin, so this is its whole CPU time.
    const clientCpuUs = cpuSeconds(child.pid) * 1e6;
    child.proc.stdin!.end();
    const r = JSON.parse(m[1]) as {
      requests: number;
      durationUs: number;
      p50Us: number;
      p99Us: number;
      errors: number;
      timeouts: number;
      non2xx: number;
      firstBad: string;
    };
    return {
      ok: r.requests - r.non2xx,
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: r.timeouts,
      duration: r.durationUs / 1e6,
      p50: r.p50Us / 1000,
      p99: r.p99Us / 1000,
      clientCpuUs,
      firstBad: r.firstBad,
    };
  } finally {
    await child.stop();
    removeTempDir(dir);
  }
}
