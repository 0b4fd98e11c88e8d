// license-verify-rps: POST /license/api/verify for a device already bound to its license (the
// platform's hottest path: every client start), against the raw-driver query route. Setup goes
// through the API like a self-hoster's: the owner logs in, makes an API key with licenses:manage,
// generates a license and binds one device with a first verify; the load then repeats that
// device's verify. The verify rate limits (per IP, per code) are raised for the run: a bench is one
// IP and one code, which the defaults (600 and 120 a minute) would refuse within a second.
import fs from 'node:fs';
import path from 'node:path';
import { rawSelect as rawSelectFor } from '../ceilings/index.js';
import { alternate, measureHttp, warmupHttp } from '../lib/autocannon.js';
import type { FigureModule } from '../lib/context.js';
import { startPlinth, type PlinthServer } from '../lib/plinth.js';
import { makeTempDir, removeTempDir } from '../lib/process.js';
import { againstCeiling, ratioTarget, type Figure } from '../lib/results.js';

const ADMIN = { email: 'bench@plinth.test', password: 'bench-password-123' };
const LIMIT = 1_000_000_000;

async function json(server: PlinthServer, method: string, urlPath: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}${urlPath}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${urlPath}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, any>>;
}

export const licensing: FigureModule = {
  name: 'licensing',
  async run(ctx) {
    const dir = makeTempDir('licensing-config');
    const configFile = path.join(dir, 'bench.json');
    fs.writeFileSync(configFile, JSON.stringify({ settings: { licensing: { verifyPerIpPerMinute: LIMIT, verifyPerCodePerMinute: LIMIT } } }));
    const plinth = await startPlinth({
      logLevel: 'warn',
      env: { PLINTH_PLUGINS: 'auth,licensing', PLINTH_CONFIG: configFile, PLINTH_ADMIN_EMAIL: ADMIN.email, PLINTH_ADMIN_PASSWORD: ADMIN.password },
    });
    try {
      const login = await json(plinth, 'POST', '/api/v2/auth/login', ADMIN);
      const key = await json(
        plinth,
        'POST',
        '/api/v2/api-keys',
        { name: 'bench-licensing', scopes: ['licenses:manage'] },
        { authorization: `Bearer ${login.access_token}` },
      );
      const { license } = await json(
        plinth,
        'POST',
        '/license/api/admin/generate',
        { plan: 'yearly', email: 'customer@bench.test', device_cap: 3 },
        { 'x-api-key': key.raw_key },
      );
      const verify = { activation_code: license.activation_code, email: 'customer@bench.test', device_id: 'bench-device-1', device_name: 'Bench laptop' };
      const first = await json(plinth, 'POST', '/license/api/verify', verify);
      if (first.isValid !== true) throw new Error(`the first verify did not bind the device: ${JSON.stringify(first)}`);

      const request = { path: '/license/api/verify', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(verify) };
      const rawSelect = rawSelectFor(first, request.body);
      const db = await rawSelect.start();
      try {
        const s = ctx.settings;
        await rawSelect.warmup(db, s);
        await warmupHttp(plinth, request, s);
        const r = await alternate(
          s,
          () => rawSelect.measure(db, s),
          () => measureHttp(plinth, request, s),
          ctx.log,
          [rawSelect.name, 'POST /license/api/verify (bound device)'],
        );
        ctx.recordCeiling(rawSelect, r.ceiling);
        const note =
          'one bound device, same device_id each request; license and device served from the verify cache, last-seen batched once a second; verify ' +
          'rate limits raised to 1e9/min (one bench IP, one code); access logs off';
        const figure: Figure = againstCeiling('license-verify-rps', 'req/s', r.subject, rawSelect.name, r.ceiling, {
          target: ratioTarget,
          note,
        });
        return [figure];
      } finally {
        await db.stop();
      }
    } finally {
      await plinth.stop();
      removeTempDir(dir);
    }
  },
};
