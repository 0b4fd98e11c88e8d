// auth's own services, private to auth: registered under a name its api.ts does not declare in `Cradle`,
// so only auth's files (its routes, jobs, actions and tests) get them, typed, through this accessor.
import { privateServices } from 'plinth/plugin';
import type { AuthServices } from './index.js';

export const authServices = privateServices<AuthServices>('authServices');
