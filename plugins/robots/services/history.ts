import type { Knex } from 'knex';
import { pageQuery, type Page, type PageRequest } from 'plinth/plugin';

/** One page of a robot's history, in the seed's list shape. */
export interface HistoryPage<T> {
  total: number;
  list: T[];
}

/** The core's page in the seed's list shape. */
const seedList = <T>(page: Page<T>): HistoryPage<T> => ({ total: page.total, list: page.items });

export interface MessageEntry {
  messageId: string;
  spoken: string;
  receivedName: string | null;
  groupName: string | null;
  atMe: boolean;
  roomType: number | null;
  hasFile: boolean;
  /** The app's own time for the message, as it reported it. */
  timestamp: string | null;
  createdAt: string;
}

export interface CommandEntry {
  commandId: string;
  commandType: string;
  commandParams: Record<string, unknown>;
  status: string;
  /** The robot's report (`command-result`), once it came. */
  result: Record<string, unknown> | null;
  createdBy: string | null;
  createdAt: string;
  sentAt: string | null;
  completedAt: string | null;
  expiresAt: string;
}

const messageEntry = (r: Record<string, any>): MessageEntry => ({
  messageId: r.message_id,
  spoken: r.spoken,
  receivedName: r.received_name,
  groupName: r.group_name,
  atMe: Boolean(r.at_me),
  roomType: r.room_type === null ? null : Number(r.room_type),
  hasFile: Boolean(r.has_file),
  timestamp: r.sent_at,
  createdAt: r.created_at,
});

const commandEntry = (r: Record<string, any>): CommandEntry => ({
  commandId: r.command_id,
  commandType: r.command_type,
  commandParams: JSON.parse(r.params),
  status: r.status,
  result: r.result ? JSON.parse(r.result) : null,
  createdBy: r.created_by,
  createdAt: r.created_at,
  sentAt: r.sent_at,
  completedAt: r.completed_at,
  expiresAt: r.expires_at,
});

/**
 * What a robot received (messages the phone reported) and what it was told to do (its command
 * log), newest first, one page at a time. The caller has already resolved the robot in its scope.
 */
export class History {
  constructor(private readonly db: Knex) {}

  async messages(robotPk: number, page: PageRequest): Promise<HistoryPage<MessageEntry>> {
    return seedList(await pageQuery(this.db('robots_messages').where('robot_pk', robotPk).orderBy('id', 'desc'), page, messageEntry));
  }

  async commands(robotPk: number, page: PageRequest, status?: string): Promise<HistoryPage<CommandEntry>> {
    const q = this.db('robots_commands').where('robot_pk', robotPk);
    if (status) q.where('status', status);
    return seedList(await pageQuery(q.orderBy('id', 'desc'), page, commandEntry));
  }
}
