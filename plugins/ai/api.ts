// The ai plugin's public surface, types only: what it registers in the container, by name.
// Other plugins use these with `import type` and resolve `aiApi` from the container when the ai
// plugin is enabled; they never import ai's files or read its tables (see test/architecture).

/** `aiApi`: figures from the AI call log, for other plugins' reports. */
export interface AiApi {
  /**
   * The successful AI calls of these robots in [from, to) (ISO timestamps) and their estimated
   * cost, in `settings.ai.currency`, exact to a millionth (the call log's unit).
   */
  callTotals(tenantId: string, robotIds: string[], from: string, to: string): Promise<{ calls: number; cost: number; currency: string }>;
  /** Today's AI calls of these robots against their daily limit (the seed's aiCallsToday); absent: none. */
  callsToday(tenantId: string, robotIds: string[]): Promise<Record<string, number>>;
}

/**
 * The codes ai's errors carry beside the core's (core/errors.ts CoreErrorCode): what a client of
 * its face can switch on. test/architecture/error-codes.test.ts keeps this list equal to the codes thrown.
 */
export type AiErrorCode = 'ai_consent_required' | 'knowledge_base_full' | 'knowledge_entry_not_found';

declare module 'plinth/plugin' {
  interface Cradle {
    aiApi: AiApi;
  }
}
