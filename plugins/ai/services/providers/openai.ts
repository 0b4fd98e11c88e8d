import type OpenAI from 'openai';
import { ProviderFailure, failureOf, type ChatProvider, type ChatReply, type ChatRequest } from './types.js';

/** The SDK loads on the first call to such a provider, not at boot (it is a large module). */
let sdk: Promise<typeof import('openai')> | null = null;
const loadSdk = () => (sdk ??= import('openai'));

/** The model asked for when neither the provider's configuration nor the request names one. */
const DEFAULT_MODEL = 'gpt-4o-mini';

export interface OpenAiProviderDeps {
  name: string;
  baseUrl: string;
  apiKey?: string | null;
  model?: string | null;
  /** The registry's guarded fetch (no redirects; public addresses only for a tenant's URL). */
  fetch: typeof fetch;
  timeoutMs: number;
}

/**
 * Any OpenAI-compatible chat-completions API (OpenAI, DeepSeek, Doubao/Ark, Ollama, vLLM)
 * through the official SDK. Retries are ours (the provider chain), so the SDK's are off.
 */
export class OpenAiProvider implements ChatProvider {
  readonly kind = 'openai' as const;
  private client: OpenAI | null = null;

  constructor(private readonly deps: OpenAiProviderDeps) {}

  get name(): string {
    return this.deps.name;
  }
  get timeoutMs(): number {
    return this.deps.timeoutMs;
  }
  get model(): string {
    return this.deps.model || DEFAULT_MODEL;
  }

  async reply(request: ChatRequest, signal: AbortSignal): Promise<ChatReply> {
    const model = request.model || this.model;
    const { default: OpenAISdk } = await loadSdk();
    // Local servers (Ollama, vLLM) need no key, but the SDK insists on one.
    this.client ??= new OpenAISdk({
      apiKey: this.deps.apiKey || 'no-key',
      baseURL: this.deps.baseUrl,
      maxRetries: 0,
      timeout: this.deps.timeoutMs,
      fetch: this.deps.fetch,
    });
    try {
      const completion = await this.client.chat.completions.create(
        {
          model,
          temperature: request.temperature,
          max_tokens: request.maxTokens,
          user: request.user,
          messages: [{ role: 'system', content: request.system }, ...request.messages],
        },
        { signal, timeout: this.deps.timeoutMs },
      );
      const text = completion.choices[0]?.message?.content?.trim();
      if (!text) throw new ProviderFailure('error', 'the model returned no text');
      return { text, model: completion.model || model, tokensIn: completion.usage?.prompt_tokens ?? 0, tokensOut: completion.usage?.completion_tokens ?? 0 };
    } catch (err) {
      if (err instanceof ProviderFailure) throw err;
      if (err instanceof OpenAISdk.APIConnectionTimeoutError || signal.aborted)
        throw new ProviderFailure('timeout', `no answer within ${this.deps.timeoutMs} ms`);
      // A connection error's reason (a refused address, a redirect) is in its cause.
      const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
      if (err instanceof OpenAISdk.APIError) throw failureOf(err.status, `${err.status ?? 'connection'}: ${err.message}${cause}`.slice(0, 300));
      throw new ProviderFailure('error', String((err as Error).message ?? err).slice(0, 300));
    }
  }
}
