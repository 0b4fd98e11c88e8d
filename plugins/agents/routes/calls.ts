import { actingTenant, requireRole } from 'plinth/plugin';
import { toPage } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import type { AuditReader } from '../../auth/api.js';
import type { AgentTool } from '../services/tool-catalogue.js';
import { callsQuery, callsReply, toolsReply } from './schemas.js';
import type { AgentsErrorCode } from '../api.js';

type Row = { id: number; created_at: string; target_id: string | null; actor_label: string | null; details: Record<string, unknown> | null };
const view = (r: Row) => ({
  id: Number(r.id),
  at: r.created_at,
  tool: r.target_id ?? '',
  outcome: String(r.details?.outcome ?? ''),
  client: String(r.details?.client ?? ''),
  key_id: String(r.details?.key_id ?? ''),
  key_name: r.actor_label,
  via: typeof r.details?.via === 'string' ? r.details.via : null,
});

/**
 * The Agents admin page's reads: the tenant's recent tool calls (the `agents.tool_call` audit rows,
 * through auth's `auditReader`), and every tool with the scope a key needs for it. Owners and admins.
 */
export function callRoutes(r: PluginRouter<AgentsErrorCode>, reader: AuditReader | null, tools: () => AgentTool[]): void {
  const admin = [requireRole('admin')];
  r.get(
    '/agents/calls',
    {
      summary: "The tenant's recent agent tool calls, newest first: tool, outcome, client, key",
      guards: admin,
      schema: {
        query: callsQuery,
        responses: { 200: { description: 'A page of calls', schema: callsReply } },
      },
    },
    async (ctx, { query }) => {
      const { tenantId } = await actingTenant(ctx);
      const page = { page: query.page, page_size: query.page_size };
      // Without the auth plugin there is no audit log: no calls were recorded.
      if (!reader) return toPage([], 0, page);
      const found = await reader.forTenant(tenantId, { action: 'agents.tool_call', ...(query.tool ? { target_id: query.tool } : {}) }, page);
      return { ...found, items: (found.items as Row[]).map(view) };
    },
  );
  r.get(
    '/agents/tools',
    {
      summary: 'Every agent tool with the scope a key needs for it, its hints, and whether tools/list shows it',
      guards: admin,
      schema: { responses: { 200: { description: 'The tools', schema: toolsReply } } },
    },
    async (ctx) => {
      await actingTenant(ctx);
      const list = tools().map((t) => ({
        name: t.name,
        plugin: t.plugin,
        description: t.description,
        scope: t.scope,
        listed: t.listed,
        readOnly: t.readOnly,
        destructive: t.destructive,
        openWorld: t.openWorld,
      }));
      return { tools: list };
    },
  );
}
