// Longer than most (~400 lines): a robot's whole life is here — made, activated on a phone (its code's license bound), renamed,
// removed, unbound or disabled — each checked against the plan and the caller, and told to the admin pages once committed.
import type { LicenseRegistry } from '../../licensing/api.js';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import type { Principal } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import { PRODUCT } from './codes.js';
import type { UsageMeter } from 'plinth/plugin';
import type { Commands } from './commands.js';
import { newId } from './commands.js';
import type { RobotTokens } from './tokens.js';
import { pageQuery } from 'plinth/plugin';
import type { Hooks } from 'plinth/plugin';
import type { RobotAiSettings, RobotAiView, RobotsFilterName, RobotsFilters } from '../api.js';
import { RobotsErrors } from './errors.js';

/** What robots needs of the licensing engine (resolved through the container; robots depends on licensing). */
export type LicenseEngine = Pick<LicenseRegistry, 'byCode' | 'bind'>;

/** The engine's management calls this plugin uses for its codes. */
export type LicenseAdmin = Pick<LicenseRegistry, 'unbind' | 'end' | 'devices'>;

export interface RobotScope {
  tenantId: string;
  userId: string;
  admin: boolean;
  /** Who acts: the usage meter never refuses a superadmin. */
  principal?: Principal;
}

/** Who activates a device, when the app sends a user token with the activation (the seed's app signs in first). */
export interface Activator {
  userId: string;
  tenantId: string | null;
  /** A tenant admin (or superadmin): may activate a code bound to someone else, for them. */
  admin: boolean;
  /** May activate any tenant's code (for the code's user). */
  superadmin: boolean;
}

/** The seed's AI fields a robot request may carry: a plugin that contributes `robots.robot.save` (ai) keeps them. */
export const AI_FIELDS = [
  'aiMode',
  'aiProvider',
  'aiModel',
  'aiTemperature',
  'aiMaxTokens',
  'aiContextLength',
  'aiScenario',
  'replyDelayMin',
  'replyDelayMax',
  'aiCallLimitDaily',
] as const;

/**
 * A robot's AI fields until it sets them (seed 004's example values): what robots shows while no
 * plugin keeps them, and what the ai plugin starts from (`robotsApi.aiDefaults`). Defined here only.
 */
export const ROBOT_AI_DEFAULTS: Readonly<RobotAiSettings> = {
  aiMode: 'builtin',
  aiProvider: 'builtin',
  aiTemperature: 0.7,
  aiMaxTokens: 2000,
  aiContextLength: 10,
  replyDelayMin: 1,
  replyDelayMax: 3,
  aiCallLimitDaily: 1000,
};

const aiFieldsOf = (body: Record<string, unknown>): Partial<RobotAiSettings> =>
  Object.fromEntries(AI_FIELDS.filter((f) => body[f] !== undefined).map((f) => [f, body[f]]));

/** One of robots' filters (api.ts RobotsFilters), applied to its typed value: the way another plugin (ai) fills in its part. */
export const robotsFilter = <K extends RobotsFilterName>(hooks: Hooks, name: K, value: RobotsFilters[K]) => hooks.applyFilters(name, value);

/**
 * A WorkBot activation code: a `workbot` license of kind robot (issued by this plugin, which reserves
 * the product); a `workbot` license of another kind, minted elsewhere before the reservation, is not one.
 */
const isActivationCode = <L extends { product: string; kind: string }>(license: L | null): license is L =>
  license?.product === PRODUCT && license.kind === 'robot';

/** Each robot counts as a robot and, in the seed's terms, a session. */
const GAUGES = ['max_robots', 'max_sessions'] as const;

/**
 * What Robots is built from, passed by name (`RobotsDeps`, in index.ts, is the plugin's, from the
 * container). The AI fields pass through robots' filters: without a plugin filling them, no AI
 * calls and the defaults.
 */
export interface RobotsServiceDeps {
  db: Knex;
  clock: Clock;
  tokens: RobotTokens;
  commands: Commands;
  /** The licensing engine (resolved per call). */
  licenses: () => LicenseEngine & LicenseAdmin;
  usage: UsageMeter;
  hooks: Hooks;
  /** Told what happened to a robot once it committed (the admin pages' live channel); never throws. */
  changed?: (tenantId: string, robotId: string, change: 'created' | 'updated' | 'activated' | 'removed' | 'unbound' | 'disabled') => void;
}

export class Robots {
  constructor(private readonly deps: RobotsServiceDeps) {}

  /** The robots the scope sees (its tenant's for an admin, a member's own): the Robots page and the overview count these. */
  visible(scope: RobotScope) {
    const q = this.deps.db('robots_robots').where('tenant_id', scope.tenantId).where('status', 'active');
    if (!scope.admin) q.where('user_id', scope.userId);
    return q;
  }

