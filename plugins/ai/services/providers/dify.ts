import { ProviderFailure, failureOf, type ChatProvider, type ChatReply, type ChatRequest } from './types.js';

interface DifyAnswer {
  answer?: string;
  conversation_id?: string;
  metadata?: { usage?: { prompt_tokens?: number; completion_tokens?: number } };
}

export interface DifyProviderDeps {
  name: string;
  baseUrl: string;
  apiKey?: string | null;
  /** The registry's guarded fetch (no redirects; public addresses only for a tenant's URL). */
  fetch: typeof fetch;
  timeoutMs: number;
}

/**
 * Dify's chat-messages API (blocking mode). Dify keeps the conversation itself, so only the new
 * message is sent, with the conversation id it gave last time; the robot's scenario goes in `inputs`.
 */
export class DifyProvider implements ChatProvider {
  readonly kind = 'dify' as const;
  /** The Dify app chooses its model. */
  readonly model = null;

  constructor(private readonly deps: DifyProviderDeps) {}

  get name(): string {
    return this.deps.name;
  }
  get timeoutMs(): number {
    return this.deps.timeoutMs;
  }

  async reply(request: ChatRequest, signal: AbortSignal): Promise<ChatReply> {
    const query = request.messages.at(-1)?.content ?? '';
    let res: Response;
    try {
      res = await this.deps.fetch(`${this.deps.baseUrl.replace(/\/+$/, '')}/chat-messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.deps.apiKey ?? ''}` },
        body: JSON.stringify({
          inputs: { scenario: request.system },
          query,
          response_mode: 'blocking',
          user: request.user,
          conversation_id: request.conversationId ?? '',
        }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.deps.timeoutMs)]),
      });
    } catch (err) {
      if ((err as Error).name === 'TimeoutError' || signal.aborted) throw new ProviderFailure('timeout', `no answer within ${this.deps.timeoutMs} ms`);
      throw new ProviderFailure('error', `connection: ${(err as Error).message}`.slice(0, 300));
    }
    const text = await res.text();
    if (!res.ok) throw failureOf(res.status, `${res.status}: ${text.slice(0, 200)}`);
    let body: DifyAnswer;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ProviderFailure('error', 'Dify answered something that is not JSON');
    }
    const answer = body.answer?.trim();
    if (!answer) throw new ProviderFailure('error', 'Dify returned no answer');
    const usage = body.metadata?.usage ?? {};
    return {
      text: answer,
      model: 'dify',
      tokensIn: usage.prompt_tokens ?? 0,
      tokensOut: usage.completion_tokens ?? 0,
      conversationId: body.conversation_id ?? null,
    };
  }
}
