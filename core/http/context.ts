import type { ParameterizedContext } from 'koa';
import type { PlinthContainer } from '../container.js';
import type { Envelope } from './envelopes.js';
import type { Principal } from './auth.js';

export interface RequestState {
  requestId: string;
  /** The per-request awilix scope (holds requestId and, once known, principal). */
  container: PlinthContainer;
  envelope: Envelope;
  principal?: Principal | null;
  /** The route template that answered (`/api/v2/users/:id`), for the metrics; PluginRouter sets it. */
  route?: string;
  /** The plugin whose route answered, for the metrics. */
  plugin?: string;
}

export interface ContextHelpers {
  /** Runs the authentication chain once per request and caches the result. */
  authenticate(): Promise<Principal | null>;
}

export type HttpContext = ParameterizedContext<RequestState, ContextHelpers> & ContextHelpers & { request: { body?: unknown; rawBody?: string } };
