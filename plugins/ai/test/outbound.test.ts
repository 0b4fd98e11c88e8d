// Outbound requests to model providers go through core's guarded fetch: no redirect is followed
// (a provider answering 302 to 127.0.0.1 is an error and the redirect's target is never asked),
// a tenant's provider URL must be a public host (one refusal message whatever the reason), and
// the operator's providers from the config file may point at a local server (a local Ollama).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerOwner } from '../../../test/helpers/actors.js';
import type { Owner } from '../../../test/helpers/robots.js';
import { FakeProvider } from './fake-providers.js';
import { aiApp, setConsent, setProvider, type RobotsApp } from './helpers.js';
import { aiServices } from '../services/own.js';

/** Answers every request with a 302 to `location`, counting them. */
class Redirector {
  hits = 0;
  private server!: http.Server;
  constructor(private readonly location: () => string) {}
  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.hits++;
      req.resume();
      res.writeHead(302, { location: this.location(), 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'x',
          object: 'chat.completion',
          model: 'm',
          choices: [{ index: 0, message: { role: 'assistant', content: 'from the redirect body' }, finish_reason: 'stop' }],
        }),
      );
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }
  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const tryAs = (t: RobotsApp, owner: Owner, provider: string) => t.wb('POST', '/api/ai/try', { body: { text: 'hello', provider }, headers: owner.headers });

describe('ai: outbound requests to providers are guarded', () => {
  let target: FakeProvider;
  let difyTarget: FakeProvider;
  let redirector: Redirector;
  let difyRedirector: Redirector;
  before(async () => {
    target = await new FakeProvider('openai').start();
    difyTarget = await new FakeProvider('dify').start();
    redirector = await new Redirector(() => `${target.baseUrl}/chat/completions`).start();
    difyRedirector = await new Redirector(() => `${difyTarget.baseUrl}/chat-messages`).start();
  });
  after(async () => Promise.all([target?.close(), difyTarget?.close(), redirector?.close(), difyRedirector?.close()]));

  describe('a tenant’s provider that answers 302 (private addresses allowed, as for a self-hosted model)', () => {
    let t: RobotsApp;
    let owner: Owner;
    before(async () => {
      t = await aiApp();
      owner = await registerOwner(t, 'redirect');
      await setConsent(t, owner, true);
    });
    after(async () => t?.close());

    for (const kind of ['openai', 'dify'] as const) {
      it(`${kind}: the redirect is an error, its target is never asked, and the builtin responder answers`, async () => {
        const from = kind === 'openai' ? redirector : difyRedirector;
        const to = kind === 'openai' ? target : difyTarget;
        const hits = from.hits;
        await setProvider(t, owner, `hop-${kind}`, { kind, baseUrl: from.baseUrl });
        const res = await tryAs(t, owner, `hop-${kind}`);
        assert.equal(res.status, 200, res.text);
        const data = res.body.data;
        assert.equal(data.provider, 'builtin');
        assert.notEqual(data.reply, 'from the redirect body');
        assert.equal(data.attempts[0].provider, `hop-${kind}`);
        assert.equal(data.attempts[0].outcome, 'error');
        assert.match(data.attempts[0].error, /answered 302 .*redirects are not followed/);
        assert.equal(from.hits, hits + 1, 'the provider URL was asked once');
        assert.equal(to.received.length, 0, 'the redirect target was never asked');
        const logged = await t.app
          .db('ai_calls')
          .where({ tenant_id: owner.tenantId, provider: `hop-${kind}` })
          .first();
        assert.equal(logged.outcome, 'error');
      });
    }
  });

  describe('allowPrivateProviders off: tenants’ URLs must be public hosts; the operator’s config providers may be local', () => {
    let t: RobotsApp;
    let owner: Owner;
    before(async () => {
      t = await aiApp({ ai: { allowPrivateProviders: false, providers: [{ name: 'local-llm', kind: 'openai', baseUrl: target.baseUrl, model: 'llama3' }] } });
      owner = await registerOwner(t, 'strict');
      await setConsent(t, owner, true);
    });
    after(async () => t?.close());

    it('a name that does not resolve and an internal address are refused with one message (no DNS oracle), nothing stored', async () => {
      for (const [url, host] of [
        ['http://no-such-model-host.invalid/v1', 'no-such-model-host.invalid'],
        ['http://127.0.0.1:11434/v1', '127.0.0.1'],
        ['http://[::1]/v1', '[::1]'],
      ]) {
        const res = await t.wb('PUT', '/api/ai/providers/mine', { body: { kind: 'openai', baseUrl: url }, headers: owner.headers });
        assert.equal(res.status, 400, res.text);
        assert.deepEqual(res.body, { code: 400, message: `${host} is not a reachable public host`, data: null });
      }
      assert.equal(await t.app.db('ai_providers').where('tenant_id', owner.tenantId).first(), undefined);
    });

    it('a tenant’s stored URL that now points inside is refused at call time and never asked', async () => {
      // As if the name had been public when saved: the row is written directly.
      await t.app.db('ai_providers').insert({
        tenant_id: owner.tenantId,
        name: 'moved',
        kind: 'openai',
        base_url: difyTarget.baseUrl,
        api_key: null,
        model: null,
        timeout_ms: 5000,
        priority: 0,
        enabled: true,
        updated_at: new Date().toISOString(),
      });
      await aiServices.of(t.app).registry.forget(owner.tenantId); // what upsert does after its write
      const before = difyTarget.received.length;
      const res = await tryAs(t, owner, 'moved');
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.data.provider, 'local-llm', 'the chain moved on to the next provider');
      assert.deepEqual(res.body.data.attempts[0], {
        ...res.body.data.attempts[0],
        provider: 'moved',
        outcome: 'error',
        error: 'refused: 127.0.0.1 is not a reachable public host',
      });
      assert.equal(difyTarget.received.length, before, 'never asked');
      await t.app.db('ai_providers').where({ tenant_id: owner.tenantId, name: 'moved' }).delete();
      await aiServices.of(t.app).registry.forget(owner.tenantId);
    });

    it('the operator’s provider from the config file reaches a local server (its own model), and still follows no redirect', async () => {
      target.script = [{ reply: 'from the local model' }];
      const before = target.received.length;
      const res = await tryAs(t, owner, 'local-llm');
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.data.provider, 'local-llm');
      assert.equal(res.body.data.reply, 'from the local model');
      assert.equal(target.received[before].body.model, 'llama3');
    });
  });

  it('an operator’s config provider that redirects is an error too', async () => {
    const t = await aiApp({ ai: { allowPrivateProviders: false, providers: [{ name: 'hop', kind: 'openai', baseUrl: redirector.baseUrl }] } });
    try {
      const owner = await registerOwner(t, 'op-redirect');
      await setConsent(t, owner, true);
      const before = target.received.length;
      const res = await tryAs(t, owner, 'hop');
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.data.provider, 'builtin');
      assert.match(res.body.data.attempts[0].error, /redirects are not followed/);
      assert.equal(target.received.length, before, 'the redirect target was never asked');
    } finally {
      await t.close();
    }
  });
});
