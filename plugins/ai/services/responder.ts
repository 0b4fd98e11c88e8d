import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { committedTransaction, isAppError, WriteSet } from 'plinth/plugin';
import type { UsageMeter } from 'plinth/plugin';
import type { AiSettings } from '../config.js';
import type { Answerer } from './answerer.js';
import type { Calls } from './calls.js';
import type { DailyCallQuota } from './daily-call-quota.js';
import type { RobotSettings } from './robot-settings.js';
import { type Conversations, conversationState } from './conversations.js';
import { endUserId, type ChatTurn } from './providers/types.js';
import type { RobotAiSettings, RobotsEventPayloads, RobotsPublicApi } from '../../robots/api.js';

/** The `robots.message.received` payload this plugin reads (typed by robots' event schema). */
export type ReceivedMessage = RobotsEventPayloads['robots.message.received'];

type Decision = { status: 'answered'; reply: string; provider: string; commandId: string } | { status: 'skipped' | 'limited'; reason: string };

/**
 * This plugin's rows a reply reads before it decides: the decision already made for the message,
 * the conversation's takeover state and its latest answered replies (newest first), for context.
 */
interface Seen {
  decided: { status: 'answered' | 'skipped' | 'limited'; reason: string } | null;
  conversation: { paused_until: string | null; dify_conversation_id: string | null } | undefined;
  replies: Array<{ reply: string; created_at: string }>;
}

export const systemPrompt = (template: string, scenario?: string) => template.replace('{scenario}', scenario || 'general questions');

/** What the responder works with (named, so a new one is one more field, not a tenth position). */
export interface ResponderDeps {
  db: Knex;
  clock: Clock;
  settings: AiSettings;
  answerer: Answerer;
  calls: Calls;
  conversations: Conversations;
  robots: RobotsPublicApi;
  robotSettings: RobotSettings;
  quota: DailyCallQuota;
  consent: (tenantId: string) => Promise<boolean>;
  usage: UsageMeter;
  /** For the reply delay's jitter; tests fix it. */
  random?: () => number;
}

/**
 * Answers the messages robots receive: decides whether to (AI on for the robot, @-mentioned in a
 * group, the tenant's AI consent, no human takeover, within the daily and monthly limits), builds
 * the conversation's context, runs the provider chain, and queues the reply as a send_message
 * command after the robot's reply delay. One decision per message, so a redelivered event
 * changes nothing.
 */
export class Responder {
  constructor(private readonly deps: ResponderDeps) {}

  async handle(tenantId: string, m: ReceivedMessage): Promise<Decision> {
    const ai = await this.deps.robotSettings.get(tenantId, m.robot_id);
    const seen = await this.seen(m, m.from_operator ? 0 : Math.max(1, ai.aiContextLength));
    if (seen.decided) return seen.decided as Decision;
    const decision = await this.decide(tenantId, m, ai, seen);
    if (decision.status !== 'answered') await this.record(tenantId, m, decision);
    return decision;
  }

  /**
   * The rows of `Seen` in one statement: on PostgreSQL every statement is a round trip, and these
   * three are read for every message (the replies only when `replies` > 0).
   */
  private async seen(m: ReceivedMessage, replies: number): Promise<Seen> {
    const db = this.deps.db;
    const q = db('ai_replies')
      .where('message_id', m.message_id)
      .select(db.raw("'decided' as kind"), 'status as a', 'reason as b', db.raw('cast(null as integer) as id'))
      .unionAll(
        db('ai_conversations')
          .where({ robot_id: m.robot_id, conversation: m.conversation })
          .select(db.raw("'conversation'"), 'paused_until', 'dify_conversation_id', db.raw('null')),
      );
    if (replies > 0)
      q.unionAll(
        db
          .select('*')
          .from(
            db('ai_replies')
              .where({ robot_id: m.robot_id, conversation: m.conversation, status: 'answered' })
              .orderBy('id', 'desc')
              .limit(replies)
              .select(db.raw("'reply'"), 'reply', 'created_at', 'id')
              .as('latest'),
          ),
      );
    const rows: Array<{ kind: string; a: string | null; b: string | null; id: number | string | null }> = await q;
    const decided = rows.find((r) => r.kind === 'decided');
    const conversation = rows.find((r) => r.kind === 'conversation');
    return {
      decided: decided ? ({ status: decided.a, reason: decided.b } as Seen['decided']) : null,
      conversation: conversation ? { paused_until: conversation.a, dify_conversation_id: conversation.b } : undefined,
      replies: rows
        .filter((r) => r.kind === 'reply')
        .sort((x, y) => Number(y.id) - Number(x.id))
        .map((r) => ({ reply: r.a!, created_at: r.b! })),
    };
  }

