import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';

export interface ConversationsDeps {
  db: Knex;
  clock: Clock;
}

/** A conversation's state from its `ai_conversations` columns (none: never paused, no Dify id). */
export function conversationState(
  row: { paused_until?: string | null; dify_conversation_id?: string | null } | undefined,
  now: Date,
): { paused: boolean; difyConversationId: string | null } {
  return { paused: Boolean(row?.paused_until && row.paused_until > now.toISOString()), difyConversationId: row?.dify_conversation_id ?? null };
}

/** Per robot conversation: a human takeover pause, and the conversation id Dify gave (read with the reply's other rows, see Responder). */
export class Conversations {
  constructor(private readonly deps: ConversationsDeps) {}

  private async upsert(key: { tenantId: string; robotId: string; conversation: string }, patch: Record<string, unknown>): Promise<void> {
    const row = { robot_id: key.robotId, conversation: key.conversation, tenant_id: key.tenantId, updated_at: this.deps.clock.now().toISOString(), ...patch };
    await this.deps
      .db('ai_conversations')
      .insert(row)
      .onConflict(['robot_id', 'conversation'])
      .merge({ ...patch, updated_at: row.updated_at });
  }

  /** A human operator wrote here: AI stays out until `minutes` from now. */
  pause(key: { tenantId: string; robotId: string; conversation: string }, minutes: number): Promise<void> {
    return this.upsert(key, { paused_until: new Date(this.deps.clock.now().getTime() + minutes * 60_000).toISOString() });
  }

  rememberDify(key: { tenantId: string; robotId: string; conversation: string }, id: string): Promise<void> {
    return this.upsert(key, { dify_conversation_id: id });
  }
}
