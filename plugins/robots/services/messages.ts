import fs from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Clock } from '../../../core/clock.js';
import { AppError } from '../../../core/errors.js';
import type { EventBus } from '../../../core/events/outbox.js';
import type { UsageMeter } from '../../../core/usage.js';
import { newId } from './commands.js';

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

/** Messages the phone app reports. A file goes to the data dir (size-limited), never into the row. */
export class Messages {
  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly filesDir: string,
    private readonly maxFileBytes: number,
    private readonly usage: () => UsageMeter,
  ) {}

  async report(robot: { id: number; robot_id: string; tenant_id: string }, m: ReportedMessage): Promise<{ messageId: string }> {
    const messageId = newId('msg');
    let filePath: string | null = null;
    if (m.fileBase64) {
      // Buffer.from skips what is not base64, so a garbled upload would be stored as garbage.
      if (!BASE64.test(m.fileBase64)) throw AppError.validation([{ path: 'body.fileBase64', message: 'is not base64' }], 400);
      const bytes = Buffer.from(m.fileBase64, 'base64');
      if (bytes.length > this.maxFileBytes) throw new AppError(413, 'file_too_large', `fileBase64 is over ${this.maxFileBytes} bytes`);
      filePath = path.join('robots', 'files', `${messageId}.bin`);
      const full = path.join(this.filesDir, filePath);
      await fs.mkdir(path.dirname(full), { recursive: true });
      const handle = await fs.open(full, 'wx');
      try {
        await handle.writeFile(bytes);
        await handle.sync(); // acknowledged means on disk
      } finally {
        await handle.close();
      }
    }
    const now = this.clock.now().toISOString();
    await this.db.transaction(async (trx) => {
      await this.usage().consume(robot.tenant_id, 'max_messages_per_month', 1, trx);
      await trx('robots_messages').insert({
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
        file_path: filePath,
        conversation: conversationOf(m),
        from_operator: Boolean(m.fromOperator),
        sent_at: m.timestamp ?? null,
        created_at: now,
      });
      await trx('robots_robots').where('id', robot.id).update({ total_messages: this.db.raw('total_messages + 1'), last_active_at: now });
      await this.events.emit(
        trx,
        'robots.message.received',
        {
          robot_id: robot.robot_id,
          message_id: messageId,
          spoken: m.spoken,
          received_name: m.receivedName ?? null,
          group_name: m.groupName ?? null,
          at_me: Boolean(m.atMe),
          room_type: m.roomType ?? null,
          conversation: conversationOf(m),
          from_operator: Boolean(m.fromOperator),
          has_file: Boolean(filePath),
        },
        { tenantId: robot.tenant_id },
      );
    });
    return { messageId };
  }
}
