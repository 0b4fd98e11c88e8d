import type { Knex } from 'knex';

/** What this plugin uses of the robots plugin's `robotsApi` (resolved through the container). */
export interface RobotsApi {
  robot(tenantId: string, robotId: string): Promise<{
    robotId: string;
    tenantId: string;
    ai: {
      aiMode: 'builtin' | 'third_party' | 'off';
      aiProvider: string;
      aiModel?: string;
      aiTemperature: number;
      aiMaxTokens: number;
      aiContextLength: number;
      aiScenario?: string;
      replyDelayMin: number;
      replyDelayMax: number;
      aiCallLimitDaily: number;
    };
  } | null>;
  conversation(tenantId: string, robotId: string, conversation: string, limit: number, upTo: string): Promise<Array<{ messageId: string; spoken: string; fromOperator: boolean; createdAt: string }>>;
  takeAiCall(tenantId: string, robotId: string, dailyLimit: number): Promise<boolean>;
  giveBackAiCall(tenantId: string, robotId: string): Promise<void>;
  sendMessage(tenantId: string, robotId: string, params: Record<string, unknown>, options: { createdBy: string; notBefore?: Date; trx?: Knex.Transaction }): Promise<{ commandId: string; status: string }>;
}
