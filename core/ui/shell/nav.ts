import { hasRole } from '../../http/auth.js';
import { t, tOr } from '../kit/i18n.js';
import type { Me, Meta } from './types.js';

export interface NavEntry {
  href: string;
  title: string;
  /** The nav item highlighted while this page is open, when it is not listed itself (UiPage.parent). */
  parentHref?: string;
  /** Set for a plugin's page; absent for the shell's own pages. */
  plugin?: { name: string; path: string; script: string | null };
}

export interface NavGroup {
  label: string;
  entries: NavEntry[];
}

export const OVERVIEW_HREF = '/admin/overview';
export const SYSTEM_HREF = '/admin/system';
export const OUTBOX_HREF = '/admin/outgoing-mail';
export const SETTINGS_HREF = '/admin/settings';

/** Everyone's landing page (the first entry, so `/admin` goes there): their figures, each linked to its page. */
const home = (): NavGroup => ({ label: t('shell.nav.home'), entries: [{ href: OVERVIEW_HREF, title: t('shell.nav.overview') }] });

/** The shell's own pages (superadmins only); app.tsx maps each href to its component. */
const coreEntries = (): NavEntry[] => [
  { href: SYSTEM_HREF, title: t('shell.nav.system') },
  { href: OUTBOX_HREF, title: t('shell.nav.outbox') },
  { href: SETTINGS_HREF, title: t('shell.nav.settings') },
];

export const pageHref = (plugin: string, path: string) => (path ? `/admin/${plugin}/${path}` : `/admin/${plugin}`);

/**
 * What this user may open: the Overview, the core pages for superadmins, then each enabled plugin's
 * pages their roles allow. With `listed`, only what the nav shows (a page with a parent is opened
 * from it, not from the nav).
 */
export function navGroups(me: Me, meta: Meta, { listed = true } = {}): NavGroup[] {
  const groups: NavGroup[] = [home()];
  if (hasRole(me, 'superadmin')) groups.push({ label: t('shell.nav.platform'), entries: coreEntries() });
  for (const plugin of meta.plugins) {
    const entries = plugin.pages
      .filter((page) => !page.public && mayOpen(me, plugin.name, page))
      .filter((page) => !listed || page.parent === undefined)
      .map((page) => toEntry(plugin, page));
    if (entries.length) groups.push({ label: tOr(`${plugin.name}.nav.group`, plugin.name), entries });
  }
  return groups;
}

/** The server's word (`me.pages`: role, scopes within the plan, the plugin's own rule) when it gave one; else the page's roles. */
const mayOpen = (me: Me, plugin: string, page: MetaPlugin['pages'][number]): boolean =>
  me.pages ? me.pages.includes(pageHref(plugin, page.path)) : !page.roles?.length || page.roles.some((role) => hasRole(me, role));

/** A plugin's page at this path that this user may not open (the shell says so rather than "not found"). */
export function withheldEntry(meta: Meta, path: string): NavEntry | undefined {
  for (const plugin of meta.plugins) {
    const page = plugin.pages.find((p) => !p.public && pageHref(plugin.name, p.path) === path);
    if (page) return toEntry(plugin, page);
  }
  return undefined;
}

/** The nav item to highlight on this page: its parent's for a page the nav does not list. */
export const activeHref = (entry: NavEntry | undefined, path: string): string => entry?.parentHref ?? entry?.href ?? path;

type MetaPlugin = Meta['plugins'][number];
/** A page's title is the plugin's message `<plugin>.nav.<path>` (`<plugin>.nav.index` for ''), else the manifest's English one. */
const toEntry = (plugin: MetaPlugin, page: MetaPlugin['pages'][number]): NavEntry => ({
  href: pageHref(plugin.name, page.path),
  title: tOr(`${plugin.name}.nav.${page.path || 'index'}`, page.title),
  ...(page.parent === undefined ? {} : { parentHref: pageHref(plugin.name, page.parent) }),
  plugin: { name: plugin.name, path: page.path, script: plugin.script },
});

/** The public page (no session needed) at this path, if a plugin declares one. */
export function publicEntry(meta: Meta, path: string): NavEntry | undefined {
  for (const plugin of meta.plugins) {
    const page = plugin.pages.find((p) => p.public && pageHref(plugin.name, p.path) === path);
    if (page) return toEntry(plugin, page);
  }
  return undefined;
}

/** Public pages the login screen links to (e.g. "Forgot password?"). */
export function loginLinks(meta: Meta): NavEntry[] {
  return meta.plugins.flatMap((plugin) => plugin.pages.filter((p) => p.public && p.loginLink).map((page) => toEntry(plugin, page)));
}
