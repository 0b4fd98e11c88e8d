// Agents' rows of a tenant, deleted with it (core/overview/tenant.ts): the confirmations its agents wait on.
import { tenantTables } from 'plinth/plugin';

export const agentsTenantPart = tenantTables([
  { table: 'agents_confirmations', label: ['pending agent confirmation', 'pending agent confirmations'], message: 'agents.tenant.goes.confirmations' },
]);
