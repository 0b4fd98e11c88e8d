export interface MailDomain {
  name: string;
  /** Accept mail for unknown local parts by creating the mailbox on first mail. */
  createOnFirstMail: boolean;
  /** The tenant that owns mailboxes created on first mail (null: platform-level, superadmins see them). */
  tenantId: string | null;
  /** Lifetime of mailboxes made at this domain, in hours (null: settings.mailboxLifetimeHours). */
  mailboxHours: number | null;
  /** `config` (settings or env, read-only in the admin API) or `database` (added by an operator). */
  source: 'config' | 'database';
}

export interface MailSettings {
  domains: MailDomain[];
  /** Env PLINTH_MAIL_DOMAINS: plain names, added with the defaults below. */
  domainNames: string[];
  smtp: {
    maxMessageBytes: number;
    maxRecipients: number;
    maxClients: number;
    /** Connections one client address may hold at once (IPv6: per /64); past it, 421. Per instance. */
    maxConnectionsPerIp: number;
    /** Idle time allowed between bytes from the client (smtp-server's socketTimeout). */
    socketTimeoutMs: number;
    /** Total time a session may last, however busy; then 421 and the client reconnects. */
    sessionTimeoutMs: number;
    /** Slowest DATA accepted, in bytes per second after a socketTimeoutMs grace (0: no check). */
    minDataRate: number;
    maxUnauthenticatedCommands: number;
    /** A message's parse may take this long; past it the sender gets a 451 and retries (its worker is stopped). */
    parseTimeoutMs: number;
    /**
     * Worker threads that parse received messages beside the main thread (parse-pool.ts). 0 parses
     * on the main thread, where a runaway parse cannot be stopped, only given up on.
     */
    parseWorkers: number;
    /** MIME parts a message may have (and, up to 256, how deep they may nest); more is refused for good (554 5.6.0). */
    maxMimeParts: number;
    /** Bytes of a message's MIME header blocks, every part's together; more is refused for good (554 5.6.0). */
    maxHeaderBytes: number;
    tlsKeyFile: string | null;
    tlsCertFile: string | null;
  };
  /** HTML kept per message (bytes); longer HTML is cut, the raw message keeps everything. */
  maxHtmlBytes: number;
  /** How long a mailbox lives (hours from creation) unless its domain says otherwise. */
  mailboxLifetimeHours: number;
  /** Deprecated name of mailboxLifetimeHours (configs written before it); when set, it wins. */
  generatedMailboxHours?: number;
  /** Enables the read-only `guest` login (sample data) when set. */
  guestPassword: string | null;
  longPollMaxSeconds: number;
  /** Sent (or failed, canceled) outgoing mail older than this is deleted daily; scheduled mail is kept. */
  sentRetentionDays: number;
  /**
   * Received mail in a mailbox without an expiry (one made before every mailbox had a lifetime) is
   * deleted daily once this old; mail in any other mailbox goes with its mailbox.
   */
  emailRetentionDays: number;
  /** Concurrent GET /api/emails/wait per caller (per instance); past it, 429. */
  longPollMaxPerPrincipal: number;
  /**
   * The SMTP alerts (core/alerts): `smtp.refusals` once at least minRefusals refusals and refusalRate
   * of every answer in the window (alerts.thresholds.rateWindowMinutes); `smtp.certificate` certDays
   * before the STARTTLS certificate ends.
   */
  alerts: { refusalRate: number; minRefusals: number; certDays: number };
}

/** Ten years: a mailbox that should outlive this is not temporary mail. */
export const MAX_MAILBOX_HOURS = 87_600;

