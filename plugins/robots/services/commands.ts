// Longer than most (~410 lines): the queue's writes, live pushes across instances, the backlog a new socket is handed and the results share one state.
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { WebSocket } from 'ws';
import type { Clock } from 'plinth/plugin';
import type { WriteSet } from 'plinth/plugin';
import { GroupCommit } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import type { EventBus } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import type { PubSub } from 'plinth/plugin';
import type { RobotsSettings } from '../config.js';
import type { Presence } from './presence.js';
import type { Histogram } from 'prom-client';
import { RobotsErrors } from './errors.js';

export interface CommandView {
  commandId: string;
  commandType: string;
  commandParams: Record<string, unknown>;
  createdAt: string;
}

const CHANNEL = 'robots.push';
/** How often each instance looks for delayed commands that came due (in case their timer's instance is gone). */
const SWEEP_MS = 5000;
/** Commands a socket remembers having been sent, to send each once. */
const SENT_REMEMBERED = 1000;
const view = (r: Record<string, any>): CommandView => ({
  commandId: r.command_id,
  commandType: r.command_type,
  commandParams: JSON.parse(r.params),
  createdAt: r.created_at,
});
export const newId = (prefix: string) => `${prefix}_${Date.now()}_${randomBytes(4).toString('hex')}`;

/** What a send_message needs beyond its schema: text for a text message, a file URL otherwise. */
export function checkSendMessage(params: { type: string; content?: string; fileUrl?: string }, at: 'body' | 'input'): void {
  if (params.type === 'text' && !params.content) throw AppError.validation([{ path: `${at}.content`, message: 'is required for a text message' }], 400);
  if (params.type !== 'text' && !params.fileUrl)
    throw AppError.validation([{ path: `${at}.fileUrl`, message: `is required for a ${params.type} message` }], 400);
}

/** A write to the command queue; those arriving together share one commit (see Commands.writes). */
type CommandWrite =
  | { kind: 'insert'; row: Record<string, unknown> }
  | { kind: 'sent'; commandId: string }
  | {
      kind: 'complete';
      robot: { id: number; robot_id: string; tenant_id: string };
      commandId: string;
      status: 'succeeded' | 'failed';
      result: string;
      at: string;
      errorCode: number;
    };

/** What a `complete` write found: recorded, or the command's state when it could not be (none: not found). */
type CompleteOutcome = { recorded: true } | { recorded: false; status: string | null };

/** What Commands is built from, passed by name. */
export interface CommandsDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  events: EventBus;
  pubsub: PubSub;
  settings: RobotsSettings;
  /** Robots' online state across instances (leases renewed while their sockets are open). */
  presence: Presence;
  /** Ready to pushed, per command pushed live (the metrics). */
  pushLatency?: Histogram;
}

/** A command pushed live, with when it was ready to go (ms since the epoch, the publishing instance's clock). */
interface Push {
  command: CommandView;
  readyAt?: number;
}

/**
 * The command queue. A command is stored first (pending), then pushed to the robot's WebSocket
 * on whichever instance holds it (pub/sub); a robot also polls. Delivery is at least once until
 * the robot reports the result; after that the command is never handed out again.
 */
export class Commands {
  private readonly sockets = new Map<number, Set<WebSocket>>();
  /** Sockets still being handed their backlog, with the live pushes that wait for it. */
  private readonly joining = new WeakMap<WebSocket, Push[]>();
  /** The latest commands each socket was sent (see send). */
  private readonly sentOn = new WeakMap<WebSocket, Set<string>>();
  private sweep: NodeJS.Timeout | null = null;
  private readonly presenceWrites = new Set<Promise<unknown>>();

  /** New commands, `sent` marks and results share commits: one durable write for several, instead of one each
   *  queued on SQLite's one connection in front of the next command's push. */
  private readonly writes: GroupCommit<CommandWrite, CompleteOutcome | null>;

