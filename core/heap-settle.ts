import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from './logger.js';

/** V8's gc extension; `last-resort` is its memory-reducing collection (CollectAllAvailableGarbage). */
export type GcFunction = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

export interface HeapSettleOptions {
  /** How long the event loop must have been (nearly) idle before the collection, and how often to look again. */
  quietMs: number;
  /** At or below this event-loop utilisation over the last `quietMs`, the server counts as quiet. */
  quietUtilization: number;
  /** A server busy for this long after boot never gets it: V8 sizes a heap in use by itself. */
  giveUpMs: number;
}

export const HEAP_SETTLE_DEFAULTS: HeapSettleOptions = { quietMs: 1_000, quietUtilization: 0.1, giveUpMs: 30_000 };

/**
 * V8's own gc function, without `--expose-gc` on the command line: the flag only matters to
 * contexts made while it is set, so a throwaway context is made with it and it is unset again.
 */
export function gcFunction(): GcFunction {
  const exposed = (globalThis as { gc?: GcFunction }).gc;
  if (exposed) return exposed;
  v8.setFlagsFromString('--expose-gc');
  try {
    return runInNewContext('gc') as GcFunction;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}

/**
 * Once, after `plinth start` has booted and the server has been quiet for `quietMs`: one
 * memory-reducing garbage collection. Boot loads some 1,700 modules, compiles the schemas and
 * runs the migrations; on Node 24 V8 grows the young generation to ~48 MB for it (a semi-space may
 * reach 64 MB without pointer compression, 16 MB on Node 22), and keeps that at idle: its memory
 * reducer, which would shrink it, judges the allocation rate from the collections it saw, all of
 * them during boot, and keeps waiting ("high alloc"). The idle server then held ~50 MB of heap it
 * did not use (VmRSS 177 → 127 MB; `npm run bench -- idle-rss`). No limit is lowered: under load
 * V8 grows the young generation again as it would have. The collection takes ~100–200 ms of the
 * main thread, hence only when the event loop has been idle and never later than `giveUpMs`.
 */
export function settleHeapWhenQuiet(logger: Logger, options: HeapSettleOptions = HEAP_SETTLE_DEFAULTS, gc: () => GcFunction = gcFunction): () => void {
  const started = performance.now();
  let last = performance.eventLoopUtilization();
  let timer: NodeJS.Timeout;
  const check = () => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    if (busy > options.quietUtilization) {
      if (performance.now() - started < options.giveUpMs) timer = setTimeout(check, options.quietMs).unref();
      return;
    }
    const before = process.memoryUsage.rss();
    const at = performance.now();
    try {
      gc()({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    } catch (err) {
      logger.warn({ err }, 'could not run the post-boot garbage collection');
      return;
    }
    const mb = (n: number) => Math.round(n / 1_048_576);
    logger.debug({ ms: Math.round(performance.now() - at), rssMb: { before: mb(before), after: mb(process.memoryUsage.rss()) } }, 'heap settled after boot');
  };
  timer = setTimeout(check, options.quietMs).unref();
  return () => clearTimeout(timer);
}