  /** These robots' AI settings and today's AI calls: the defaults and none, unless a plugin fills them in (one filter call per page). */
  private aiView(tenantId: string, robotIds: string[]): Promise<RobotAiView> {
    const settings = Object.fromEntries(robotIds.map((id) => [id, ROBOT_AI_DEFAULTS]));
    return robotsFilter(this.deps.hooks, 'robots.robot.view', { tenantId, robotIds, settings, callsToday: {} });
  }

  /** A create's or update's AI fields, to the plugin that keeps them (in the robot's transaction). */
  private async saveAi(tenantId: string, robotId: string, body: Record<string, unknown>, trx: Knex.Transaction) {
    await robotsFilter(this.deps.hooks, 'robots.robot.save', { tenantId, robotId, fields: aiFieldsOf(body), trx });
  }

  /** One robot as the seed's detail shows it. */
  async detail(scope: RobotScope, robotId: string) {
    const r = await this.row(scope, robotId);
    const ai = await this.aiView(r.tenant_id, [r.robot_id]);
    return this.view(r, ai.callsToday, ai.settings[r.robot_id], true);
  }

  view(r: Record<string, any>, aiCalls: Record<string, number>, ai: RobotAiSettings, detail = false) {
    const device = r.device_info ? JSON.parse(r.device_info) : null;
    const base = {
      robotId: r.robot_id,
      name: r.name,
      status: r.status === 'deleted' ? 'deleted' : this.deps.commands.online(r as { id: number }) ? 'online' : 'offline',
      aiMode: ai.aiMode,
      aiProvider: ai.aiProvider,
      totalMessages: Number(r.total_messages),
      aiCallsToday: aiCalls[r.robot_id] ?? 0,
      lastActiveAt: r.last_active_at,
      deviceInfo: device ? { deviceId: device.deviceId ?? null, brand: device.brand ?? null, model: device.model ?? null } : null,
      createdAt: r.created_at,
    };
    if (!detail) return base;
    return {
      ...base,
      robotUuid: r.robot_uuid,
      // Every field of the seed's detail is present; unset ones are null, not missing.
      ...ai,
      aiModel: ai.aiModel ?? null,
      aiScenario: ai.aiScenario ?? null,
      deviceInfo: device ? { deviceId: null, brand: null, model: null, os: null, osVersion: null, ...device } : null,
      activationInfo: r.activation_code ? { code: r.activation_code, firstActivatedAt: r.first_activated_at, lastActivatedAt: r.last_activated_at } : null,
    };
  }

  /**
   * One page of the caller's robots, paged in SQL. Online means a running presence lease (every
   * instance renews its connected robots' leases), so the filter needs no socket table.
   */
  async list(scope: RobotScope, page: number, pageSize: number, status?: string) {
    const nowIso = this.deps.clock.now().toISOString();
    const q =
      status === 'deleted'
        ? this.deps
            .db('robots_robots')
            .where({ tenant_id: scope.tenantId, status: 'deleted' })
            .modify((b) => (scope.admin ? b : b.where('user_id', scope.userId)))
        : this.visible(scope);
    if (status === 'online') q.where('presence_until', '>', nowIso);
    if (status === 'offline') q.where((b) => b.whereNull('presence_until').orWhere('presence_until', '<=', nowIso));
    const found = await pageQuery(q.orderBy('id', 'desc'), { page, page_size: pageSize });
    const ids = found.items.map((r) => r.robot_id as string);
    const ai = await this.aiView(scope.tenantId, ids);
    return { total: found.total, list: found.items.map((r) => this.view(r, ai.callsToday, ai.settings[r.robot_id])) };
  }

  async row(scope: RobotScope, robotId: string) {
    const row = await this.visible(scope).where('robot_id', robotId).first();
    if (!row) throw AppError.notFound(`robot ${robotId} not found`);
    return row;
  }

  /**
   * A robot made in the dashboard (not yet activated). Its AI fields go to the ai plugin (`robots.robot.save`) in the same
   * transaction, first, so a refused setting (400) is reported before the plan's limit (402).
   */
  async create(scope: RobotScope, name: string, body: Record<string, unknown>) {
    const now = this.deps.clock.now().toISOString();
    const robot = {
      robot_id: newId('robot'),
      robot_uuid: randomUUID(),
      tenant_id: scope.tenantId,
      user_id: scope.userId,
      name,
      created_at: now,
      updated_at: now,
    };
    await this.deps.db.transaction(async (trx) => {
      await this.saveAi(scope.tenantId, robot.robot_id, body, trx);
      for (const gauge of GAUGES) await this.deps.usage.consume(scope.tenantId, gauge, 1, trx, scope.principal);
      await trx('robots_robots').insert(robot);
    });
    this.deps.changed?.(scope.tenantId, robot.robot_id, 'created');
    return { robotId: robot.robot_id, name };
  }

