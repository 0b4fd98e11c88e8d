// licensing's own services, private to licensing: registered under a name its api.ts does not declare in `Cradle`,
// so only licensing's files (its routes, jobs, actions and tests) get them, typed, through this accessor.
import { privateServices } from 'plinth/plugin';
import type { LicensingServices } from './index.js';

export const licensingServices = privateServices<LicensingServices>('licensingServices');
