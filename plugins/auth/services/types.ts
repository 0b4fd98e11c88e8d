import type { Knex } from 'knex';

export type Db = Knex | Knex.Transaction;

/** Where a request came from, for audit rows, sessions and consent records. */
export interface RequestMeta {
  ip: string;
  userAgent: string;
}

export type TenantRole = 'owner' | 'admin' | 'member';

export interface UserRow {
  id: string;
  tenant_id: string;
  email: string | null;
  phone: string | null;
  username: string | null;
  full_name: string;
  password_hash: string | null;
  role: TenantRole;
  is_superadmin: boolean | number;
  status: 'active' | 'suspended';
  email_verified_at: string | null;
  /** Registered under `registration: 'verify'`: password sign-in waits for the emailed link. */
  must_verify_email?: boolean | number;
  /** JSON array of the only scopes this user may hold (within their role's); null = all of the role's. */
  scope_limit?: string | null;
  /** Signs in with a password they did not choose (the first start's generated one): the admin UI asks for their own first. */
  must_change_password?: boolean | number;
  /** Has a confirmed second factor (TOTP); kept beside the factor's own row for the policy's hot path. */
  mfa_enabled?: boolean | number;
  /** The language they read (core/languages.ts); null: the browser's in the UI, the server's default in mails. */
  language?: string | null;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A user as the API shows it (never the hash). */
export interface PublicUser {
  id: string;
  email: string | null;
  full_name: string;
  role: TenantRole;
  tenant_id: string;
  is_superadmin: boolean;
  phone: string | null;
  username: string | null;
  status: 'active' | 'suspended';
  email_verified: boolean;
  /** The only scopes this user may hold; null = every scope of their role. */
  scope_limit: string[] | null;
  /** Their password was generated, not chosen: the admin UI asks them for one of their own before anything else. */
  must_change_password: boolean;
  /** Signs in with a second factor (TOTP). */
  mfa_enabled: boolean;
  /** The language the admin UI speaks to them and their mails are written in; null: not chosen. */
  language: string | null;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
}

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
