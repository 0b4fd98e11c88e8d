import { LANGUAGES, type Language } from 'plinth/plugin';

export interface AuthSettings {
  /** HS256 secret for access tokens; generated once and kept in the database when unset. */
  jwtSecret: string | null;
  accessTokenTtlSeconds: number;
  /** A refresh token lives this long unused… */
  refreshTokenTtlDays: number;
  /** …and its session (the family) at most this long. */
  sessionMaxDays: number;
  /** Concurrent refreshes within this window are not treated as reuse. */
  refreshReuseGraceSeconds: number;
  uiSessionTtlHours: number;
  /** Audit log rows older than this are deleted daily. */
  auditRetentionDays: number;
  /**
   * Who may make an account with POST /auth/register: anyone (`open`), anyone with a working
   * mailbox (`verify`: sign-in only after the emailed link), or nobody (`closed`: the operator
   * creates customers).
   */
  registration: 'open' | 'verify' | 'closed';
  /** Deprecated: `false` is `registration: 'closed'`. */
  allowRegistration?: boolean;
  apiKeyPrefix: string;
  rootToken: string | null;
  rootTokenInQuery: boolean;
  /**
   * The first superadmin. Without a password, `setup` says how its first sign-in is handed over:
   * `auto` prints a one-time setup link when standard output is not a terminal (a container's logs
   * keep what is printed) and a generated password on one; `link` and `password` choose one always.
   */
  admin: { email: string | null; password: string | null; setup: 'auto' | 'link' | 'password' };
  /** Mail a user when they sign in from a device and network none of their recent sessions had. */
  newDeviceMail: boolean;
  /** The language of mails to a user who has not chosen one (core/languages.ts); default English. */
  mailLanguage: Language;
  passwordMinLength: number;
  passwordMaxLength: number;
  hash: { memoryCost: number; timeCost: number };
  /** Paths on server.publicUrl that the links in mails point to (the admin UI serves them). */
  links: { magicLink: string; resetPassword: string; verifyEmail: string };
  tokenTtlMinutes: { magicLink: number; passwordReset: number; emailVerification: number };
  /** At most this many mails of one kind per account per hour (a new one replaces the last). */
  mailsPerHour: number;
  sms: {
    provider: 'log' | 'http';
    http: { url: string | null; token: string | null };
    codeTtlSeconds: number;
    maxAttempts: number;
    perPhonePerHour: number;
    perIpPerHour: number;
  };
  limits: {
    loginPerIpPerMinute: number;
    loginFailuresPerAccount: number;
    loginFailuresPerAccountIp: number;
    loginFailureWindowMinutes: number;
    /** Progressive delay (login-delay.ts): after this many failures of an account in the window… */
    loginDelayAfterFailures: number;
    /** …each further attempt waits this long before its password is checked, doubling… */
    loginDelayInitialMs: number;
    /** …up to this (0: no delay). An address the user signed in from lately never waits. */
    loginDelayMaxMs: number;
    refreshPerIpPerMinute: number;
    mailRequestsPerIpPerHour: number;
  };
  /** Second factor (TOTP): who must have one, and how the authenticator app names this server. */
  mfa: MfaSettings;
}

/** Whom the policy requires a second factor of: nobody, superadmins, superadmins and tenant owners/admins, or every user. */
export type MfaRequire = 'none' | 'superadmins' | 'admins' | 'everyone';

export interface MfaSettings {
  require: MfaRequire;
  /** The issuer an authenticator app shows beside the account (the otpauth:// URI's issuer). */
  issuer: string;
  /** A sign-in's second-factor challenge is valid this long, once. */
  challengeTtlMinutes: number;
  /** Wrong codes a challenge takes before it is spent (the per-account budget applies as well). */
  challengeAttempts: number;
}

