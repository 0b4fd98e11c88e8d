import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { AppError, countPerDay, timeZoneOf, zonedDate, zonedRange, type ZonedDay } from 'plinth/plugin';
import type { Hooks } from 'plinth/plugin';
import type { Commands } from './commands.js';
import { type RobotScope, robotsFilter } from './robots.js';

export interface DateRange {
  startDate: string; // YYYY-MM-DD, inclusive
  endDate: string; // YYYY-MM-DD, inclusive
  from: string; // ISO, inclusive
  to: string; // ISO, exclusive (the day after endDate)
  /** Each day of the range in its time zone (UTC unless the query names one), with its bounds. */
  days: ZonedDay[];
}

const DAY = 86_400_000;
const MAX_DAYS = 366;
const DEFAULT_DAYS = 7;
const TOP = 10;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const num = (v: unknown) => Number(v ?? 0);
const round = (v: number, places: number) => Math.round(v * 10 ** places) / 10 ** places;
const rate = (succeeded: number, failed: number) => (succeeded + failed ? round((succeeded * 100) / (succeeded + failed), 1) : 0);

function parseDay(value: string, field: string): number {
  const ms = DATE.test(value) ? Date.parse(`${value}T00:00:00.000Z`) : NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value)
    throw AppError.validation([{ path: `query.${field}`, message: 'must be a date (YYYY-MM-DD)' }], 400);
  return ms;
}

export interface StatisticsDeps {
  db: Knex;
  clock: Clock;
  commands: Commands;
  /** The AI figures come through the `robots.statistics` filter (api.ts RobotsFilters), which the ai plugin contributes to. */
  hooks: Hooks;
}

/**
 * Statistics over a date range (UTC days), from SQL aggregates on the messages and commands
 * the robots reported. Timestamps are ISO strings, so a day is `substr(created_at, 1, 10)`.
 */
export class Statistics {
  constructor(private readonly deps: StatisticsDeps) {}

  /** AI figures come from the ai plugin's call log, through robots' filter; without the plugin they stay null. */
  private async withAi<T extends { totalAICalls: number | null; aiCost: number | null }>(
    stats: T,
    tenantId: string,
    robotIds: string[],
    range: DateRange,
  ): Promise<T> {
    const { totalAICalls, aiCost } = stats;
    const ai = await robotsFilter(this.deps.hooks, 'robots.statistics', { tenantId, robotIds, from: range.from, to: range.to, totalAICalls, aiCost });
    return { ...stats, totalAICalls: ai.totalAICalls, aiCost: ai.aiCost };
  }

  /**
   * startDate/endDate from the query; the last 7 days (today included) by default; at most 366 days.
   * Days are UTC unless `timeZone` names another (beside the seed: the admin page's chart counts the
   * days of the browser's zone, as its lists show times).
   */
  range(query: { startDate?: string; endDate?: string; timeZone?: string }): DateRange {
    const timeZone = timeZoneOf(query.timeZone, 'timeZone', 400);
    const today = Date.parse(`${zonedDate(this.deps.clock.now(), timeZone)}T00:00:00.000Z`);
    const end =
      query.endDate !== undefined
        ? parseDay(query.endDate, 'endDate')
        : query.startDate !== undefined
          ? Math.min(today, parseDay(query.startDate, 'startDate') + (DEFAULT_DAYS - 1) * DAY)
          : today;
    const start = query.startDate !== undefined ? parseDay(query.startDate, 'startDate') : end - (DEFAULT_DAYS - 1) * DAY;
    if (start > end) throw AppError.validation([{ path: 'query.startDate', message: 'must not be after endDate' }], 400);
    if ((end - start) / DAY + 1 > MAX_DAYS) throw AppError.validation([{ path: 'query.endDate', message: `the range is at most ${MAX_DAYS} days` }], 400);
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const days = zonedRange(day(start), day(end), timeZone);
    return { startDate: day(start), endDate: day(end), from: days[0].from, to: days[days.length - 1].to, days };
  }

  private visibleIds(scope: RobotScope) {
    const q = this.deps.db('robots_robots').select('id').where('tenant_id', scope.tenantId).where('status', 'active');
    if (!scope.admin) q.where('user_id', scope.userId);
    return q;
  }

  private messages(robots: number | Knex.QueryBuilder, range: DateRange) {
    const q = this.deps.db('robots_messages').where('created_at', '>=', range.from).where('created_at', '<', range.to);
    return typeof robots === 'number' ? q.where('robot_pk', robots) : q.whereIn('robot_pk', robots);
  }

