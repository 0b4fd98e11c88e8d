// OAuth for MCP clients in the admin UI: the consent page an application's authorization request
// lands on (which tenant, which scopes, which tools that means), and the list of applications a
// person authorized, each revocable (on the Agents page and on Connected applications).
import { useState } from 'preact/hooks';
import { api, ApiError, ErrorBanner, Page, Table, Time, t, tOr, tx, useAction, useApi, useQueryParam } from 'plinth/plugin/ui';

interface Preset {
  id: 'read_only' | 'everything';
  label: string;
  description: string;
  scopes: string[];
  tools: string[];
}

interface ConsentView {
  client: { id: string; name: string | null; redirect_uri: string; uri: string | null };
  tenant: { id: string; name: string };
  user: string;
  resource: string;
  requested: string[];
  presets: Preset[];
}

interface Grant {
  id: string;
  client_id: string;
  client_name: string | null;
  scopes: string[];
  created_at: string;
  expires_at: string | null;
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

/** A protocol's or product's name in a message (`<term>OAuth</term>`): the same in every language. */
export const term = (text: string) => <span translate={false}>{text}</span>;

const list = (items: string[], none: string) => (items.length ? items.map((s) => <code key={s}>{s} </code>) : <span class="muted">{none}</span>);

/** Why the consent cannot be given, by the refusal's code (a request that expired, a person who is no tenant's); else the server's words. */
const refusal = (error: Error | null) => (error instanceof ApiError ? tOr(`agents.consent.refused.${error.code}`, error.message) : error);

/** /admin/agents/consent?uid=…: where the authorization server sends a person to allow or deny an application. */
export function ConsentPage() {
  const uid = useQueryParam('uid') ?? '';
  if (!uid) {
    return (
      <Page title={t('agents.nav.consent')}>
        <p>{t('agents.consent.noRequest')}</p>
      </Page>
    );
  }
  return <Consent uid={uid} />;
}

function Consent(props: { uid: string }) {
  const { uid } = props;
  const view = useApi<ConsentView>(`/agents/oauth/consent/${encodeURIComponent(uid)}`);
  const [preset, setPreset] = useState<Preset['id']>('read_only');
  const action = useAction();
  const answer = (decision: 'allow' | 'deny') =>
    action.run(async () => {
      const reply = await api<{ redirect_to: string }>(`/agents/oauth/consent/${encodeURIComponent(uid)}`, {
        body: decision === 'allow' ? { decision, preset } : { decision },
      });
      location.assign(reply.redirect_to);
    });
  const v = view.data;
  const chosen = v?.presets.find((p) => p.id === preset);
  return (
    <Page title={t('agents.nav.consent')}>
      <ErrorBanner error={refusal(view.error)} />
      <ErrorBanner error={refusal(action.error)} />
      {v ? (
        <div class="card">
          <h2>{v.client.name ? t('agents.consent.wants', { name: v.client.name }) : t('agents.consent.wantsUnnamed')}</h2>
          <p>
            {tx('agents.consent.actAs', {
              user: v.user,
              tenant: v.tenant.name,
              resource: v.resource,
              host: hostOf(v.client.redirect_uri),
              strong: (text: string) => <strong>{text}</strong>,
              code: (text: string) => <code>{text}</code>,
            })}
          </p>
          <fieldset>
            <legend>{t('agents.consent.mayDo')}</legend>
            {v.presets.map((p) => (
              <label key={p.id} style={{ display: 'block' }}>
                <input type="radio" name="preset" value={p.id} checked={preset === p.id} onChange={() => setPreset(p.id)} /> {t(`agents.key.preset.${p.id}`)}
              </label>
            ))}
          </fieldset>
          {chosen ? (
            <>
              <p>{t(`agents.key.preset.${chosen.id}.description`)}</p>
              <p>{tx('agents.consent.scopes', { list: list(chosen.scopes, t('agents.consent.noScopes')) })}</p>
              <p>{tx('agents.consent.tools', { list: list(chosen.tools, t('agents.consent.noTools')) })}</p>
            </>
          ) : null}
          <p class="muted">{t('agents.consent.heldToYou')}</p>
          <button type="button" onClick={() => answer('allow')} disabled={action.busy}>
            {t('agents.consent.allow')}
          </button>{' '}
          <button type="button" class="secondary" onClick={() => answer('deny')} disabled={action.busy}>
            {t('agents.consent.deny')}
          </button>
        </div>
      ) : view.loading ? (
        <p>{t('kit.loading')}</p>
      ) : null}
    </Page>
  );
}

/** The applications the signed-in person authorized, each revocable at once. */
export function OAuthGrants() {
  const grants = useApi<{ items: Grant[] }>('/agents/oauth/grants');
  const action = useAction();
  const revoke = (g: Grant) =>
    action.run(async () => {
      await api(`/agents/oauth/grants/${encodeURIComponent(g.id)}`, { method: 'DELETE' });
      grants.reload();
    });
  return (
    <div class="card">
      <h2>{t('agents.grants.title')}</h2>
      <p class="muted">{tx('agents.grants.intro', { term })}</p>
      <ErrorBanner error={grants.error} />
      <ErrorBanner error={action.error} />
      <Table
        caption={t('agents.grants.caption')}
        rows={grants.data?.items ?? []}
        rowKey={(g) => g.id}
        empty={grants.loading ? t('kit.loading') : t('agents.grants.empty')}
        columns={[
          { label: t('agents.grants.application'), value: (g) => <span title={g.client_id}>{g.client_name ?? g.client_id}</span> },
          { label: t('agents.grants.scopes'), value: (g) => list(g.scopes, t('agents.consent.noScopes')) },
          { label: t('agents.grants.authorized'), value: (g) => <Time value={g.created_at} /> },
          {
            label: t('agents.grants.revoke'),
            value: (g) => (
              <button
                type="button"
                class="secondary small"
                onClick={() => revoke(g)}
                disabled={action.busy}
                aria-label={t('agents.grants.revokeOne', { name: g.client_name ?? g.client_id })}
              >
                {t('agents.grants.revoke')}
              </button>
            ),
          },
        ]}
      />
    </div>
  );
}

/** Connected applications: every tenant user's own list (members do not see the Agents page). */
export function ApplicationsPage() {
  return (
    <Page title={t('agents.nav.applications')}>
      <OAuthGrants />
    </Page>
  );
}
