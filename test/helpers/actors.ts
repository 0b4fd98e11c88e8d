import assert from 'node:assert/strict';
import type { TestApp } from './app.js';

/**
 * The people tests act as, the way they sign up and sign in through the auth face: one place for
 * every plugin's suites (each used to carry its own copy).
 */
export const PASSWORD = 'Correct-horse-battery-9';

export interface Actor {
  id: string;
  email: string;
  tenantId: string;
  role: string;
  token: string;
  /** Bearer headers for the API faces. */
  headers: Record<string, string>;
}

let seq = 0;
/** A unique address per call, so suites sharing a database never collide. */
export const uniqueEmail = (label = 'owner', domain = 'plinth.test') => `${label}-${process.pid}-${++seq}@${domain}`;

/** Signs in with email and password (200 expected). */
export async function login(t: TestApp, email: string, password = PASSWORD): Promise<Actor> {
  const res = await t.request('POST', '/api/v2/auth/login', { body: { email, password } });
  assert.equal(res.status, 200, `login ${email}: ${res.text}`);
  const token = res.body.access_token as string;
  return { id: res.body.user.id, email, tenantId: res.body.user.tenant_id, role: res.body.user.role, token, headers: { authorization: `Bearer ${token}` } };
}

export interface OwnerOptions {
  email?: string;
  /** The domain of the generated address (a suite's relay may drop mail to it). */
  domain?: string;
  password?: string;
  fullName?: string;
  /** null: none given, so the tenant gets the name registration derives (from the full name). */
  tenantName?: string | null;
}

/** A new tenant and its owner, the way a customer signs up (the harness opens registration). */
export async function registerOwner(t: TestApp, label = 'owner', options: OwnerOptions = {}): Promise<Actor> {
  const email = options.email ?? uniqueEmail(label, options.domain);
  const password = options.password ?? PASSWORD;
  const tenantName = options.tenantName === undefined ? `tenant of ${email}` : options.tenantName;
  const body = { email, password, full_name: options.fullName ?? `${label} owner`, ...(tenantName === null ? {} : { tenant_name: tenantName }) };
  const res = await t.request('POST', '/api/v2/auth/register', { body });
  assert.equal(res.status, 201, `register ${email}: ${res.text}`);
  return login(t, email, password);
}