  /** The seed's partial update: the name here, the AI fields in the ai plugin (absent fields keep their value). */
  async update(scope: RobotScope, robotId: string, patch: { name?: string } & Record<string, unknown>) {
    const row = await this.row(scope, robotId);
    await this.deps.db.transaction(async (trx) => {
      await this.saveAi(row.tenant_id, row.robot_id, patch, trx);
      await trx('robots_robots')
        .where('id', row.id)
        .update({ ...(patch.name ? { name: patch.name } : {}), updated_at: this.deps.clock.now().toISOString() });
    });
    this.deps.changed?.(row.tenant_id, row.robot_id, 'updated');
  }

  /** Deleting a robot revokes its tokens at once. */
  async remove(scope: RobotScope, robotId: string) {
    const row = await this.row(scope, robotId);
    await this.deps.db.transaction(async (trx) => {
      await trx('robots_robots').where('id', row.id).update({ status: 'deleted', updated_at: this.deps.clock.now().toISOString() });
      await this.deps.tokens.revokeAll(trx, row.id);
      for (const gauge of GAUGES) await this.deps.usage.release(row.tenant_id, gauge, 1, trx);
    });
    this.deps.changed?.(row.tenant_id, row.robot_id, 'removed');
    await this.deps.commands.disconnect(Number(row.id));
  }

  private async codeLicense(tenantId: string | null, code: string) {
    const license = await this.deps.licenses().byCode(code);
    if (!isActivationCode(license) || (tenantId && license.tenant_id !== tenantId)) throw RobotsErrors.codeNotFound(code);
    return license;
  }

  /** Frees the code for another device; the old device's robot tokens stop working at once. */
  async unbind(admin: LicenseAdmin, tenantId: string | null, code: string) {
    const license = await this.codeLicense(tenantId, code);
    const device = (await admin.devices(license))[0];
    if (!device) throw AppError.notFound('no device is bound to this code');
    await admin.unbind({ tenantId }, license.license_id, device.device_id);
    const robot = await this.deps.db('robots_robots').where('license_id', license.license_id).first('id', 'robot_id', 'tenant_id');
    if (robot) {
      await this.deps.tokens.revokeAll(this.deps.db, Number(robot.id));
      this.deps.changed?.(robot.tenant_id, robot.robot_id, 'unbound');
      await this.deps.commands.disconnect(Number(robot.id));
    }
    return { deviceId: device.device_id, robotId: robot?.robot_id ?? null, unboundAt: this.deps.clock.now().toISOString() };
  }

  /** A disabled code never activates again, and its robot's tokens stop working at once. */
  async disable(admin: LicenseAdmin, tenantId: string | null, code: string): Promise<void> {
    const license = await this.codeLicense(tenantId, code);
    await admin.end({ tenantId }, license.license_id, 'disabled', 'disabled by an administrator');
    const robot = await this.deps.db('robots_robots').where('license_id', license.license_id).first('id', 'robot_id', 'tenant_id');
    if (robot) {
      await this.deps.tokens.revokeAll(this.deps.db, Number(robot.id));
      this.deps.changed?.(robot.tenant_id, robot.robot_id, 'disabled');
      await this.deps.commands.disconnect(Number(robot.id));
    }
  }

  /**
   * The seed's activation: an 8-character code (a `workbot` license) binds one device. First
   * time: a robot is made (201); the same device again: new tokens (200); another device: 409
   * with who holds it.
   */
  async activate(code: string, deviceInfo: Record<string, unknown> & { deviceId: string }, activator: Activator | null = null) {
    const license = await this.deps.licenses().byCode(code);
    const now = this.deps.clock.now().toISOString();
    // INVALID_CODE: the seed's code for it (9.1); the reply's `code` stays the status.
    if (!isActivationCode(license)) throw RobotsErrors.codeNotFound();
    if (license.status !== 'active') throw AppError.forbidden(`this activation code is ${license.status}`);
    if (license.valid_until && license.valid_until <= now) throw AppError.forbidden('this activation code has expired');
    const owner = await this.ownerFor(license, activator);
    const bound = await this.deps.licenses().bind(license, {
      deviceId: deviceInfo.deviceId,
      deviceName: [deviceInfo.brand, deviceInfo.model].filter(Boolean).join(' ') || null,
    });
    if (bound.outcome === 'cap_reached' || bound.outcome === 'deactivated') {
      const holder = await this.deps.db('robots_robots').where('license_id', license.license_id).first('robot_id', 'device_info', 'first_activated_at');
      const other = bound.outcome === 'cap_reached' ? bound.devices[0] : undefined;
      throw RobotsErrors.codeInUse({
        existingDeviceId: other?.device_id ?? (holder?.device_info ? JSON.parse(holder.device_info).deviceId : null),
        existingRobotId: holder?.robot_id ?? null,
        activatedAt: holder?.first_activated_at ?? other?.first_seen_at ?? null,
      });
    }
    try {
      const activated = await this.activateBound(license, owner, code, deviceInfo, bound.outcome === 'bound', now);
      this.deps.changed?.(license.tenant_id, activated.data.robotId, 'activated');
      return activated;
    } catch (err) {
      // Refused after binding (e.g. 402, over the plan's robots): free the code again, or this
      // device would hold it with no robot and every other device would get 409.
      if (bound.outcome === 'bound')
        await this.deps
          .licenses()
          .unbind({ tenantId: license.tenant_id }, license.license_id, deviceInfo.deviceId)
          .catch(() => undefined);
      throw err;
    }
  }

