import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import semver from 'semver';
import type { CoreConfig } from '../config/schema.js';
import { ConfigError, describeConfigErrors, setPath, splitList } from '../config/load.js';
import { createAjv, runOnce, schemaProblems, toFieldErrors } from '../validation.js';
import type { Plugin } from './contract.js';
import type { FailedPlugin, PluginSource } from './source.js';
import { PLUGIN_API_VERSION } from '../plugin-api/version.js';
import { coreCopyOf, installPublicEntryResolver } from './public-entry.js';
import { projectRoot as installRoot } from '../paths.js';

export interface LoadedPlugin {
  plugin: Plugin;
  /** The plugin's folder (migrations and UI are found relative to it). */
  dir: string;
  settings: Record<string, unknown>;
  /** Face base path after settings.base, or null without a face. */
  base: string | null;
  source: PluginSource;
  /** The package's version (its package.json), else the manifest's. */
  version: string | null;
  /** The plugin API range it declares it needs; null for a built-in that declares none. */
  pluginApi: string | null;
  /** How error messages name it: `"crm" (npm @acme/plinth-crm 1.2.0)`. */
  label: string;
}

/** Raised for problems in the set of plugins: missing, cyclic, malformed, incompatible. */
export class PluginError extends ConfigError {
  override name = 'PluginError';
}

interface PackageJson {
  name?: string;
  version?: string;
  main?: string;
  exports?: unknown;
  plinth?: { pluginApi?: string };
}

interface Candidate {
  entry: string;
  dir: string;
  source: PluginSource;
  /** Found through pluginDirs: the folder's name is the plugin's name. */
  inPluginDirs: boolean;
  pkg: PackageJson | null;
}

const readPackage = (dir: string): PackageJson | null => {
  const file = path.join(dir, 'package.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as PackageJson) : null;
};

const isPathEntry = (entry: string) => entry.startsWith('./') || entry.startsWith('../') || path.isAbsolute(entry);

function findPluginDir(name: string, searchDirs: string[]): string | null {
  for (const dir of searchDirs) {
    const candidate = path.join(dir, name);
    if (['index.js', 'index.ts'].some((f) => fs.existsSync(path.join(candidate, f)))) return candidate;
  }
  return null;
}

/** Node's lookup of a bare package name: node_modules/<name> in the install's folder and its parents. */
function findPackageDir(name: string, from: string): string | null {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
    if (path.dirname(dir) === dir) return null;
  }
}

/** The module a plugin package's `import` points at: exports["."] (import/default), else main, else index.js/index.ts. */
function entryFile(dir: string, pkg: PackageJson | null): string | null {
  const pick = (target: unknown): string | null => {
    if (typeof target === 'string') return target;
    if (target && typeof target === 'object') {
      const t = target as Record<string, unknown>;
      if ('.' in t) return pick(t['.']);
      for (const condition of ['import', 'node', 'default']) if (condition in t) return pick(t[condition]);
    }
    return null;
  };
  const declared = pick(pkg?.exports) ?? pkg?.main ?? null;
  const files = declared ? [declared] : ['index.js', 'index.ts'];
  return files.map((f) => path.resolve(dir, f)).find((f) => fs.existsSync(f)) ?? null;
}

const firstLine = (err: unknown) => String((err as Error)?.message ?? err).split('\n')[0];

function describe(c: { source: PluginSource; entry: string; dir: string }, version: string | null): string {
  if (c.source === 'npm') return `npm ${c.entry}${version ? ` ${version}` : ''}`;
  if (c.source === 'folder') return `folder ${c.dir}${version ? `, ${version}` : ''}`;
  return 'built-in';
}

/** A config entry, found: a folder of pluginDirs, a folder path, or an installed npm package. */
function locate(entry: string, searchDirs: string[], builtInDir: string, projectRoot: string): Candidate {
  if (isPathEntry(entry)) {
    const dir = path.resolve(projectRoot, entry);
    if (!fs.existsSync(dir)) throw new PluginError(`plugin folder "${entry}" does not exist (${dir})`);
    return { entry, dir, source: 'folder', inPluginDirs: false, pkg: readPackage(dir) };
  }
  const inDirs = /^[a-z][a-z0-9-]*$/.test(entry) ? findPluginDir(entry, searchDirs) : null;
  if (inDirs) {
    const source = path.dirname(inDirs) === builtInDir ? 'built-in' : 'folder';
    return { entry, dir: inDirs, source, inPluginDirs: true, pkg: source === 'built-in' ? null : readPackage(inDirs) };
  }
  const dir = findPackageDir(entry, projectRoot);
  if (!dir) {
    throw new PluginError(
      `plugin "${entry}" is enabled in config but was not found in ${searchDirs.join(', ')} nor installed as an npm package (npm install ${entry})`,
    );
  }
  return { entry, dir, source: 'npm', inPluginDirs: false, pkg: readPackage(dir) };
}

