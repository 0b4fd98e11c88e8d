// mail's own services, private to mail: registered under a name its api.ts does not declare in `Cradle`,
// so only mail's files (its routes, jobs, actions and tests) get them, typed, through this accessor.
import { privateServices } from 'plinth/plugin';
import type { MailServices } from './index.js';

export const mailServices = privateServices<MailServices>('mailServices');
