// auth-me-*: GET /api/v2/auth/me with a JWT and with an API key, against the raw-driver query route;
// auth-logins: POST /api/v2/auth/login (argon2id verify + session, refresh token, audit row, event)
// against raw argon2id verify throughput. Login rate limits are raised for the run (a bench is one IP).
import fs from 'node:fs';
import path from 'node:path';
import { loginSettings } from '../ceilings/argon2-verify.js';
import { argon2Verify, rawSelect } from '../ceilings/index.js';
import { alternate, measureHttp, warmupHttp, type LoadRequest } from '../lib/autocannon.js';
import type { BenchContext, BenchSettings, Ceiling, FigureModule } from '../lib/context.js';
import { startPlinth, type PlinthServer } from '../lib/plinth.js';
import { makeTempDir, removeTempDir, type RunningServer } from '../lib/process.js';
import { againstCeiling, ratioTarget, type Figure } from '../lib/results.js';

const ADMIN = { email: 'bench@plinth.test', password: 'bench-password-123' };

async function json(server: PlinthServer, method: string, urlPath: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}${urlPath}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${urlPath}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, any>>;
}

async function compare(
  ctx: BenchContext,
  plinth: PlinthServer,
  ceiling: Ceiling,
  server: RunningServer,
  name: string,
  label: string,
  unit: string,
  request: LoadRequest,
  note: string,
  s: BenchSettings = ctx.settings,
): Promise<Figure> {
  await warmupHttp(plinth, request, s);
  const r = await alternate(
    s,
    () => ceiling.measure(server, s),
    () => measureHttp(plinth, request, s),
    ctx.log,
    [ceiling.name, label],
  );
  ctx.recordCeiling(ceiling, r.ceiling);
  return againstCeiling(name, unit, r.subject, ceiling.name, r.ceiling, { target: ratioTarget, note });
}

export const auth: FigureModule = {
  name: 'auth',
  async run(ctx) {
    const dir = makeTempDir('auth-config');
    const configFile = path.join(dir, 'bench.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        settings: {
          // One bench address and account with several logins in flight: every attempt spends from the
          // per-account(-and-address) budgets before its password is checked, so they are raised too.
          auth: {
            limits: {
              loginPerIpPerMinute: 10_000_000,
              loginFailuresPerAccount: 10_000_000,
              loginFailuresPerAccountIp: 10_000_000,
              refreshPerIpPerMinute: 10_000_000,
            },
          },
        },
      }),
    );
    const plinth = await startPlinth({
      logLevel: 'warn',
      env: { PLINTH_PLUGINS: 'auth', PLINTH_CONFIG: configFile, PLINTH_ADMIN_EMAIL: ADMIN.email, PLINTH_ADMIN_PASSWORD: ADMIN.password },
    });
    const figures: Figure[] = [];
    try {
      const login = await json(plinth, 'POST', '/api/v2/auth/login', ADMIN);
      const bearer = { authorization: `Bearer ${login.access_token}` };
      const key = await json(plinth, 'POST', '/api/v2/api-keys', { name: 'bench', scopes: ['account:read'] }, bearer);

      // The ceiling answers rows of the JWT reply's shape (an API key's adds its id: ~50 bytes more for Plinth).
      const me = rawSelect(await json(plinth, 'GET', '/api/v2/auth/me', undefined, bearer));
      const db = await me.start();
      try {
        await me.warmup(db, ctx.settings);
        const note = 'warm principal cache (revocation invalidates it); access logs off';
        figures.push(await compare(ctx, plinth, me, db, 'auth-me-jwt-rps', 'GET /auth/me (JWT)', 'req/s', { path: '/api/v2/auth/me', headers: bearer }, note));
        figures.push(
          await compare(
            ctx,
            plinth,
            me,
            db,
            'auth-me-apikey-rps',
            'GET /auth/me (API key)',
            'req/s',
            { path: '/api/v2/auth/me', headers: { 'x-api-key': key.raw_key } },
            note,
          ),
        );
      } finally {
        await db.stop();
      }

      const logins = loginSettings(ctx.settings);
      const hasher = await argon2Verify.start();
      try {
        await argon2Verify.warmup(hasher, logins);
        const request = { path: '/api/v2/auth/login', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) };
        figures.push(
          await compare(
            ctx,
            plinth,
            argon2Verify,
            hasher,
            'auth-logins',
            'POST /auth/login',
            'logins/s',
            request,
            `argon2id m=19MiB t=2; each login writes a session, refresh token, audit row and event; ${logins.connections} connections`,
            logins,
          ),
        );
      } finally {
        await hasher.stop();
      }
    } finally {
      await plinth.stop();
      removeTempDir(dir);
    }
    return figures;
  },
};
