// The `ai.failover` alert (issue 37, Alerts): a provider of the config (the operator's) that keeps
// failing, so that replies fall back to the next provider, is raised once for the operator (mailed,
// emitted; test/helpers/alerts.ts), and cleared when it answers again. A tenant's own provider of the
// same name failing is the tenant's business and raises nothing.
import assert from 'node:assert/strict';
import { registerOwner, type Actor } from '../../../test/helpers/actors.js';
import { alertsApp, expectCleared, expectRaisedOnce, rowsOf } from '../../../test/helpers/alerts.js';
import type { TestApp } from '../../../test/helpers/app.js';
import { FakeProvider } from './fake-providers.js';

describe('ai: the ai.failover alert', function () {
  this.timeout(60_000);
  let t: TestApp;
  let primary: FakeProvider;
  let owner: Actor;
  const evaluate = () => t.app.container.resolve('alerts').evaluate();

  /** The owner's "try" box, asking the config's provider first; the builtin responder ends the chain. */
  const ask = async (who: Actor) => {
    const res = await t.request('POST', '/workbot/api/ai/try', { body: { text: 'hello', provider: 'primary' }, headers: who.headers });
    assert.equal(res.status, 200, res.text);
    return res.body.data as { provider: string };
  };
  const consent = async (who: Actor) => {
    const res = await t.request('PATCH', '/api/v2/tenant/settings', { body: { ai_consent_enabled: true }, headers: who.headers });
    assert.equal(res.status, 200, res.text);
  };

  before(async () => {
    primary = await new FakeProvider('openai').start();
    t = await alertsApp({
      plugins: ['licensing', 'robots', 'ai'],
      settings: {
        ai: {
          allowPrivateProviders: true,
          providers: [{ name: 'primary', kind: 'openai', baseUrl: primary.baseUrl, apiKey: 'sk-operator', model: 'm-1', timeoutMs: 5000 }],
          alerts: { failovers: 2, windowMinutes: 15 },
        },
      },
    });
    owner = await registerOwner(t, 'ai-alerts');
    await consent(owner);
  });
  after(async () => {
    await t?.close();
    await primary?.close();
  });

  it("a tenant's own provider of that name failing raises nothing: it is not the operator's", async () => {
    const tenant = await registerOwner(t, 'own-provider');
    await consent(tenant);
    const put = await t.request('PUT', '/workbot/api/ai/providers/primary', {
      body: { kind: 'openai', baseUrl: primary.baseUrl, apiKey: 'sk-tenant', model: 'm-2' },
      headers: tenant.headers,
    });
    assert.equal(put.status, 200, put.text);
    primary.script = [{ status: 503 }];
    for (let i = 0; i < 3; i++) assert.equal((await ask(tenant)).provider, 'builtin', 'the tenant’s provider failed over');
    await evaluate();
    assert.deepEqual(await rowsOf(t, 'ai.failover:primary'), []);
  });

  it('the config provider failing over alerts.failovers times: raised once, mailed, emitted; cleared when it answers again', async () => {
    primary.script = [{ status: 503 }];
    assert.equal((await ask(owner)).provider, 'builtin', 'failed over to the builtin responder');
    await evaluate();
    assert.deepEqual(await rowsOf(t, 'ai.failover:primary'), [], 'one failover is under the threshold (2)');
    assert.equal((await ask(owner)).provider, 'builtin');

    const alert = await expectRaisedOnce(t, 'ai.failover:primary');
    assert.equal(alert.severity, 'warning');
    assert.equal(alert.details.provider, 'primary');
    assert.equal(alert.details.failures, 2, 'the tenant’s own provider’s failures are not counted');
    assert.equal(alert.details.last_outcome, 'error');

    primary.script = [{ reply: 'back again' }];
    assert.equal((await ask(owner)).provider, 'primary', 'the primary answers again');
    await expectCleared(t, 'ai.failover:primary');
  });
});
