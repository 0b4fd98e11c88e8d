import fs from 'node:fs';
import path from 'node:path';
import { Router } from '@koa/router';
import type { Middleware } from 'koa';
import { isUnder } from './server.js';
import { AppError } from '../errors.js';
import { type AdminChallenge, type AdminSignIn, SESSION_COOKIE, assertRole, type Principal } from './auth.js';
import type { HttpContext } from './context.js';
import { toFieldErrors, validatorOnFirstUse } from '../validation.js';
import { listApplied } from '../db/migrations.js';
import { sqliteFile } from '../db/connection.js';
import { packageVersion, uiBuildDir } from '../paths.js';
import type { AppView } from '../app-view.js';
import { PassThrough } from 'node:stream';
import { checkOne, type LiveClient } from '../live.js';
import { allowedPages } from './page-access.js';
import { adminAlertRoutes } from './admin-alerts.js';
import { collectOverview } from '../overview/compose.js';
import { PLUGIN_API_VERSION } from '../plugin-api/version.js';
import { pluginUiFile } from '../plugins/ui-build.js';
import { pluginStatuses } from '../plugins/status.js';
import { CoreErrors } from '../core-errors.js';

const LIVE_STREAMS_PER_PRINCIPAL = 8;
const LIVE_BEAT_MS = 15_000;

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json' };

/**
 * The built bundle's files, by the name they are served under: only these can ever be served (no
 * path traversal). Listed at boot; each is read at its first request and kept (source maps, most of
 * the 3.4 MB, are asked for only by a browser's developer tools).
 */
function listAssets(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(path.relative(uiBuildDir, full).split(path.sep).join('/'), full);
    }
  };
  walk(uiBuildDir);
  return files;
}

const indexHtml = () => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Plinth admin</title>
<link rel="icon" type="image/svg+xml" href="/admin/assets/favicon.svg">
<link rel="stylesheet" href="/admin/assets/shell.css">
</head>
<body>
<div id="app"></div>
<script type="module" src="/admin/assets/shell.js"></script>
</body>
</html>
`;

/** The admin UI's icon: the brand's "P" on the accent colour (served inline, so no build step and no 404 on every load). */
const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#3452d6"/>\
<path d="M11 25V7h7a6 6 0 0 1 0 12h-3v6z M15 15h3a2 2 0 0 0 0-4h-3z" fill="#fff" fill-rule="evenodd"/></svg>`;

/** With `required_step` only when there is one: a page to go through before any other (auth's second-factor set-up under its policy). */
const describePrincipal = (p: Principal) => ({
  id: p.id,
  kind: p.kind,
  name: p.name ?? null,
  // The shell speaks it; null: the browser's languages decide.
  language: p.language ?? null,
  roles: p.roles,
  tenant_id: p.tenantId,
  ...(p.attributes?.requiredStep ? { required_step: p.attributes.requiredStep as { href: string; reason: string } } : {}),
});

/** Who the request is signed in as, or null, also for an expired or revoked session cookie (the auth chain's 401). */
async function signedIn(ctx: HttpContext): Promise<Principal | null> {
  try {
    return await ctx.authenticate();
  } catch (err) {
    if (err instanceof AppError && err.status === 401) return null;
    throw err;
  }
}

const loginSchema = {
  type: 'object',
  required: ['email', 'password'],
  additionalProperties: false,
  properties: { email: { type: 'string', minLength: 1, maxLength: 320 }, password: { type: 'string', minLength: 1, maxLength: 1024 } },
};
const magicLoginSchema = {
  type: 'object',
  required: ['magic_token'],
  additionalProperties: false,
  properties: { magic_token: { type: 'string', minLength: 1, maxLength: 512 } },
};
const challengeLoginSchema = {
  type: 'object',
  required: ['challenge_token'],
  additionalProperties: false,
  properties: {
    challenge_token: { type: 'string', minLength: 1, maxLength: 512 },
    code: { type: 'string', minLength: 1, maxLength: 16 },
    recovery_code: { type: 'string', minLength: 1, maxLength: 64 },
  },
  oneOf: [{ required: ['code'] }, { required: ['recovery_code'] }],
};
const passkeyLoginSchema = {
  type: 'object',
  required: ['passkey'],
  additionalProperties: false,
  properties: { passkey: { type: 'object' } },
};
const validateLogin = validatorOnFirstUse(loginSchema);
const validateMagicLogin = validatorOnFirstUse(magicLoginSchema);
const validatePasskeyLogin = validatorOnFirstUse(passkeyLoginSchema);
const validateChallengeLogin = validatorOnFirstUse(challengeLoginSchema);
const isChallenge = (s: AdminSignIn): s is AdminChallenge => 'challengeToken' in s;

