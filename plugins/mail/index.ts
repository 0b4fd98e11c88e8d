import type { PlinthContainer } from 'plinth/plugin';
import { asValue } from 'awilix';
import { ConfigError } from 'plinth/plugin';
import { definePlugin } from 'plinth/plugin';
import { announce } from 'plinth/plugin';
import { mailConfigSchema, mailEnv, type MailSettings } from './config.js';
import { mailEvents } from './events.js';
import { mailActions, mailRefs } from './actions.js';
import { createMailServices } from './services/index.js';
import { mailRoutes } from './routes/mail.js';
import { settingsRoutes } from './routes/settings.js';
import { sendRoutes } from './routes/send.js';
import { sessionRoutes } from './routes/session.js';
import { userRoutes } from './routes/users.js';
import { guestRoutes } from './routes/guest.js';
import { domainRoutes } from './routes/domains.js';
import { MAIL_MESSAGES } from './routes/messages.js';
import { faceLanguage } from 'plinth/plugin';
import { mailJobs } from './jobs.js';
import { smtpAlerts } from './services/smtp-alerts.js';
import { promRegistry } from 'plinth/plugin';
import { mailOverview } from './services/overview.js';
import { mailTenantPart } from './tenant-part.js';
import { mailServices } from './services/own.js';

const services = (c: { container: PlinthContainer }) => mailServices.of(c);

export default definePlugin<MailSettings>({
  name: 'mail',
  version: '0.1.0',
  description:
    "Temporary mail: mailboxes on the tenant's domains, inbound mail (built-in SMTP receiver) with its verification code extracted, sending, forwarding",
  dependsOn: ['auth'],
  configSchema: mailConfigSchema,
  env: mailEnv,
  // The seed lists `?admin_token=` beside the X-Admin-Token header (download links, curl one-liners).
  face: { base: '/mail', envelope: 'error', queryCredentials: { admin_token: 'x-admin-token' } },
  scopes: {
    'mail:use': 'Make and read your own mailboxes',
    'mail:manage': 'Manage every mailbox of the tenant',
  },
  features: {
    mail: { description: 'Temporary mail: mailboxes, inbound and outgoing mail', scopes: ['mail:*'], metrics: ['max_mailboxes', 'emails_sent_per_month'] },
  },
  metrics: {
    max_mailboxes: { kind: 'gauge', usageKey: 'mailboxes', unit: 'mailboxes', description: 'Mailboxes' },
    emails_sent_per_month: {
      kind: 'counter',
      period: 'month',
      usageKey: 'emails_sent_this_month',
      unit: 'mail recipients',
      description: 'Recipients of sent mail',
    },
  },
  events: mailEvents,
  live: {
    'mail.mailbox': 'Mailboxes of the tenant were made, changed or deleted (a burst told once a second)',
    'mail.received': 'Mail arrived in mailboxes of the tenant (a burst told once a second)',
    'mail.sent': 'Mail of the tenant was sent, scheduled, canceled or deleted (a burst told once a second)',
  },
  actions: mailActions,
  refs: mailRefs,
  migrations: 'migrations',
  ui: {
    pages: [
      { path: '', title: 'Mailboxes', scopes: ['mail:use'] },
      { path: 'inbox', title: 'Inbox', scopes: ['mail:use'] },
      { path: 'compose', title: 'Compose', scopes: ['mail:use'] },
      { path: 'sent', title: 'Sent', scopes: ['mail:use'] },
      { path: 'domains', title: 'Mail domains', roles: ['superadmin'] },
    ],
  },

  register(c) {
    const { smtp } = c.settings;
    if (Boolean(smtp.tlsKeyFile) !== Boolean(smtp.tlsCertFile)) {
      throw new ConfigError('invalid config: settings.mail.smtp.tlsCertFile: tlsKeyFile and tlsCertFile go together (STARTTLS needs both)');
    }
    const s = createMailServices(c.container.cradle, c.settings);
    // mailCodes: the agents' wait for a verification code (services/code-waiter.ts).
    mailServices.register(c.container, s);
    c.container.register({ mailCodes: asValue(s.codes) });
    c.container.resolve('auth').add(s.auth.strategy());
    // The operator is told of SMTP refusals jumping and of the STARTTLS certificate running out (core/alerts).
    const alerts = smtpAlerts({
      settings: c.settings,
      config: c.config,
      clock: c.container.resolve('clock'),
      registry: () => promRegistry(c.container),
      served: () => s.receiver.certificate(),
    });
    // Each instance's receiver: its own traffic and the certificate it serves.
    for (const [name, check] of Object.entries(alerts)) c.container.resolve('alerts').addCondition(name, check, { perInstance: true });
  },

  async start(c) {
    await services(c).mailboxes.init();
    const port = await services(c).receiver.start(c.config.smtp.host, c.config.smtp.port);
    c.container.register({ smtpPort: asValue(port) });
    const domains = (await services(c).domains.all()).map((d) => d.name).join(', ');
    announce(c.logger, { SMTP: `port ${port}, mail for ${domains}` });
  },

  async stop(c) {
    await services(c).receiver.stop();
    await services(c).preparer.close();
  },

  routes(r, c) {
    r.use(faceLanguage(MAIL_MESSAGES)); // first: the seed's wording on every reply, the guest's samples included
    guestRoutes(r);
    sessionRoutes(r, services(c));
    mailRoutes(r, services(c), c.settings);
    userRoutes(r, services(c));
    settingsRoutes(r, services(c));
    sendRoutes(r, services(c));
    domainRoutes(r, services(c));
  },

  on: {
    // Forwarding happens after the message is stored, with retries.
    async 'mail.forward_requested'(event, c) {
      await services(c).forwarder.forward(event.payload.email_id);
    },
  },

  jobs: mailJobs,

  overview: mailOverview,
  tenant: mailTenantPart,
});
