// The Agents page (owners and admins): where agents connect, a desktop client's config, which key to
// make (each tool with the scope it needs), and the tenant's recent tool calls from the audit log.
import { useState } from 'preact/hooks';
import {
  addMessages,
  CopyText,
  ErrorBanner,
  type Loaded,
  mayOpenPage,
  Page,
  Pager,
  Table,
  Time,
  t,
  tOr,
  tx,
  useApi,
  useQueryParam,
  withQuery,
} from 'plinth/plugin/ui';
import en from './messages/en.json' with { type: 'json' };
import zhCN from './messages/zh-CN.json' with { type: 'json' };
import { AgentKey, useNewAgentKey } from './agent-key.js';
import { ApplicationsPage, ConsentPage, OAuthGrants, term } from './oauth.js';

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

const kind = (tool: Tool) => t('agents.tools.kind', { kind: tool.readOnly ? 'read' : tool.destructive ? 'destructive' : 'write' });

/** What became of a call: done, previewed or refused (and why). */
function Outcome(props: { outcome: string }) {
  const o = props.outcome;
  const tone =
    o === 'ok' ? 'badge-ok' : o === 'preview' || o === 'dry_run' ? '' : o === 'rate_limited' || o === 'usage_limit_reached' ? 'badge-warn' : 'badge-danger';
  // A refusal's code this catalogue does not know yet (a new error) is shown as the code, in words.
  return <span class={`badge ${tone}`}>{tOr(`agents.outcome.${o}`, o.replace(/_/g, ' '))}</span>;
}

/** A block of text (a config file) with a button that copies it. */
function CopyBlock(props: { text: string; label: string }) {
  const [note, setNote] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setNote(t('kit.copy.copied'));
    } catch {
      setNote(t('agents.copy.select'));
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
        {t('kit.copy.label', { what: props.label })}
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
        <h2>{t('agents.connect.endpoint')}</h2>
        <p>
          {tx('agents.connect.endpointText', { term })} <CopyText text={url} label={t('agents.connect.endpointLabel')} />
        </p>
        <p class="muted">{tx('agents.connect.skills', { term, link: (text: string) => <a href="/.well-known/agent-skills/index.json">{text}</a> })}</p>
      </div>
      <div class="card">
        <h2>{t('agents.connect.title')}</h2>
        <p>{key ? t('agents.connect.withKey') : t('agents.connect.withoutKey')}</p>
        <CopyBlock text={config} label={t('agents.connect.configLabel')} />
      </div>
    </>
  );
}

function MakeKey() {
  const tools = useApi<{ tools: Tool[] }>('/agents/tools');
  return (
    <div class="card">
      <h2>{t('agents.tools.title')}</h2>
      <p>
        {mayOpenPage('/admin/auth/api-keys')
          ? tx('agents.tools.intro', { link: (text: string) => <a href="/admin/auth/api-keys">{text}</a> })
          : t('agents.tools.introNoKeys')}
      </p>
      <ErrorBanner error={tools.error} />
      <Table
        caption={t('agents.tools.caption')}
        rows={tools.data?.tools ?? []}
        rowKey={(tool) => tool.name}
        empty={tools.loading ? t('kit.loading') : t('agents.tools.empty')}
        columns={[
          // The description is the plugin's own English (a tool's description is for the agent, which reads English).
          { label: t('agents.tools.tool'), value: (tool) => <code title={tool.description}>{tool.name}</code> },
          {
            label: t('agents.tools.scope'),
            value: (tool) => (tool.scope === ANY_KEY ? <span class="muted">{t('agents.tools.anyKey')}</span> : <code>{tool.scope}</code>),
          },
          { label: t('agents.tools.kindLabel'), value: kind },
          { label: t('agents.tools.listed'), value: (tool) => t('agents.tools.listedIn', { listed: String(tool.listed) }) },
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
        caption={t('agents.calls.caption')}
        rows={calls.data?.items ?? []}
        rowKey={(c) => c.id}
        empty={calls.loading ? t('kit.loading') : t('agents.calls.empty')}
        columns={[
          { label: t('agents.calls.time'), value: (c) => <Time value={c.at} /> },
          { label: t('agents.tools.tool'), value: (c) => <code title={c.via ? t('agents.calls.via', { tool: c.via }) : undefined}>{c.tool}</code> },
          { label: t('agents.calls.outcome'), value: (c) => <Outcome outcome={c.outcome} /> },
          { label: t('agents.calls.client'), value: 'client' },
          { label: t('agents.calls.key'), value: (c) => <span title={c.key_id}>{c.key_name ?? c.key_id}</span> },
        ]}
      />
      <Pager total={calls.data?.total} page={page} pageSize={PAGE_SIZE} count={(count) => t('agents.calls.count', { count })} />
    </div>
  );
}

function AgentsPage() {
  const page = Number(useQueryParam('page') ?? 1) || 1;
  const calls = useApi<CallPage>(withQuery('/agents/calls', { page, page_size: PAGE_SIZE }));
  const refresh = (
    <button type="button" class="secondary" onClick={calls.reload} disabled={calls.loading}>
      {t('agents.calls.refresh')}
    </button>
  );
  return (
    <Page title={t('agents.nav.index')} actions={refresh}>
      <Connect />
      {mayOpenPage('/admin/auth/api-keys') ? <AgentKey /> : null}
      <MakeKey />
      <OAuthGrants />
      <RecentCalls calls={calls} page={page} />
    </Page>
  );
}

export const pages = { '': AgentsPage, consent: ConsentPage, applications: ApplicationsPage };
