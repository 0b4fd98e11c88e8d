import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Knex } from 'knex';
import type Provider from 'oidc-provider';
import type { Clock } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import { KnexOAuthAdapter, loadOAuthKeys } from './oauth-store.js';

/** Where the authorization server is mounted, under the public URL: its issuer is `<public URL>/oauth`. */
export const OAUTH_BASE = '/oauth';
/** Where the admin UI's consent page is: the interaction (sign-in and consent) is sent there. */
export const CONSENT_PAGE = '/admin/agents/consent';

const TTL = {
  AccessToken: 3600,
  AuthorizationCode: 60,
  RefreshToken: 30 * 86_400,
  Grant: 365 * 86_400,
  Interaction: 600,
  Session: 600,
  ClientCredentials: 600,
};

export interface OAuthDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  publicUrl: string;
  /** Every scope an API key may carry: what a client may ask for. */
  scopes: () => string[];
  trustProxy: boolean;
}

/** An access token's facts, once it is known to be live and for `/mcp`. */
export interface OAuthAccess {
  userId: string;
  tenantId: string;
  scopes: string[];
  grantId: string;
  clientId: string;
}

export interface GrantView {
  id: string;
  client_id: string;
  client_name: string | null;
  scopes: string[];
  created_at: string;
  expires_at: string | null;
}

/** A grant's account: the tenant it was made in and the user, so a token names both. */
const accountOf = (tenantId: string, userId: string) => `${tenantId}:${userId}`;
const parseAccount = (accountId: string) => {
  const at = accountId.indexOf(':');
  return at > 0 ? { tenantId: accountId.slice(0, at), userId: accountId.slice(at + 1) } : null;
};
const split = (scope: unknown) => (typeof scope === 'string' ? scope.split(' ').filter(Boolean) : []);

/**
 * The OAuth 2.1 authorization server for `/mcp`: panva's oidc-provider (OpenID certified), its
 * state in the database and its keys generated once and shared, so every instance answers every
 * step. Authorization code with PKCE (S256 only: the library refuses `plain`), dynamic client
 * registration (RFC 7591), resource indicators (RFC 8707: the only resource is `<public URL>/mcp`),
 * refresh tokens rotated on every use (a reused one revokes its grant), revocation (RFC 7009).
 * The sign-in and consent are the admin UI's (CONSENT_PAGE), with its session and second factor.
 */
export class OAuthServer {
  readonly issuer: string;
  readonly resource: string;
  private provider: Promise<Provider> | null = null;

  constructor(private readonly deps: OAuthDeps) {
    this.issuer = `${deps.publicUrl}${OAUTH_BASE}`;
    this.resource = `${deps.publicUrl}/mcp`;
  }

  /** Made on first use (oidc-provider and its keys load then, not at boot). */
  get(): Promise<Provider> {
    this.provider ??= this.make().catch((err: unknown) => {
      this.provider = null;
      throw err;
    });
    return this.provider;
  }