export const mailConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    domains: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', pattern: '^[a-z0-9.-]+\\.[a-z]{2,}$|^localhost$' },
          createOnFirstMail: { type: 'boolean', default: false },
          tenantId: { type: ['string', 'null'], default: null },
          mailboxHours: { type: ['integer', 'null'], minimum: 1, maximum: MAX_MAILBOX_HOURS, default: null },
        },
      },
    },
    domainNames: { type: 'array', items: { type: 'string', pattern: '^[a-z0-9.-]+$' }, default: [] },
    smtp: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxMessageBytes: { type: 'integer', minimum: 1024, default: 10 * 1024 * 1024 },
        maxRecipients: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
        maxClients: { type: 'integer', minimum: 1, default: 200 },
        // Postfix's smtpd_client_connection_count_limit.
        maxConnectionsPerIp: { type: 'integer', minimum: 1, default: 50 },
        socketTimeoutMs: { type: 'integer', minimum: 1000, default: 60_000 },
        sessionTimeoutMs: { type: 'integer', minimum: 1000, default: 600_000 },
        // Postfix's smtpd_min_data_rate.
        minDataRate: { type: 'integer', minimum: 0, default: 500 },
        maxUnauthenticatedCommands: { type: 'integer', minimum: 5, default: 50 },
        parseTimeoutMs: { type: 'integer', minimum: 100, default: 10_000 },
        parseWorkers: { type: 'integer', minimum: 0, maximum: 16, default: 1 },
        maxMimeParts: { type: 'integer', minimum: 10, maximum: 100_000, default: 1000 },
        maxHeaderBytes: { type: 'integer', minimum: 1024, default: 256 * 1024 },
        tlsKeyFile: { type: ['string', 'null'], default: null },
        tlsCertFile: { type: ['string', 'null'], default: null },
      },
      default: {},
    },
    maxHtmlBytes: { type: 'integer', minimum: 1024, default: 1024 * 1024 },
    mailboxLifetimeHours: { type: 'integer', minimum: 1, maximum: MAX_MAILBOX_HOURS, default: 24 },
    generatedMailboxHours: { type: 'integer', minimum: 1, maximum: MAX_MAILBOX_HOURS, deprecated: true, description: 'old name of mailboxLifetimeHours' },
    guestPassword: { type: ['string', 'null'], minLength: 8, default: null },
    longPollMaxSeconds: { type: 'integer', minimum: 1, maximum: 120, default: 60 },
    sentRetentionDays: { type: 'integer', minimum: 1, maximum: 3650, default: 90 },
    emailRetentionDays: { type: 'integer', minimum: 1, maximum: 3650, default: 365 },
    longPollMaxPerPrincipal: { type: 'integer', minimum: 1, maximum: 1000, default: 10 },
    alerts: {
      type: 'object',
      additionalProperties: false,
      properties: {
        refusalRate: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.5 },
        minRefusals: { type: 'integer', minimum: 1, default: 20 },
        certDays: { type: 'integer', minimum: 1, maximum: 365, default: 14 },
      },
      default: {},
    },
  },
};

export const mailEnv = { PLINTH_MAIL_DOMAINS: { path: 'domainNames', list: true }, PLINTH_MAIL_GUEST_PASSWORD: 'guestPassword' };

/**
 * Configured domains plus the ones named in PLINTH_MAIL_DOMAINS, lower-cased, once each. With none
 * configured, the host of server.publicUrl (`localhost` on a first start): temp mail works out of
 * the box for `anything@<host>` on the SMTP port, and a real domain replaces it once configured.
 */
export function allDomains(settings: MailSettings, publicUrl: string): MailDomain[] {
  const out = new Map<string, MailDomain>();
  const plain = (name: string): MailDomain => ({ name, createOnFirstMail: false, tenantId: null, mailboxHours: null, source: 'config' });
  for (const d of settings.domains) out.set(d.name.toLowerCase(), { ...plain(d.name.toLowerCase()), ...d, name: d.name.toLowerCase(), source: 'config' });
  for (const name of settings.domainNames) if (!out.has(name.toLowerCase())) out.set(name.toLowerCase(), plain(name.toLowerCase()));
  if (!out.size) {
    const host = new URL(publicUrl).hostname.toLowerCase();
    out.set(host, plain(host));
  }
  return [...out.values()];
}
