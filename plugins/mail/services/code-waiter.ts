import type { MailCodeWaiter } from '../api.js';
import type { Emails } from './emails.js';
import type { Mailboxes } from './mailboxes.js';

export interface CodeWaiterDeps {
  emails: Pick<Emails, 'wait'>;
  mailboxes: Pick<Mailboxes, 'get'>;
}

/**
 * `mailCodes` (plugins/mail/api.ts): waits for mail newer than `since` on one of the tenant's
 * mailboxes and gives the newest server-extracted verification code (the agents' mail_wait_for_code).
 * It acts with tenant-admin rights, so only the tenant's own mailboxes are found.
 */
export class CodeWaiter implements MailCodeWaiter {
  constructor(private readonly deps: CodeWaiterDeps) {}

  async mailbox(tenantId: string, address: string): ReturnType<MailCodeWaiter['mailbox']> {
    const box = await this.deps.mailboxes.get({ role: 'admin', tenantId, userId: 'agent' }, address);
    return { address: box.address, expiresAt: box.expires_at };
  }

  async waitForCode(tenantId: string, address: string, since: number, timeoutMs: number): ReturnType<MailCodeWaiter['waitForCode']> {
    const scope = { role: 'admin' as const, tenantId, userId: 'agent' };
    // The summary rows carry the code the receiver extracted.
    type Row = { id: number; verification_code?: string | null; sender?: string | null; subject?: string | null; preview?: string | null };
    const mail: Row[] = await this.deps.emails.wait(scope, address, since, timeoutMs, new AbortController().signal);
    const newestFirst = [...mail].sort((a, b) => b.id - a.id);
    const hit = newestFirst.find((m) => m.verification_code) ?? newestFirst[0];
    return {
      code: hit?.verification_code ?? null,
      emailId: hit?.id ?? null,
      // What it came from, for the agent to show (untrusted: the sender wrote it).
      mail: hit ? { from: hit.sender ?? '', subject: hit.subject ?? '', preview: hit.preview ?? '' } : null,
    };
  }
}
