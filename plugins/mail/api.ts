// The mail plugin's public surface, types only (see plugins/auth/api.ts for the rules).
import type { MailServices } from './services/index.js';

declare module '../../core/container.js' {
  interface Cradle {
    /** mail's own services (its routes, SMTP receiver and jobs). */
    mailServices: MailServices;
    /** The SMTP port actually listened on (0 in config picks a free one). */
    smtpPort: number;
  }
}
