import module from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Plugin } from './contract.js';
import { CORE_COPY } from './contract.js';

// Source (tsx) or built (dist/): the public entry is a sibling of this file either way.
const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
const ENTRIES: Record<string, string> = {
  'plinth/plugin': 'index',
  'plinth/plugin/ui': 'ui',
  'plinth/plugin/testing': 'testing',
};
let installed = false;

/**
 * Makes `plinth/plugin` resolve, from any plugin anywhere (node_modules, a folder outside the install),
 * to this running core's public entry: Plinth is the application, not a dependency in node_modules, so
 * Node's own lookup would find nothing (or a second copy). Node >= 22.15 has in-thread resolve hooks.
 */
export function installPublicEntryResolver(): void {
  if (installed) return;
  installed = true;
  module.registerHooks({
    resolve(specifier, context, next) {
      const target = ENTRIES[specifier];
      if (target) return { url: new URL(`../plugin-api/${target}.${ext}`, import.meta.url).href, shortCircuit: true };
      return next(specifier, context);
    },
  });
}

/** The other copy of the core a manifest was made with (a plugin that bundles plinth), or null. */
export function coreCopyOf(plugin: Plugin): string | null {
  const made = (plugin as unknown as Record<symbol, unknown>)[CORE_COPY];
  if (typeof made !== 'string' || made === THIS_COPY) return null;
  return made.startsWith('file:') ? fileURLToPath(made) : made;
}

const THIS_COPY = new URL(`./contract.${ext}`, import.meta.url).href;