  private async make(): Promise<Provider> {
    const { default: Provider, errors } = await import('oidc-provider');
    const { db, clock } = this.deps;
    const keys = await loadOAuthKeys(db, clock);
    const resource = this.resource;
    const scopes = this.deps.scopes();
    const provider = new Provider(this.issuer, {
      adapter: (name: string) => new KnexOAuthAdapter({ db, clock, model: name }),
      jwks: keys.jwks as never,
      cookies: { keys: keys.cookieKeys },
      // Known to the server too (not only to the resource), so a client may register with them (RFC 7591 `scope`).
      scopes,
      // No OpenID Connect: the tokens are for /mcp only, there is no ID token or userinfo to ask for.
      claims: { openid: ['sub'] },
      findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
      features: {
        devInteractions: { enabled: false },
        registration: { enabled: true },
        revocation: { enabled: true },
        userinfo: { enabled: false },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => resource,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx, indicator) => {
            if (indicator !== resource) throw new errors.InvalidTarget(`the only resource here is ${resource}`);
            return { scope: scopes.join(' '), audience: resource, accessTokenTTL: TTL.AccessToken, accessTokenFormat: 'opaque' };
          },
        },
      },
      pkce: { required: () => true },
      rotateRefreshToken: true,
      issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
      ttl: TTL,
      interactions: { url: (_ctx, interaction) => `${CONSENT_PAGE}?uid=${encodeURIComponent(interaction.uid)}` },
      clientDefaults: {
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        // The one signing key is ES256 (loadOAuthKeys); no ID tokens are issued, but a client's default must be signable.
        id_token_signed_response_alg: 'ES256',
      },
      renderError: async (ctx, out) => {
        ctx.type = 'json';
        ctx.body = out;
      },
    });
    provider.proxy = this.deps.trustProxy;
    provider.on('server_error', (_ctx, err) => this.deps.logger.error({ err }, 'oauth server error'));
    return provider;
  }

  /**
   * Hands a request to the provider as its own Koa app (its signed cookies use its keys): the path
   * below OAUTH_BASE, the body already parsed by the core's parser passed along.
   */
  async serve(req: IncomingMessage & { body?: unknown; originalUrl?: string }, res: ServerResponse, body: unknown, path: string): Promise<void> {
    const provider = await this.get();
    const query = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?')) : '';
    req.originalUrl = `${OAUTH_BASE}${path}${query}`;
    req.url = `${path}${query}`;
    req.body = body;
    await provider.callback()(req, res);
  }

  /** The live access token's facts, or null: unknown, expired, revoked, or for another resource. */
  async access(token: string): Promise<OAuthAccess | null> {
    const provider = await this.get();
    const at = await provider.AccessToken.find(token);
    if (!at || at.isExpired || at.aud !== this.resource || !at.grantId || !at.accountId) return null;
    const account = parseAccount(at.accountId);
    if (!account) return null;
    return { ...account, scopes: split(at.scope), grantId: at.grantId, clientId: at.clientId ?? '' };
  }

  /** What the consent page shows: the client and what it asked for. Null when the interaction is gone. */
  async interaction(uid: string) {
    const provider = await this.get();
    const interaction = await provider.Interaction.find(uid);
    if (!interaction) return null;
    const clientId = String(interaction.params.client_id ?? '');
    const client = await provider.Client.find(clientId);
    if (!client) return null;
    const redirect = String(interaction.params.redirect_uri ?? '');
    return {
      interaction,
      client: { id: clientId, name: client.clientName ?? null, redirect_uri: redirect, uri: client.clientUri ?? null },
      requested: split(interaction.params.scope),
    };
  }

  /**
   * The person's answer: a grant of `scopes` on `/mcp` made in their tenant (the scopes asked for
   * but not chosen are recorded as refused, so the client is not sent back to ask again), or a
   * refusal. Returns where the browser goes next (the provider's resume, which redirects to the client).
   */
  async finish(uid: string, who: { userId: string; tenantId: string } | null, scopes: string[]): Promise<{ returnTo: string; grantId: string | null }> {
    const provider = await this.get();
    const interaction = await provider.Interaction.find(uid);
    if (!interaction) throw AppError.notFound('this authorization request has expired: start again from the client');
    const ttl = Math.max(1, (interaction.exp ?? 0) - Math.floor(this.deps.clock.now().getTime() / 1000));
    if (!who) {
      interaction.result = { error: 'access_denied', error_description: 'The user refused the request' };
      await interaction.save(ttl);
      return { returnTo: interaction.returnTo, grantId: null };
    }
    const accountId = accountOf(who.tenantId, who.userId);
    const grant = new provider.Grant({ accountId, clientId: String(interaction.params.client_id) });
    // The API scopes are also the server's own (see `scopes` above), so the grant holds them both ways.
    grant.addResourceScope(this.resource, scopes.join(' '));
    grant.addOIDCScope(scopes.join(' '));
    const refused = split(interaction.params.scope).filter((s) => !scopes.includes(s));
    if (refused.length) {
      grant.rejectResourceScope(this.resource, refused.join(' '));
      grant.rejectOIDCScope(refused.join(' '));
    }
    const grantId = await grant.save();
    interaction.result = { login: { accountId }, consent: { grantId } };
    await interaction.save(ttl);
    return { returnTo: interaction.returnTo, grantId };
  }

  /** A person's grants in their tenant, newest first, with the client's name. */
  async grants(tenantId: string, userId: string): Promise<GrantView[]> {
    const now = this.deps.clock.now().toISOString();
    const rows = await this.deps
      .db('agents_oauth_models')
      .where({ model: 'Grant', account_id: accountOf(tenantId, userId) })
      .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', now))
      .select('id', 'payload', 'expires_at');
    const clientIds = [...new Set(rows.map((r: { payload: string }) => String(JSON.parse(r.payload).clientId)))];
    const clients = new Map<string, string | null>();
    if (clientIds.length) {
      for (const c of await this.deps.db('agents_oauth_models').where('model', 'Client').whereIn('id', clientIds).select('id', 'payload')) {
        clients.set(c.id, JSON.parse(c.payload).client_name ?? null);
      }
    }
    return rows
      .map((r: { id: string; payload: string; expires_at: string | null }) => {
        const p = JSON.parse(r.payload) as { clientId: string; iat?: number; resources?: Record<string, string> };
        return {
          id: r.id,
          client_id: p.clientId,
          client_name: clients.get(p.clientId) ?? null,
          scopes: split(p.resources?.[this.resource]),
          created_at: new Date((p.iat ?? 0) * 1000).toISOString(),
          expires_at: r.expires_at,
        };
      })
      .sort((a, b) => b.created_at.localeCompare(a.created_at));
  }

  /** Ends one of the person's grants and every code and token issued under it; false if it is not theirs. */
  async revoke(tenantId: string, userId: string, grantId: string): Promise<GrantView | null> {
    const grant = (await this.grants(tenantId, userId)).find((g) => g.id === grantId);
    if (!grant) return null;
    await this.deps.db('agents_oauth_models').where({ grant_id: grantId }).del();
    return grant;
  }
}
