// Which plugins are enabled on this server, for a page that shows another plugin's figures only when it
// is there (a robot's AI calls need the ai plugin). The shell sets it from GET /admin/api/meta before
// any plugin page renders; plugins are fixed while the server runs.
let enabled: ReadonlySet<string> = new Set();

/** Called by the shell with meta's plugin names. */
export function setEnabledPlugins(names: readonly string[]): void {
  enabled = new Set(names);
}

/** Whether the named plugin is enabled (its API can be called, through HTTP: never import its files). */
export const pluginEnabled = (name: string): boolean => enabled.has(name);

// The admin pages the signed-in person may open (meta's `me.pages`), so a page links another only when it may be opened
// (an empty list's "generate one in …" hint). Set by the shell with the session.
let openable: ReadonlySet<string> | null = null;

/** Called by the shell with meta's `me.pages` (null: not signed in, or a server that does not say). */
export function setAllowedPages(hrefs: readonly string[] | null | undefined): void {
  openable = hrefs ? new Set(hrefs) : null;
}

/** Whether the signed-in person may open the admin page at this href (e.g. `/admin/robots/codes`). */
export const mayOpenPage = (href: string): boolean => openable?.has(href.replace(/[?#].*$/, '').replace(/\/+$/, '')) ?? false;
