import assert from 'node:assert/strict';
import type { TenantRole } from '../../plugins/auth/api.js';
import type { Server, TestApp } from './app.js';
import { authServices } from '../../plugins/auth/services/own.js';

/**
 * The people tests act as, the way they sign up and sign in through the auth face: the one place
 * for every plugin's suites (test/architecture/test-shape.test.ts fails on a second registerOwner).
 */
export const PASSWORD = 'Correct-horse-battery-9';

/**
 * The domain of generated addresses. The mail suites' SMTP sinks drop mail to it, so the
 * platform's own notices (verification mail to new owners) are not counted as what a test sent.
 */
export const PEOPLE_DOMAIN = 'people.test';

/** The auth face's reply to POST /api/v2/auth/login. */
export interface LoginBody {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
  user: { id: string; email: string | null; full_name: string; role: string; tenant_id: string };
}

export interface Actor {
  id: string;
  email: string;
  password: string;
  tenantId: string;
  role: string;
  token: string;
  /** The whole login reply (refresh token included). */
  session: LoginBody;
  /** Bearer headers for the API faces. */
  headers: Record<string, string>;
}

let seq = 0;
/** A unique address per call, so suites sharing a database never collide. */
export const uniqueEmail = (label = 'owner', domain = PEOPLE_DOMAIN) => `${label}-${process.pid}-${++seq}@${domain}`;

/** Signs in with email and password (200 expected). */
export async function login(t: Pick<Server, 'request'>, email: string, password = PASSWORD): Promise<Actor> {
  const res = await t.request<LoginBody>('POST', '/api/v2/auth/login', { body: { email, password } });
  assert.equal(res.status, 200, `login ${email}: ${res.text}`);
  const session = res.body;
  const token = session.access_token;
  return {
    id: session.user.id,
    email,
    password,
    tenantId: session.user.tenant_id,
    role: session.user.role,
    token,
    session,
    headers: { authorization: `Bearer ${token}` },
  };
}

export interface OwnerOptions {
  email?: string;
  /** The domain of the generated address (when no email is given). */
  domain?: string;
  password?: string;
  /** null: none sent (registration stores an empty name). Default "<label> owner". */
  fullName?: string | null;
  /** null: none sent, so the tenant gets the name registration derives (from the full name, else the email). */
  tenantName?: string | null;
}

/** A new tenant and its owner, the way a customer signs up (the harness opens registration). */
export async function registerOwner(t: Pick<Server, 'request'>, label = 'owner', options: OwnerOptions = {}): Promise<Actor> {
  const email = options.email ?? uniqueEmail(label, options.domain);
  const password = options.password ?? PASSWORD;
  const fullName = options.fullName === undefined ? `${label} owner` : options.fullName;
  const tenantName = options.tenantName === undefined ? `tenant of ${email}` : options.tenantName;
  const body = { email, password, ...(fullName === null ? {} : { full_name: fullName }), ...(tenantName === null ? {} : { tenant_name: tenantName }) };
  const res = await t.request('POST', '/api/v2/auth/register', { body });
  assert.equal(res.status, 201, `register ${email}: ${res.text}`);
  return login(t, email, password);
}

export interface UserOptions {
  /** Names the address and is the full name. Default: the role. */
  label?: string;
  email?: string;
  domain?: string;
  fullName?: string;
}

/**
 * Another user in an existing tenant, signed in. There is no invitation endpoint that sets a
 * password, so the user is made through the auth plugin's services (its api.ts), as an operator would.
 */
export async function addUser(t: Pick<TestApp, 'app' | 'request'>, tenantId: string, role: TenantRole, options: UserOptions = {}): Promise<Actor> {
  const auth = authServices.of(t.app);
  const label = options.label ?? role;
  const email = options.email ?? uniqueEmail(label.replace(/[^a-zA-Z0-9-]/g, '-'), options.domain);
  const fullName = options.fullName ?? (options.email ? email.split('@')[0] : label);
  await auth.users.create(t.app.db, { tenantId, email, passwordHash: await auth.passwords.hash(PASSWORD), role, fullName });
  return login(t, email);
}
