import { hasRole } from '../../http/auth.js';
import { useApi } from './use-api.js';

interface Me {
  id: string;
  roles: string[];
  tenant_id: string | null;
}

/**
 * Whether the signed-in user is an owner or admin of a tenant (by the rule the shell's navigation
 * uses); undefined until known. Pages show members a read-only view.
 */
export function useTenantAdmin(): boolean | undefined {
  const me = useApi<Me>('/admin/api/me');
  return me.data ? Boolean(me.data.tenant_id) && hasRole(me.data, 'admin') : undefined;
}
