import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import type { SharedCache } from 'plinth/plugin';
import type { RobotAiSettings } from '../../robots/api.js';

/** Each field and its column in `ai_robot_settings` (null there: unset, the default applies). */
const COLUMNS = {
  aiMode: 'mode',
  aiProvider: 'provider',
  aiModel: 'model',
  aiTemperature: 'temperature',
  aiMaxTokens: 'max_tokens',
  aiContextLength: 'context_length',
  aiScenario: 'scenario',
  replyDelayMin: 'reply_delay_min',
  replyDelayMax: 'reply_delay_max',
  aiCallLimitDaily: 'call_limit_daily',
} as const satisfies Record<keyof RobotAiSettings, string>;

type Field = keyof typeof COLUMNS;
const FIELDS = Object.keys(COLUMNS) as Field[];
const NUMERIC = new Set<Field>(['aiTemperature', 'aiMaxTokens', 'aiContextLength', 'replyDelayMin', 'replyDelayMax', 'aiCallLimitDaily']);

/** A robot's settings: what its row sets over robots' defaults (what a robot that never set a field gets). */
function fromRow(defaults: Readonly<RobotAiSettings>, row: Record<string, unknown> | undefined): RobotAiSettings {
  const settings: Record<string, unknown> = { ...defaults };
  for (const field of FIELDS) {
    const value = row?.[COLUMNS[field]];
    if (value !== null && value !== undefined) settings[field] = NUMERIC.has(field) ? Number(value) : value;
  }
  return settings as unknown as RobotAiSettings;
}

export interface RobotSettingsDeps {
  db: Knex;
  clock: Clock;
  /** Every reply reads its robot's settings: kept per robot until `set` changes them. */
  cache: SharedCache<RobotAiSettings>;
  /** Robots' defaults (`robotsApi.aiDefaults`), for the fields a robot never set. */
  defaults: () => Readonly<RobotAiSettings>;
}

/**
 * Each robot's AI settings: the ai plugin keeps them (its responder and `ai.reply` read them), and
 * robots serves and accepts them on WorkBot's robot endpoints through its filters, which ai fills
 * from this (plugins/ai/robot-filters.ts).
 */
export class RobotSettings {
  constructor(private readonly deps: RobotSettingsDeps) {}

  /** Cached, except inside a transaction (which must see its own writes). */
  async get(tenantId: string, robotId: string, trx: Knex | Knex.Transaction = this.deps.db): Promise<RobotAiSettings> {
    const read = async () => fromRow(this.deps.defaults(), await trx('ai_robot_settings').where({ tenant_id: tenantId, robot_id: robotId }).first());
    if (trx !== this.deps.db) return read();
    return { ...(await this.deps.cache.get(`${tenantId}:${robotId}`, read))! };
  }

  async of(tenantId: string, robotIds: string[]): Promise<Record<string, RobotAiSettings>> {
    if (!robotIds.length) return {};
    const rows = await this.deps.db('ai_robot_settings').where('tenant_id', tenantId).whereIn('robot_id', robotIds);
    const byId = new Map(rows.map((r: Record<string, unknown>) => [r.robot_id as string, r]));
    return Object.fromEntries(robotIds.map((id) => [id, fromRow(this.deps.defaults(), byId.get(id))]));
  }

  /**
   * Changes the fields given (the others keep their value); in `trx` when given. 400 naming
   * body.replyDelayMin when it would exceed replyDelayMax.
   */
  async set(tenantId: string, robotId: string, patch: Partial<RobotAiSettings>, trx?: Knex.Transaction): Promise<void> {
    const given = FIELDS.filter((f) => patch[f] !== undefined);
    if (!given.length) return;
    const run = async (q: Knex.Transaction) => {
      const merged = { ...(await this.get(tenantId, robotId, q)), ...patch };
      if (merged.replyDelayMin > merged.replyDelayMax)
        throw AppError.validation([{ path: 'body.replyDelayMin', message: 'must not exceed replyDelayMax' }], 400);
      const changes = Object.fromEntries(given.map((f) => [COLUMNS[f], patch[f]]));
      const updatedAt = this.deps.clock.now().toISOString();
      await q('ai_robot_settings')
        .insert({ robot_id: robotId, tenant_id: tenantId, ...changes, updated_at: updatedAt })
        .onConflict('robot_id')
        .merge([...Object.keys(changes), 'updated_at']);
      this.deps.cache.invalidateAfter(q, `${tenantId}:${robotId}`);
    };
    await (trx ? run(trx) : this.deps.db.transaction(run));
  }
}