  constructor(private readonly deps: CommandsDeps) {
    this.writes = new GroupCommit({
      db: deps.db,
      logger: deps.logger,
      write: (trx, items) => this.writeBatch(trx, items),
      maxBatch: 200,
      name: 'robot commands',
    });
  }

  /**
   * One commit's writes: new commands, then `sent` marks, then results (a result always comes after
   * its command was stored and pushed, so this order never reverses one); the results' events in one statement.
   */
  private async writeBatch(trx: Knex.Transaction, items: CommandWrite[]): Promise<Array<CompleteOutcome | null>> {
    const inserts = items.flatMap((w) => (w.kind === 'insert' ? [w.row] : []));
    if (inserts.length) await trx('robots_commands').insert(inserts);
    const sent = items.flatMap((w) => (w.kind === 'sent' ? [w.commandId] : []));
    if (sent.length)
      await trx('robots_commands')
        .whereIn('command_id', sent)
        .where('status', 'pending')
        .update({ status: 'sent', sent_at: this.deps.clock.now().toISOString() });
    const out: Array<CompleteOutcome | null> = [];
    const completed: Array<Extract<CommandWrite, { kind: 'complete' }>> = [];
    for (const w of items) {
      if (w.kind !== 'complete') {
        out.push(null);
        continue;
      }
      // An expired command the robot had already received and ran late is recorded: the result is the truth.
      const changed = await trx('robots_commands')
        .where({ command_id: w.commandId, robot_pk: w.robot.id })
        .whereIn('status', ['pending', 'sent', 'expired'])
        .update({ status: w.status, result: w.result, completed_at: w.at });
      if (changed) completed.push(w);
      const row = changed ? null : await trx('robots_commands').where({ command_id: w.commandId, robot_pk: w.robot.id }).first('status');
      out.push(changed ? { recorded: true } : { recorded: false, status: row?.status ?? null });
    }
    await this.deps.events.emitMany(
      trx,
      completed.map((w) => ({
        name: 'robots.command.completed' as const,
        payload: { robot_id: w.robot.robot_id, command_id: w.commandId, status: w.status, error_code: w.errorCode },
        options: { tenantId: w.robot.tenant_id },
      })),
    );
    return out;
  }

  async start(): Promise<void> {
    await this.deps.pubsub.subscribe(CHANNEL, (m) => {
      const robotPk = Number(m.robotPk);
      if (m.kick) this.closeLocal(robotPk);
      else if (m.left) this.stillHere(robotPk);
      else this.pushLocal(robotPk, { command: m.command as CommandView, readyAt: typeof m.at === 'number' ? m.at : undefined }, m.marked === true);
    });
    this.deps.presence.start(() => [...this.sockets.keys()]);
    this.sweep = setInterval(() => void this.pushDue().catch((err) => this.deps.logger.warn({ err }, 'delayed command sweep failed')), SWEEP_MS);
    this.sweep.unref();
  }

  /** Stops the timers and waits for presence writes of sockets that closed (the server closes them all before this). */
  async stop(): Promise<void> {
    this.deps.presence.stop();
    if (this.sweep) clearInterval(this.sweep);
    await Promise.allSettled([...this.presenceWrites]);
    await this.writes.settled(); // the database closes after this
  }

  /** A presence write that stop() waits for; a failure only delays what the row says until the next heartbeat. */
  private recordPresence(write: Promise<unknown>): void {
    const tracked = write.catch((err) => this.deps.logger.warn({ err }, 'robot presence not recorded'));
    this.presenceWrites.add(tracked);
    void tracked.finally(() => this.presenceWrites.delete(tracked));
  }

  /** The robot's tokens were revoked (unbound, disabled, deleted): close its sockets on every instance. */
  async disconnect(robotPk: number): Promise<void> {
    this.closeLocal(robotPk);
    await this.deps.pubsub.publish(CHANNEL, { robotPk, kick: true }).catch((err) => this.deps.logger.warn({ err }, 'robot disconnect broadcast failed'));
  }

