// scale-out-*: 1 vs 2 Plinth instances on one PostgreSQL (BENCH_DATABASE_URL; skipped on SQLite,
// which one process owns). Both instances run the default config's plugins on one fresh database
// (the second starts once the first has migrated and the setup is done through it: secrets, keys
// and robots live in the database, so either instance serves them). The same HTTP load is sent to
// one instance (BENCH_CONNECTIONS connections, one load generator), then split across both (half
// the connections each, one load generator per instance, run at once): license verify (a bound
// device), GET /auth/me with a JWT, and robot message reports (durable writes). Rounds alternate
// until they agree. Each line: two instances' req/s against one's, their ratio, and what the CPU
// says 2 cores allow: server (both instances) + client + the rest of the machine (PostgreSQL's
// backends on a local server, and on a shared machine other work, read from /proc/stat) per
// request, so N cores allow at most N × 1e6 / that sum req/s. The load generator shares the cores.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { messageReports } from '../ceilings/sqlite-durable-write.js';
import { loadOptions, rounds, runLoad, type LoadRequest } from '../lib/autocannon.js';
import type { BenchContext, FigureModule, Measurement } from '../lib/context.js';
import { benchDialect, scratchDatabase } from '../lib/database.js';
import { startPlinth, type PlinthServer } from '../lib/plinth.js';
import { machineBusySeconds, makeTempDir, removeTempDir } from '../lib/process.js';
import { againstCeiling, median, type Figure } from '../lib/results.js';
import { ADMIN, setupRobots } from './robots.js';

const LIMIT = 1_000_000_000;

/** One run of either side: req/s over all instances, CPU µs per request of the instances, the client and the rest of the machine. */
type ScaleRun = Measurement & { restCpuUs: number; busyCores: number; clientCores: number; serverCores: number };

