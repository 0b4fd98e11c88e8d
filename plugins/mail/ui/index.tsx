// The mail plugin's admin pages, keyed by the page paths of its manifest (plugins/mail/index.ts).
import { addMessages } from 'plinth/plugin/ui';
import { ComposePage } from './compose.js';
import { DomainsPage } from './domains.js';
import { InboxPage } from './inbox.js';
import { MailboxesPage } from './mailboxes.js';
import { SentPage } from './sent.js';
import en from './messages/en.json' with { type: 'json' };
import zhCN from './messages/zh-CN.json' with { type: 'json' };

addMessages({ en, 'zh-CN': zhCN });

export const pages = {
  '': MailboxesPage,
  inbox: InboxPage,
  compose: ComposePage,
  sent: SentPage,
  domains: DomainsPage,
};