  private closeLocal(robotPk: number): void {
    for (const socket of this.sockets.get(robotPk) ?? []) socket.close(4001, 'token revoked');
  }

  /** Another instance marked the robot offline as its socket there closed: if it has one here too, it is online after all. */
  private stillHere(robotPk: number): void {
    if (this.sockets.has(robotPk)) this.recordPresence(this.deps.presence.arrived(robotPk));
  }

  /** The robot's last socket here closed: offline, unless it is connected elsewhere (then that instance says so again). */
  private async gone(robotPk: number): Promise<void> {
    if (await this.deps.presence.left(robotPk)) await this.deps.pubsub.publish(CHANNEL, { robotPk, left: true });
  }

  /** Connected here, or (on another instance) its presence lease is running. */
  online(robot: { id: number | string; presence_until?: string | null }): boolean {
    return this.sockets.has(Number(robot.id)) || this.deps.presence.leased(robot);
  }

  /**
   * A robot connected: remember its socket and hand it everything still open, oldest first, before
   * anything pushed live. Pushes that arrive while the backlog is read wait in the socket's queue
   * and follow it, minus what the backlog already carried: no command comes twice or out of order.
   * A robot over its socket cap here loses its oldest socket (close code 4008).
   */
  async connected(robotPk: number, socket: WebSocket): Promise<void> {
    const set = this.sockets.get(robotPk) ?? new Set<WebSocket>();
    set.add(socket);
    this.sockets.set(robotPk, set);
    this.joining.set(socket, []);
    for (const oldest of [...set].slice(0, Math.max(0, set.size - this.deps.settings.wsMaxSocketsPerRobot))) {
      set.delete(oldest);
      oldest.close(4008, 'replaced by a newer connection of this robot');
    }
    socket.on('close', () => {
      set.delete(socket);
      if (set.size || this.sockets.get(robotPk) !== set) return;
      this.sockets.delete(robotPk);
      this.recordPresence(this.gone(robotPk));
    });
    await this.deps.presence.arrived(robotPk).catch((err) => this.deps.logger.warn({ err }, 'robot presence not recorded'));
    const backlog = await this.open(robotPk).catch((err: unknown) => {
      this.deps.logger.warn({ err, robotPk }, 'open commands not read for a new socket; the robot will poll');
      return [];
    });
    const replayed = new Set(backlog.map((c) => c.commandId));
    const live = (this.joining.get(socket) ?? []).filter((p) => !replayed.has(p.command.commandId));
    this.joining.delete(socket);
    for (const push of [...backlog.map((command) => ({ command })), ...live]) this.send(socket, push);
  }

  /**
   * Sends once per socket: a push can reach an instance after the backlog it read already carried
   * the command (pub/sub is slower than the database), and the robot must not run it twice.
   */
  private send(socket: WebSocket, push: Push): void {
    const { command, readyAt } = push;
    const queue = this.joining.get(socket);
    if (queue) return void queue.push(push);
    const sent = this.sentOn.get(socket) ?? new Set<string>();
    this.sentOn.set(socket, sent);
    if (sent.has(command.commandId) || socket.readyState !== socket.OPEN) return;
    sent.add(command.commandId);
    if (sent.size > SENT_REMEMBERED) sent.delete(sent.values().next().value!);
    socket.send(JSON.stringify({ type: 'command', data: command }));
    // A live push only (a backlog handed to a new socket waited for the robot, not for us); another instance's clock may be a little ahead.
    if (readyAt !== undefined) this.deps.pushLatency?.observe(Math.max(0, Date.now() - readyAt) / 1000);
  }

