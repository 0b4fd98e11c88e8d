import { hmacSha256 } from 'plinth/plugin';

/** One chat turn sent to a model. Operators' and the AI's own earlier replies are `assistant`. */
export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  tenantId: string;
  model?: string;
  temperature: number;
  maxTokens: number;
  system: string;
  /** Oldest first; the last turn is the message to answer. */
  messages: ChatTurn[];
  /**
   * Who is talking (the provider's `user` field, for its abuse monitoring): an opaque stable hash
   * (`endUserId`), never a contact's name.
   */
  user: string;
  /** Dify keeps conversations itself: the id it gave last time in this conversation. */
  conversationId?: string | null;
}

export interface ChatReply {
  text: string;
  model: string;
  tokensIn: number;
  tokensOut: number;
  conversationId?: string | null;
  /** The builtin responder: the knowledge entry that answered (null: the fallback answer). */
  entry?: { id: number; question: string; score: number } | null;
}

export type FailureKind = 'timeout' | 'rate_limited' | 'error';

/** A provider call that did not produce a reply; `kind` is what the call log records. */
export class ProviderFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ProviderFailure';
  }
}

/** One adapter per API (OpenAI-compatible, Dify, builtin) behind this interface. */
export interface ChatProvider {
  readonly name: string;
  readonly kind: 'openai' | 'dify' | 'builtin';
  readonly timeoutMs: number;
  /** The provider's own model (its configuration's), used unless the request names one. */
  readonly model: string | null;
  reply(request: ChatRequest, signal: AbortSignal): Promise<ChatReply>;
}

/** Maps an HTTP status to what the call log records. */
export const failureOf = (status: number | undefined, message: string): ProviderFailure =>
  new ProviderFailure(status === 429 ? 'rate_limited' : 'error', message, status);

/**
 * The provider's `user` field: who is talking, as a stable opaque id. HMAC-SHA256 keyed with the
 * tenant id (a random UUID the provider never sees) over the robot and conversation, so the same
 * contact always maps to the same id but the provider cannot recover, or guess and confirm, a name.
 */
export const endUserId = (tenantId: string, ...parts: string[]): string => `u_${hmacSha256(tenantId, parts.join('\n')).slice(0, 32)}`;
