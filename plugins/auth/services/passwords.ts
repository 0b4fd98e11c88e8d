import { createRequire } from 'node:module';
import argon2 from 'argon2';
import { AppError } from 'plinth/plugin';
import { lazy } from 'plinth/plugin';
import { passwordProblem } from '../password-rules.js';
import type { PasswordHasher } from '../api.js';

/** zxcvbn's common-password list, decompressed at the first password check rather than at boot. */
const common = lazy(() => {
  const { dictionary } = createRequire(import.meta.url)('@zxcvbn-ts/language-common') as { dictionary: Record<string, string[]> };
  return new Set<string>(dictionary['passwords-common']);
});

export interface PasswordsDeps {
  params: { memoryCost: number; timeCost: number };
  policy: { min: number; max: number };
}

/**
 * argon2id with per-hash salt; the parameters are stored in the PHC string with the hash, so they
 * can be raised later and old hashes still verify (and are rehashed at the next login).
 */
export class Passwords implements PasswordHasher {
  private dummy: Promise<string> | null = null;

  constructor(private readonly deps: PasswordsDeps) {}

  /** Refuses short, over-long and common passwords with a clear 422; never truncates. */
  check(password: string, field = 'password'): void {
    // The same rules the admin UI's meter judges by (password-rules.ts).
    const problem = passwordProblem(password, this.deps.policy, (lower) => common().has(lower));
    if (problem) throw AppError.validation([{ path: `body.${field}`, message: problem }]);
  }

  /**
   * For a face whose document's own examples are common passwords (seed 003's "password123"): the
   * length is refused with the document's `status`, commonness only advised. Returns the advice.
   */
  assess(password: string, field: string, status: number): string | undefined {
    const length = [...password].length;
    const fail = (message: string) => {
      throw AppError.validation([{ path: `body.${field}`, message }], status);
    };
    if (length < this.deps.policy.min) fail(`must be at least ${this.deps.policy.min} characters`);
    if (length > this.deps.policy.max) fail(`must be at most ${this.deps.policy.max} characters`);
    return common().has(password.toLowerCase()) ? `${field} is one of the most common passwords; choose a less guessable one` : undefined;
  }

  /**
   * The PHC string in the reference order (`m=…,t=…,p=…`): node-argon2 writes `m,p,t`, which
   * libargon2-based verifiers (PHP, Go, the argon2 CLI) refuse, so hashes would not travel.
   */
  async hash(password: string): Promise<string> {
    const phc = await argon2.hash(password, {
      type: argon2.argon2id,
      memoryCost: this.deps.params.memoryCost,
      timeCost: this.deps.params.timeCost,
      parallelism: 1,
    });
    return phc.replace(/\$m=(\d+),p=(\d+),t=(\d+)\$/, (_all, m: string, p: string, t: string) => `$m=${m},t=${t},p=${p}$`);
  }

  async verify(hash: string | null, password: string): Promise<boolean> {
    if (!hash) {
      // Same work whether or not there is an account, so timing does not tell.
      await argon2.verify(await this.dummyHash(), password).catch(() => false);
      return false;
    }
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  needsRehash(hash: string): boolean {
    return argon2.needsRehash(hash, { memoryCost: this.deps.params.memoryCost, timeCost: this.deps.params.timeCost, parallelism: 1 });
  }

  private dummyHash(): Promise<string> {
    this.dummy ??= this.hash('not-a-real-password-only-for-timing');
    return this.dummy;
  }
}
