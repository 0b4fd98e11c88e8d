// billing's own services, private to billing: registered under a name its api.ts does not declare in `Cradle`,
// so only billing's files (its routes, jobs, actions and tests) get them, typed, through this accessor.
import { privateServices } from 'plinth/plugin';
import type { BillingServices } from './index.js';

export const billingServices = privateServices<BillingServices>('billingServices');
