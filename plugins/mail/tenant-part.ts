// Mail's part of the operator's tenant page and of deleting a tenant (core/overview/tenant.ts): the
// tenant's mailboxes; on deletion its mailboxes with their mail (cascade), its sent mail, its users'
// mail settings and the domains only it was offered (domains offered to every tenant stay).
import type { Knex } from 'knex';
import type { CardMessage, TenantContribution } from 'plinth/plugin';

const SHOWN = 20;

/** Mail's message ids of the tenant page: `mail.tenant.<section>.<what>`. */
const m = (section: string, what: string, values?: CardMessage['values']): CardMessage => ({
  id: `mail.tenant.${section}.${what}`,
  ...(values ? { values } : {}),
});
const cols = (section: string, whats: string[]): CardMessage[] => whats.map((what) => m(section, `col.${what}`));

const n = async (q: Knex.QueryBuilder): Promise<number> => Number(((await q.count({ n: '*' }).first()) as { n: number | string } | undefined)?.n ?? 0);

export const mailTenantPart: TenantContribution = {
  async sections(c, tenantId) {
    const boxes = await c
      .db('mail_mailboxes')
      .where('tenant_id', tenantId)
      .orderBy('created_at', 'desc')
      .limit(SHOWN)
      .select('address', 'forward_to', 'expires_at', 'last_received_at');
    const total = await n(c.db('mail_mailboxes').where('tenant_id', tenantId));
    const emails = await n(c.db('mail_emails').where('tenant_id', tenantId));
    return [
      {
        id: 'mail.mailboxes',
        title: 'Mailboxes',
        messages: { title: m('mailboxes', 'title') },
        facts: [
          { label: 'Mailboxes', value: total, messages: { label: m('mailboxes', 'mailboxes') } },
          { label: 'Messages', value: emails, messages: { label: m('mailboxes', 'messages') } },
        ],
        table: {
          columns: ['Address', 'Forwards to', 'Last received', 'Expires'],
          rows: boxes.map((b) => [b.address, b.forward_to ?? '—', b.last_received_at, b.expires_at]),
          times: ['Last received', 'Expires'],
          total,
          messages: { columns: cols('mailboxes', ['address', 'forwardsTo', 'lastReceived', 'expires']) },
        },
      },
    ];
  },

  async owned(_c, tenantId, db) {
    const boxes = await n(db('mail_mailboxes').where('tenant_id', tenantId));
    const emails = await n(db('mail_emails').where('tenant_id', tenantId));
    const sent = await n(db('mail_sent').where('tenant_id', tenantId));
    const domains = await n(db('mail_domains').where('tenant_id', tenantId));
    return [
      { label: boxes === 1 ? 'mailbox' : 'mailboxes', count: boxes, message: m('goes', 'mailboxes', { count: boxes }) },
      { label: emails === 1 ? 'received message' : 'received messages', count: emails, message: m('goes', 'received', { count: emails }) },
      { label: sent === 1 ? 'sent message' : 'sent messages', count: sent, message: m('goes', 'sent', { count: sent }) },
      { label: domains === 1 ? 'own mail domain' : 'own mail domains', count: domains, message: m('goes', 'domains', { count: domains }) },
    ];
  },

  async remove(_c, tenantId, trx) {
    // Sent mail first: its mailbox_id is set null when a mailbox goes, which would only be undone.
    await trx('mail_sent').where('tenant_id', tenantId).delete();
    await trx('mail_emails').where('tenant_id', tenantId).delete();
    await trx('mail_mailboxes').where('tenant_id', tenantId).delete();
    await trx('mail_user_settings').where('tenant_id', tenantId).delete();
    await trx('mail_domains').where('tenant_id', tenantId).delete();
  },
};
