import { AppError, type CoreErrorCode } from 'plinth/plugin';
import type { AiErrorCode } from '../api.js';

/** An ai error: its code one of ai's (api.ts) or the core's, so no other code compiles. */
export type AiError = AppError<AiErrorCode | CoreErrorCode>;

/**
 * Every coded error the ai plugin throws, by what happened: a throw site reads
 * `throw AiErrors.knowledgeEntryNotFound(id)`, and what a client can meet is read here.
 * The core's generic helpers without a code (`AppError.notFound('…')`, `AppError.validation`) stay at their sites.
 */
export const AiErrors = {
  consentMissing: () =>
    new AppError(403, 'ai_consent_required', 'AI processing is off for this tenant: turn on ai_consent_enabled in the tenant settings first'),
  repliesUsedUp: () => new AppError(402, 'usage_limit_reached', "the plan's AI replies for this month are used up"),
  knowledgeBaseFull: (max: number, has: number, adding: number) =>
    new AppError(409, 'knowledge_base_full', `the knowledge base holds at most ${max} entries (it has ${has}; adding ${adding})`),
  knowledgeEntryNotFound: (id: number) => new AppError(404, 'knowledge_entry_not_found', `knowledge entry ${id} not found`),
  // The rest of the body stays unread, so this connection cannot carry another request.
  csvTooLarge: (limitBytes: number) =>
    new AppError(413, 'payload_too_large', `the CSV is larger than ${limitBytes / 1024 / 1024} MB; split it into several imports`, {
      headers: { Connection: 'close' },
    }),
} satisfies Record<string, (...args: never[]) => AiError>;
