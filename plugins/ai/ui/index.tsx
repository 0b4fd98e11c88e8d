// The ai plugin's admin pages, keyed by the page paths of its manifest (plugins/ai/index.ts): the
// knowledge base (members read-only), and for owners and admins the "try it" box, the providers
// with the fallback answer, and the call log.
import { CallsPage } from './calls.js';
import { KnowledgePage } from './knowledge.js';
import { ProvidersPage } from './providers.js';
import { TryPage } from './try.js';

export const pages = {
  '': KnowledgePage,
  try: TryPage,
  providers: ProvidersPage,
  calls: CallsPage,
};
