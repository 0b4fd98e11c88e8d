// STUB — being written (knowledge base CRUD, import, and the builtin responder's search).
import type { Knex } from 'knex';
import type { Clock } from '../../../core/clock.js';
import type { PubSub } from '../../../core/pubsub.js';

export interface KnowledgeEntry {
  id: number;
  kind: 'faq' | 'keyword';
  question: string;
  answer: string;
  keywords: string[];
  priority: number;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface KnowledgeMatch {
  answer: string;
  entry: { id: number; kind: 'faq' | 'keyword'; question: string; score: number } | null;
}

export class KnowledgeBase {
  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
    private readonly pubsub: PubSub,
  ) {}

  async start(): Promise<void> {}

  /** The best answer for `text` in the tenant's knowledge base: keyword rules first, then the search ranking; null when nothing matches well enough. */
  async match(tenantId: string, text: string, minScore: number): Promise<KnowledgeMatch['entry'] & { answer: string } | null> {
    void tenantId; void text; void minScore; void this.db; void this.clock; void this.pubsub;
    return null;
  }
}
