// What the System page shows of each plugin beside its manifest: where it came from, and the plugins
// that could not be loaded. Apart from the loader so that the container's type (`failedPlugins`) names
// them without reaching the plugin contract, which names the container.

/** Where a plugin came from: a folder of the install's plugins/, an npm package, or another folder. */
export type PluginSource = 'built-in' | 'npm' | 'folder';

/** A plugin skipped at boot (`pluginLoading.onFailure: "skip"`): shown as failed on the System page. */
export interface FailedPlugin {
  /** The config entry (a name, a package, a folder). */
  entry: string;
  name: string;
  source: PluginSource;
  version: string | null;
  pluginApi: string | null;
  error: string;
}
