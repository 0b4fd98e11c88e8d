// What a plugin's ui/index.tsx may import from the core. The plugin module itself exports
// `pages`: one component per page path of its manifest, e.g. `export const pages = { '': NotesPage }`.
import type { ComponentType } from 'preact';

export { api, ApiError, UNAUTHORIZED_EVENT } from './api.js';
export { useApi, type Loaded } from './use-api.js';
export { useLive, useLiveApi, useLiveReload, viewerTimeZone, type LiveReloadOptions } from './live.js';
export { LiveNote } from './live-note.js';
export { useAction } from './use-action.js';
export { Page, ErrorBanner, Table, Time, type Column } from './components.js';
export { BarChart, type Bar } from './bar-chart.js';
export { useQueryParam } from './use-query.js';
export { setQueryParams } from './set-query.js';
export { Dialog } from './dialog.js';
export { ConfirmDialog } from './confirm-dialog.js';
export { Pager, plural } from './pager.js';
export { useTenantAdmin } from './use-tenant-admin.js';
export { mayOpenPage, pluginEnabled } from './plugins.js';
export { fieldStyle, withQuery } from './forms.js';
export { CopyText } from './copy-text.js';
export { cardWords } from './card-words.js';
export {
  t,
  tx,
  tOr,
  addMessages,
  currentLanguage,
  setLanguage,
  chooseLanguage,
  formatNumber,
  formatDate,
  formatDateTime,
  formatTime,
  formatRelativeTime,
  formatList,
  LANGUAGES,
  LANGUAGE_NAMES,
  type Language,
  type Messages,
} from './i18n.js';
export { SecondFactorForm, isLoginChallenge, type LoginChallenge } from './second-factor.js';

/** The shape of a plugin's UI module. */
export interface PluginUiModule {
  pages: Record<string, ComponentType>;
}
