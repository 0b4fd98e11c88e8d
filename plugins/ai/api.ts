// The AI plugin's public surface, types only (see plugins/auth/api.ts for the rules). Other
// plugins reach AI replies through events and the `ai.reply` action, not through its services.
import type { AiServices } from './services/index.js';

declare module '../../core/container.js' {
  interface Cradle {
    /** ai's own services (its routes, handlers and jobs). */
    aiServices: AiServices;
  }
}
