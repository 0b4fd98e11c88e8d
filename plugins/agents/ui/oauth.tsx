// OAuth for MCP clients in the admin UI: the consent page an application's authorization request
// lands on (which tenant, which scopes, which tools that means), and the list of applications a
// person authorized, each revocable (on the Agents page and on Connected applications).
import { useState } from 'preact/hooks';
import { api, ErrorBanner, Page, Table, Time, useAction, useApi, useQueryParam } from 'plinth/plugin/ui';

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

const list = (items: string[], none: string) => (items.length ? items.map((s) => <code key={s}>{s} </code>) : <span class="muted">{none}</span>);

/** /admin/agents/consent?uid=…: where the authorization server sends a person to allow or deny an application. */
export function ConsentPage() {
  const uid = useQueryParam('uid') ?? '';
  if (!uid) {
    return (
      <Page title="Authorize an application">
        <p>This page opens when an application (an MCP client) asks to sign in as you: start from the application.</p>
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
  const name = v?.client.name ?? 'An application';
  return (
    <Page title="Authorize an application">
      <ErrorBanner error={view.error} />
      <ErrorBanner error={action.error} />
      {v ? (
        <div class="card">
          <h2>{name} wants to use your agent tools</h2>
          <p>
            It will act as <strong>{v.user}</strong> in the tenant <strong>{v.tenant.name}</strong>, through the MCP endpoint <code>{v.resource}</code>, until
            you revoke it. After you answer, you are sent back to <code>{hostOf(v.client.redirect_uri)}</code>.
          </p>
          <fieldset>
            <legend>What it may do</legend>
            {v.presets.map((p) => (
              <label key={p.id} style={{ display: 'block' }}>
                <input type="radio" name="preset" value={p.id} checked={preset === p.id} onChange={() => setPreset(p.id)} /> {p.label}
              </label>
            ))}
          </fieldset>
          {chosen ? (
            <>
              <p>{chosen.description}</p>
              <p>Scopes: {list(chosen.scopes, 'none')}</p>
              <p>Tools: {list(chosen.tools, 'no tools beyond the search and describe tools')}</p>
            </>
          ) : null}
          <p class="muted">Its access is also held to your own role and your plan: it can never do more than you can.</p>
          <button type="button" onClick={() => answer('allow')} disabled={action.busy}>
            Allow
          </button>{' '}
          <button type="button" class="secondary" onClick={() => answer('deny')} disabled={action.busy}>
            Deny
          </button>
        </div>
      ) : view.loading ? (
        <p>Loading…</p>
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
      <h2>Applications you authorized</h2>
      <p class="muted">MCP clients that signed in with OAuth as you. Revoking one ends its access and every token it holds now.</p>
      <ErrorBanner error={grants.error} />
      <ErrorBanner error={action.error} />
      <Table
        caption="Authorized applications"
        rows={grants.data?.items ?? []}
        rowKey={(g) => g.id}
        empty={grants.loading ? 'Loading…' : 'No application is authorized.'}
        columns={[
          { label: 'Application', value: (g) => <span title={g.client_id}>{g.client_name ?? g.client_id}</span> },
          { label: 'Scopes', value: (g) => list(g.scopes, 'none') },
          { label: 'Authorized', value: (g) => <Time value={g.created_at} /> },
          {
            label: 'Revoke',
            value: (g) => (
              <button
                type="button"
                class="secondary small"
                onClick={() => revoke(g)}
                disabled={action.busy}
                aria-label={`Revoke ${g.client_name ?? g.client_id}`}
              >
                Revoke
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
    <Page title="Connected applications">
      <OAuthGrants />
    </Page>
  );
}
