import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import { isUniqueViolation } from 'plinth/plugin';
import { allDomains, type MailDomain, type MailSettings } from '../config.js';
import type { TenantDirectory as AuthTenants } from '../../auth/api.js';
import type { MailboxScope } from './access.js';
import { MailErrors } from './errors.js';

/** What the mail plugin needs of the auth plugin's tenants (resolved through the container). */
export type TenantDirectory = Pick<AuthTenants, 'get'>;

/** Lower-case ASCII labels of 1–63 characters, at least two, an alphabetic (or punycode) top level. */
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * A domain as typed by a person, in the form it is stored and matched in: IDN turned into
 * lower-case punycode (`bücher.example` → `xn--bcher-kva.example`); IP addresses, trailing dots and
 * single labels refused.
 */
export function normalizeDomain(input: string): string {
  const raw = input.trim();
  if (!raw) throw MailErrors.domainInvalid('is required');
  if (raw.endsWith('.')) throw MailErrors.domainInvalid(`"${raw}" must not end with a dot`);
  if (isIP(raw.replace(/^\[|\]$/g, '')) || raw.includes(':')) throw MailErrors.domainInvalid(`"${raw}" must be a name, not an IP address`);
  const ascii = domainToASCII(raw.toLowerCase());
  if (!ascii || !DOMAIN.test(ascii)) throw MailErrors.domainInvalid(`"${raw}" is not a valid domain name (like mail.example.com)`);
  return ascii;
}

export interface DomainView {
  domain: string;
  tenant_id: string | null;
  mailbox_hours: number | null;
  source: 'config' | 'database';
  read_only: boolean;
  mailboxes: number;
  created_at: string | null;
}

const fromRow = (r: Record<string, any>): MailDomain & { createdAt: string } => ({
  name: r.name,
  createOnFirstMail: false,
  tenantId: r.tenant_id ?? null,
  mailboxHours: r.mailbox_hours === null || r.mailbox_hours === undefined ? null : Number(r.mailbox_hours),
  source: 'database',
  createdAt: r.created_at,
});

/** What MailDomains is built from, passed by name. */
export interface MailDomainsDeps {
  db: Knex;
  clock: Clock;
  settings: MailSettings;
  publicUrl: string;
  tenants: () => TenantDirectory;
}

/**
 * Mail domains: the ones in config/env (read-only here) and the ones an operator adds, stored in
 * mail_domains. Read from the database on every use, not cached: every instance (every MX) sees a
 * domain as soon as it is added or removed, and a lookup is one indexed row.
 */
export class MailDomains {
  /** From settings.mail.domains and PLINTH_MAIL_DOMAINS, or the host of server.publicUrl. */
  readonly configured: MailDomain[];

  constructor(private readonly deps: MailDomainsDeps) {
    this.configured = allDomains(deps.settings, deps.publicUrl);
  }

  /** Config domains first (in config order), then added ones, oldest first. */
  async all(): Promise<MailDomain[]> {
    const rows = await this.deps.db('mail_domains').orderBy('id');
    return [...this.configured, ...rows.map(fromRow).filter((d) => !this.configured.some((c) => c.name === d.name))];
  }

  /**
   * The domains a caller may make mailboxes at (the seed's /api/domains, in domainIndex order):
   * those offered to every tenant and those offered to the caller's own; superadmins see all.
   */
  async offeredTo(scope: MailboxScope): Promise<MailDomain[]> {
    const all = await this.all();
    if (scope.role === 'strictAdmin') return all;
    return all.filter((d) => d.source === 'config' || d.tenantId === null || d.tenantId === scope.tenantId);
  }

  async at(scope: MailboxScope, index: number): Promise<MailDomain> {
    const offered = await this.offeredTo(scope);
    const domain = offered[index];
    if (!domain) throw MailErrors.domainIndexOutOfRange(offered.length - 1);
    return domain;
  }

  /** The domain mail for `address` is accepted at, or null (SMTP RCPT, /receive). */
  async forAddress(address: string): Promise<MailDomain | null> {
    const name = address.split('@')[1]?.toLowerCase();
    if (!name) return null;
    const configured = this.configured.find((d) => d.name === name);
    if (configured) return configured;
    const row = await this.deps.db('mail_domains').where('name', name).first();
    return row ? fromRow(row) : null;
  }

  /** The admin list: every domain with where it comes from and how many mailboxes it has. */
  async list(): Promise<DomainView[]> {
    const counts = new Map<string, number>(
      (await this.deps.db('mail_mailboxes').groupBy('domain').select('domain').count({ n: '*' })).map((r: any) => [r.domain, Number(r.n)]),
    );
    const rows = await this.deps.db('mail_domains').orderBy('id');
    const created = new Map<string, string>(rows.map((r: any) => [r.name, r.created_at]));
    return (await this.all()).map((d) => ({
      domain: d.name,
      tenant_id: d.tenantId,
      mailbox_hours: d.mailboxHours,
      source: d.source,
      read_only: d.source === 'config',
      mailboxes: counts.get(d.name) ?? 0,
      created_at: d.source === 'database' ? (created.get(d.name) ?? null) : null,
    }));
  }

  async add(input: { domain: string; tenant_id?: string | null; mailbox_hours?: number | null }): Promise<DomainView> {
    const name = normalizeDomain(input.domain);
    if (this.configured.some((d) => d.name === name)) throw MailErrors.domainExists(name, true);
    const tenantId = input.tenant_id ?? null;
    if (tenantId) await this.assertTenant(tenantId);
    const createdAt = this.deps.clock.now().toISOString();
    try {
      await this.deps.db('mail_domains').insert({ name, tenant_id: tenantId, mailbox_hours: input.mailbox_hours ?? null, created_at: createdAt });
    } catch (err) {
      if (isUniqueViolation(err)) throw MailErrors.domainExists(name);
      throw err;
    }
    return {
      domain: name,
      tenant_id: tenantId,
      mailbox_hours: input.mailbox_hours ?? null,
      source: 'database',
      read_only: false,
      mailboxes: 0,
      created_at: createdAt,
    };
  }

  /**
   * Removes an added domain. Refused while mailboxes exist at it: they would stop receiving mail
   * without a word; the operator deletes them (or lets them expire) first.
   */
  async remove(domain: string): Promise<void> {
    const name = domainToASCII(domain.trim().toLowerCase()) || domain.trim().toLowerCase();
    if (this.configured.some((d) => d.name === name)) {
      throw MailErrors.domainFromConfig(name);
    }
    await this.deps.db.transaction(async (trx) => {
      const row = await trx('mail_domains').where('name', name).first('id');
      if (!row) throw MailErrors.domainNotFound(name);
      const [{ n }] = await trx('mail_mailboxes').where('domain', name).count({ n: '*' });
      if (Number(n) > 0) throw MailErrors.domainInUse(name, Number(n));
      await trx('mail_domains').where('id', row.id).delete();
    });
  }

  private async assertTenant(id: string): Promise<void> {
    try {
      await this.deps.tenants().get(id);
    } catch (err) {
      if (err instanceof AppError && err.status === 404) throw MailErrors.tenantUnknown(id);
      throw err;
    }
  }
}