export function adminUi(app: () => AppView): Middleware {
  const assets = listAssets();
  const read = new Map<string, Promise<Buffer>>();
  const readAsset = (file: string, full: string): Promise<Buffer> => {
    let body = read.get(file);
    if (!body) {
      body = fs.promises.readFile(full);
      read.set(file, body);
      // A failed read is tried again at the next request.
      body.catch(() => read.delete(file));
    }
    return body;
  };
  // The pages of plugins from npm or folders, built at boot into the data folder (core/plugins/ui-build.ts); listed on first use.
  let pluginPagesRead = false;
  const readPluginPages = () => {
    if (pluginPagesRead) return;
    pluginPagesRead = true;
    const plinth = app();
    for (const p of plinth.plugins) {
      const file = pluginUiFile(plinth.config, p.plugin.name);
      if (p.source !== 'built-in' && fs.existsSync(file)) assets.set(`plugins/${p.plugin.name}.js`, file);
    }
  };
  const router = new Router({ prefix: '/admin' });

  // Also says who is signed in (`me`, null for a visitor), so the shell learns "not signed in" without a failed request.
  router.get('/api/meta', async (ctx) => {
    const plinth = app();
    readPluginPages();
    const principal = await signedIn(ctx as unknown as HttpContext);
    ctx.body = {
      version: packageVersion,
      // With the admin pages this person may open: the shell lists and opens only those.
      me: principal ? { ...describePrincipal(principal), pages: await allowedPages(plinth, principal) } : null,
      login: plinth.container.hasRegistration('adminLogin'),
      plugins: plinth.plugins.map(({ plugin }) => ({
        name: plugin.name,
        // A login link that depends on the plugin's settings (UiPage.loginLink) is decided here, per request.
        pages: (plugin.ui?.pages ?? []).map((page) =>
          typeof page.loginLink === 'function' ? { ...page, loginLink: page.loginLink(plinth.contexts.get(plugin.name)?.settings ?? {}) } : page,
        ),
        script: plugin.ui && assets.has(`plugins/${plugin.name}.js`) ? `/admin/assets/plugins/${plugin.name}.js` : null,
      })),
    };
  });

  router.post('/api/login', async (ctx) => {
    const plinth = app();
    if (!plinth.container.hasRegistration('adminLogin')) throw CoreErrors.loginUnavailable();
    const provider = plinth.container.resolve('adminLogin');
    const meta = { ip: ctx.ip, userAgent: ctx.get('User-Agent') };
    const body = ctx.request.body as unknown;
    // Either `{ email, password }` or `{ magic_token }`: a body with both (or neither) fails one schema.
    const magic = typeof body === 'object' && body !== null && 'magic_token' in body;
    // …or `{ passkey }` (an authenticator's answer).
    const passkey = !magic && typeof body === 'object' && body !== null && 'passkey' in body;
    // …or `{ challenge_token, code | recovery_code }`: the second step of a sign-in that answered with a challenge.
    const second = !magic && !passkey && typeof body === 'object' && body !== null && 'challenge_token' in body;
    const validate = magic ? validateMagicLogin : passkey ? validatePasskeyLogin : second ? validateChallengeLogin : validateLogin;
    if (!validate(body)) throw AppError.validation(toFieldErrors(validate.errors, 'body'));
    let session: AdminSignIn;
    if (second) {
      if (!provider.completeChallenge) throw CoreErrors.mfaUnavailable();
      const b = body as { challenge_token: string; code?: string; recovery_code?: string };
      session = await provider.completeChallenge({ challengeToken: b.challenge_token, code: b.code, recoveryCode: b.recovery_code, ...meta });
    } else if (magic) {
      if (!provider.loginWithMagicLink) throw CoreErrors.magicLinkUnavailable();
      session = await provider.loginWithMagicLink((body as { magic_token: string }).magic_token, meta);
    } else if (passkey) {
      if (!provider.loginWithPasskey) throw CoreErrors.passkeyUnavailable();
      session = await provider.loginWithPasskey((body as { passkey: unknown }).passkey, meta);
    } else {
      const { email, password } = body as { email: string; password: string };
      session = await (provider.beginLogin ?? provider.login).call(provider, { email, password, ...meta });
    }
    // A second factor is due: no cookie yet, the challenge to answer (200: the first step succeeded).
    if (isChallenge(session)) {
      ctx.body = { ok: false, mfa_required: true, challenge_token: session.challengeToken, methods: session.methods, expires_in: session.expiresInSeconds };
      return;
    }
    ctx.cookies.set(SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: ctx.secure,
      path: '/',
      maxAge: session.expiresInSeconds * 1000,
    });
    ctx.body = { ok: true };
  });

  router.post('/api/logout', async (ctx) => {
    const plinth = app();
    const token = ctx.cookies.get(SESSION_COOKIE);
    if (token && plinth.container.hasRegistration('adminLogin')) await plinth.container.resolve('adminLogin').logout?.(token);
    ctx.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', path: '/', maxAge: 0 });
    // The session's live streams (on any instance) end with it.
    if (token) await plinth.container.resolve('live').recheck();
    ctx.body = { ok: true };
  });

  // The live channel of the signed-in page: server-sent events of its tenant (see core/live.ts),
  // a comment every 15 s so proxies keep it open, at most LIVE_STREAMS_PER_PRINCIPAL per person here.
  // It ends with its session: at a sign-out or a revocation (the hub rechecks), and at the latest at
  // the next beat (each beat checks the credentials again).
  router.get('/api/live', async (ctx) => {
    const http = ctx as unknown as HttpContext;
    const principal = await http.authenticate();
    if (!principal) throw AppError.unauthorized();
    const plinth = app();
    const hub = plinth.container.resolve('live');
    const mine = (c: LiveClient) => (c as LiveClient & { principal?: string }).principal === principal.id;
    if (hub.count(mine) >= LIVE_STREAMS_PER_PRINCIPAL) {
      throw CoreErrors.tooManyStreams(LIVE_STREAMS_PER_PRINCIPAL);
    }
    const stream = new PassThrough();
    const write = (text: string) => {
      if (!stream.writableEnded) stream.write(text);
    };
    let close = () => {};
    const client: LiveClient & { principal: string } = {
      principal: principal.id,
      tenantId: principal.tenantId,
      // A superadmin's overview counts every tenant: it hears (coalesced) that another tenant's things changed.
      everyTenant: principal.roles.includes('superadmin'),
      // One generic frame for every kind (core/live.ts LiveEvent): the page's end needs no list of kinds.
      send: (e) => write(`event: change\ndata: ${JSON.stringify({ kind: e.kind, data: e.data })}\n\n`),
      // The same credentials, through the auth chain again: the same person in the same tenant, or the stream ends.
      async stillSignedIn() {
        http.state.principal = undefined;
        try {
          const now = await http.authenticate();
          return now?.id === principal.id && now.kind === principal.kind && now.tenantId === principal.tenantId;
        } catch {
          return false;
        }
      },
      end: () => close(),
    };
    const detach = await hub.attach(client);
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', 'X-Accel-Buffering': 'no' });
    ctx.status = 200;
    ctx.body = stream;
    write(': live\n\n');
    const beat = setInterval(() => {
      write(': ping\n\n');
      void checkOne(client, plinth.logger);
    }, LIVE_BEAT_MS);
    close = () => {
      clearInterval(beat);
      detach();
      stream.end();
    };
    ctx.req.on('close', close);
    ctx.res.on('close', close);
  });

  router.get('/api/me', async (ctx) => {
    const principal = await (ctx as unknown as HttpContext).authenticate();
    if (!principal) throw AppError.unauthorized();
    ctx.body = describePrincipal(principal);
  });

  // The landing page's figures (core/overview): a superadmin's across tenants, anyone else's their tenant's.
  router.get('/api/overview', async (ctx) => {
    const principal = await (ctx as unknown as HttpContext).authenticate();
    if (!principal) throw AppError.unauthorized();
    ctx.body = await collectOverview(app(), principal);
  });

  router.get('/api/system', async (ctx) => {
    assertRole(await (ctx as unknown as HttpContext).authenticate(), 'superadmin');
    const plinth = app();
    const retention = plinth.container.resolve('retention');
    const sqlite = plinth.db.client.config.client === 'pg' ? null : sqliteFile(plinth.config);
    // What each job's last run deleted (core.retention's and every plugin's prune job) is in `jobs`, per table.
    const backups = plinth.container.resolve('backups');
    const [migrations, jobs, backlog, dead, storage, backupStatus] = await Promise.all([
      listApplied(plinth.db),
      plinth.scheduler.lastRuns(),
      plinth.events.backlog(),
      plinth.db('core_events').where('status', 'dead').orderBy('id', 'desc').limit(20).select('id', 'name', 'attempts', 'last_error', 'created_at'),
      retention.sizes(sqlite),
      backups.status(),
    ]);
    const alerts = plinth.container.resolve('alerts');
    const [openAlerts, clearedAlerts] = await Promise.all([alerts.list({ open: true }), alerts.list({ open: false, limit: 20 })]);
    ctx.body = {
      version: packageVersion,
      database: plinth.db.client.config.client === 'pg' ? 'postgres' : 'sqlite',
      // Where each came from and the plugin API range it declared; one skipped at boot is listed as failed, with why.
      plugins: pluginStatuses(plinth),
      plugin_api: PLUGIN_API_VERSION,
      migrations,
      jobs,
      outbox: { ...backlog, dead_events: dead },
      storage: { tables: storage.tables, database_bytes: storage.databaseBytes },
      backups: { last_success: backupStatus.lastSuccess, last_failure: backupStatus.lastFailure, destinations: backups.destinations() },
      // Open alerts, and the 20 cleared last (core/alerts).
      alerts: { open: openAlerts, recently_cleared: clearedAlerts },
    };
  });
  adminAlertRoutes(router, app);

  // A dead event, tried again (its handlers that already succeeded are not run again).
  router.post('/api/system/events/:id/replay', async (ctx) => {
    assertRole(await (ctx as unknown as HttpContext).authenticate(), 'superadmin');
    const id = Number(ctx.params.id);
    if (!Number.isInteger(id) || id < 1 || id > 2_147_483_647) throw AppError.validation([{ path: 'params.id', message: 'must be an event id' }]);
    await app().events.replay(id);
    ctx.body = { ok: true, id };
  });

  const api = router.routes() as Middleware;
  const page = indexHtml();

  const serve: Middleware = async (ctx, next) => {
    if (ctx.path.startsWith('/admin/api/')) return api(ctx, next);
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path.startsWith('/admin/assets/')) {
      (ctx.state as { route?: string }).route = '/admin/assets/*';
      const file = ctx.path.slice('/admin/assets/'.length);
      readPluginPages();
      if (file === 'favicon.svg') {
        ctx.type = 'image/svg+xml';
        ctx.set('Cache-Control', 'public, max-age=86400');
        ctx.body = FAVICON;
        return;
      }
      const pluginAsset = /^plugins\/([a-z0-9-]+)\.js(\.map)?$/.exec(file);
      if (pluginAsset && !app().plugins.some((p) => p.plugin.name === pluginAsset[1])) throw AppError.notFound('no such asset');
      const full = assets.get(file);
      if (!full) throw AppError.notFound('no such asset');
      const body = await readAsset(file, full);
      ctx.type = TYPES[path.extname(file)] ?? 'application/octet-stream';
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = body;
      return;
    }
    (ctx.state as { route?: string }).route = '/admin/*';
    if (!assets.has('shell.js')) throw CoreErrors.uiNotBuilt();
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
    ctx.set('X-Frame-Options', 'DENY');
    ctx.body = page;
  };
  // Every request passes here: any other path goes on without an async call of its own.
  return (ctx, next) => (isUnder('/admin', ctx.path) ? serve(ctx, next) : next());
}