  private commandRows(robots: number | Knex.QueryBuilder, range: DateRange) {
    const q = this.deps.db('robots_commands').where('created_at', '>=', range.from).where('created_at', '<', range.to);
    return typeof robots === 'number' ? q.where('robot_pk', robots) : q.whereIn('robot_pk', robots);
  }

  private async commandCounts(robots: number | Knex.QueryBuilder, range: DateRange) {
    const rows = (await this.commandRows(robots, range).select('status').count({ n: '*' }).groupBy('status')) as Array<{ status: string; n: unknown }>;
    const by = Object.fromEntries(rows.map((r) => [r.status, num(r.n)]));
    const total = rows.reduce((sum, r) => sum + num(r.n), 0);
    const succeeded = by.succeeded ?? 0;
    const failed = by.failed ?? 0;
    return { totalCommands: total, succeededCommands: succeeded, failedCommands: failed, successRate: rate(succeeded, failed) };
  }

  private async top(robotPk: number, range: DateRange, column: 'received_name' | 'group_name') {
    const rows = (await this.messages(robotPk, range)
      .whereNotNull(column)
      .whereNot(column, '')
      .select({ name: column })
      .count({ n: '*' })
      .groupBy(column)
      .orderBy([
        { column: 'n', order: 'desc' },
        { column: 'name', order: 'asc' },
      ])
      .limit(TOP)) as Array<{ name: string; n: unknown }>;
    return rows.map((r) => ({ name: r.name, messageCount: num(r.n) }));
  }

  /** Seconds from the robot's reported executionTimeMs, else completed_at − created_at. */
  private async avgResponseTime(robotPk: number, range: DateRange): Promise<number> {
    const rows = (await this.commandRows(robotPk, range)
      .whereIn('status', ['succeeded', 'failed'])
      .whereNotNull('completed_at')
      .select('result', 'created_at', 'completed_at')) as Array<{ result: string | null; created_at: string; completed_at: string }>;
    if (!rows.length) return 0;
    let total = 0;
    for (const r of rows) {
      let ms: number | undefined;
      try {
        const v = r.result ? JSON.parse(r.result).executionTimeMs : undefined;
        if (typeof v === 'number' && Number.isFinite(v) && v >= 0) ms = v;
      } catch {
        /* fall back to the timestamps */
      }
      total += ms ?? Math.max(0, Date.parse(r.completed_at) - Date.parse(r.created_at));
    }
    return round(total / rows.length / 1000, 3);
  }

  /** 8.1: one robot (already resolved through the caller's scope). */
  async robot(robot: { id: number | string; robot_id: string; tenant_id: string }, range: DateRange) {
    const pk = Number(robot.id);
    const [total] = (await this.messages(pk, range).count({ n: '*' })) as Array<{ n: unknown }>;
    const days = (await countPerDay(this.deps.db, this.messages(pk, range), 'created_at', range.days)).sort((a, b) => a.date.localeCompare(b.date));
    const counts = await this.commandCounts(pk, range);
    const stats = {
      robotId: robot.robot_id,
      startDate: range.startDate,
      endDate: range.endDate,
      totalMessages: num(total?.n),
      totalAICalls: null as number | null,
      aiCost: null as number | null,
      avgResponseTime: await this.avgResponseTime(pk, range),
      successRate: counts.successRate,
      topContacts: await this.top(pk, range, 'received_name'),
      topGroups: await this.top(pk, range, 'group_name'),
      messagesByDay: days.map((d) => ({ date: d.date, messageCount: num(d.n) })),
      totalCommands: counts.totalCommands,
      succeededCommands: counts.succeededCommands,
      failedCommands: counts.failedCommands,
    };
    return this.withAi(stats, robot.tenant_id, [robot.robot_id], range);
  }

  /** 8.2: every robot the caller sees (own robots; a tenant admin: the tenant's). */
  async user(scope: RobotScope, range: DateRange) {
    const robots = (await this.visibleIds(scope).select('robot_id', 'activation_code', 'presence_until')) as Array<{
      id: number;
      robot_id: string;
      activation_code: string | null;
      presence_until: string | null;
    }>;
    const [total] = (await this.messages(this.visibleIds(scope), range).count({ n: '*' })) as Array<{ n: unknown }>;
    const counts = await this.commandCounts(this.visibleIds(scope), range);
    const stats = {
      startDate: range.startDate,
      endDate: range.endDate,
      totalRobots: robots.length,
      totalMessages: num(total?.n),
      totalAICalls: null as number | null,
      aiCost: null as number | null,
      activationCodeCount: robots.filter((r) => r.activation_code).length,
      activeRobots: robots.filter((r) => this.deps.commands.online(r)).length,
      ...counts,
    };
    return this.withAi(
      stats,
      scope.tenantId,
      robots.map((r) => r.robot_id),
      range,
    );
  }
}
