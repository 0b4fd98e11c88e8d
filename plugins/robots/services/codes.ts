import type { AuthUsers } from '../../auth/api.js';
import type { License, LicenseFilter, LicenseRegistry } from '../../licensing/api.js';
import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import { nicknameOf, userIdFrom, userNumberOf, type FaceUserDirectory } from './face-users.js';

/**
 * Activation codes as seed 004 section 6 shows them (6.1 generate, 6.2 list). A code is a
 * `workbot` license of the licensing engine (8 characters, one device); the device and the first
 * activation come from the robot activated with it (this plugin's robots_robots), the bound user
 * from the auth plugin's service.
 *
 * The seed's statuses, from the engine's:
 * - `disabled`: the engine says disabled or revoked (either way it never activates again);
 * - `expired`: the engine says expired, or the code is still active but past valid_until (the
 *   engine's expiry job runs daily; activation already refuses such a code);
 * - `used`: active, and a robot was activated with it (even if its device was unbound since, or the
 *   robot deleted: the robot comes back on the next activation) or a device is bound to it;
 * - `unused`: active, never activated.
 * Disabled wins over expired, expired over used.
 */
export const CODE_STATUSES = ['unused', 'used', 'disabled', 'expired'] as const;
export type CodeStatus = (typeof CODE_STATUSES)[number];

/** What this file reads of a license (the engine returns more). Prices are minor units (cents); the seed shows currency units. */
export type CodeLicense = Pick<License, 'activation_code' | 'status' | 'valid_until' | 'price' | 'bound_user_id' | 'active_devices' | 'created_at'>;

/** The licensing engine's calls used here; `generateMany` is all or none (the plan's license limit is taken at once). */
export type CodeEngine = Pick<LicenseRegistry, 'generateMany' | 'page'>;

/** The auth plugin's user lookup (404 when the user is not in the scope's tenant) and the users' numbers (the seed's userId). */
export type CodeUsers = Pick<AuthUsers, 'get'> & FaceUserDirectory;

export interface GenerateCodes {
  tenantId: string;
  count: number;
  /** Days. */
  validityPeriod: number;
  /** Only this user may activate the codes: their number (the seed's userId) or UUID. None: anyone holding a code. */
  boundUserId?: string | number | null;
  /** Currency units, at most 2 decimals (the route gives the plan's price when the batch has none). */
  price?: number | null;
  remark?: string | null;
}

export interface CodeQuery {
  page: number;
  pageSize: number;
  status?: CodeStatus;
}

const DAY = 86_400_000;
/** The seed's example code is valid 30 days (6.1); an admin may ask for up to 10 years. */
export const DEFAULT_VALIDITY_DAYS = 30;
export const MAX_VALIDITY_DAYS = 3650;
/** The product WorkBot's codes are licenses of (reserved in the engine at register: only kind robot issues it). */
export const PRODUCT = 'workbot';

/** Each seed status in the engine's terms (see the comment at the top); the engine filters and pages in SQL. */
const STATUS_FILTER: Record<CodeStatus, Pick<LicenseFilter, 'state' | 'inUse'>> = {
  unused: { state: 'live', inUse: false },
  used: { state: 'live', inUse: true },
  expired: { state: 'expired' },
  disabled: { state: 'ended' },
};

/** Currency units → minor units (50.5 → 5050); more than 2 decimals is a 400 on `body.price`. */
export function toMinorUnits(price: number): number {
  const cents = Math.round(price * 100);
  if (!Number.isSafeInteger(cents) || Math.abs(price * 100 - cents) > 1e-6)
    throw AppError.validation([{ path: 'body.price', message: 'must have at most 2 decimal places' }], 400);
  return cents;
}

export const fromMinorUnits = (minor: number | null): number | null => (minor === null || minor === undefined ? null : Number(minor) / 100);

/** Whole days from creation to valid_until (null: never expires). */
export const validityDays = (l: { created_at: string; valid_until: string | null }): number | null =>
  l.valid_until === null ? null : Math.round((Date.parse(l.valid_until) - Date.parse(l.created_at)) / DAY);

/** The seed's status of a code (see the comment at the top). */
export function codeStatus(l: Pick<CodeLicense, 'status' | 'valid_until' | 'active_devices'>, activated: boolean, nowIso: string): CodeStatus {
  if (l.status === 'disabled' || l.status === 'revoked') return 'disabled';
  if (l.status === 'expired' || (l.valid_until !== null && l.valid_until <= nowIso)) return 'expired';
  return activated || Number(l.active_devices) > 0 ? 'used' : 'unused';
}

const parseDevice = (json: string | null): Record<string, unknown> | null => {
  if (!json) return null;
  try {
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    return null;
  }
};

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export interface ActivationCodesDeps {
  db: Knex;
  clock: Clock;
  engine: () => CodeEngine;
  users: () => CodeUsers;
}

export class ActivationCodes {
  constructor(private readonly deps: ActivationCodesDeps) {}

