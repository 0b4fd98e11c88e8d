import type OpenAI from 'openai';
import { ProviderFailure, failureOf, type ChatProvider, type ChatReply, type ChatRequest } from './types.js';

/** The SDK loads on the first call to such a provider, not at boot (it is a large module). */
let sdk: Promise<typeof import('openai')> | null = null;
const loadSdk = () => (sdk ??= import('openai'));

/**
 * Any OpenAI-compatible chat-completions API (OpenAI, DeepSeek, Doubao/Ark, Ollama, vLLM)
 * through the official SDK. Retries are ours (the provider chain), so the SDK's are off.
 */
export class OpenAiProvider implements ChatProvider {
  readonly kind = 'openai' as const;
  private client: OpenAI | null = null;

  constructor(
    readonly name: string,
    /** `fetch`: the registry's guarded fetch (no redirects; public addresses only for a tenant's URL). */
    private readonly options: { baseUrl: string; apiKey?: string | null; model?: string | null; fetch: typeof fetch },
    readonly timeoutMs: number,
    readonly model: string = options.model || 'gpt-4o-mini',
  ) {}

  async reply(request: ChatRequest, signal: AbortSignal): Promise<ChatReply> {
    const model = request.model || this.model;
    const { default: OpenAISdk } = await loadSdk();
    // Local servers (Ollama, vLLM) need no key, but the SDK insists on one.
    this.client ??= new OpenAISdk({
      apiKey: this.options.apiKey || 'no-key',
      baseURL: this.options.baseUrl,
      maxRetries: 0,
      timeout: this.timeoutMs,
      fetch: this.options.fetch,
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
        { signal, timeout: this.timeoutMs },
      );
      const text = completion.choices[0]?.message?.content?.trim();
      if (!text) throw new ProviderFailure('error', 'the model returned no text');
      return { text, model: completion.model || model, tokensIn: completion.usage?.prompt_tokens ?? 0, tokensOut: completion.usage?.completion_tokens ?? 0 };
    } catch (err) {
      if (err instanceof ProviderFailure) throw err;
      if (err instanceof OpenAISdk.APIConnectionTimeoutError || signal.aborted) throw new ProviderFailure('timeout', `no answer within ${this.timeoutMs} ms`);
      // A connection error's reason (a refused address, a redirect) is in its cause.
      const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
      if (err instanceof OpenAISdk.APIError) throw failureOf(err.status, `${err.status ?? 'connection'}: ${err.message}${cause}`.slice(0, 300));
      throw new ProviderFailure('error', String((err as Error).message ?? err).slice(0, 300));
    }
  }
}
