// builds-*: this checkout against another build of Plinth (BENCH_BASELINE=<a checkout's root, built>),
// alternating runs of the same requests on both: how a refactor is held to "the figures do not change",
// measured before and after in one run. Not in the default run: `BENCH_BASELINE=… npm run bench -- builds`.
// BENCH_BASELINE_NODE runs the baseline on another Node.js (a checkout whose `npm ci` ran with it), which
// compares Node.js versions the same way.
// Each line's "ceiling" is the baseline build: ratio > 1 means this checkout is faster.
import fs from 'node:fs';
import path from 'node:path';
import { alternate, measureHttp, warmupHttp, type LoadRequest } from '../lib/autocannon.js';
import type { FigureModule } from '../lib/context.js';
import { startPlinth, type PlinthServer } from '../lib/plinth.js';
import { makeTempDir, removeTempDir } from '../lib/process.js';
import { againstCeiling, type Figure } from '../lib/results.js';

const ADMIN = { email: 'bench@plinth.test', password: 'bench-password-123' };
const LIMIT = 1_000_000_000;

async function json(server: PlinthServer, method: string, urlPath: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}${urlPath}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${urlPath}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, any>>;
}

/** The requests each build answers, set up through its API: a JWT, an API key, a bound license device. */
async function requestsOf(server: PlinthServer): Promise<Array<{ name: string; label: string; request: LoadRequest }>> {
  const login = await json(server, 'POST', '/api/v2/auth/login', ADMIN);
  const bearer = { authorization: `Bearer ${login.access_token}` };
  const key = await json(server, 'POST', '/api/v2/api-keys', { name: 'bench', scopes: ['account:read', 'licenses:manage'] }, bearer);
  const { license } = await json(
    server,
    'POST',
    '/license/api/admin/generate',
    { plan: 'yearly', email: 'customer@bench.test', device_cap: 3 },
    { 'x-api-key': key.raw_key },
  );
  const verify = JSON.stringify({ activation_code: license.activation_code, email: 'customer@bench.test', device_id: 'bench-device-1', device_name: 'Bench' });
  await json(server, 'POST', '/license/api/verify', JSON.parse(verify));
  return [
    { name: 'builds-health-rps', label: 'GET /health', request: { path: '/health' } },
    { name: 'builds-auth-me-jwt-rps', label: 'GET /auth/me (JWT)', request: { path: '/api/v2/auth/me', headers: bearer } },
    { name: 'builds-auth-me-apikey-rps', label: 'GET /auth/me (API key)', request: { path: '/api/v2/auth/me', headers: { 'x-api-key': key.raw_key } } },
    {
      name: 'builds-license-verify-rps',
      label: 'POST /license/api/verify',
      request: { path: '/license/api/verify', method: 'POST', headers: { 'content-type': 'application/json' }, body: verify },
    },
  ];
}

export const builds: FigureModule = {
  name: 'builds',
  async run(ctx) {
    const baseline = process.env.BENCH_BASELINE;
    if (!baseline) throw new Error('builds compares against another checkout: set BENCH_BASELINE to its root (built with npm run build)');
    const dir = makeTempDir('builds-config');
    const configFile = path.join(dir, 'bench.json');
    fs.writeFileSync(configFile, JSON.stringify({ settings: { licensing: { verifyPerIpPerMinute: LIMIT, verifyPerCodePerMinute: LIMIT } } }));
    const env = { PLINTH_PLUGINS: 'auth,licensing', PLINTH_CONFIG: configFile, PLINTH_ADMIN_EMAIL: ADMIN.email, PLINTH_ADMIN_PASSWORD: ADMIN.password };
    const node = process.env.BENCH_BASELINE_NODE || undefined;
    const before = await startPlinth({ env, root: path.resolve(baseline), node });
    const after = await startPlinth({ env });
    const figures: Figure[] = [];
    try {
      const [beforeRequests, afterRequests] = [await requestsOf(before), await requestsOf(after)];
      for (const [i, { name, label, request }] of afterRequests.entries()) {
        const s = ctx.settings;
        await warmupHttp(before, beforeRequests[i].request, s);
        await warmupHttp(after, request, s);
        const r = await alternate(
          s,
          () => measureHttp(before, beforeRequests[i].request, s),
          () => measureHttp(after, request, s),
          ctx.log,
          [`baseline ${label}`, label],
        );
        figures.push(
          againstCeiling(name, 'req/s', r.subject, `baseline (${path.basename(path.resolve(baseline))}${node ? `, ${node}` : ''})`, r.ceiling, {
            note: `this checkout ÷ BENCH_BASELINE=${baseline}`,
          }),
        );
      }
    } finally {
      await Promise.all([before.stop(), after.stop()]);
      removeTempDir(dir);
    }
    return figures;
  },
};
