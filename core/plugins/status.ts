import type { AppView } from '../app-view.js';
import type { PluginSource } from './source.js';

/** One row of the System page's Plugins table (GET /admin/api/system): a running plugin, or one skipped at boot. */
export interface PluginStatus {
  name: string;
  version: string | null;
  base: string | null;
  dependsOn: string[];
  source: PluginSource;
  pluginApi: string | null;
  state: 'running' | 'failed';
  error: string | null;
}

export function pluginStatuses(plinth: AppView): PluginStatus[] {
  return [
    ...plinth.plugins.map(({ plugin, base, source, version, pluginApi }) => ({
      name: plugin.name,
      version,
      base,
      dependsOn: plugin.dependsOn ?? [],
      source,
      pluginApi,
      state: 'running' as const,
      error: null,
    })),
    ...plinth.container.resolve('failedPlugins').map((f) => ({
      name: f.name,
      version: f.version,
      base: null,
      dependsOn: [],
      source: f.source,
      pluginApi: f.pluginApi,
      state: 'failed' as const,
      error: f.error,
    })),
  ];
}