  /** The robots of the scope (this plugin's own table). */
  private robots(tenantId: string | null) {
    const q = this.deps.db('robots_robots').whereNotNull('activation_code');
    if (tenantId) q.where('tenant_id', tenantId);
    return q;
  }

  /** 6.1: `count` codes of the tenant, bound to `boundUserId` (a user of the tenant, else 404) or to no one. */
  async generate(input: GenerateCodes) {
    const price = input.price === undefined || input.price === null ? null : toMinorUnits(input.price);
    if (input.validityPeriod > MAX_VALIDITY_DAYS)
      throw AppError.validation([{ path: 'body.validityPeriod', message: `must be at most ${MAX_VALIDITY_DAYS} days` }], 400);
    let boundUserId: string | null = null;
    if (input.boundUserId !== undefined && input.boundUserId !== null) {
      const id = await userIdFrom(this.deps.users(), input.boundUserId);
      const user = id
        ? await this.deps
            .users()
            .get(id, { tenantId: input.tenantId })
            .catch((err: unknown) => {
              if ((err as { status?: unknown }).status === 404) return null; // not found (or not in the tenant)
              throw err;
            })
        : null;
      if (!user || user.tenant_id !== input.tenantId) throw AppError.notFound(`user ${input.boundUserId} not found in your tenant`);
      boundUserId = user.id;
    }
    const nowIso = this.deps.clock.now().toISOString();
    const number = boundUserId ? await userNumberOf(this.deps.users(), boundUserId) : null;
    const licenses = await this.deps.engine().generateMany(
      {
        tenantId: input.tenantId,
        product: PRODUCT,
        kind: 'robot',
        plan: 'custom',
        days: input.validityPeriod,
        deviceCap: 1,
        codeFormat: 'short8',
        price,
        boundUserId,
        userHint: input.remark ?? null,
      },
      input.count,
    );
    const codes = licenses.map((l) => ({
      code: l.activation_code,
      status: codeStatus({ ...l, active_devices: 0 }, false, nowIso),
      validityPeriod: validityDays(l),
      price: fromMinorUnits(l.price),
      createdAt: l.created_at,
      // Beside the seed:
      validUntil: l.valid_until,
      boundUserId: number,
    }));
    return { codes };
  }

  /** 6.2: the scope's codes (null: every tenant's), newest first, by the seed's status, one page (in SQL). */
  async list(scope: { tenantId: string | null }, query: CodeQuery) {
    const nowIso = this.deps.clock.now().toISOString();
    // A code a robot was activated with is used, even after an unbind: the engine counts them in use.
    const activatedWith = this.robots(scope.tenantId).whereNotNull('license_id').select('license_id');
    const found = await this.deps
      .engine()
      .page(
        scope,
        { product: PRODUCT, ...(query.status ? STATUS_FILTER[query.status] : {}), inUseAlso: activatedWith },
        { page: query.page, page_size: query.pageSize },
      );
    const robots = new Map<string, { device_info: string | null; first_activated_at: string | null }>();
    const licenseIds = found.items.map((l) => l.license_id);
    if (licenseIds.length) {
      for (const robot of await this.robots(scope.tenantId).whereIn('license_id', licenseIds).select('license_id', 'device_info', 'first_activated_at'))
        robots.set(robot.license_id, robot);
    }
    const page = found.items.map((l) => ({ l, status: codeStatus(l, robots.has(l.license_id), nowIso) }));
    const bound = [...new Set(page.map((r) => r.l.bound_user_id).filter((id): id is string => !!id))];
    const users = await this.usersById(scope, bound);
    const numbers = await this.deps.users().numbers(bound);

    return {
      total: found.total,
      list: page.map(({ l, status }) => {
        const robot = robots.get(l.license_id);
        // The device bound now: none after an unbind, though the robot (and its first activation) stays.
        const device = Number(l.active_devices) > 0 ? parseDevice(robot?.device_info ?? null) : null;
        const user = l.bound_user_id ? users.get(l.bound_user_id) : undefined;
        return {
          code: l.activation_code,
          status,
          validityPeriod: validityDays(l),
          price: fromMinorUnits(l.price),
          // A bound user who no longer exists keeps their number, without a name.
          boundUser: l.bound_user_id
            ? { userId: numbers.get(l.bound_user_id)!, nickname: user ? nicknameOf(user) || null : null, phone: user?.phone ?? null }
            : null,
          deviceInfo: device ? { deviceId: text(device.deviceId), brand: text(device.brand), model: text(device.model) } : null,
          firstActivatedAt: robot?.first_activated_at ?? null,
          // Beside the seed:
          validUntil: l.valid_until,
          createdAt: l.created_at,
        };
      }),
    };
  }

  private async usersById(scope: { tenantId: string | null }, ids: string[]) {
    const found = await Promise.all(
      ids.map((id) =>
        this.deps
          .users()
          .get(id, scope)
          .catch((err: unknown) => {
            if ((err as { status?: unknown }).status === 404) return null; // not found (or not in the tenant)
            throw err;
          }),
      ),
    );
    return new Map(found.filter((u) => u !== null).map((u) => [u.id, u]));
  }
}
