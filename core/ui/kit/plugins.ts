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
