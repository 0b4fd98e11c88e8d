import type { Counter, Histogram } from 'prom-client';
import type { Metrics } from 'plinth/plugin';
import type { CallRecord } from './calls.js';
import type { BuiltinProvider } from './providers/builtin.js';
import type { ProviderRegistry } from './providers/registry.js';
import { ProviderFailure, type ChatProvider, type ChatReply, type ChatRequest } from './providers/types.js';

export interface Attempt {
  provider: string;
  outcome: CallRecord['outcome'];
  latencyMs: number;
  error?: string;
}

export interface Answer {
  reply: ChatReply;
  provider: string;
  attempts: Attempt[];
  /** The call-log rows of this answer, for the caller to write with its own change (one commit). */
  calls: CallRecord[];
}

/** Which providers to try: `builtin` alone, or third-party ones (the robot's first) ending at builtin. */
export interface Route {
  mode: 'builtin' | 'third_party';
  provider?: string | null;
}

/**
 * The request as one provider of the chain gets it: a robot's `aiModel` belongs to the robot's
 * own provider (`route.provider`); a fallback is asked with its own configured model, which a
 * model name meant for another API would not exist on.
 */
function forProvider(request: ChatRequest, provider: ChatProvider, route: Route): ChatRequest {
  return provider.name === route.provider ? request : { ...request, model: undefined };
}

/** Provider calls by kind (openai, dify, builtin: never a tenant's name for one) and outcome, and fallbacks. */
export interface ProviderMetrics {
  calls: Counter<'kind' | 'outcome'>;
  duration: Histogram<'kind' | 'outcome'>;
  fallbacks: Counter<'kind'>;
}

export function providerMetrics(m: Metrics): ProviderMetrics {
  return {
    calls: m.counter({
      name: 'plinth_ai_provider_calls_total',
      help: 'AI provider calls by provider kind and outcome (ok; timeout, rate_limited, error: failures)',
      labels: ['kind', 'outcome'],
    }),
    duration: m.histogram({
      name: 'plinth_ai_provider_call_duration_seconds',
      help: 'AI provider calls, request to reply or failure',
      labels: ['kind', 'outcome'],
    }),
    fallbacks: m.counter({
      name: 'plinth_ai_fallbacks_total',
      help: 'Answers that moved on to the next provider after one failed, by the kind that failed',
      labels: ['kind'],
    }),
  };
}

export interface AnswererDeps {
  registry: ProviderRegistry;
  builtin: BuiltinProvider;
  metrics?: ProviderMetrics | null;
}

/**
 * Runs the provider chain: each provider gets its own timeout; a timeout, 429, 5xx (or any other
 * failure) moves on to the next; the builtin responder ends every chain, so there is always an
 * answer. Every attempt becomes a call-log row, which the caller writes (`Calls.record`).
 */
export class Answerer {
  constructor(private readonly deps: AnswererDeps) {}

  private count(provider: ChatProvider, outcome: string, latencyMs: number): void {
    if (!this.deps.metrics) return;
    this.deps.metrics.calls.inc({ kind: provider.kind, outcome });
    this.deps.metrics.duration.observe({ kind: provider.kind, outcome }, latencyMs / 1000);
  }

  async answer(request: ChatRequest, route: Route, log: Pick<CallRecord, 'robotId' | 'messageId' | 'source'>): Promise<Answer> {
    const chain: ChatProvider[] =
      route.mode === 'third_party' ? [...(await this.deps.registry.chain(request.tenantId, route.provider)), this.deps.builtin] : [this.deps.builtin];
    const attempts: Attempt[] = [];
    const calls: CallRecord[] = [];
    for (const provider of chain) {
      const started = performance.now();
      const sent = forProvider(request, provider, route);
      try {
        const reply = await this.call(provider, sent);
        const latencyMs = performance.now() - started;
        attempts.push({ provider: provider.name, outcome: 'ok', latencyMs });
        this.count(provider, 'ok', latencyMs);
        calls.push({
          ...log,
          tenantId: request.tenantId,
          provider: provider.name,
          model: reply.model,
          tokensIn: reply.tokensIn,
          tokensOut: reply.tokensOut,
          latencyMs,
          outcome: 'ok',
        });
        return { reply, provider: provider.name, attempts, calls };
      } catch (err) {
        const failure = err instanceof ProviderFailure ? err : new ProviderFailure('error', String((err as Error).message ?? err));
        const latencyMs = performance.now() - started;
        attempts.push({ provider: provider.name, outcome: failure.kind, latencyMs, error: failure.message });
        this.count(provider, failure.kind, latencyMs);
        calls.push({
          ...log,
          tenantId: request.tenantId,
          provider: provider.name,
          model: sent.model || provider.model,
          tokensIn: 0,
          tokensOut: 0,
          latencyMs,
          outcome: failure.kind,
          error: failure.message,
        });
        if (provider === this.deps.builtin) throw err; // nothing after builtin: a real fault (e.g. the database)
        this.deps.metrics?.fallbacks.inc({ kind: provider.kind });
      }
    }
    throw new Error('unreachable: the chain ends at builtin');
  }

  private async call(provider: ChatProvider, request: ChatRequest): Promise<ChatReply> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), provider.timeoutMs);
    try {
      return await provider.reply(request, controller.signal);
    } catch (err) {
      if (controller.signal.aborted && !(err instanceof ProviderFailure && err.kind !== 'error'))
        throw new ProviderFailure('timeout', `no answer within ${provider.timeoutMs} ms`);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
