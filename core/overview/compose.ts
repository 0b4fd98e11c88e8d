// GET /admin/api/overview: the core's cards and each enabled plugin's `overview` provider, run side
// by side for the viewer. A source that throws or hangs becomes one error card (and a log line); the
// page still shows everything else.
import type { AppView } from '../app-view.js';
import type { Principal } from '../http/auth.js';
import type { Logger } from '../logger.js';
import type { OverviewCard, OverviewReply, OverviewViewer } from './card.js';
import { type CardSource, coreSources } from './core-cards.js';
import { overviewWindow } from './helpers.js';

/** A source slower than this is shown as an error card rather than holding the page. */
const SOURCE_TIMEOUT_MS = 10_000;

/** Superadmins (and the root token) see the platform; anyone else their own tenant. */
export const viewerOf = (principal: Principal): OverviewViewer => ({
  principal,
  platform: principal.roles.includes('superadmin'),
  tenantId: principal.tenantId,
});

/** Runs one source within the timeout; a failure is one error card, logged with the whole error. */
async function settle(source: CardSource, logger: Logger): Promise<OverviewCard[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`took longer than ${SOURCE_TIMEOUT_MS / 1000} s`)), SOURCE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([source.run(), timeout]);
  } catch (err) {
    logger.error({ err, source: source.name }, 'an overview card could not be read');
    return [
      {
        id: `${source.name}.error`,
        title: source.title,
        value: '—',
        tone: 'alert',
        error: `${source.title}: could not be read (the error is in the log)`,
        messages: { title: source.titleMessage, error: { id: 'shell.overview.error', values: { source: { ...source.titleMessage, text: source.title } } } },
      },
    ];
  } finally {
    clearTimeout(timer);
  }
}

/** A plugin's cards are named after it: an id without its `<plugin>.` prefix gets one, so ids never collide. */
const named = (plugin: string, cards: OverviewCard[]): OverviewCard[] =>
  cards.map((card) => (card.id.startsWith(`${plugin}.`) ? card : { ...card, id: `${plugin}.${card.id}` }));

/** The overview of `principal`: core cards for a superadmin, then each plugin's, in plugin order. */
export async function collectOverview(app: AppView, principal: Principal): Promise<OverviewReply> {
  const viewer = viewerOf(principal);
  const window = overviewWindow(app.container.resolve('clock').now());
  // A credential that acts in no tenant and is not a superadmin's has no tenant to count for.
  const counted = viewer.platform || viewer.tenantId !== null;
  const plugins: CardSource[] = app.plugins.flatMap(({ plugin }) => {
    const provide = plugin.overview;
    if (!provide || !counted) return [];
    const c = app.contexts.get(plugin.name)!;
    return [
      {
        name: plugin.name,
        title: plugin.name,
        titleMessage: { id: `${plugin.name}.nav.group` },
        run: async () => named(plugin.name, await provide(c, viewer, window)),
      },
    ];
  });
  const core = viewer.platform ? coreSources(app.container) : { head: [], tail: [] };
  const sources = [...core.head, ...plugins, ...core.tail];
  const cards = (await Promise.all(sources.map((s) => settle(s, app.logger)))).flat();
  return { scope: viewer.platform ? 'platform' : 'tenant', window, cards };
}
