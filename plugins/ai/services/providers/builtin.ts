import type { KnowledgeBase } from '../knowledge.js';
import type { ChatProvider, ChatReply, ChatRequest } from './types.js';

export interface BuiltinProviderDeps {
  knowledge: KnowledgeBase;
  fallback: (tenantId: string) => Promise<string>;
  minScore: number;
}

/**
 * Needs no network or account: the tenant's knowledge base (keyword rules, then full-text
 * ranking), else the fallback answer. The end of every chain, so a fresh install replies.
 */
export class BuiltinProvider implements ChatProvider {
  readonly name = 'builtin';
  readonly kind = 'builtin' as const;
  readonly timeoutMs = 5000;
  readonly model = 'builtin';

  constructor(private readonly deps: BuiltinProviderDeps) {}

  async reply(request: ChatRequest): Promise<ChatReply> {
    const question = request.messages.at(-1)?.content ?? '';
    const match = await this.deps.knowledge.match(request.tenantId, question, this.deps.minScore);
    const text = match?.answer ?? (await this.deps.fallback(request.tenantId));
    return { text, model: 'builtin', tokensIn: 0, tokensOut: 0, entry: match ? { id: match.id, question: match.question, score: match.score } : null };
  }
}
