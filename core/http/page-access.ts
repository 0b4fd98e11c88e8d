import type { AppView } from '../app-view.js';
import { beyondPlans, missingFeature, type Grant } from '../entitlements.js';
import type { UiPage } from '../plugins/contract.js';
import { hasRole, hasScope, type Principal } from './auth.js';

/** The admin UI's address of a plugin page (the shell's nav.ts pageHref, kept in step). */
export const pageHref = (plugin: string, path: string) => (path ? `/admin/${plugin}/${path}` : `/admin/${plugin}`);

/**
 * Whether the principal may open the page: its roles, then its scopes within the tenant's plan (as
 * `requireScope` checks them), then the plugin's own rule. `grant` is read once per request, lazily.
 */
async function mayOpen(plinth: AppView, plugin: string, page: UiPage, principal: Principal, grant: () => Promise<Grant | null>): Promise<boolean> {
  if (page.public) return false;
  if (page.roles?.length && !page.roles.some((role) => hasRole(principal, role))) return false;
  if (page.scopes?.length) {
    if (!page.scopes.every((scope) => hasScope(principal, scope))) return false;
    const g = await grant();
    if (g && missingFeature(plinth.container.resolve('features'), g, page.scopes)) return false;
  }
  if (page.feature) {
    const g = await grant();
    if (g?.features && !g.features.includes(page.feature)) return false;
  }
  const context = plinth.contexts.get(plugin);
  return !page.allowed || (context !== undefined && (await page.allowed(principal, context)));
}

/**
 * The hrefs of the admin pages this principal may open (the shell lists and opens only these; a
 * page the user reaches otherwise says it is not available to them). A page's parent must be
 * allowed too: an editor opened from a list the user cannot see is not theirs either.
 */
export async function allowedPages(plinth: AppView, principal: Principal): Promise<string[]> {
  let granted: Promise<Grant | null> | undefined;
  const grant = () => {
    granted ??= beyondPlans(principal) ? Promise.resolve(null) : plinth.container.resolve('entitlements').grant(principal.tenantId!);
    return granted;
  };
  const out: string[] = [];
  for (const { plugin } of plinth.plugins) {
    const pages = plugin.ui?.pages ?? [];
    const open = new Set<string>();
    for (const page of pages) if (await mayOpen(plinth, plugin.name, page, principal, grant)) open.add(page.path);
    for (const page of pages) {
      if (open.has(page.path) && (page.parent === undefined || open.has(page.parent))) out.push(pageHref(plugin.name, page.path));
    }
  }
  return out;
}
