import type { Knex } from 'knex';
import { AppError } from 'plinth/plugin';
import type { SharedCache, WriteSet } from 'plinth/plugin';
import type { ConversationMessage, RobotAiSettings, RobotSummary, RobotsPublicApi } from '../api.js';
import type { Commands } from './commands.js';
import { ROBOT_AI_DEFAULTS } from './robots.js';

/** What robot() and sendMessage() need of an active robot's row. */
export interface ActiveRobot {
  id: number;
  summary: RobotSummary;
}

export interface RobotsApiDeps {
  db: Knex;
  commands: Commands;
  /**
   * Active robots by `tenantId:robotId`: the AI reads its robot for every message it answers and
   * again to queue the reply. Dropped after a robot changes (Robots' `changed`), on every instance;
   * misses are not kept, so a robot made or reactivated needs no drop to be seen.
   */
  cache: SharedCache<ActiveRobot>;
}

/**
 * What other plugins (ai, workflows) may do with robots, through the container as `robotsApi`:
 * always within one tenant, never by touching this plugin's tables themselves.
 */
export class RobotsApi implements RobotsPublicApi {
  /** A robot's AI fields until it sets them: the plugin that keeps them (ai) starts from these. */
  readonly aiDefaults: Readonly<RobotAiSettings> = ROBOT_AI_DEFAULTS;

  constructor(private readonly deps: RobotsApiDeps) {}

  private active(tenantId: string, robotId: string) {
    return this.deps.db('robots_robots').where({ tenant_id: tenantId, robot_id: robotId, status: 'active' });
  }

  /** Through the cache (a miss is read again next time). */
  private async activeRobot(tenantId: string, robotId: string): Promise<ActiveRobot | null> {
    return this.deps.cache.get(`${tenantId}:${robotId}`, async () => {
      const row = await this.deps
        .db('robots_robots')
        .where({ tenant_id: tenantId, robot_id: robotId, status: 'active' })
        .first('id', 'tenant_id', 'robot_id', 'user_id', 'name');
      return row ? { id: Number(row.id), summary: { robotId: row.robot_id, tenantId: row.tenant_id, userId: row.user_id, name: row.name } } : null;
    });
  }

  async robot(tenantId: string, robotId: string): Promise<RobotSummary | null> {
    const robot = await this.activeRobot(tenantId, robotId);
    return robot ? { ...robot.summary } : null;
  }

  /** The last `limit` messages of a conversation up to and including `upTo`, oldest first. */
  async conversation(tenantId: string, robotId: string, conversation: string, limit: number, upTo: string): Promise<ConversationMessage[]> {
    if (limit <= 0) return [];
    const robot = this.active(tenantId, robotId).select('id');
    const last = this.deps.db('robots_messages').where('message_id', upTo).select('id');
    const rows = await this.deps
      .db('robots_messages')
      .whereIn('robot_pk', robot)
      .where('conversation', conversation)
      .where('id', '<=', last)
      .orderBy('id', 'desc')
      .limit(limit)
      .select('message_id', 'spoken', 'received_name', 'from_operator', 'created_at');
    return rows.reverse().map((r: Record<string, any>) => ({
      messageId: r.message_id,
      spoken: r.spoken,
      receivedName: r.received_name,
      fromOperator: Boolean(r.from_operator),
      createdAt: r.created_at,
    }));
  }

  /**
   * Queues a send_message command (the seed's params: type, titleList, content, atList, …), pushed
   * at once or at `notBefore`; with `writes`, staged in the caller's set and pushed once that commits.
   */
  async sendMessage(
    tenantId: string,
    robotId: string,
    params: Record<string, unknown>,
    options: { createdBy: string; notBefore?: Date; writes?: WriteSet },
  ): Promise<{ commandId: string; status: string }> {
    const robot = await this.activeRobot(tenantId, robotId);
    if (!robot) throw AppError.notFound(`robot ${robotId} not found`);
    return this.deps.commands.create({ id: robot.id, tenant_id: robot.summary.tenantId }, 'send_message', params, options.createdBy, {
      notBefore: options.notBefore,
      writes: options.writes,
    });
  }
}
