import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { affected } from 'plinth/plugin';

const CHUNK = 500;
const LEASE_MS = 90_000;

export interface PresenceDeps {
  db: Knex;
  clock: Clock;
  /** Tells the admin pages a robot came or went (the live channel), after the row says so. */
  announce: (robotPk: number, online: boolean) => Promise<void>;
  /** How long a robot stays online without a heartbeat; LEASE_MS unless given. */
  leaseMs?: number;
}

/**
 * Whether a robot is online, on every instance: the instance holding a robot's socket keeps its
 * row's `presence_until` a little in the future (a heartbeat) and its own id in
 * `presence_instance`. When the robot's last socket there closes, it sets the lease to now only if
 * the row is still its own: a robot that reconnected to another instance before the old socket
 * was seen to close stays online. A crashed instance's robots fall offline when their lease runs out.
 */
export class Presence {
  private timer: NodeJS.Timeout | null = null;
  readonly instanceId = randomUUID();

  constructor(private readonly deps: PresenceDeps) {}

  private until(): string {
    return new Date(this.deps.clock.now().getTime() + (this.deps.leaseMs ?? LEASE_MS)).toISOString();
  }

  async arrived(robotPk: number): Promise<void> {
    await this.deps
      .db('robots_robots')
      .where('id', robotPk)
      .update({ presence_until: this.until(), presence_instance: this.instanceId, last_active_at: this.deps.clock.now().toISOString() });
    await this.deps.announce(robotPk, true);
  }

  /**
   * The robot's last socket here closed. Returns false when another instance had taken its
   * presence over meanwhile (the robot is online there); true when it is now offline, in case
   * another instance still holds a socket and must say so again (see Commands).
   */
  async left(robotPk: number): Promise<boolean> {
    const now = this.deps.clock.now().toISOString();
    const ended = affected(
      await this.deps
        .db('robots_robots')
        .where('id', robotPk)
        .andWhere((q) => q.where('presence_instance', this.instanceId).orWhereNull('presence_instance'))
        .update({ presence_until: now, presence_instance: null, last_active_at: now }),
    );
    if (!ended) {
      await this.deps.db('robots_robots').where('id', robotPk).update({ last_active_at: now });
      return false;
    }
    await this.deps.announce(robotPk, false);
    return true;
  }

  /** Extends the lease of every robot connected here; `connected` is read at each beat. */
  start(connected: () => number[]): void {
    this.timer = setInterval(
      () => {
        const pks = connected();
        const until = this.until();
        void (async () => {
          // Only a lease this instance holds, nobody holds, or whose holder stopped renewing: a robot that
          // moved to another instance while its old socket here was closing stays that instance's.
          const now = this.deps.clock.now().toISOString();
          for (let i = 0; i < pks.length; i += CHUNK)
            await this.deps
              .db('robots_robots')
              .whereIn('id', pks.slice(i, i + CHUNK))
              .andWhere((q) => q.where('presence_instance', this.instanceId).orWhereNull('presence_instance').orWhere('presence_until', '<', now))
              .update({ presence_until: until, presence_instance: this.instanceId });
        })().catch(() => undefined); // the next beat tries again; a missed one only shortens the lease
      },
      (this.deps.leaseMs ?? LEASE_MS) / 3,
    );
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** From a robot row: is its lease still running? */
  leased(row: { presence_until?: string | null }): boolean {
    return Boolean(row.presence_until && row.presence_until > this.deps.clock.now().toISOString());
  }
}
