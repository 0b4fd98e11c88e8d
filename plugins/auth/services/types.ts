import type { Knex } from 'knex';

export type Db = Knex | Knex.Transaction;

// The shapes other plugins see are auth's public ones (api.ts); its own files take them from here.
export type { PublicUser, RequestMeta, TenantRole, UserRow } from '../api.js';
import type { PublicUser, UserRow } from '../api.js';

export const parseScopeLimit = (stored: string | null | undefined): string[] | null => (stored ? (JSON.parse(stored) as string[]) : null);

export const toPublicUser = (u: Omit<UserRow, 'password_hash'>): PublicUser => ({
  id: u.id,
  email: u.email,
  full_name: u.full_name,
  role: u.role,
  tenant_id: u.tenant_id,
  is_superadmin: Boolean(u.is_superadmin),
  phone: u.phone,
  username: u.username,
  status: u.status,
  email_verified: u.email_verified_at !== null,
  scope_limit: parseScopeLimit(u.scope_limit),
  must_change_password: Boolean(u.must_change_password),
  mfa_enabled: Boolean(u.mfa_enabled),
  language: u.language ?? null,
  last_login_at: u.last_login_at,
  created_at: u.created_at,
  updated_at: u.updated_at,
});

export const firstId = (row: unknown): number => Number(typeof row === 'object' && row !== null ? (row as { id: number }).id : row);
