// The ai plugin's admin pages, keyed by the page paths of its manifest (plugins/ai/index.ts): the
// knowledge base (members read-only), and for owners and admins the "try it" box, the providers
// with the fallback answer, and the call log.
import { addMessages } from 'plinth/plugin/ui';
import { CallsPage } from './calls.js';
import { KnowledgePage } from './knowledge.js';
import { ProvidersPage } from './providers.js';
import { TryPage } from './try.js';
import en from './messages/en.json' with { type: 'json' };
import zhCN from './messages/zh-CN.json' with { type: 'json' };

addMessages({ en, 'zh-CN': zhCN });

export const pages = {
  '': KnowledgePage,
  try: TryPage,
  providers: ProvidersPage,
  calls: CallsPage,
};
