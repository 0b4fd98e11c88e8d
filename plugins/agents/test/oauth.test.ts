// OAuth 2.1 for MCP clients: the official SDK's auth() registers, is sent to the consent page,
// gets tokens, calls tools, refreshes, and is refused once the grant is revoked; and the attacks:
// PKCE without S256, a reused code, a reused refresh token, a token for another resource.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { auth, Client, type OAuthClientProvider, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { addUser, registerOwner, type Actor } from '../../../test/helpers/actors.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { OAuthServer } from '../services/oauth.js';

const PUBLIC = 'http://plinth.test';
const REDIRECT = 'http://127.0.0.1:9/callback';

/** An MCP client's OAuth state, kept in memory as a desktop client keeps it on disk. */
class MemoryProvider implements OAuthClientProvider {
  info: any;
  saved: any;
  verifier = '';
  authorizationUrl: URL | null = null;
  get redirectUrl() {
    return REDIRECT;
  }
  get clientMetadata() {
    return {
      client_name: 'Test agent',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: unknown) {
    this.info = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: unknown) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
  discovery: unknown;
  saveDiscoveryState(state: unknown) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery as never;
  }
}

/** Cookies a browser would carry from one answer to the next request (name=value only). */
const cookiesOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

describe('agents: OAuth 2.1 for MCP clients', () => {
  let t: TestApp;
  let owner: Actor;
  /** The public URL's host is not resolvable here: the SDK's requests go to the test server instead. */
  const fetchFn = (url: string | URL, init?: RequestInit) => fetch(String(url).replace(PUBLIC, t.url), init);

  /** The browser's part: the authorization URL, the consent (the person's session), back to the client with a code. */
  async function consent(authorizationUrl: URL | string, who: Actor, answer: Record<string, string> = { decision: 'allow', preset: 'everything' }) {
    const start = await fetch(String(authorizationUrl).replace(PUBLIC, t.url), { redirect: 'manual' });
    assert.equal(start.status, 303, await start.text());
    const location = start.headers.get('location') ?? '';
    assert.match(location, /^\/admin\/agents\/consent\?uid=/);
    const uid = new URL(location, t.url).searchParams.get('uid') ?? '';
    const view = await t.request('GET', `/agents/oauth/consent/${uid}`, { headers: who.headers });
    assert.equal(view.status, 200, view.text);
    const answered = await t.request('POST', `/agents/oauth/consent/${uid}`, { headers: who.headers, body: answer });
    assert.equal(answered.status, 200, answered.text);
    const back = await fetch(answered.body.redirect_to.replace(PUBLIC, t.url), { redirect: 'manual', headers: { cookie: cookiesOf(start) } });
    assert.equal(back.status, 303, await back.text());
    const to = new URL(back.headers.get('location') ?? '');
    return { uid, view: view.body, to, code: to.searchParams.get('code') };
  }

  /** A client registered by hand (RFC 7591), for requests the SDK would never send. */
  async function register(): Promise<string> {
    const res = await t.request('POST', '/oauth/reg', {
      body: { client_name: 'Hand-made', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] },
    });
    assert.equal(res.status, 201, res.text);
    return res.body.client_id;
  }
  const authorizeUrl = (clientId: string, params: Record<string, string>) => {
    const url = new URL(`${t.url}/oauth/auth`);
    for (const [k, v] of Object.entries({
      client_id: clientId,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'licenses:read licenses:manage',
      resource: `${PUBLIC}/mcp`,
      state: 's1',
      ...params,
    })) {
      url.searchParams.set(k, v);
    }
    return url;
  };
  const token = (body: Record<string, string>) =>
    fetch(`${t.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) }).then(
      async (res) => ({ status: res.status, body: (await res.json()) as any }),
    );
  /** A code through the hand-made client, with its verifier. */
  async function codeFor(who: Actor, clientId: string) {
    const verifier = randomBytes(32).toString('base64url');
    const { code } = await consent(authorizeUrl(clientId, { code_challenge: s256(verifier), code_challenge_method: 'S256' }), who);
    assert.ok(code);
    return { code: code as string, verifier };
  }
  const toolsList = (accessToken: string) =>
    t.request('POST', '/mcp', {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json, text/event-stream' },
      body: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} },
    });

  before(async () => {
    t = await createTestApp({ plugins: ['auth', 'billing', 'licensing', 'mail', 'agents'] });
    owner = await registerOwner(t, 'oauth');
  });
  after(async () => t?.close());

  it('the metadata: protected resource names the authorization server, RFC 8414 metadata at its path-inserted location', async () => {
    const prm = await t.request('GET', '/.well-known/oauth-protected-resource/mcp');
    assert.equal(prm.status, 200, prm.text);
    assert.deepEqual(prm.body.authorization_servers, [`${PUBLIC}/oauth`]);
    assert.ok(prm.body.scopes_supported.includes('licenses:manage'));
    assert.ok(!prm.body.scopes_supported.some((s: string) => s.startsWith('platform:')));
    const meta = await t.request('GET', '/.well-known/oauth-authorization-server/oauth');
    assert.equal(meta.status, 200, meta.text);
    assert.equal(meta.body.issuer, `${PUBLIC}/oauth`);
    assert.deepEqual(meta.body.code_challenge_methods_supported, ['S256']);
    assert.ok(meta.body.registration_endpoint.endsWith('/oauth/reg'));
    assert.ok(meta.body.revocation_endpoint.endsWith('/oauth/token/revocation'));
  });

  it("the SDK's auth(): registers, consent, tokens, tools, refresh (rotated), then refused after revocation", async () => {
    const provider = new MemoryProvider();
    const serverUrl = `${PUBLIC}/mcp`;
    assert.equal(await auth(provider, { serverUrl, fetchFn }), 'REDIRECT');
    assert.ok(provider.info?.client_id, 'registered');
    assert.ok(provider.authorizationUrl);
    assert.equal(provider.authorizationUrl.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(provider.authorizationUrl.searchParams.get('resource'), serverUrl);
    const { code, view, to } = await consent(provider.authorizationUrl, owner);
    assert.equal(to.searchParams.get('iss'), `${PUBLIC}/oauth`, 'RFC 9207: the issuer comes back with the code');
    assert.equal(view.client.name, 'Test agent');
    assert.equal(view.tenant.id, owner.tenantId);
    const readOnly = view.presets.find((p: any) => p.id === 'read_only');
    assert.ok(readOnly.scopes.every((s: string) => s.endsWith(':read')));
    assert.ok(!readOnly.tools.includes('licensing_generate'));
    assert.ok(view.presets.find((p: any) => p.id === 'everything').tools.includes('licensing_generate'));
    assert.equal(await auth(provider, { serverUrl, fetchFn, authorizationCode: code as string, iss: to.searchParams.get('iss') as string }), 'AUTHORIZED');
    const first = provider.saved;
    assert.ok(first.access_token && first.refresh_token);

    const connect = async (accessToken: string) => {
      const client = new Client({ name: 'oauth-test', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${accessToken}` } } }),
      );
      return client;
    };
    const client = await connect(first.access_token);
    const names = (await client.listTools()).tools.map((x) => x.name);
    assert.ok(names.includes('licensing_generate'), names.join());
    const verified = await client.callTool({ name: 'license_verify', arguments: { license_key: 'NOPE-NOPE' } });
    assert.ok(verified.content, 'the tool answered');
    await client.close();
    // Metered and audited like a key's call, the grant standing for the key.
    const audit = await t.app.db('auth_audit_logs').where({ action: 'agents.tool_call', tenant_id: owner.tenantId }).select('details', 'actor_type');
    assert.ok(audit.some((r: any) => JSON.parse(r.details).key_id.startsWith('oauth:') && r.actor_type === 'oauth'));

    // Refresh: a new pair; the old refresh token is spent.
    assert.equal(await auth(provider, { serverUrl, fetchFn }), 'AUTHORIZED');
    const second = provider.saved;
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.notEqual(second.access_token, first.access_token);
    assert.equal((await toolsList(second.access_token)).status, 200);

    // Listed in My profile / the Agents page, then revoked: every token of the grant stops at once.
    const grants = await t.request('GET', '/agents/oauth/grants', { headers: owner.headers });
    assert.equal(grants.status, 200, grants.text);
    const grant = grants.body.items.find((g: any) => g.client_id === provider.info.client_id);
    assert.equal(grant.client_name, 'Test agent');
    assert.ok(grant.scopes.includes('licenses:manage'));
    const other = await addUser(t, owner.tenantId, 'member');
    assert.equal((await t.request('DELETE', `/agents/oauth/grants/${grant.id}`, { headers: other.headers })).status, 404, "another person's grant");
    const revoked = await t.request('DELETE', `/agents/oauth/grants/${grant.id}`, { headers: owner.headers });
    assert.equal(revoked.status, 200, revoked.text);
    const refused = await toolsList(second.access_token);
    assert.equal(refused.status, 401, refused.text);
    assert.match(refused.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    assert.equal((await token({ grant_type: 'refresh_token', refresh_token: second.refresh_token, client_id: provider.info.client_id })).status, 400);
    assert.equal(
      await t.app
        .db('agents_oauth_models')
        .where({ grant_id: grant.id })
        .count('* as n')
        .first()
        .then((r: any) => Number(r.n)),
      0,
    );
    const actions = (
      await t.app
        .db('auth_audit_logs')
        .where({ tenant_id: owner.tenantId })
        .whereIn('action', ['agents.oauth.granted', 'agents.oauth.revoked'])
        .select('action')
    ).map((r: any) => r.action);
    assert.ok(actions.includes('agents.oauth.granted') && actions.includes('agents.oauth.revoked'));
  });

  it('PKCE is required and only S256: plain or none is refused at the authorization endpoint', async () => {
    const clientId = await register();
    const cases: Array<Record<string, string>> = [{ code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }, {}];
    for (const params of cases) {
      const res = await fetch(authorizeUrl(clientId, params), { redirect: 'manual' });
      assert.equal(res.status, 303);
      const to = new URL(res.headers.get('location') ?? '');
      assert.equal(to.searchParams.get('error'), 'invalid_request', JSON.stringify(params));
      assert.equal(to.searchParams.get('code'), null);
    }
  });

  it('a code is spent once: reused, it is refused and the tokens it gave are revoked', async () => {
    const clientId = await register();
    const { code, verifier } = await codeFor(owner, clientId);
    const exchange = {
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
      client_id: clientId,
      resource: `${PUBLIC}/mcp`,
    };
    const first = await token(exchange);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal((await toolsList(first.body.access_token)).status, 200);
    const again = await token(exchange);
    assert.equal(again.status, 400);
    assert.equal(again.body.error, 'invalid_grant');
    assert.equal((await toolsList(first.body.access_token)).status, 401);
  });

  it('a wrong verifier is refused', async () => {
    const clientId = await register();
    const { code } = await codeFor(owner, clientId);
    const res = await token({
      grant_type: 'authorization_code',
      code,
      code_verifier: randomBytes(32).toString('base64url'),
      redirect_uri: REDIRECT,
      client_id: clientId,
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_grant');
  });

  it('a refresh token used twice: refused, and the whole grant is revoked (reuse detection)', async () => {
    const clientId = await register();
    const { code, verifier } = await codeFor(owner, clientId);
    const first = await token({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT, client_id: clientId });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const rotated = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token, client_id: clientId });
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    const reused = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token, client_id: clientId });
    assert.equal(reused.status, 400);
    assert.equal(reused.body.error, 'invalid_grant');
    assert.equal((await toolsList(rotated.body.access_token)).status, 401, 'the grant went with it');
    assert.equal((await token({ grant_type: 'refresh_token', refresh_token: rotated.body.refresh_token, client_id: clientId })).status, 400);
  });

  it('another resource: refused at authorization; a token minted for one is refused at /mcp and on the REST face', async () => {
    const clientId = await register();
    const verifier = randomBytes(32).toString('base64url');
    const res = await fetch(authorizeUrl(clientId, { code_challenge: s256(verifier), code_challenge_method: 'S256', resource: 'https://elsewhere.test/api' }), {
      redirect: 'manual',
    });
    assert.equal(res.status, 303);
    assert.equal(new URL(res.headers.get('location') ?? '').searchParams.get('error'), 'invalid_target');

    // A second instance on the same database (keys and state shared) mints one for another audience.
    const other = new OAuthServer({
      db: t.app.db,
      clock: { now: () => new Date() } as never,
      logger: t.app.logger as never,
      publicUrl: PUBLIC,
      scopes: () => ['licenses:manage'],
      trustProxy: false,
    });
    const provider = await other.get();
    const { code, verifier: v2 } = await codeFor(owner, clientId);
    const good = await token({ grant_type: 'authorization_code', code, code_verifier: v2, redirect_uri: REDIRECT, client_id: clientId });
    const grantId = (await provider.AccessToken.find(good.body.access_token))?.grantId as string;
    const foreign = new provider.AccessToken({
      accountId: `${owner.tenantId}:${owner.id}`,
      clientId,
      grantId,
      scope: 'licenses:manage',
      aud: `${PUBLIC}/other`,
      client: await provider.Client.find(clientId),
    } as never);
    const value = await foreign.save();
    const refused = await toolsList(value);
    assert.equal(refused.status, 401, refused.text);
    assert.equal((await toolsList(good.body.access_token)).status, 200, 'the real one works');
    const rest = await t.request('GET', '/api/v2/users/me', { headers: { authorization: `Bearer ${good.body.access_token}` } });
    assert.equal(rest.status, 401, 'an MCP token is not a REST credential');
  });

  it('consent needs a person signed in to the admin UI: not an API key, not anonymous; deny sends access_denied back', async () => {
    const clientId = await register();
    const verifier = randomBytes(32).toString('base64url');
    const start = await fetch(authorizeUrl(clientId, { code_challenge: s256(verifier), code_challenge_method: 'S256' }), { redirect: 'manual' });
    const uid = new URL(start.headers.get('location') ?? '', t.url).searchParams.get('uid') ?? '';
    assert.equal((await t.request('GET', `/agents/oauth/consent/${uid}`)).status, 401);
    const key = await t.request('POST', '/api/v2/api-keys', { body: { name: 'k', scopes: ['licenses:manage'] }, headers: owner.headers });
    const byKey = await t.request('POST', `/agents/oauth/consent/${uid}`, {
      headers: { 'X-API-Key': key.body.raw_key },
      body: { decision: 'allow', preset: 'everything' },
    });
    assert.equal(byKey.status, 403, byKey.text);
    assert.equal((await t.request('POST', `/agents/oauth/consent/${uid}`, { headers: owner.headers, body: { decision: 'allow' } })).status, 422);
    assert.equal((await t.request('GET', '/agents/oauth/consent/nope', { headers: owner.headers })).status, 404);
    const denied = await t.request('POST', `/agents/oauth/consent/${uid}`, { headers: owner.headers, body: { decision: 'deny' } });
    assert.equal(denied.status, 200, denied.text);
    const back = await fetch(denied.body.redirect_to.replace(PUBLIC, t.url), { redirect: 'manual', headers: { cookie: cookiesOf(start) } });
    assert.equal(new URL(back.headers.get('location') ?? '').searchParams.get('error'), 'access_denied');
  });

  it('a second instance on the same database redeems the tokens; under its second-factor policy the token and the consent are refused', async () => {
    const clientId = await register();
    const { code, verifier } = await codeFor(owner, clientId);
    const tokens = await token({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT, client_id: clientId });
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    const strict = await createTestApp({
      plugins: ['auth', 'billing', 'licensing', 'mail', 'agents'],
      database: t.database,
      settings: { auth: { mfa: { require: 'everyone' } } },
    });
    try {
      const call = { authorization: `Bearer ${tokens.body.access_token}`, accept: 'application/json, text/event-stream' };
      const refused = await strict.request('POST', '/mcp', { headers: call, body: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} } });
      assert.equal(refused.status, 403, refused.text);
      assert.equal(refused.body.code, 'mfa_enrollment_required');
      // The refresh is the server's (no policy there): the other instance answers it from the shared rows.
      const refreshed = await fetch(`${strict.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token, client_id: clientId }),
      });
      assert.equal(refreshed.status, 200, await refreshed.text());
      const verifier2 = randomBytes(32).toString('base64url');
      const start = await fetch(authorizeUrl(clientId, { code_challenge: s256(verifier2), code_challenge_method: 'S256' }).href.replace(t.url, strict.url), {
        redirect: 'manual',
      });
      const uid = new URL(start.headers.get('location') ?? '', strict.url).searchParams.get('uid') ?? '';
      const consentRefused = await strict.request('GET', `/agents/oauth/consent/${uid}`, { headers: owner.headers });
      assert.equal(consentRefused.status, 403, consentRefused.text);
      assert.equal(consentRefused.body.code, 'mfa_enrollment_required');
    } finally {
      await strict.close();
    }
  });

  it('read-only consent: the token carries only read scopes, so write tools are not listed', async () => {
    const provider = new MemoryProvider();
    const serverUrl = `${PUBLIC}/mcp`;
    await auth(provider, { serverUrl, fetchFn });
    const { code, to } = await consent(provider.authorizationUrl as URL, owner, { decision: 'allow', preset: 'read_only' });
    await auth(provider, { serverUrl, fetchFn, authorizationCode: code as string, iss: to.searchParams.get('iss') as string });
    const client = new Client({ name: 'oauth-read-only', version: '1.0.0' });
    const headers = { Authorization: `Bearer ${provider.saved.access_token}` };
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers } }));
    const names = (await client.listTools()).tools.map((x) => x.name);
    await client.close();
    assert.ok(!names.includes('licensing_generate'), names.join());
    assert.ok(provider.saved.scope === undefined || !String(provider.saved.scope).includes('licenses:manage'), provider.saved.scope);
  });
});
