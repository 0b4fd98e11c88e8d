import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';

export interface ConversationsDeps {
  db: Knex;
  clock: Clock;
}

/** Per robot conversation: a human takeover pause, and the conversation id Dify gave. */
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

  async state(robotId: string, conversation: string): Promise<{ paused: boolean; difyConversationId: string | null }> {
    const row = await this.deps.db('ai_conversations').where({ robot_id: robotId, conversation }).first();
    return {
      paused: Boolean(row?.paused_until && row.paused_until > this.deps.clock.now().toISOString()),
      difyConversationId: row?.dify_conversation_id ?? null,
    };
  }

  rememberDify(key: { tenantId: string; robotId: string; conversation: string }, id: string): Promise<void> {
    return this.upsert(key, { dify_conversation_id: id });
  }
}
