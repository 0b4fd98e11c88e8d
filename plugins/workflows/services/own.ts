// workflows's own services, private to workflows: registered under a name its api.ts does not declare in `Cradle`,
// so only workflows's files (its routes, jobs, actions and tests) get them, typed, through this accessor.
import { privateServices } from 'plinth/plugin';
import type { WorkflowsServices } from './index.js';

export const workflowsServices = privateServices<WorkflowsServices>('workflowsServices');
