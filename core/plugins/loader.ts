import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CoreConfig } from '../config/schema.js';
import { ConfigError, describeConfigErrors, setPath, splitList } from '../config/load.js';
import { createAjv, runOnce, schemaProblems, toFieldErrors } from '../validation.js';
import type { Plugin } from './contract.js';

export interface LoadedPlugin {
  plugin: Plugin;
  /** The plugin's folder (migrations and UI are found relative to it). */
  dir: string;
  settings: Record<string, unknown>;
  /** Face base path after settings.base, or null without a face. */
  base: string | null;
}

/** Raised for problems in the set of plugins: missing, cyclic, malformed. */
export class PluginError extends ConfigError {
  override name = 'PluginError';
}

function findPluginDir(name: string, searchDirs: string[]): string | null {
  for (const dir of searchDirs) {
    const candidate = path.join(dir, name);
    if (['index.js', 'index.ts'].some((f) => fs.existsSync(path.join(candidate, f)))) return candidate;
  }
  return null;
}

async function importPlugin(name: string, dir: string): Promise<Plugin> {
  const file = ['index.js', 'index.ts'].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f))!;
  const mod = (await import(pathToFileURL(file).href)) as { default?: Plugin };
  const plugin = mod.default;
  if (!plugin || typeof plugin !== 'object' || typeof plugin.name !== 'string') {
    throw new PluginError(`plugin "${name}": ${file} must default-export a plugin object with a name`);
  }
  if (plugin.name !== name) throw new PluginError(`plugin "${name}": its manifest is named "${plugin.name}"; the folder and the name must match`);
  return plugin;
}

/** Orders plugins so each comes after its dependencies, keeping config order otherwise. */
export function orderByDependencies(plugins: Plugin[]): Plugin[] {
  const byName = new Map(plugins.map((p) => [p.name, p]));
  for (const p of plugins) {
    for (const dep of p.dependsOn ?? []) {
      if (!byName.has(dep)) throw new PluginError(`plugin "${p.name}" depends on "${dep}", which is not enabled`);
    }
  }
  const ordered: Plugin[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (p: Plugin, trail: string[]) => {
    if (state.get(p.name) === 'done') return;
    if (state.get(p.name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(p.name)), p.name];
      throw new PluginError(`plugin dependency cycle: ${cycle.join(' -> ')}`);
    }
    state.set(p.name, 'visiting');
    for (const dep of p.dependsOn ?? []) visit(byName.get(dep)!, [...trail, p.name]);
    state.set(p.name, 'done');
    ordered.push(p);
  };
  for (const p of plugins) visit(p, []);
  return ordered;
}

const settingsAjv = createAjv({ coerceTypes: true, ...runOnce });

function applyEnv(plugin: Plugin, settings: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  for (const [name, target] of Object.entries(plugin.env ?? {})) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const spec = typeof target === 'string' ? { path: target } : target;
    setPath(settings, spec.path, spec.list ? splitList(raw) : raw);
  }
}

/** Validates one plugin's settings (with `base` allowed beside its own keys) and fills defaults. */
export function validateSettings(plugin: Plugin, raw: Record<string, unknown>): { settings: Record<string, unknown>; base: string | null } {
  const own = plugin.configSchema ?? { type: 'object' };
  const schema = {
    ...own,
    type: 'object',
    properties: { ...((own.properties as object) ?? {}), base: { type: 'string', pattern: '^/' } },
  };
  const problems = schemaProblems(schema);
  if (problems) throw new ConfigError(`plugin "${plugin.name}" declares an invalid settings schema: ${problems}`);
  const settings = structuredClone(raw);
  const validate = settingsAjv.compile(schema);
  if (!validate(settings)) {
    const prefix = `settings.${plugin.name}`;
    throw new ConfigError(describeConfigErrors(toFieldErrors(validate.errors, prefix), settings, prefix));
  }
  const base = plugin.face ? ((settings.base as string | undefined) ?? plugin.face.base).replace(/(.)\/+$/, '$1') : null;
  return { settings, base };
}

/** Finds, imports, orders and configures the enabled plugins. Any problem stops the boot. */
export async function loadPlugins(config: CoreConfig, codeRoot: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedPlugin[]> {
  const searchDirs = config.pluginDirs.map((d) => path.resolve(codeRoot, d));
  const found: Array<{ plugin: Plugin; dir: string }> = [];
  for (const name of config.plugins) {
    const dir = findPluginDir(name, searchDirs);
    if (!dir) throw new PluginError(`plugin "${name}" is enabled in config but was not found in ${searchDirs.join(', ')}`);
    found.push({ plugin: await importPlugin(name, dir), dir });
  }
  const ordered = orderByDependencies(found.map((f) => f.plugin));
  return ordered.map((plugin) => {
    const raw = structuredClone(config.settings[plugin.name] ?? {});
    applyEnv(plugin, raw, env);
    const { settings, base } = validateSettings(plugin, raw);
    return { plugin, dir: found.find((f) => f.plugin === plugin)!.dir, settings, base };
  });
}
