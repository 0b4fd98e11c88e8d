// A plugin's private services in the container (issue 41). Like Fastify's encapsulation: what a
// plugin shares is declared in its api.ts (the `Cradle` names other plugins resolve); the bag its own
// routes, jobs and actions use is registered under a name that `Cradle` does not list, so no other
// plugin gets it typed. The plugin reaches it through one accessor of its own, made here.
import { asValue } from 'awilix';
import type { PlinthContainer } from '../container.js';

/** A plugin's handle on its private registration: the one place its services' type meets the container. */
export interface PrivateServices<T> {
  /** The container name (kept out of `Cradle`: resolving it elsewhere gives `unknown`). */
  readonly name: string;
  /** Registers the value (at the plugin's `register`); a name already taken is refused, so two plugins cannot share one. */
  register(container: PlinthContainer, value: T): void;
  /** The registered value, from the container or anything that carries one (a plugin context, a test app). */
  of(from: PlinthContainer | { container: PlinthContainer }): T;
}

/** Declares a plugin's private services under `name`, typed `T` for that plugin alone (see plugins/billing/services/own.ts). */
export function privateServices<T>(name: string): PrivateServices<T> {
  const containerOf = (from: PlinthContainer | { container: PlinthContainer }): PlinthContainer => ('container' in from ? from.container : from);
  return {
    name,
    register(container, value) {
      if (container.hasRegistration(name)) throw new Error(`private services "${name}" are registered already: each plugin names its own`);
      container.register(name, asValue(value));
    },
    of(from) {
      // The one cast: `name` is not in Cradle on purpose, and only `register` above puts a value there, typed T.
      return containerOf(from).resolve(name) as T;
    },
  };
}
