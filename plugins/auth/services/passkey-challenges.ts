import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { sha256 } from 'plinth/plugin';

export type ChallengePurpose = 'registration' | 'sign_in';

/** A challenge as it was issued: what it is for and, when bound, whose. */
export interface IssuedChallenge {
  purpose: ChallengePurpose;
  user_id: string | null;
  for_user: boolean;
}

/** How long a ceremony may take: the browser's timeout and the challenge's life. */
export const CEREMONY_MS = 5 * 60_000;

export interface PasskeyChallengesDeps {
  db: Knex;
  clock: Clock;
}

/**
 * The challenges of passkey ceremonies under way, in the database so that any instance can finish
 * a ceremony another began. Stored as SHA-256 of the challenge; each is taken once, by an atomic
 * delete, so two requests racing with the same answer cannot both succeed.
 */
export class PasskeyChallenges {
  constructor(private readonly deps: PasskeyChallengesDeps) {}

  /** Keeps a new challenge (and drops the expired ones: the table stays small without a job). */
  async issue(challenge: string, issued: IssuedChallenge): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.db('auth_passkey_challenges').where('expires_at', '<', now.toISOString()).delete();
    await this.deps.db('auth_passkey_challenges').insert({
      challenge_hash: sha256(challenge),
      purpose: issued.purpose,
      user_id: issued.user_id,
      for_user: issued.for_user,
      expires_at: new Date(now.getTime() + CEREMONY_MS).toISOString(),
      created_at: now.toISOString(),
    });
  }

  /**
   * Takes the challenge for `purpose` (and, for a registration, of `userId`): its row, once, while
   * it is still valid; null for an unknown, expired, spent or someone else's challenge. A challenge
   * asked for another purpose or by another user stays where it is.
   */
  async take(challenge: string, purpose: ChallengePurpose, userId?: string): Promise<IssuedChallenge | null> {
    const hash = sha256(challenge);
    const q = this.deps.db('auth_passkey_challenges').where({ challenge_hash: hash, purpose }).where('expires_at', '>', this.deps.clock.now().toISOString());
    if (userId !== undefined) q.where('user_id', userId);
    const row = await q.clone().first('purpose', 'user_id', 'for_user');
    if (!row) return null;
    // Only the request whose delete removed the row may go on.
    const deleted = await q.delete();
    if (deleted !== 1) return null;
    return { purpose: row.purpose, user_id: row.user_id, for_user: Boolean(row.for_user) };
  }
}
