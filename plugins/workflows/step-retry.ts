// How a failing workflow step is retried: shared by the step runner and the editor (which shows
// the defaults), so the two never disagree. Pure: no Node or server imports (the UI bundles it).

export interface RetryDef {
  attempts: number;
  backoff_base_ms: number;
  backoff_max_ms: number;
}

export const DEFAULT_RETRY: RetryDef = { attempts: 3, backoff_base_ms: 1000, backoff_max_ms: 60_000 };

/** A step's own retry settings over the defaults. */
export const retryPolicy = (own?: Partial<RetryDef>): RetryDef => ({ ...DEFAULT_RETRY, ...own });

/** Exponential backoff from `backoff_base_ms`, capped at `backoff_max_ms`, with equal jitter (half fixed, half random). */
export function backoffMs(attempt: number, retry: RetryDef, random = Math.random): number {
  const capped = Math.min(retry.backoff_max_ms, retry.backoff_base_ms * 2 ** (attempt - 1));
  return Math.round(capped / 2 + (capped / 2) * random());
}