  private async decide(tenantId: string, m: ReceivedMessage, ai: RobotAiSettings, seen: Seen): Promise<Decision> {
    const key = { tenantId, robotId: m.robot_id, conversation: m.conversation };
    if (m.from_operator) {
      await this.deps.conversations.pause(key, this.deps.settings.takeoverMinutes);
      return { status: 'skipped', reason: 'from_operator' };
    }
    const robot = await this.deps.robots.robot(tenantId, m.robot_id);
    if (!robot) return { status: 'skipped', reason: 'robot_gone' };
    if (ai.aiMode === 'off') return { status: 'skipped', reason: 'ai_off' };
    if (m.group_name && this.deps.settings.groupRequiresMention && !m.at_me) return { status: 'skipped', reason: 'not_mentioned' };
    if (!(await this.deps.consent(tenantId))) return { status: 'skipped', reason: 'no_consent' };
    const state = conversationState(seen.conversation, this.deps.clock.now());
    if (state.paused) return { status: 'skipped', reason: 'human_takeover' };

    // The context is read while the call's commit is made (on PostgreSQL another pooled connection
    // overlaps the two round trips); read for nothing when the limits refuse.
    const [limited, messages] = await Promise.all([
      this.takeCall(tenantId, m.robot_id, ai.aiCallLimitDaily),
      this.context(tenantId, m, ai.aiContextLength, seen.replies),
    ]);
    if (limited) return { status: 'limited', reason: limited };

    const answer = await this.deps.answerer.answer(
      {
        tenantId,
        model: ai.aiModel,
        temperature: ai.aiTemperature,
        maxTokens: ai.aiMaxTokens,
        system: systemPrompt(this.deps.settings.systemPrompt, ai.aiScenario),
        messages,
        user: endUserId(tenantId, m.robot_id, m.conversation),
        conversationId: state.difyConversationId,
      },
      { mode: ai.aiMode, provider: ai.aiProvider },
      { robotId: m.robot_id, messageId: m.message_id, source: 'message' },
    );
    if (answer.reply.conversationId) await this.deps.conversations.rememberDify(key, answer.reply.conversationId);

    const delaySeconds = ai.replyDelayMin + (this.deps.random ?? Math.random)() * (ai.replyDelayMax - ai.replyDelayMin);
    const notBefore = new Date(this.deps.clock.now().getTime() + delaySeconds * 1000);
    const params = {
      type: 'text',
      titleList: [m.group_name || m.received_name || ''],
      content: answer.reply.text,
      atList: m.group_name && m.received_name ? [m.received_name] : [],
    };
    // One commit for the reply: the command, the call log and the decision (one statement on PostgreSQL).
    const writes = new WriteSet();
    const command = await this.deps.robots.sendMessage(tenantId, m.robot_id, params, { createdBy: 'ai', notBefore, writes });
    const decision = { status: 'answered' as const, reply: answer.reply.text, provider: answer.provider, commandId: command.commandId };
    this.deps.calls.stage(answer.calls, writes);
    writes.insert('ai_replies', [this.row(tenantId, m, decision)]);
    await writes.runAtomically(this.deps.db);
    return decision;
  }

  /**
   * The robot's call of the day and the tenant's reply of the month, taken in one commit: both or
   * neither (a plan's monthly limit rolls the daily call back with it). The provider is called once
   * it is committed, not once it is on disk: a power cut during the call leaves one call uncounted,
   * as a crash before the count would (committedTransaction). The reply's commit is durable.
   */
  private async takeCall(tenantId: string, robotId: string, dailyLimit: number): Promise<'daily_limit' | 'monthly_limit' | null> {
    try {
      return await committedTransaction(this.deps.db, async (trx) => {
        if (!(await this.deps.quota.take(tenantId, robotId, dailyLimit, trx))) return 'daily_limit';
        await this.deps.usage.consume(tenantId, 'ai_replies_per_month', 1, trx);
        return null;
      });
    } catch (err) {
      if (isAppError(err) && err.status === 402) return 'monthly_limit';
      throw err;
    }
  }

  /**
   * The last `length` turns of the conversation, oldest first, ending with this message: what the
   * contacts said (user), what operators and earlier AI replies said (assistant).
   */
  private async context(tenantId: string, m: ReceivedMessage, length: number, replies: Seen['replies']): Promise<ChatTurn[]> {
    const n = Math.max(1, length);
    const messages = await this.deps.robots.conversation(tenantId, m.robot_id, m.conversation, n, m.message_id);
    const turns = [
      ...messages.map((x) => ({
        at: x.createdAt,
        turn: { role: x.fromOperator ? 'assistant' : 'user', content: x.spoken } as ChatTurn,
        current: x.messageId === m.message_id,
      })),
      ...replies.map((r) => ({
        at: r.created_at,
        turn: { role: 'assistant', content: r.reply } as ChatTurn,
        current: false,
      })),
    ].sort((a, b) => (a.current ? 1 : b.current ? -1 : a.at.localeCompare(b.at)));
    if (!turns.some((t) => t.current)) turns.push({ at: '', turn: { role: 'user', content: m.spoken }, current: true });
    return turns.slice(-n).map((t) => t.turn);
  }

  private async record(tenantId: string, m: ReceivedMessage, d: Decision): Promise<void> {
    await this.deps.db('ai_replies').insert(this.row(tenantId, m, d));
  }

  private row(tenantId: string, m: ReceivedMessage, d: Decision) {
    return {
      message_id: m.message_id,
      tenant_id: tenantId,
      robot_id: m.robot_id,
      conversation: m.conversation,
      status: d.status,
      reason: d.status === 'answered' ? null : d.reason,
      reply: d.status === 'answered' ? d.reply : null,
      provider: d.status === 'answered' ? d.provider : null,
      command_id: d.status === 'answered' ? d.commandId : null,
      created_at: this.deps.clock.now().toISOString(),
    };
  }
}