function checkRange(label: string, range: string): void {
  if (!semver.validRange(range)) throw new PluginError(`plugin ${label} declares an invalid plugin API range "${range}"`);
  if (!semver.satisfies(PLUGIN_API_VERSION, range)) {
    throw new PluginError(`plugin ${label} needs plugin API ${range}, but this Plinth provides plugin API ${PLUGIN_API_VERSION}`);
  }
}

/** Imports one candidate and checks what can be checked before its code runs, then its manifest. */
async function importCandidate(c: Candidate, builtInNames: Set<string>, config: CoreConfig): Promise<Omit<LoadedPlugin, 'settings' | 'base'>> {
  const external = c.source !== 'built-in';
  const version = c.pkg?.version ?? null;
  let label = `"${c.source === 'folder' && !c.inPluginDirs ? (c.pkg?.name ?? path.basename(c.dir)) : c.entry}" (${describe(c, version)})`;
  const allow = config.pluginLoading.allow;
  if (external && !c.inPluginDirs && allow && !allow.includes(c.entry)) {
    throw new PluginError(`plugin ${label} is not in pluginLoading.allow (${allow.join(', ') || 'empty'}); add it there to load it`);
  }
  // A copy of Plinth inside the plugin would be a second core: its own container, registries and clock.
  const ownCore = path.join(c.dir, 'node_modules', 'plinth');
  // A link back to this very install (a plugin developed beside it: npm's file: dependency) is the same copy.
  if (external && fs.existsSync(ownCore) && fs.realpathSync(ownCore) !== fs.realpathSync(installRoot)) {
    throw new PluginError(
      `plugin ${label} bundles its own copy of plinth (${ownCore}); a plugin must use the server's: ` +
        'list plinth under peerDependencies, not dependencies, and reinstall it',
    );
  }
  // Checked before the plugin's code runs: code written for another API may fail on import already.
  const declaredRange = c.pkg?.plinth?.pluginApi ?? null;
  if (declaredRange) checkRange(label, declaredRange);
  const file = entryFile(c.dir, c.pkg);
  if (!file) throw new PluginError(`plugin ${label}: no module to import in ${c.dir} (package.json "exports"/"main", or index.js)`);
  let mod: { default?: Plugin };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: Plugin };
  } catch (err) {
    throw new PluginError(`plugin ${label} failed to load: ${firstLine(err)}`);
  }
  const plugin = mod.default;
  if (!plugin || typeof plugin !== 'object' || typeof plugin.name !== 'string') {
    throw new PluginError(`plugin "${c.entry}": ${file} must default-export a plugin object with a name`);
  }
  if (c.inPluginDirs && plugin.name !== c.entry) {
    throw new PluginError(`plugin "${c.entry}": its manifest is named "${plugin.name}"; the folder and the name must match`);
  }
  if (!c.inPluginDirs) label = `"${plugin.name}" (${describe(c, version ?? plugin.version ?? null)})`;
  const copy = coreCopyOf(plugin);
  if (copy) {
    throw new PluginError(
      `plugin ${label} was built with another copy of plinth (${copy}); a plugin must import plinth/plugin from the server it runs in, not bundle it`,
    );
  }
  if (external && !c.inPluginDirs) {
    if (!/^[a-z][a-z0-9-]*$/.test(plugin.name)) throw new PluginError(`plugin ${label}: its name must be lowercase letters, digits and dashes`);
    if (builtInNames.has(plugin.name)) {
      throw new PluginError(`plugin ${label} is named "${plugin.name}", like the built-in plugin "${plugin.name}"; rename the plugin`);
    }
  }
  const range = declaredRange ?? plugin.pluginApi ?? null;
  if (range && range !== declaredRange) checkRange(label, range);
  if (!range && external && !c.inPluginDirs) {
    throw new PluginError(`plugin ${label} declares no plugin API range: set pluginApi in its manifest (e.g. "^${semver.major(PLUGIN_API_VERSION)}.0.0")`);
  }
  return { plugin, dir: c.dir, source: c.source, version: version ?? plugin.version ?? null, pluginApi: range, label };
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