  /** Sends to the robot's sockets here and marks the command `sent` (unless `marked`: stored so already); it comes again until acknowledged. */
  private pushLocal(robotPk: number, push: Push, marked = false): void {
    const sockets = [...(this.sockets.get(robotPk) ?? [])].filter((socket) => socket.readyState === socket.OPEN);
    if (!sockets.length) return;
    for (const socket of sockets) this.send(socket, push);
    if (marked) return;
    this.writes.submit({ kind: 'sent', commandId: push.command.commandId }).catch((err) => this.deps.logger.warn({ err }, 'pushed command not marked sent'));
  }

  /** The robot has an open socket on this instance: a command pushed right after its commit reaches it. */
  private connectedHere(robotPk: number): boolean {
    return [...(this.sockets.get(robotPk) ?? [])].some((socket) => socket.readyState === socket.OPEN && !this.joining.has(socket));
  }

  /**
   * Stores a command and pushes it (or, with `notBefore`, pushes it then: a reply delay). With
   * `writes` it is staged in the caller's set and pushed once that commits.
   */
  async create(
    robot: { id: number; tenant_id: string },
    type: string,
    params: Record<string, unknown>,
    createdBy: string | null,
    options: { awaitingApproval?: boolean; notBefore?: Date; writes?: WriteSet } = {},
  ): Promise<{ commandId: string; status: string }> {
    const awaitingApproval = Boolean(options.awaitingApproval);
    const now = this.deps.clock.now();
    const notBefore = options.notBefore && options.notBefore > now ? options.notBefore : null;
    // Pushed here right after its commit, so written `sent` at once (open() resends sent commands too).
    const sentNow = !awaitingApproval && !notBefore && this.connectedHere(robot.id);
    const queued = awaitingApproval ? 'awaiting_approval' : 'pending';
    const row = {
      command_id: newId('cmd'),
      robot_pk: robot.id,
      tenant_id: robot.tenant_id,
      created_by: createdBy,
      command_type: type,
      params: JSON.stringify(params),
      status: sentNow ? 'sent' : queued,
      sent_at: sentNow ? now.toISOString() : null,
      created_at: now.toISOString(),
      expires_at: new Date((notBefore ?? now).getTime() + this.deps.settings.commandTtlMinutes * 60_000).toISOString(),
      not_before: notBefore?.toISOString() ?? null,
    };
    const result = { commandId: row.command_id, status: queued };
    const push = () => (notBefore ? this.pushWhenDue(row.command_id, notBefore) : this.publish(robot.id, view(row), sentNow));
    if (options.writes) {
      options.writes.insert('robots_commands', [row]);
      if (!awaitingApproval) options.writes.afterCommit(() => void push());
      return result;
    }
    await this.writes.submit({ kind: 'insert', row });
    if (!awaitingApproval) await push();
    return result;
  }

  private publish(robotPk: number, command: CommandView, marked = false, readyAt = Date.now()): Promise<void> {
    return this.deps.pubsub
      .publish(CHANNEL, { robotPk, command: command as unknown as Record<string, unknown>, at: readyAt, ...(marked && { marked }) })
      .catch((err) => this.deps.logger.warn({ err }, 'command push failed; the robot will poll'));
  }

  /** A timer here pushes it when due; the sweep on every instance catches it if this one is gone by then. */
  private pushWhenDue(commandId: string, at: Date): void {
    const timer = setTimeout(() => void this.pushDue([commandId]), Math.max(0, at.getTime() - this.deps.clock.now().getTime()));
    timer.unref();
  }

  /**
   * Pushes delayed commands that are due: each is claimed by clearing its `not_before`, so one
   * instance pushes it once; a robot that polls meanwhile already got it (open() hands out due ones).
   */
  async pushDue(commandIds?: string[]): Promise<number> {
    const nowIso = this.deps.clock.now().toISOString();
    const due = this.deps.db('robots_commands').whereNotNull('not_before').where('not_before', '<=', nowIso).whereIn('status', ['pending', 'sent']);
    const rows = await (commandIds ? due.whereIn('command_id', commandIds) : due.limit(500)).select(
      'id',
      'command_id',
      'robot_pk',
      'command_type',
      'params',
      'created_at',
      'not_before',
    );
    let pushed = 0;
    for (const r of rows) {
      const claimed = await this.deps.db('robots_commands').where({ id: r.id, not_before: r.not_before }).update({ not_before: null });
      if (!claimed) continue;
      await this.publish(Number(r.robot_pk), view(r));
      pushed++;
    }
    return pushed;
  }

