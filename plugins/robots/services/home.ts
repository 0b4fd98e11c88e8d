import { ConfigError } from 'plinth/plugin';

/**
 * WorkBot's home tenant: the operator's tenant that phone users join, whose codes, users and logs
 * the `/api/admin/*` endpoints manage. The `homeTenant` setting names it (a tenant id, or a tenant
 * name that exactly one tenant has); unset, it is the platform (operator) tenant.
 */

import type { TenantDirectory as AuthTenants } from '../../auth/api.js';
import { RobotsErrors } from './errors.js';

/** What this file uses of the auth plugin's tenants service. */
export type TenantDirectory = Pick<AuthTenants, 'get' | 'list' | 'operatorId'>;

/** A user as far as the seed's role is concerned. */
export interface RoleHolder {
  tenant_id: string | null;
  role: string;
  is_superadmin?: boolean | number;
}

/**
 * A phone user joins the home tenant as a member held to these scopes: their robots and their own
 * account, not the operator's mail, billing, workflows or API keys.
 */
export const PHONE_USER_SCOPES: readonly string[] = ['robots:use'];

/** Tenant roles that administer WorkBot when held in the home tenant. */
const ADMIN_ROLES = new Set(['owner', 'admin']);

/** The seed's role of a user, given the home tenant's id. */
export const seedRoleOf = (user: RoleHolder, homeId: string): 'admin' | 'user' =>
  user.is_superadmin || (user.tenant_id === homeId && ADMIN_ROLES.has(user.role)) ? 'admin' : 'user';

const notFound = (err: unknown) => (err as { status?: unknown }).status === 404;

export interface HomeTenantDeps {
  tenants: () => TenantDirectory;
  setting: string | null;
}

export class HomeTenant {
  /** A tenant's id never changes, so the first answer is kept for the process's life. */
  private cached: string | null = null;

  constructor(private readonly deps: HomeTenantDeps) {}

  /** The home tenant's id; 503 when there is none (no operator tenant yet, or the named tenant was deleted since boot). */
  async id(): Promise<string> {
    if (this.cached) return this.cached;
    const found = this.deps.setting ? await this.named(this.deps.setting) : await this.deps.tenants().operatorId();
    if (!found)
      throw RobotsErrors.noHomeTenant(
        this.deps.setting ? this.namesNone() : 'WorkBot has no home tenant yet: create the superadmin (it makes the operator tenant) or set robots.homeTenant',
      );
    this.cached = found;
    return found;
  }

  /**
   * At start: a homeTenant naming no tenant stops the boot, or a typo would only show at the
   * first phone login. Unset, nothing to check: auth's first start makes the operator tenant.
   */
  async check(): Promise<void> {
    if (this.deps.setting && !(await this.named(this.deps.setting))) throw new ConfigError(this.namesNone());
  }

  private namesNone(): string {
    return `robots.homeTenant "${this.deps.setting}" names no tenant (give a tenant id, or a name exactly one tenant has)`;
  }

  /** 'admin' for superadmins and the home tenant's owners and admins; everyone else is a seed 'user'. */
  async seedRole(user: RoleHolder): Promise<'admin' | 'user'> {
    return (await this.administers(user)) ? 'admin' : 'user';
  }

  /** Whether this user may use WorkBot's admin endpoints (the home tenant is looked up only for owners and admins). */
  async administers(user: RoleHolder): Promise<boolean> {
    if (user.is_superadmin) return true;
    if (!user.tenant_id || !ADMIN_ROLES.has(user.role)) return false;
    return user.tenant_id === (await this.id());
  }

  private async named(value: string): Promise<string | null> {
    const byId = await this.deps
      .tenants()
      .get(value)
      .catch((err: unknown) => (notFound(err) ? null : Promise.reject(err)));
    if (byId) return byId.id;
    const page = await this.deps.tenants().list(value, { page: 1, page_size: 100 });
    const exact = page.items.filter((t) => t.name.toLowerCase() === value.toLowerCase());
    return exact.length === 1 ? exact[0].id : null;
  }
}
