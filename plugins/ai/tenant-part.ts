// AI's rows of a tenant, deleted with it (core/overview/tenant.ts): its knowledge, providers (with
// their keys), settings, calls, replies and conversations, and its robots' AI settings and quotas.
import { tenantTables } from 'plinth/plugin';

export const aiTenantPart = tenantTables([
  { table: 'ai_knowledge', label: ['knowledge entry', 'knowledge entries'], message: 'ai.tenant.goes.knowledge' },
  { table: 'ai_providers', label: ['AI provider', 'AI providers'], message: 'ai.tenant.goes.providers' },
  { table: 'ai_calls', label: ['AI call', 'AI calls'], message: 'ai.tenant.goes.calls' },
  { table: 'ai_replies' },
  { table: 'ai_conversations' },
  { table: 'ai_robot_daily_calls' },
  { table: 'ai_robot_settings' },
  { table: 'ai_tenant_settings' },
]);
