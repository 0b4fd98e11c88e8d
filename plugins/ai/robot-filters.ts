// The ai plugin's part of robots' WorkBot face (seed 004): each robot's AI settings and figures,
// contributed through the filters robots declares in its api.ts, so robots never names ai.
import type { RobotsFilter } from '../robots/api.js';
import type { AiServices } from './services/index.js';

type Parts = Pick<AiServices, 'robotSettings' | 'api'>;

/** `robots.robot.view`: the settings each robot keeps here and today's AI calls (two queries per page, none for an empty one). */
export const robotAiView =
  ({ robotSettings, api }: Parts): RobotsFilter<'robots.robot.view'> =>
  async (view) => {
    if (!view.robotIds.length) return view;
    const [settings, callsToday] = await Promise.all([robotSettings.of(view.tenantId, view.robotIds), api.callsToday(view.tenantId, view.robotIds)]);
    return { ...view, settings, callsToday };
  };

/** `robots.robot.save`: the AI fields a create or update carried, kept in robots' transaction (400 for a refused one). */
export const robotAiSave =
  ({ robotSettings }: Parts): RobotsFilter<'robots.robot.save'> =>
  async (save) => {
    await robotSettings.set(save.tenantId, save.robotId, save.fields, save.trx);
    return save;
  };

/** `robots.statistics`: the AI calls and their estimated cost over the range, from the call log. */
export const robotAiStatistics =
  ({ api }: Parts): RobotsFilter<'robots.statistics'> =>
  async (stats) => {
    const totals = await api.callTotals(stats.tenantId, stats.robotIds, stats.from, stats.to);
    return { ...stats, totalAICalls: totals.calls, aiCost: totals.cost };
  };