export interface PluginSet {
  plugins: LoadedPlugin[];
  /** Skipped with a warning (`pluginLoading.onFailure: "skip"`); empty when failures stop the boot. */
  failed: FailedPlugin[];
}

/**
 * Finds, imports, orders and configures the enabled plugins. A problem stops the boot with one line
 * naming the plugin, or with `pluginLoading.onFailure: "skip"` skips that plugin (and any that depend
 * on it) with a warning. Settings that fail their schema always stop it: that is the operator's config.
 */
export async function loadPluginSet(
  config: CoreConfig,
  codeRoot: string,
  env: NodeJS.ProcessEnv = process.env,
  warn: (message: string) => void = () => {},
  /** Where npm packages are looked up (node_modules here and above): the install's folder by default. */
  packageRoot: string = findProjectRoot(codeRoot),
): Promise<PluginSet> {
  installPublicEntryResolver();
  const searchDirs = config.pluginDirs.map((d) => path.resolve(codeRoot, d));
  const builtInDir = path.join(codeRoot, 'plugins');
  const builtInNames = new Set(fs.existsSync(builtInDir) ? fs.readdirSync(builtInDir).filter((n) => findPluginDir(n, [builtInDir])) : []);
  const projectRoot = packageRoot;
  const skip = config.pluginLoading.onFailure === 'skip';
  const failed: FailedPlugin[] = [];
  const fail = (entry: string, err: unknown, known: Partial<FailedPlugin> = {}) => {
    if (!skip || !(err instanceof PluginError)) throw err;
    warn(`${err.message} (skipped: pluginLoading.onFailure is "skip")`);
    failed.push({
      entry,
      name: known.name ?? entry,
      source: known.source ?? 'npm',
      version: known.version ?? null,
      pluginApi: known.pluginApi ?? null,
      error: err.message,
    });
  };
  const found: Array<Omit<LoadedPlugin, 'settings' | 'base'>> = [];
  for (const entry of config.plugins) {
    let candidate: Candidate | null = null;
    try {
      candidate = locate(entry, searchDirs, builtInDir, projectRoot);
      const loaded = await importCandidate(candidate, builtInNames, config);
      const twin = found.find((f) => f.plugin.name === loaded.plugin.name);
      if (twin) throw new PluginError(`plugin ${loaded.label} has the same name as plugin ${twin.label}; enable one of them`);
      found.push(loaded);
    } catch (err) {
      fail(
        entry,
        err,
        candidate
          ? {
              name: candidate.source === 'folder' && !candidate.inPluginDirs ? (candidate.pkg?.name ?? path.basename(candidate.dir)) : entry,
              source: candidate.source,
              version: candidate.pkg?.version ?? null,
              pluginApi: candidate.pkg?.plinth?.pluginApi ?? null,
            }
          : {},
      );
    }
  }
  // Skipping a plugin skips those that need it, rather than failing on the missing dependency.
  let usable = found;
  for (let changed = skip; changed; ) {
    changed = false;
    const names = new Set(usable.map((f) => f.plugin.name));
    const missing = usable.find((f) => (f.plugin.dependsOn ?? []).some((d) => !names.has(d)));
    if (missing) {
      const dep = missing.plugin.dependsOn!.find((d) => !names.has(d))!;
      fail(missing.plugin.name, new PluginError(`plugin ${missing.label} depends on "${dep}", which is not loaded`), {
        name: missing.plugin.name,
        source: missing.source,
        version: missing.version,
        pluginApi: missing.pluginApi,
      });
      usable = usable.filter((f) => f !== missing);
      changed = true;
    }
  }
  const ordered = orderByDependencies(usable.map((f) => f.plugin));
  const plugins = ordered.map((plugin) => {
    const raw = structuredClone(config.settings[plugin.name] ?? {});
    applyEnv(plugin, raw, env);
    const { settings, base } = validateSettings(plugin, raw);
    return { ...usable.find((f) => f.plugin === plugin)!, settings, base };
  });
  return { plugins, failed };
}

/** The enabled plugins (loadPluginSet without the skipped ones). */
export async function loadPlugins(config: CoreConfig, codeRoot: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedPlugin[]> {
  return (await loadPluginSet(config, codeRoot, env)).plugins;
}

/** The install's folder: the nearest package.json above the code, but not dist/'s (scripts/build.mjs, plinthBuild). */
function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (readPackage(dir) && !(readPackage(dir) as { plinthBuild?: boolean }).plinthBuild) return dir;
    if (path.dirname(dir) === dir) return from;
  }
}