export const authConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    jwtSecret: { type: ['string', 'null'], minLength: 32, default: null },
    accessTokenTtlSeconds: { type: 'integer', minimum: 60, maximum: 86400, default: 1800 },
    refreshTokenTtlDays: { type: 'integer', minimum: 1, maximum: 365, default: 14 },
    sessionMaxDays: { type: 'integer', minimum: 1, maximum: 365, default: 30 },
    refreshReuseGraceSeconds: { type: 'integer', minimum: 0, maximum: 60, default: 10 },
    uiSessionTtlHours: { type: 'integer', minimum: 1, maximum: 720, default: 12 },
    auditRetentionDays: { type: 'integer', minimum: 1, maximum: 36500, default: 365 },
    registration: { enum: ['open', 'verify', 'closed'], default: 'verify' },
    allowRegistration: { type: 'boolean' },
    apiKeyPrefix: { type: 'string', pattern: '^[a-z0-9]{1,8}_$', default: 'mf_' },
    rootToken: { type: ['string', 'null'], minLength: 24, default: null },
    rootTokenInQuery: { type: 'boolean', default: false },
    admin: {
      type: 'object',
      additionalProperties: false,
      properties: {
        email: { type: ['string', 'null'], format: 'email', default: null },
        password: { type: ['string', 'null'], default: null },
        setup: { enum: ['auto', 'link', 'password'], default: 'auto' },
      },
      default: {},
    },
    newDeviceMail: { type: 'boolean', default: false },
    mailLanguage: { enum: [...LANGUAGES], default: 'en' },
    passwordMinLength: { type: 'integer', minimum: 8, maximum: 64, default: 8 },
    passwordMaxLength: { type: 'integer', minimum: 64, maximum: 1024, default: 256 },
    hash: {
      type: 'object',
      additionalProperties: false,
      properties: {
        memoryCost: { type: 'integer', minimum: 19456, default: 19456 },
        timeCost: { type: 'integer', minimum: 2, default: 2 },
      },
      default: {},
    },
    links: {
      type: 'object',
      additionalProperties: false,
      properties: {
        magicLink: { type: 'string', pattern: '^/', default: '/admin/auth/magic-link' },
        resetPassword: { type: 'string', pattern: '^/', default: '/admin/auth/reset-password' },
        verifyEmail: { type: 'string', pattern: '^/', default: '/admin/auth/verify-email' },
      },
      default: {},
    },
    tokenTtlMinutes: {
      type: 'object',
      additionalProperties: false,
      properties: {
        magicLink: { type: 'integer', minimum: 1, maximum: 60, default: 10 },
        passwordReset: { type: 'integer', minimum: 5, maximum: 1440, default: 60 },
        emailVerification: { type: 'integer', minimum: 60, maximum: 10080, default: 1440 },
      },
      default: {},
    },
    mailsPerHour: { type: 'integer', minimum: 1, maximum: 100, default: 5 },
    sms: {
      type: 'object',
      additionalProperties: false,
      properties: {
        provider: { type: 'string', enum: ['log', 'http'], default: 'log' },
        http: {
          type: 'object',
          additionalProperties: false,
          properties: { url: { type: ['string', 'null'], format: 'uri', default: null }, token: { type: ['string', 'null'], default: null } },
          default: {},
        },
        codeTtlSeconds: { type: 'integer', minimum: 60, maximum: 900, default: 300 },
        maxAttempts: { type: 'integer', minimum: 1, maximum: 10, default: 5 },
        perPhonePerHour: { type: 'integer', minimum: 1, default: 5 },
        perIpPerHour: { type: 'integer', minimum: 1, default: 20 },
      },
      default: {},
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        loginPerIpPerMinute: { type: 'integer', minimum: 1, default: 30 },
        // Per account from one address, then per account from everywhere (much higher: a ceiling
        // against distributed guessing that still lets the owner in from an address they used).
        loginFailuresPerAccountIp: { type: 'integer', minimum: 1, default: 10 },
        loginFailuresPerAccount: { type: 'integer', minimum: 1, default: 100 },
        loginFailureWindowMinutes: { type: 'integer', minimum: 1, default: 15 },
        // OWASP's progressive delay, never a lock-out: 0.5 s, 1 s, 2 s, then 4 s per attempt.
        loginDelayAfterFailures: { type: 'integer', minimum: 1, default: 5 },
        loginDelayInitialMs: { type: 'integer', minimum: 1, maximum: 10_000, default: 500 },
        loginDelayMaxMs: { type: 'integer', minimum: 0, maximum: 30_000, default: 4000 },
        refreshPerIpPerMinute: { type: 'integer', minimum: 1, default: 60 },
        mailRequestsPerIpPerHour: { type: 'integer', minimum: 1, default: 20 },
      },
      default: {},
    },
    mfa: {
      type: 'object',
      additionalProperties: false,
      properties: {
        require: { enum: ['none', 'superadmins', 'admins', 'everyone'], default: 'superadmins' },
        issuer: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[^:]+$', default: 'Plinth' },
        challengeTtlMinutes: { type: 'integer', minimum: 1, maximum: 15, default: 5 },
        challengeAttempts: { type: 'integer', minimum: 1, maximum: 10, default: 5 },
      },
      default: {},
    },
  },
};

export const authEnv = {
  PLINTH_ADMIN_EMAIL: 'admin.email',
  PLINTH_ADMIN_PASSWORD: 'admin.password',
  PLINTH_ADMIN_SETUP: 'admin.setup',
  PLINTH_NEW_DEVICE_MAIL: 'newDeviceMail',
  PLINTH_MAIL_LANGUAGE: 'mailLanguage',
  PLINTH_AUTH_ROOT_TOKEN: 'rootToken',
  PLINTH_AUTH_JWT_SECRET: 'jwtSecret',
  PLINTH_REGISTRATION: 'registration',
  PLINTH_MFA_REQUIRE: 'mfa.require',
};

/** The registration mode in force (the deprecated allowRegistration: false still closes it). */
export const registrationMode = (s: AuthSettings): AuthSettings['registration'] => (s.allowRegistration === false ? 'closed' : s.registration);