  /** Commands not yet acknowledged, oldest first; handing them out marks them sent. */
  async open(robotPk: number): Promise<CommandView[]> {
    const nowIso = this.deps.clock.now().toISOString();
    const rows = await this.deps
      .db('robots_commands')
      .where('robot_pk', robotPk)
      .whereIn('status', ['pending', 'sent'])
      .where('expires_at', '>', nowIso)
      .where((q) => q.whereNull('not_before').orWhere('not_before', '<=', nowIso))
      .orderBy('id');
    const pending = rows.filter((r: { status: string }) => r.status === 'pending').map((r: { id: number }) => r.id);
    if (pending.length) await this.deps.db('robots_commands').whereIn('id', pending).where('status', 'pending').update({ status: 'sent', sent_at: nowIso });
    return rows.map(view);
  }

  /** The robot's report: the command is done (succeeded or failed) and never handed out again. */
  async complete(
    robot: { id: number; robot_id: string; tenant_id: string },
    commandId: string,
    result: { errorCode: number; errorReason?: string; executionTimeMs?: number; successList?: string[]; failList?: string[] },
  ): Promise<void> {
    const status: 'succeeded' | 'failed' = result.errorCode === 0 ? 'succeeded' : 'failed';
    const outcome = (await this.writes.submit({
      kind: 'complete',
      robot,
      commandId,
      status,
      result: JSON.stringify(result),
      at: this.deps.clock.now().toISOString(),
      errorCode: result.errorCode,
    })) as CompleteOutcome;
    if (outcome.recorded) return;
    if (outcome.status === null) throw AppError.notFound(`command ${commandId} not found for this robot`);
    // Never handed out, so there is nothing to report; a repeated report changes nothing.
    if (outcome.status === 'awaiting_approval' || outcome.status === 'rejected') throw RobotsErrors.commandNotSent(commandId, outcome.status);
  }

  /** Commands of a tenant waiting for an owner or admin. */
  async awaiting(tenantId: string): Promise<Array<CommandView & { robotId: string; createdBy: string | null }>> {
    const rows = await this.deps
      .db('robots_commands as c')
      .join('robots_robots as r', 'r.id', 'c.robot_pk')
      .where({ 'c.tenant_id': tenantId, 'c.status': 'awaiting_approval' })
      .orderBy('c.id')
      .select('c.*', 'r.robot_id');
    return rows.map((r: Record<string, any>) => ({ ...view(r), robotId: r.robot_id, createdBy: r.created_by }));
  }

  /** Approves (then it is queued and pushed like any command) or rejects a waiting command. */
  async decide(tenantId: string, commandId: string, approve: boolean): Promise<{ robotPk: number; status: string }> {
    const row = await this.deps.db('robots_commands').where({ command_id: commandId, tenant_id: tenantId }).first();
    if (!row) throw AppError.notFound(`command ${commandId} not found`);
    const status = approve ? 'pending' : 'rejected';
    const changed = await this.deps.db('robots_commands').where({ id: row.id, status: 'awaiting_approval' }).update({ status });
    if (!changed) throw RobotsErrors.commandNotAwaitingApproval(commandId, row.status);
    if (approve) await this.publish(Number(row.robot_pk), view(row));
    return { robotPk: Number(row.robot_pk), status };
  }

  async expireDue(): Promise<number> {
    return Number(
      await this.deps
        .db('robots_commands')
        .whereIn('status', ['pending', 'sent', 'awaiting_approval'])
        .where('expires_at', '<=', this.deps.clock.now().toISOString())
        .update({ status: 'expired' }),
    );
  }
}
