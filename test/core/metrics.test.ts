// GET /metrics: who may read it (the metrics token, an API key with platform:metrics, nobody else;
// off the public face when no token is set), the route label bounded under a fuzz of random paths,
// the exposition's shape, and the naming rules the registry holds plugins to at boot.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { login, registerOwner, type Actor } from '../helpers/actors.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { family, labelValues, observed, scrape, total } from '../helpers/prometheus.js';
import { Metrics, MetricsError } from '../../core/observability/metrics.js';
import { UsageFacade } from '../../core/usage.js';
import { AppError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';

const ALL = ['auth', 'billing', 'licensing', 'mail', 'robots', 'ai', 'workflows', 'agents'];
const ADMIN = { email: 'root@metrics.test', password: 'Operator-pass-for-metrics-42' };
const TOKEN = `mt_${randomBytes(18).toString('base64url')}`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const metricsApp = (token: string | null) =>
  createTestApp({
    plugins: ALL,
    overrides: { metrics: { token } } as never,
    settings: { auth: { admin: ADMIN, limits: { loginPerIpPerMinute: 10_000, loginFailuresPerAccount: 1_000 } }, mail: { domains: [{ name: 'm.test' }] } },
  });

async function apiKey(t: TestApp, who: Actor, scopes: string[]): Promise<string> {
  const res = await t.request('POST', '/api/v2/api-keys', { body: { name: `metrics ${scopes.join(' ')}`, scopes }, headers: who.headers });
  assert.equal(res.status, 201, res.text);
  return res.body.raw_key;
}

describe('metrics: GET /metrics', () => {
  let withToken: TestApp;
  let noToken: TestApp;
  before(async () => {
    withToken = await metricsApp(TOKEN);
    noToken = await metricsApp(null);
  });
  after(async () => {
    await withToken?.close();
    await noToken?.close();
  });

  describe('access', () => {
    it('with no token configured: a 404 for anyone without platform:metrics, like a path nobody serves', async () => {
      for (const headers of [{}, bearer('not-the-token-at-all-0000')]) {
        const res = await noToken.request('GET', '/metrics', { headers });
        assert.ok([401, 404].includes(res.status), res.text);
      }
      const anonymous = await noToken.request('GET', '/metrics');
      assert.equal(anonymous.status, 404, anonymous.text);
      assert.equal(anonymous.body.code, 'not_found');
      const unknown = await noToken.request('GET', `/no-such-${randomUUID()}`);
      assert.equal(unknown.body.detail.replace(/ \S+$/, ''), anonymous.body.detail.replace(/ \S+$/, ''), 'the same refusal as any unknown path');
    });

    it('with a token: none or a wrong one is a 401 asking for a bearer; the right one a 200 in text format 0.0.4', async () => {
      const none = await withToken.request('GET', '/metrics');
      assert.equal(none.status, 401, none.text);
      assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
      for (const wrong of [`${TOKEN}x`, TOKEN.slice(0, -1), 'x'.repeat(TOKEN.length)]) {
        const res = await withToken.request('GET', '/metrics', { headers: bearer(wrong) });
        assert.equal(res.status, 401, `${wrong}: ${res.text}`);
        assert.doesNotMatch(res.text, /plinth_/);
      }
      const ok = await withToken.request('GET', '/metrics', { headers: bearer(TOKEN) });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
      assert.equal(ok.headers.get('cache-control'), 'no-store');
      assert.match(ok.text, /^# HELP plinth_/m);
    });

    it('an API key with platform:metrics reads it (with or without a token configured); one without it is a 403', async () => {
      for (const t of [withToken, noToken]) {
        const root = await login(t, ADMIN.email, ADMIN.password);
        const key = await apiKey(t, root, ['platform:metrics']);
        const res = await t.request('GET', '/metrics', { headers: { 'x-api-key': key } });
        assert.equal(res.status, 200, res.text);
        assert.match(res.text, /^plinth_http_requests_in_flight 1$/m);
        const other = await apiKey(t, root, ['account:read']);
        const refused = await t.request('GET', '/metrics', { headers: { 'x-api-key': other } });
        assert.equal(refused.status, 403, refused.text);
      }
    });

    it("a tenant owner's session is refused, and an owner can neither hold nor grant platform:metrics", async () => {
      for (const t of [withToken, noToken]) {
        const owner = await registerOwner(t, 'metrics');
        const res = await t.request('GET', '/metrics', { headers: owner.headers });
        assert.ok([403, 404].includes(res.status), res.text);
        const grantable = await t.request('GET', '/api/v2/api-keys/scopes', { headers: owner.headers });
        assert.equal(grantable.status, 200, grantable.text);
        assert.ok(!grantable.body.some((s: { scope: string }) => s.scope.startsWith('platform:')), grantable.text);
        const made = await t.request('POST', '/api/v2/api-keys', { body: { name: 'sneaky', scopes: ['platform:metrics'] }, headers: owner.headers });
        assert.equal(made.status, 403, made.text);
      }
    });

    it('is in /openapi.json as a core operation answering text/plain', async () => {
      const doc = (await withToken.request('GET', '/openapi.json')).body;
      const op = doc.paths['/metrics']?.get;
      assert.equal(op?.operationId, 'core_metrics');
      assert.ok(op.responses['200'].content['text/plain; version=0.0.4; charset=utf-8'], JSON.stringify(op.responses['200']));
    });
  });

  describe('the route label', () => {
    it('stays the template under ~300 random paths (ids, unicode, junk): a small set, none of the random parts', async () => {
      const marker = `fz${randomBytes(3).toString('hex')}`;
      const junk = () =>
        [
          `${marker}${randomBytes(4).toString('hex')}`,
          randomUUID(),
          String(Math.floor(Math.random() * 1e9)),
          `${marker}-${encodeURIComponent('ünï©ødé-日本-🚀')}`,
          `${marker}%2F..%2F${randomBytes(2).toString('hex')}`,
        ][Math.floor(Math.random() * 5)];
      const prefixes = [
        '/',
        '/api/v2/',
        '/api/v2/admin/users/',
        '/license/api/',
        '/mail/api/email/',
        '/workbot/api/robot/',
        '/admin/api/',
        '/docs/',
        '/api/admin/outbox/',
      ];
      const methods = ['GET', 'POST', 'DELETE', 'PUT'];
      let sent = 0;
      const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)];
      for (let i = 0; i < 300; i++) {
        // A third one segment deep, so that routes with an id (/mail/api/email/:id) are hit with random ids.
        const path = pick(prefixes) + Array.from({ length: 1 + (i % 3) }, junk).join('/');
        const method = i % 3 === 0 ? 'GET' : pick(methods);
        const res = await withToken.request(method, path, method === 'GET' ? {} : { body: {} });
        assert.ok(res.status >= 200 && res.status < 600);
        sent++;
      }
      for (const id of [randomUUID(), `${marker}1`, '123456789']) await withToken.request('GET', `/mail/api/email/${id}`);
      sent += 3;
      const e = await scrape(withToken, bearer(TOKEN));
      const routes = labelValues(e, 'plinth_http_request_duration_seconds', 'route');
      assert.ok(observed(e, 'plinth_http_request_duration_seconds') >= sent);
      const leaked = [...routes].filter((r) => r.includes(marker) || /[0-9a-f]{8}-[0-9a-f]{4}/.test(r) || /\d{5,}/.test(r));
      assert.deepEqual(leaked, [], 'a raw path reached the route label');
      assert.ok(routes.size <= 40, `${routes.size} route values: ${[...routes].join(' ')}`);
      // Every value is a template some route declares (or `unmatched`).
      const templates = new Set([
        ...withToken.app.container
          .resolve('openapi')
          .list()
          .map((r) => r.path),
        '/',
        '/openapi.json',
      ]);
      for (const route of routes) {
        assert.ok(
          route === 'unmatched' ||
            templates.has(route) ||
            /^\/(admin|docs)(\/\*)?$|^\/admin\/api\/|^\/api\/admin\/outbox/.test(route) ||
            route === '/admin/assets/*',
          route,
        );
      }
      // A templated route under random ids is counted under its template.
      assert.ok(routes.has('/mail/api/email/:id'), [...routes].join(' '));
      assert.ok(labelValues(e, 'plinth_http_request_duration_seconds', 'method').size <= 5);
      assert.deepEqual(
        [...labelValues(e, 'plinth_http_request_duration_seconds', 'status_class')].filter((c) => !/^[1-5]xx$/.test(c)),
        [],
      );
    });
  });

  describe('the exposition', () => {
    it("Node's process and event-loop metrics and the core's families are there, each with its conventional type", async () => {
      const e = await scrape(withToken, bearer(TOKEN));
      for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
        assert.ok(e.families.has(name), name);
      }
      assert.ok(e.families.has('nodejs_eventloop_lag_p99_seconds'));
      for (const [name, f] of e.families) {
        if (!name.startsWith('plinth_')) continue;
        if (name.endsWith('_total')) assert.equal(f.type, 'COUNTER', name);
        if (f.type === 'HISTOGRAM') assert.match(name, /_(seconds|bytes)$/);
        assert.ok(f.help.length > 10, `${name} has help`);
      }
      family(e, 'plinth_http_requests_in_flight', 'GAUGE');
      assert.equal(total(e, 'plinth_http_requests_in_flight'), 1, 'the scrape itself');
    });
  });

  describe('the registry', () => {
    const logger = createLogger('silent');
    it('refuses at boot names and labels that break the conventions, and a family declared twice', () => {
      const m = new Metrics(logger);
      assert.throws(() => m.counter({ name: 'plinth_things', help: 'x' }), MetricsError);
      assert.throws(() => m.counter({ name: 'things_total', help: 'x' }), MetricsError);
      assert.throws(() => m.histogram({ name: 'plinth_wait', help: 'x' }), /_seconds or _bytes/);
      assert.throws(() => m.gauge({ name: 'plinth_open_total', help: 'x' }), /counters/);
      assert.throws(() => m.counter({ name: 'plinth_logins_total', help: 'x', labels: ['user_id'] }), /per user or request/);
      assert.throws(() => m.counter({ name: 'plinth_hits_total', help: 'x', labels: ['path'] }), /per user or request/);
      m.counter({ name: 'plinth_hits_total', help: 'x', labels: ['route'] });
      assert.throws(() => m.counter({ name: 'plinth_hits_total', help: 'x', labels: ['route'] }), /already declared/);
    });

    it('a gauge whose reading fails is left out of that scrape, and the scrape goes on', async () => {
      const m = new Metrics(logger);
      m.gauge({
        name: 'plinth_broken_things',
        help: 'fails to read',
        labels: ['kind'],
        collect() {
          throw new Error('database gone');
        },
      });
      m.gauge({ name: 'plinth_fine_things', help: 'reads', collect: (g) => g.set(3) });
      const { text } = await m.exposition();
      assert.match(text, /^plinth_fine_things 3$/m);
      assert.doesNotMatch(text, /^plinth_broken_things\{/m);
    });

    it('usage-limit refusals are counted by usage metric, through consume and consumeEach', async () => {
      const m = new Metrics(logger);
      const refusals = m.counter({ name: 'plinth_usage_limit_refusals_total', help: 'refusals', labels: ['metric'] });
      const usage = new UsageFacade(refusals);
      const refusal = () => new AppError(402, 'usage_limit_reached', 'plan limit reached');
      usage.provide({
        async consume(_t, metric) {
          if (metric === 'max_robots') throw refusal();
        },
        async consumeEach(items) {
          return items.map((i) => (i.metric === 'max_mailboxes' ? refusal() : null));
        },
        async release() {},
      });
      await usage.consume('t1', 'emails_sent_per_month');
      await assert.rejects(usage.consume('t1', 'max_robots'), /plan limit/);
      await usage.consumeEach(
        [
          { tenantId: 't1', metric: 'max_mailboxes' },
          { tenantId: 't1', metric: 'max_licenses' },
        ],
        {} as never,
      );
      const { text } = await m.exposition();
      assert.match(text, /^plinth_usage_limit_refusals_total\{metric="max_robots"\} 1$/m);
      assert.match(text, /^plinth_usage_limit_refusals_total\{metric="max_mailboxes"\} 1$/m);
      assert.doesNotMatch(text, /emails_sent_per_month|max_licenses/);
    });
  });
});
