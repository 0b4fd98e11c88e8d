// The Agents page (owners and admins): where agents connect, a desktop client's config, which key to
// make (each tool with the scope it needs), and the tenant's recent tool calls from the audit log.
import { useState } from 'preact/hooks';
import { addMessages, CopyText, ErrorBanner, type Loaded, mayOpenPage, Page, Pager, Table, Time, useApi, useQueryParam, withQuery } from 'plinth/plugin/ui';
import en from './messages/en.json' with { type: 'json' };
import zhCN from './messages/zh-CN.json' with { type: 'json' };
import { AgentKey, useNewAgentKey } from './agent-key.js';
import { ApplicationsPage, ConsentPage, OAuthGrants } from './oauth.js';

addMessages({ en, 'zh-CN': zhCN });

interface Tool {
  name: string;
  plugin: string;
  description: string;
  scope: string;
  listed: boolean;
  readOnly: boolean;
  destructive: boolean;
  openWorld: boolean;
}

interface Call {
  id: number;
  at: string;
  tool: string;
  outcome: string;
  client: string;
  key_id: string;
  key_name: string | null;
  via: string | null;
}

interface CallPage {
  items: Call[];
  total: number;
  page: number;
  page_size: number;
}

const PAGE_SIZE = 20;
/** Scopes the meta tools run under: any key has them. */
const ANY_KEY = 'agents:call';

const kind = (t: Tool) => (t.readOnly ? 'read-only' : t.destructive ? 'destructive (confirm)' : 'write (dry run)');

/** What became of a call: done, previewed or refused (and why). */
function Outcome(props: { outcome: string }) {
  const o = props.outcome;
  const tone =
    o === 'ok' ? 'badge-ok' : o === 'preview' || o === 'dry_run' ? '' : o === 'rate_limited' || o === 'usage_limit_reached' ? 'badge-warn' : 'badge-danger';
  return <span class={`badge ${tone}`}>{o.replace(/_/g, ' ')}</span>;
}

/** A block of text (a config file) with a button that copies it. */
function CopyBlock(props: { text: string; label: string }) {
  const [note, setNote] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setNote('Copied');
    } catch {
      setNote('Select the text and press Ctrl+C (⌘C on a Mac)');
    }
  };
  return (
    <div>
      <figure aria-label={props.label} style={{ margin: 0 }}>
        <pre style={{ userSelect: 'all', overflowX: 'auto' }}>
          <code>{props.text}</code>
        </pre>
      </figure>
      <button type="button" class="secondary small" onClick={copy}>
        Copy {props.label}
      </button>
      <span class="muted" role="status" style={{ marginLeft: '0.5rem' }}>
        {note}
      </span>
    </div>
  );
}

function Connect() {
  const meta = useApi<{ resource: string }>('/.well-known/oauth-protected-resource');
  const url = meta.data?.resource ?? `${location.origin}/mcp`;
  const key = useNewAgentKey();
  const config = JSON.stringify({ mcpServers: { plinth: { type: 'http', url, headers: { Authorization: `Bearer ${key ?? 'mf_…'}` } } } }, null, 2);
  return (
    <>
      <div class="card">
        <h2>Endpoint</h2>
        <p>
          MCP endpoint (Streamable HTTP, stateless; protocol 2026-07-28 and the 2025 revisions): <CopyText text={url} label="endpoint URL" />
        </p>
        <p class="muted">
          Agent Skills for every face: <a href="/.well-known/agent-skills/index.json">/.well-known/agent-skills/index.json</a>
        </p>
      </div>
      <div class="card">
        <h2>Connect a desktop client</h2>
        <p>
          {key
            ? "Put this in the client's MCP servers configuration. It holds the key you just made: copy it now, it is not shown again."
            : "Put this in the client's MCP servers configuration, with the key in place of mf_…:"}
        </p>
        <CopyBlock text={config} label="client configuration" />
      </div>
    </>
  );
}

function MakeKey() {
  const tools = useApi<{ tools: Tool[] }>('/agents/tools');
  return (
    <div class="card">
      <h2>Make a key</h2>
      <p>
        An agent signs in with an API key of this tenant.{' '}
        {mayOpenPage('/admin/auth/api-keys') ? (
          <>
            Make one on <a href="/admin/auth/api-keys">API keys</a> with only the scopes of the tools it needs:
          </>
        ) : (
          'Your plan does not include API keys: ask your operator for a plan with them. Give a key only the scopes of the tools it needs:'
        )}{' '}
        a key sees the tools its scopes (and the plan) allow, and nothing else.
      </p>
      <ErrorBanner error={tools.error} />
      <Table
        caption="Tools and the scope each needs"
        rows={tools.data?.tools ?? []}
        rowKey={(t) => t.name}
        empty={tools.loading ? 'Loading…' : 'No tools: no plugin offers any.'}
        columns={[
          { label: 'Tool', value: (t) => <code title={t.description}>{t.name}</code> },
          { label: 'Scope', value: (t) => (t.scope === ANY_KEY ? <span class="muted">any key</span> : <code>{t.scope}</code>) },
          { label: 'Kind', value: kind },
          { label: 'Listed', value: (t) => (t.listed ? 'in tools/list' : 'through tool_call') },
        ]}
      />
    </div>
  );
}

function RecentCalls(props: { calls: Loaded<CallPage>; page: number }) {
  const { calls, page } = props;
  return (
    <div class="card">
      <ErrorBanner error={calls.error} />
      <Table
        caption="Recent tool calls"
        rows={calls.data?.items ?? []}
        rowKey={(c) => c.id}
        empty={calls.loading ? 'Loading…' : 'No tool calls yet.'}
        columns={[
          { label: 'Time', value: (c) => <Time value={c.at} /> },
          { label: 'Tool', value: (c) => <code title={c.via ? `through ${c.via}` : undefined}>{c.tool}</code> },
          { label: 'Outcome', value: (c) => <Outcome outcome={c.outcome} /> },
          { label: 'Client', value: 'client' },
          { label: 'Key', value: (c) => <span title={c.key_id}>{c.key_name ?? c.key_id}</span> },
        ]}
      />
      <Pager total={calls.data?.total} page={page} pageSize={PAGE_SIZE} nouns={['call', 'calls']} />
    </div>
  );
}

function AgentsPage() {
  const page = Number(useQueryParam('page') ?? 1) || 1;
  const calls = useApi<CallPage>(withQuery('/agents/calls', { page, page_size: PAGE_SIZE }));
  const refresh = (
    <button type="button" class="secondary" onClick={calls.reload} disabled={calls.loading}>
      Refresh calls
    </button>
  );
  return (
    <Page title="Agents" actions={refresh}>
      <Connect />
      {mayOpenPage('/admin/auth/api-keys') ? <AgentKey /> : null}
      <MakeKey />
      <OAuthGrants />
      <RecentCalls calls={calls} page={page} />
    </Page>
  );
}

export const pages = { '': AgentsPage, consent: ConsentPage, applications: ApplicationsPage };
