// ai's own services, private to ai: registered under a name its api.ts does not declare in `Cradle`,
// so only ai's files (its routes, jobs, actions and tests) get them, typed, through this accessor.
import { privateServices } from 'plinth/plugin';
import type { AiServices } from './index.js';

export const aiServices = privateServices<AiServices>('aiServices');
