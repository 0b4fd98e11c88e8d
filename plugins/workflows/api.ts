// The workflows plugin's public surface, types only (see plugins/auth/api.ts for the rules). Other
// plugins take part in workflows by declaring events and actions in their manifests.
import type { WorkflowsServices } from './services/index.js';

declare module '../../core/container.js' {
  interface Cradle {
    /** workflows' own services (its routes, claim loop and jobs). */
    workflowsServices: WorkflowsServices;
  }
}
