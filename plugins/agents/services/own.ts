// agents' own services, private to agents: registered under a name its api.ts does not declare in
// `Cradle`, so only agents' files get them, typed, through this accessor.
import { privateServices } from 'plinth/plugin';
import type { Confirmations } from './confirmations.js';

/** The confirmation tokens of its destructive tools (its MCP route). */
export const agentConfirmations = privateServices<Confirmations>('agentConfirmations');