  /**
   * Whose robot an activation makes: the code's bound user, else the signed-in activator, else no
   * one (tenant admins only see it). Checked before the device is bound, so a refusal binds nothing:
   * - a user of another tenant gets 404, as if the code did not exist (tenants stay apart);
   * - a code bound to someone else, or the robot of someone else (after an unbind), is 403 unless
   *   the activator is an admin doing it for them.
   */
  private async ownerFor(
    license: { license_id: string; tenant_id: string; bound_user_id: string | null },
    activator: Activator | null,
  ): Promise<string | null> {
    if (!activator) return license.bound_user_id;
    const sameTenant = activator.tenantId === license.tenant_id;
    if (!sameTenant && !activator.superadmin) throw RobotsErrors.codeNotFound();
    const robot = await this.deps.db('robots_robots').where('license_id', license.license_id).first('user_id');
    const holder: string | null = robot?.user_id ?? license.bound_user_id;
    if (!sameTenant) return holder; // a superadmin, for the code's user
    if (holder && holder !== activator.userId) {
      if (activator.admin) return holder;
      throw RobotsErrors.codeOfAnotherUser(Boolean(robot?.user_id));
    }
    return activator.userId;
  }

  private activateBound(
    license: { license_id: string; tenant_id: string },
    owner: string | null,
    code: string,
    deviceInfo: Record<string, unknown> & { deviceId: string },
    isNew: boolean,
    now: string,
  ) {
    return this.deps.db.transaction(async (trx) => {
      let robot = await trx('robots_robots').where('license_id', license.license_id).first();
      // 201 when this device was bound now (a first activation, or a new phone after an unbind).
      if (!robot) {
        // The robot is inserted unless one of this code appeared meanwhile, and counted only if it was: a
        // phone sending its activation twice at once makes two of these transactions that both found no
        // robot. On PostgreSQL the second's insert waits for the first's commit; as a plain insert it then
        // failed on the unique license_id (a 500, after the first had counted the robot); now it inserts
        // nothing and renews the tokens of the robot the first made, below.
        const inserted = await trx('robots_robots')
          .insert({
            robot_id: newId('robot'),
            robot_uuid: randomUUID(),
            tenant_id: license.tenant_id,
            user_id: owner,
            name: `Robot ${String(deviceInfo.model ?? deviceInfo.deviceId).slice(0, 60)}`,
            device_info: JSON.stringify(deviceInfo),
            license_id: license.license_id,
            activation_code: code.toUpperCase(),
            first_activated_at: now,
            last_activated_at: now,
            created_at: now,
            updated_at: now,
          })
          .onConflict('license_id')
          .ignore()
          .returning('id');
        if (inserted.length) for (const gauge of GAUGES) await this.deps.usage.consume(license.tenant_id, gauge, 1, trx);
        else robot = await trx('robots_robots').where('license_id', license.license_id).first();
      }
      if (robot) {
        // A deleted robot comes back on re-activation: it counts against the plan again.
        if (robot.status === 'deleted') for (const gauge of GAUGES) await this.deps.usage.consume(license.tenant_id, gauge, 1, trx);
        // A robot nobody owned yet (activated without a user token) becomes the activator's.
        await trx('robots_robots')
          .where('id', robot.id)
          .update({
            status: 'active',
            device_info: JSON.stringify(deviceInfo),
            last_activated_at: now,
            updated_at: now,
            ...(robot.user_id ? {} : { user_id: owner }),
          });
      }
      robot = await trx('robots_robots').where('license_id', license.license_id).first();
      const tokens = await this.deps.tokens.issue(trx, Number(robot.id));
      return { isNew, data: { robotId: robot.robot_id, robotUuid: robot.robot_uuid, ...tokens, isNewActivation: isNew } };
    });
  }
}
