import { AppError } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import { MailErrors } from '../services/errors.js';
import type { MailErrorCode } from '../api.js';

const now = '2026-01-01 12:00:00'; // the seed's format (seed-time.ts)
const SAMPLE = {
  mailboxes: [
    {
      id: 1,
      address: 'demo@example.com',
      created_at: now,
      expires_at: null,
      expires: null,
      is_pinned: 1,
      password_is_default: 1,
      can_login: 0,
      forward_to: null,
      is_favorite: 1,
      last_received_at: now,
    },
    {
      id: 2,
      address: 'sample@example.com',
      created_at: now,
      expires_at: null,
      expires: null,
      is_pinned: 0,
      password_is_default: 1,
      can_login: 0,
      forward_to: null,
      is_favorite: 0,
      last_received_at: now,
    },
  ],
  emails: [
    {
      id: 1,
      sender: 'no-reply@service.example',
      subject: 'Your verification code',
      received_at: now,
      is_read: 0,
      preview: 'Your verification code is 246810.',
      verification_code: '246810',
    },
    { id: 2, sender: 'news@shop.example', subject: 'Welcome aboard', received_at: now, is_read: 1, preview: 'Thanks for signing up.', verification_code: null },
  ],
};

/**
 * The guest account sees sample data only, read-only: the seed's demo mode. The samples have the
 * shapes the real routes document (the roles test checks them against those schemas). Every other call by a
 * guest is 403; nothing real is ever shown or changed.
 */
export function guestRoutes(r: PluginRouter<MailErrorCode>): void {
  r.use(async (ctx, next) => {
    const principal = await (ctx as unknown as { authenticate(): Promise<{ kind: string } | null> }).authenticate().catch(() => null);
    if (principal?.kind !== 'guest') return next();
    const path = ctx.path.replace(/^.*?\/api\//, '/api/');
    if (ctx.method === 'GET') {
      if (path === '/api/mailboxes') return void (ctx.body = SAMPLE.mailboxes);
      if (path === '/api/domains') return void (ctx.body = ['example.com']);
      if (path === '/api/emails') return void (ctx.body = SAMPLE.emails);
      if (path === '/api/user/quota') return void (ctx.body = { limit: 0, used: 0, remaining: 0 });
      const one = /^\/api\/email\/(\d+)$/.exec(path);
      if (one) {
        const email = SAMPLE.emails.find((e) => e.id === Number(one[1]));
        if (!email) throw AppError.notFound('email not found');
        return void (ctx.body = {
          ...email,
          mailbox: 'demo@example.com',
          sender_name: '',
          to_addrs: 'demo@example.com',
          content: email.preview,
          html_content: `<p>${email.preview}</p>`,
          attachments: [],
          size: email.preview.length,
          message_id: null,
          is_read: 1,
          download: null,
        });
      }
      if (path === '/api/session') return next();
    }
    // Signing out, or in as someone else, is always open.
    if (path === '/api/logout' || (path === '/api/login' && ctx.method === 'POST')) return next();
    throw MailErrors.guestReadOnly();
  });
}
