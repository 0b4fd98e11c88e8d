/**
 * The version of the plugin API (`plinth/plugin`, `plinth/plugin/ui`, `plinth/plugin/testing`), changed by
 * semver rules independently of Plinth's own version: a major for anything a plugin written against the
 * previous version could trip on (a removed or renamed export, a narrower type, a contract field that
 * changes meaning), a minor for additions. A plugin declares the range it needs (`pluginApi` in its
 * manifest); the loader refuses one whose range this version does not satisfy.
 */
export const PLUGIN_API_VERSION = '1.5.0';
