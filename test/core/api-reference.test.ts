import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import Koa from 'koa';
import type { Page } from 'playwright-core';
import { AppError } from '../../core/errors.js';
import { envelopes } from '../../core/http/envelopes.js';
import { OpenApiRegistry } from '../../core/http/openapi.js';
import { PluginRouter } from '../../core/http/router.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';

// The API reference as a client generator and a person use it: /openapi.json is valid OpenAPI 3.1
// (checked by an independent validator), every operation is named, summarised and documents its
// face's success and error bodies; /docs renders it offline (every request stays on this server).
// The /docs test needs nothing built: Swagger UI is served from node_modules.

const PLUGINS = ['auth', 'billing', 'licensing', 'mail', 'robots', 'ai', 'workflows', 'agents'];
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('API reference: /openapi.json and /docs', () => {
  let t: TestApp;
  let doc: any;

  before(async () => {
    t = await createTestApp({ plugins: PLUGINS });
    const res = await t.request('GET', '/openapi.json');
    assert.equal(res.status, 200);
    doc = res.body;
  });
  after(() => t?.close());

  const operations = () =>
    Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([m]) => METHODS.includes(m))
        .map(([method, op]) => ({ path, method, op })),
    );

  it('is valid OpenAPI 3.1 by @seriousme/openapi-schema-validator', async () => {
    const result = await new Validator().validate(doc);
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(result.valid, JSON.stringify(result.errors, null, 2)?.slice(0, 2000));
  });

  it('every operation has a unique operationId, a summary, a 2xx reply and 4XX/5XX in its face’s error envelope', () => {
    const ops = operations();
    assert.ok(ops.length >= 190, `only ${ops.length} operations`);
    const ids = ops.map((o) => o.op.operationId);
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
    for (const { path, method, op } of ops) {
      const where = `${method.toUpperCase()} ${path}`;
      assert.match(op.operationId, /^[a-z][A-Za-z0-9_]*$/, where);
      assert.ok(op.summary && !op.summary.startsWith(method.toUpperCase() + ' '), `${where} has a written summary`);
      assert.ok(
        Object.keys(op.responses).some((s) => /^[24]\d\d$/.test(s)),
        `${where} documents a success (or, for a method kept only to refuse, that refusal)`,
      );
      for (const range of ['4XX', '5XX']) {
        const ref = op.responses[range]?.content?.['application/json']?.schema?.$ref as string | undefined;
        assert.ok(ref && doc.components.schemas[ref.split('/').pop()!], `${where} ${range} refers to its envelope`);
      }
    }
  });

  it('every operation documents what its success answers: a schema, a media type, or no body (204, 202, a redirect)', () => {
    const undocumented: string[] = [];
    for (const { path, method, op } of operations()) {
      const successes = Object.entries<any>(op.responses).filter(([s]) => /^[23]\d\d$/.test(s));
      // A route that is never a success (a method kept only to answer 405) documents that refusal instead.
      const onlyRefuses = !successes.length && Object.keys(op.responses).some((s) => /^4\d\d$/.test(s));
      const documented =
        onlyRefuses || (successes.length > 0 && successes.every(([status, res]) => res.content || ['204', '202', '302', '303'].includes(status)));
      if (!documented) undocumented.push(`${method.toUpperCase()} ${path}`);
      for (const [type, media] of Object.entries<any>(successes.flatMap(([, r]) => Object.entries(r.content ?? {})))) {
        assert.ok(media[1]?.schema, `${method.toUpperCase()} ${path} ${type} has a schema`);
      }
    }
    assert.deepEqual(undocumented, []);
  });

  it('the routes that take a raw body document it with its media type and signature headers', () => {
    const content = (path: string, method = 'post') => Object.keys(doc.paths[path][method].requestBody?.content ?? {});
    const headers = (path: string, method = 'post') =>
      (doc.paths[path][method].parameters ?? []).filter((p: any) => p.in === 'header').map((p: any) => p.name.toLowerCase());
    assert.deepEqual(content('/mail/receive'), ['message/rfc822']);
    assert.deepEqual(content('/api/v2/billing/webhook'), ['application/json']);
    assert.ok(headers('/api/v2/billing/webhook').includes('stripe-signature'));
    assert.deepEqual(content('/api/v2/workflows/hooks/{token}'), ['application/json']);
    assert.deepEqual(headers('/api/v2/workflows/hooks/{token}').sort(), ['webhook-id', 'webhook-signature', 'webhook-timestamp']);
    assert.deepEqual(content('/workbot/api/ai/knowledge/import').sort(), ['application/json', 'text/csv']);
  });

  it('each face documents its own envelope: WorkBot code/message/data, the license server success/code, temp mail error, MoltFlow detail', () => {
    const errorOf = (path: string, method = 'get') => doc.paths[path][method].responses['4XX'].content['application/json'].schema.$ref;
    assert.equal(errorOf('/workbot/api/robots'), '#/components/schemas/WorkBotError');
    assert.equal(errorOf('/license/api/verify', 'post'), '#/components/schemas/LicenseServerError');
    assert.equal(errorOf('/mail/api/emails'), '#/components/schemas/TempMailError');
    assert.equal(errorOf('/api/v2/auth/me'), '#/components/schemas/DetailError');
    assert.deepEqual(doc.components.schemas.LicenseServerError.properties.code.enum, [
      'INVALID_API_KEY',
      'INVALID_REQUEST',
      'MISSING_LICENSE',
      'MISSING_EMAIL',
      'INVALID_LICENSE',
      'INTERNAL_ERROR',
      'NOT_FOUND',
    ]);
    const workbotOk = doc.paths['/workbot/api/robots'].get.responses['200'].content['application/json'].schema;
    assert.deepEqual(workbotOk.required, ['code', 'message', 'data']);
  });

  it('each operation lists its error codes by status: x-error-codes, and an enum of the code where the envelope has one', () => {
    const update = doc.paths['/api/v2/admin/plans/{id}'].patch.responses;
    assert.ok(update['404']['x-error-codes'].includes('plan_not_found'), 'a declared code (RouteOptions.errors)');
    assert.match(update['404'].description, /`plan_not_found`/);
    const enumOf = (res: any) => res.content['application/json'].schema.allOf[1].properties.code.enum;
    assert.ok(enumOf(update['404']).includes('plan_not_found'));
    // Derived from the route's declaration: its schemas (the face's validation status), its guards, the body parser.
    assert.ok(update['422']['x-error-codes'].includes('validation_error'));
    assert.deepEqual(update['401']['x-error-codes'], ['unauthorized']);
    assert.ok(update['413']['x-error-codes'].includes('payload_too_large'));
    // The license server's clients switch on the seed's closed set: the enum is the codes as its envelope renders them.
    const verify = doc.paths['/license/api/verify'].post.responses;
    assert.ok(verify['429']['x-error-codes'].includes('rate_limited'));
    assert.deepEqual(enumOf(verify['429']), ['INVALID_REQUEST']);
    // WorkBot's code is the HTTP status: no enum, the codes in x-error-codes only.
    const robots = doc.paths['/workbot/api/robots'].post.responses;
    assert.ok(robots['401']['x-error-codes'].includes('unauthorized'));
    assert.ok(robots['401'].content['application/json'].schema.$ref);
  });

  it('with server.checkErrorCodes an error code the route does not declare is a 500 naming the route and the code', async () => {
    const routes = new PluginRouter({
      plugin: 'probe',
      base: '/probe',
      rateLimits: {} as never,
      openapi: new OpenApiRegistry(),
      envelope: envelopes.plain,
      checkErrorCodes: true,
    });
    routes.get('/declared', { errors: { 409: ['conflict'] } }, () => {
      throw AppError.conflict('declared');
    });
    routes.get('/undeclared', {}, () => {
      throw AppError.conflict('not declared');
    });
    const app = new Koa();
    app.use(async (ctx, next) => {
      ctx.state = { envelope: envelopes.plain } as never;
      try {
        await next();
      } catch (err) {
        ctx.status = (err as AppError).status ?? 500;
        ctx.body = { message: (err as Error).message };
      }
    });
    app.use(routes.koa.routes());
    const server = app.listen(0);
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/probe`;
      const declared = await fetch(`${url}/declared`);
      assert.equal(declared.status, 409);
      const undeclared = await fetch(`${url}/undeclared`);
      assert.equal(undeclared.status, 500);
      assert.match(
        ((await undeclared.json()) as { message: string }).message,
        /GET \/probe\/undeclared \(plugin probe\) answered 409 conflict, which its route does not declare/,
      );
    } finally {
      server.close();
    }
  });

  it("the core's own operations are there: health, ready and the outgoing-mail outbox", () => {
    for (const [path, method, id] of [
      ['/health', 'get', 'core_health'],
      ['/ready', 'get', 'core_ready'],
      ['/api/admin/outbox', 'get', 'core_list_outbox'],
      ['/api/admin/outbox/{id}', 'get', 'core_read_outbox_mail'],
      ['/api/admin/outbox/{id}/resend', 'post', 'core_resend_outbox_mail'],
    ]) {
      assert.equal(doc.paths[path]?.[method]?.operationId, id, `${method} ${path}`);
    }
    assert.equal(doc.paths['/api/admin/outbox'].get.responses['4XX'].content['application/json'].schema.$ref, '#/components/schemas/CoreError');
  });

  describe('/docs in a browser', () => {
    let browser: TestBrowser;
    let page: Page;
    const offsite: string[] = [];
    const failed: string[] = [];

    before(async () => {
      browser = await launchBrowser(t.url);
      page = browser.page;
      page.on('request', (req) => {
        if (new URL(req.url()).origin !== new URL(t.url).origin && !req.url().startsWith('data:')) offsite.push(req.url());
      });
      page.on('response', (res) => {
        if (res.status() >= 400) failed.push(`${res.status()} ${res.url()}`);
      });
    });
    after(() => browser?.close());

    it('renders every plugin’s operations from /openapi.json, with nothing fetched from elsewhere and no console error', async () => {
      // Swagger UI renders what is in view (and more as one scrolls): a tall window shows it all.
      await page.setViewportSize({ width: 1280, height: 20_000 });
      await page.goto('/docs');
      await page.locator('.opblock-tag[data-tag="workflows"]').waitFor({ timeout: 30_000 });
      const shown = await page.locator('.opblock-tag').evaluateAll((els) => els.map((e) => e.getAttribute('data-tag')));
      assert.deepEqual(shown.sort(), ['core', ...PLUGINS].sort(), 'a section per plugin and the core');
      assert.ok((await page.locator('.opblock').count()) >= 190);
      await page.locator('.opblock-summary-description', { hasText: 'Verify an activation code' }).first().waitFor();
      assert.deepEqual(offsite, [], 'everything is served by this server');
      assert.deepEqual(failed, []);
      assert.deepEqual(browser.problems, []);
    });
  });
});
