import { AppError, isAppError } from 'plinth/plugin';
import type { UsageMeter } from 'plinth/plugin';
import type { AiSettings } from '../config.js';
import type { Answerer, Attempt, Route } from './answerer.js';
import type { Calls } from './calls.js';
import { endUserId, type ChatTurn } from './providers/types.js';
import { systemPrompt } from './responder.js';
import type { RobotsPublicApi } from '../../robots/api.js';
import type { RobotSettings } from './robot-settings.js';
import { AiErrors } from './errors.js';

export interface AskInput {
  text: string;
  context?: ChatTurn[];
  /** Answer with this robot's AI settings (provider, model, temperature…). */
  robotId?: string;
  /** Try this provider first (else the tenant's chain by priority), ending at builtin. */
  provider?: string;
}

export interface AskResult {
  reply: string;
  provider: string;
  model: string;
  tokensIn: number;
  tokensOut: number;
  attempts: Attempt[];
  entry: { id: number; question: string; score: number } | null;
}

/** What Ask is built from, passed by name. */
export interface AskDeps {
  settings: AiSettings;
  answerer: Answerer;
  calls: Calls;
  /** robots' public API, read per call (robots is resolved from the container). */
  robots: () => RobotsPublicApi;
  robotSettings: RobotSettings;
  /** Whether the tenant turned AI processing on. */
  consent: (tenantId: string) => Promise<boolean>;
  usage: UsageMeter;
}

/**
 * One answer outside a chat: the "try it" box (nothing sent, nothing metered) and the workflows'
 * `ai.reply` action (metered as an AI reply). Both need the tenant's AI consent.
 */
export class Ask {
  constructor(private readonly deps: AskDeps) {}

  async run(tenantId: string, input: AskInput, source: 'try' | 'workflow'): Promise<AskResult> {
    if (!(await this.deps.consent(tenantId))) throw AiErrors.consentMissing();
    const robot = input.robotId ? await this.deps.robots().robot(tenantId, input.robotId) : null;
    if (input.robotId && !robot) throw AppError.notFound(`robot ${input.robotId} not found`);
    if (source === 'workflow') {
      try {
        await this.deps.usage.consume(tenantId, 'ai_replies_per_month', 1);
      } catch (err) {
        if (isAppError(err) && err.status === 402) throw AiErrors.repliesUsedUp();
        throw err;
      }
    }
    const ai = robot ? await this.deps.robotSettings.get(tenantId, robot.robotId) : undefined;
    const route: Route = input.provider
      ? { mode: input.provider === 'builtin' ? 'builtin' : 'third_party', provider: input.provider }
      : ai
        ? { mode: ai.aiMode === 'third_party' ? 'third_party' : 'builtin', provider: ai.aiProvider }
        : { mode: 'third_party' };
    const answer = await this.deps.answerer.answer(
      {
        tenantId,
        // The robot's model is for the robot's provider only (another provider named here uses its own).
        model: ai && route.provider === ai.aiProvider ? ai.aiModel : undefined,
        temperature: ai?.aiTemperature ?? 0.7,
        maxTokens: ai?.aiMaxTokens ?? 1000,
        system: systemPrompt(this.deps.settings.systemPrompt, ai?.aiScenario),
        messages: [...(input.context ?? []), { role: 'user', content: input.text }],
        user: endUserId(tenantId, source, input.robotId ?? ''),
      },
      route,
      { robotId: input.robotId ?? null, messageId: null, source },
    );
    await this.deps.calls.record(answer.calls);
    const r = answer.reply;
    return {
      reply: r.text,
      provider: answer.provider,
      model: r.model,
      tokensIn: r.tokensIn,
      tokensOut: r.tokensOut,
      attempts: answer.attempts,
      entry: r.entry ?? null,
    };
  }
}
