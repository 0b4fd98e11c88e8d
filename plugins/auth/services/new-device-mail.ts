import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import type { CoreConfig } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import type { Mailer } from 'plinth/plugin';
import { mailLanguage, renderMail } from 'plinth/plugin';
import { MAILS } from './mail-texts.js';
import type { AuthSettings } from '../config.js';
import { deviceLabel, networkOf } from './devices.js';
import type { RequestMeta, UserRow } from './types.js';

/** Sessions of the last this many days are what "seen before" means. */
const RECENT_DAYS = 90;
/** …at most this many of them (the newest) are compared. */
const COMPARED = 200;

/** What NewDeviceMail is built from, passed by name. */
export interface NewDeviceMailDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  config: CoreConfig;
  settings: AuthSettings;
  mailer: Mailer;
}

/**
 * With `settings.auth.newDeviceMail` on, a sign-in from a device the user has not signed in from
 * lately mails them: "new" is a device (browser and system, or program) and network (IPv4 /24, IPv6
 * /64) pair that none of their sessions of the last 90 days had. A user's first sign-in ever is not
 * new to anyone, and a user without an email address cannot be told.
 */
export class NewDeviceMail {
  constructor(private readonly deps: NewDeviceMailDeps) {}

  /** After a session was opened; in the background, so the sign-in never waits for (or fails by) the mail. */
  noticeSignIn(user: Pick<UserRow, 'id' | 'email' | 'language'>, sessionId: string, meta: RequestMeta): void {
    if (!this.deps.settings.newDeviceMail || !user.email) return;
    this.check(user, sessionId, meta).catch((err) => this.deps.logger.error({ err, user: user.id }, 'could not send the new sign-in mail'));
  }

  /** Mails the user when this session's device is new to them; says whether it did. */
  async check(user: Pick<UserRow, 'id' | 'email' | 'language'>, sessionId: string, meta: RequestMeta): Promise<boolean> {
    if (!user.email) return false;
    const now = this.deps.clock.now();
    const since = new Date(now.getTime() - RECENT_DAYS * 86_400_000).toISOString();
    const before = await this.deps
      .db('auth_sessions')
      .where('user_id', user.id)
      .whereNot('id', sessionId)
      .where('created_at', '>', since)
      .orderBy('created_at', 'desc')
      .limit(COMPARED)
      .select('ip', 'user_agent');
    if (!before.length) return false;
    const device = deviceLabel(meta.userAgent);
    const network = networkOf(meta.ip);
    if (before.some((s: { ip: string | null; user_agent: string | null }) => deviceLabel(s.user_agent) === device && networkOf(s.ip) === network)) return false;
    const site = this.deps.config.server.publicUrl;
    const language = mailLanguage(user.language, this.deps.settings.mailLanguage);
    const values = {
      email: user.email,
      site,
      device: deviceLabel(meta.userAgent, language),
      ip: meta.ip,
      when: now.toISOString().slice(0, 16).replace('T', ' '),
    };
    await this.deps.mailer.send({ to: user.email, ...renderMail(MAILS.newDevice, language, values) });
    return true;
  }
}
