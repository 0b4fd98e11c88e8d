import { AsyncLocalStorage } from 'node:async_hooks';

/** What emitted events inherit from the work in progress: a workflow chain, its depth. */
export type Causes = Record<string, unknown>;

/**
 * The causes of the work in progress, carried across awaits (an AsyncLocalStorage), switched off
 * whenever no work holds any. On Node 20 an AsyncLocalStorage, once run, installs promise hooks
 * for the whole process and keeps them: every promise of every HTTP request then pays for them
 * (measured: ~10 % of an API-key `/auth/me`'s server CPU). Counting the runs in progress and
 * disabling the storage when the last one ends confines that cost to the moments a chain runs.
 * A continuation a run leaves behind (not awaited by it) loses its causes once every run has
 * ended: background work must not inherit one chain anyway (`exit`).
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