async function json(server: PlinthServer, method: string, urlPath: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}${urlPath}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`scale-out setup: ${method} ${urlPath}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, any>>;
}

/** The same load, its connections split across `servers` (one load generator each, at once). */
async function measureSplit(ctx: BenchContext, servers: PlinthServer[], request: LoadRequest): Promise<ScaleRun> {
  const s = ctx.settings;
  const busyBefore = machineBusySeconds();
  const started = performance.now();
  const per = Math.max(1, Math.floor(s.connections / servers.length));
  const results = await Promise.all(servers.map((server) => runLoad(server.url, request, { ...loadOptions(s, server.pid), connections: per })));
  const wall = (performance.now() - started) / 1000;
  const busy = machineBusySeconds() - busyBefore;
  const ok = results.reduce((n, r) => n + r.ok, 0);
  const seconds = Math.max(...results.map((r) => r.durationSec));
  const serverUs = results.reduce((n, r) => n + (r.cpuUsPerReq ?? 0) * r.ok, 0);
  const clientUs = results.reduce((n, r) => n + r.clientCpuUsPerReq * r.ok, 0);
  // The whole machine's busy time over the run, less what the bench measured itself: on a quiet
  // machine with a local server, PostgreSQL's share (a remote server's is not counted at all).
  const restUs = Math.max(0, busy * 1e6 - serverUs - clientUs);
  return {
    value: ok / seconds,
    cpuUs: serverUs / ok,
    clientCpuUs: clientUs / ok,
    restCpuUs: restUs / ok,
    busyCores: busy / wall,
    serverCores: serverUs / 1e6 / wall,
    clientCores: clientUs / 1e6 / wall,
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export const scaleOut: FigureModule = {
  name: 'scale-out',
  async run(ctx) {
    if (benchDialect !== 'postgres') {
      ctx.log('  skipped: 1 vs 2 instances needs a shared PostgreSQL (BENCH_DATABASE_URL)');
      return [];
    }
    const s = ctx.settings;
    const cpus = os.cpus().length;
    const dir = makeTempDir('scale-out-config');
    const configFile = path.join(dir, 'bench.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        settings: {
          licensing: { verifyPerIpPerMinute: LIMIT, verifyPerCodePerMinute: LIMIT },
          robots: { requestsPerMinute: LIMIT },
        },
      }),
    );
    const db = await scratchDatabase('scaleout');
    const options = {
      databaseUrl: db.url,
      env: { PLINTH_CONFIG: configFile, PLINTH_ADMIN_EMAIL: ADMIN.email, PLINTH_ADMIN_PASSWORD: ADMIN.password },
    };
    const stops: Array<() => Promise<void>> = [() => db.drop(), async () => removeTempDir(dir)];
    try {
      const a = await startPlinth(options);
      stops.push(() => a.stop());

      // Setup through the first instance, as an operator would.
      const login = await json(a, 'POST', '/api/v2/auth/login', ADMIN);
      const bearer = { authorization: `Bearer ${login.access_token}` };
      const key = await json(a, 'POST', '/api/v2/api-keys', { name: 'bench-scale-out', scopes: ['licenses:manage'] }, bearer);
      const { license } = await json(
        a,
        'POST',
        '/license/api/admin/generate',
        { plan: 'yearly', email: 'customer@bench.test', device_cap: 3 },
        { 'x-api-key': key.raw_key },
      );
      const verify = { activation_code: license.activation_code, email: 'customer@bench.test', device_id: 'bench-device-1', device_name: 'Bench laptop' };
      const first = await json(a, 'POST', '/license/api/verify', verify);
      if (first.isValid !== true) throw new Error(`scale-out setup: the first verify did not bind the device: ${JSON.stringify(first)}`);
      const { robots } = await setupRobots(ctx, a, s.reportRobots);

      const b = await startPlinth(options);
      stops.push(() => b.stop());
      ctx.log(`  two instances on one database: ${a.url} and ${b.url}`);

      const scenarios: Array<{ name: string; label: string; request: LoadRequest }> = [
        {
          name: 'scale-out-license-verify',
          label: 'POST /license/api/verify',
          request: { path: '/license/api/verify', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(verify) },
        },
        { name: 'scale-out-auth-me', label: 'GET /api/v2/auth/me (JWT)', request: { path: '/api/v2/auth/me', headers: bearer } },
        { name: 'scale-out-message-reports', label: 'POST /workbot/api/robot/messages', request: messageReports(robots, '/workbot/api/robot/messages') },
      ];
      const figures: Figure[] = [];
      for (const scenario of scenarios) {
        ctx.log(`  ${scenario.label}`);
        // Warm both instances (JIT, caches) with the load split across them.
        if (s.warmupSec > 0) await Promise.all([a, b].map((server) => runLoad(server.url, scenario.request, loadOptions(s, server.pid, s.warmupSec))));
        const show = (m: ScaleRun) =>
          `${fmt(m.value)} req/s (cpu µs/req: server ${Math.round(m.cpuUs!)}, client ${Math.round(m.clientCpuUs!)}, rest of the machine ` +
          `${Math.round(m.restCpuUs)}; cores busy: ${m.busyCores.toFixed(2)} of ${cpus}, server ${m.serverCores.toFixed(2)}, ` +
          `client ${m.clientCores.toFixed(2)})`;
        const [one, two] = await rounds<ScaleRun>(
          s,
          [
            { label: '1 instance', run: () => measureSplit(ctx, [a], scenario.request), show },
            { label: '2 instances', run: () => measureSplit(ctx, [a, b], scenario.request), show },
          ],
          ctx.log,
        );
        const med = (runs: ScaleRun[], f: (m: ScaleRun) => number) => median(runs.map(f));
        const perReq = (runs: ScaleRun[]) => med(runs, (m) => m.cpuUs! + m.clientCpuUs! + m.restCpuUs);
        const allow = (runs: ScaleRun[]) => (cpus * 1e6) / perReq(runs);
        const side = (runs: ScaleRun[]) =>
          `${fmt(med(runs, (m) => m.value))} req/s with ${med(runs, (m) => m.busyCores).toFixed(2)} of ${cpus} cores busy (server ` +
          `${med(runs, (m) => m.serverCores).toFixed(2)}, client ${med(runs, (m) => m.clientCores).toFixed(2)}); cpu µs/req server ` +
          `${Math.round(med(runs, (m) => m.cpuUs!))} + client ${Math.round(med(runs, (m) => m.clientCpuUs!))} + rest ` +
          `${Math.round(med(runs, (m) => m.restCpuUs))}`;
        const busyNote = os.loadavg()[0] > cpus ? '; the machine was busy with other work, so "rest" overstates PostgreSQL' : '';
        figures.push(
          againstCeiling(scenario.name, 'req/s', two, '1-instance', one, {
            note:
              `${scenario.label}, ${s.connections} connections (split ${Math.floor(s.connections / 2)} + ${Math.floor(s.connections / 2)} over two ` +
              `instances and two load generators); one instance: ${side(one)}; two: ${side(two)}. What ${cpus} cores allow at these costs: at most ` +
              `${fmt(allow(two))} req/s (${cpus} × 1e6 / the cpu µs per request of two instances, client and rest of the machine included: the ` +
              `load generator and PostgreSQL share the cores${busyNote})`,
          }),
        );
      }
      return figures;
    } finally {
      for (const stop of stops.reverse()) await stop();
    }
  },
};
