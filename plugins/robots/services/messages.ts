import fs from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { GroupCommit, WriteSet } from 'plinth/plugin';
import { valuePerRow } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import type { EventBus } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import type { UsageMeter } from 'plinth/plugin';
import { newId } from './commands.js';
import { RobotsErrors } from './errors.js';

export interface ReportedMessage {
  spoken: string;
  rawSpoken?: string;
  receivedName?: string;
  groupName?: string;
  groupRemark?: string;
  roomType?: number;
  atMe?: boolean;
  textType?: number;
  fileBase64?: string;
  timestamp?: string;
  /** Beside the seed: a human operator sent it from the robot's phone (AI replies step back). */
  fromOperator?: boolean;
}

const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}$/;

/** The conversation a message belongs to: its group, or the contact in a private chat. */
export const conversationOf = (m: { groupName?: string | null; receivedName?: string | null }) =>
  (m.groupName ? `group:${m.groupName}` : `contact:${m.receivedName ?? ''}`).slice(0, 220);

/** A report's row in robots_messages. */
const messageRow = ({ robot, m, messageId, file, now }: ReportWrite) => ({
  message_id: messageId,
  robot_pk: robot.id,
  tenant_id: robot.tenant_id,
  spoken: m.spoken,
  raw_spoken: m.rawSpoken ?? null,
  received_name: m.receivedName ?? null,
  group_name: m.groupName ?? null,
  group_remark: m.groupRemark ?? null,
  room_type: m.roomType ?? null,
  at_me: Boolean(m.atMe),
  text_type: m.textType ?? null,
  has_file: file !== null,
  conversation: conversationOf(m),
  from_operator: Boolean(m.fromOperator),
  sent_at: m.timestamp ?? null,
  created_at: now,
});

/** One report as the group commit writes it. */
interface ReportWrite {
  robot: { id: number; robot_id: string; tenant_id: string };
  m: ReportedMessage;
  messageId: string;
  file: Buffer | null;
  now: string;
}

/** What Messages is built from, passed by name. */
export interface MessagesDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  events: EventBus;
  /** The data directory: files written to disk before they moved into the database are read from it. */
  filesDir: string;
  /** The largest file a message may carry. */
  maxFileBytes: number;
  usage: UsageMeter;
}

/**
 * Messages the phone app reports. A file (size-limited) goes to its own table, in the message's
 * transaction. Reports arriving together share one commit (each still counted against the plan
 * on its own: one over the limit fails alone).
 */
export class Messages {
  /** Each report's answer: null when stored, the plan's refusal (402) when its tenant is out of messages. */
  private readonly reports: GroupCommit<ReportWrite, AppError | null>;

  constructor(private readonly deps: MessagesDeps) {
    this.reports = new GroupCommit({
      db: deps.db,
      logger: deps.logger,
      write: (trx, items) => this.writeReports(trx, items),
      maxBatch: 100,
      name: 'message reports',
    });
  }

  async report(robot: { id: number; robot_id: string; tenant_id: string }, m: ReportedMessage): Promise<{ messageId: string }> {
    const messageId = newId('msg');
    const file = m.fileBase64 ? this.decodeFile(m.fileBase64) : null;
    const refused = await this.reports.submit({ robot, m, messageId, file, now: this.deps.clock.now().toISOString() });
    if (refused) throw refused;
    return { messageId };
  }

  /** Resolves once every report acknowledged so far is written (the database closes after this). */
  async stop(): Promise<void> {
    await this.reports.settled();
  }

  /**
   * The reports of one commit, a few statements whatever their number: each counted against its
   * tenant's plan (one refused does not stop the others), then the messages, their files, the
   * robots' counters and the events, written together (one statement on PostgreSQL: WriteSet).
   */
  private async writeReports(trx: Knex.Transaction, items: ReportWrite[]): Promise<Array<AppError | null>> {
    const refusals = await this.deps.usage.consumeEach(
      items.map(({ robot }) => ({ tenantId: robot.tenant_id, metric: 'max_messages_per_month' })),
      trx,
    );
    const taken = items.filter((_, i) => !refusals[i]);
    if (!taken.length) return refusals;
    const writes = new WriteSet();
    // Under SQLite's bound-variable limit whatever the batch.
    for (let i = 0; i < taken.length; i += 100) writes.insert('robots_messages', taken.slice(i, i + 100).map(messageRow));
    for (const { robot, messageId, file, now } of taken.filter((r) => r.file !== null))
      writes.insert('robots_message_files', [{ message_id: messageId, tenant_id: robot.tenant_id, bytes: file, size: file!.length, created_at: now }]);
    this.countOn(trx, writes, taken);
    this.deps.events.stageMany(
      writes,
      taken.map(({ robot, m, messageId, file }) => ({
        name: 'robots.message.received' as const,
        payload: {
          robot_id: robot.robot_id,
          message_id: messageId,
          spoken: m.spoken,
          received_name: m.receivedName ?? null,
          group_name: m.groupName ?? null,
          at_me: Boolean(m.atMe),
          room_type: m.roomType ?? null,
          conversation: conversationOf(m),
          from_operator: Boolean(m.fromOperator),
          has_file: file !== null,
        },
        options: { tenantId: robot.tenant_id },
      })),
    );
    // On PostgreSQL with the batch's COMMIT, one round trip for both.
    await writes.runBeforeCommit(trx);
    return refusals;
  }

  /** Each robot's message count and last activity, for all the robots of a batch in one statement. */
  private countOn(trx: Knex.Transaction, writes: WriteSet, reports: ReportWrite[]): void {
    const perRobot = new Map<number, number>();
    for (const { robot } of reports) perRobot.set(robot.id, (perRobot.get(robot.id) ?? 0) + 1);
    const ids = [...perRobot.keys()].sort((a, b) => a - b); // one lock order for every batch
    const added = trx.raw('total_messages + ?', [
      valuePerRow(
        trx,
        'id',
        ids.map((id) => [id, perRobot.get(id)!] as const),
        trx.raw('0'),
      ),
    ]);
    const { sql, bindings } = trx('robots_robots')
      .whereIn('id', ids)
      .update({ total_messages: added, last_active_at: reports[reports.length - 1].now })
      .toSQL();
    writes.query(sql, bindings);
  }

  private decodeFile(base64: string): Buffer {
    // Buffer.from skips what is not base64, so a garbled upload would be stored as garbage.
    if (!BASE64.test(base64)) throw AppError.validation([{ path: 'body.fileBase64', message: 'is not base64' }], 400);
    const bytes = Buffer.from(base64, 'base64');
    if (bytes.length > this.deps.maxFileBytes) throw RobotsErrors.fileTooLarge(this.deps.maxFileBytes);
    return bytes;
  }

  /** A message's file (of a robot the caller may see: `robotPk` comes from a scoped lookup), or 404. */
  async file(robotPk: number, messageId: string): Promise<Buffer> {
    const message = await this.deps.db('robots_messages').where({ robot_pk: robotPk, message_id: messageId }).first('file_path', 'has_file');
    if (!message?.has_file) throw AppError.notFound('this message has no file');
    const row = await this.deps.db('robots_message_files').where('message_id', messageId).first('bytes');
    if (row) return Buffer.from(row.bytes);
    // Written to this instance's disk before files moved into the database.
    return fs.readFile(path.join(this.deps.filesDir, message.file_path)).catch(() => {
      throw AppError.notFound('this message’s file was stored on another instance’s disk and is not here');
    });
  }
}
