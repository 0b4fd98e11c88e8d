import { AsyncLocalStorage } from 'node:async_hooks';

/** What emitted events inherit from the work in progress: a workflow chain, its depth. */
export type Causes = Record<string, unknown>;

/**
 * The causes of the work in progress, carried across awaits (an AsyncLocalStorage), switched off
 * whenever no work holds any. Before Node 24 an AsyncLocalStorage, once run, installs promise hooks
 * for the whole process and keeps them: every promise of every HTTP request then pays for them
 * (measured on Node 20: ~10 % of an API-key `/auth/me`'s server CPU). Counting the runs in progress
 * and disabling the storage when the last one ends confines that cost to the moments a chain runs
 * (Node 24's AsyncContextFrame has no such hooks). Background work must not inherit a chain: it is
 * started through `exit`.
 */
export class CauseChain {
  private readonly storage = new AsyncLocalStorage<Causes>();
  private running = 0;

  /** The causes of the work in progress, if any. */
  current(): Causes | undefined {
    return this.storage.getStore();
  }

  /** Runs `fn` with `causes` as the work's causes, until its promise settles. */
  async run<T>(causes: Causes, fn: () => T | PromiseLike<T>): Promise<T> {
    this.running++;
    try {
      return await this.storage.run(causes, fn);
    } finally {
      if (--this.running === 0) this.storage.disable();
    }
  }

  /** Runs `fn` outside any causes. */
  exit<T>(fn: () => T): T {
    return this.storage.exit(fn);
  }
}
