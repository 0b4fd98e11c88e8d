// The mail plugin's admin pages, keyed by the page paths of its manifest (plugins/mail/index.ts).
import { ComposePage } from './compose.js';
import { DomainsPage } from './domains.js';
import { InboxPage } from './inbox.js';
import { MailboxesPage } from './mailboxes.js';
import { SentPage } from './sent.js';

export const pages = {
  '': MailboxesPage,
  inbox: InboxPage,
  compose: ComposePage,
  sent: SentPage,
  domains: DomainsPage,
};
