// robots's own services, private to robots: registered under a name its api.ts does not declare in `Cradle`,
// so only robots's files (its routes, jobs, actions and tests) get them, typed, through this accessor.
import { privateServices } from 'plinth/plugin';
import type { RobotsServices } from './index.js';

export const robotsServices = privateServices<RobotsServices>('robotsServices');
