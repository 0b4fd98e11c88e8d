import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

type Gc = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * One memory-reducing full collection (V8's last-resort flavour: compacts the old generation and
 * shrinks the young one). `gc` is exposed only for this call: contexts made later do not get it.
 */
export function reduceHeap(): void {
  v8.setFlagsFromString('--expose-gc');
  let gc: Gc | undefined;
  try {
    gc = vm.runInNewContext('typeof gc === "function" ? gc : undefined') as Gc | undefined;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
  // A runtime that ignores the flag leaves the heap as it is: memory it could not give back never fails anything.
  gc?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

/** How often the event loop's utilization is sampled (at least four times an idle period): idleness is judged in steps of this. */
const CHECK_EVERY_MS = 5_000;
/**
 * An event loop busier than this over a check was not idle. An idle server's own timers (job
 * claims, heartbeats, the outbox's poll) keep it under 1 %, a test app's faster polls at 3 %; a few
 * requests a second or held WebSockets' pings stay under too, which is the point: a server at rest.
 */
const IDLE_UTILIZATION = 0.05;

export interface IdleHeapOptions {
  /** Seconds of an idle event loop before the heap is reduced; 0: never. */
  afterSeconds: number;
  /** Told after each reduction (for the log). */
  onReduced?: (ms: number) => void;
}

/**
 * Gives an idle server's memory back, as browsers' V8 does for a background tab and Node never does
 * by itself: once the event loop has been idle for `afterSeconds`, one memory-reducing collection
 * (reduceHeap). Boot's module loading, and any burst of load, grow V8's young generation to tens of
 * megabytes; with no allocation afterwards no collection runs that would shrink it, so an idle
 * process keeps it resident (docs/performance.md, idle RSS). Once per idle period: after a
 * reduction the next one waits for the loop to have been busy and idle again. The collection blocks
 * the loop for a few hundred milliseconds at most, which only a request arriving just then pays;
 * the first seconds of the next burst pay a little more scavenging while the young generation grows back.
 */
export class IdleHeapReducer {
  private timer: NodeJS.Timeout | null = null;
  private last: EventLoopUtilization | null = null;
  private readonly periods: IdlePeriods;
  /** Collections run so far. */
  reductions = 0;

  constructor(private readonly options: IdleHeapOptions) {
    this.periods = new IdlePeriods(options.afterSeconds * 1000);
  }

  start(): void {
    if (this.timer || this.options.afterSeconds <= 0) return;
    const step = Math.min(CHECK_EVERY_MS, (this.options.afterSeconds * 1000) / 4);
    this.last = performance.eventLoopUtilization();
    this.timer = setInterval(() => this.check(step), step);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private check(step: number): void {
    const now = performance.eventLoopUtilization();
    const due = this.periods.observe(performance.eventLoopUtilization(now, this.last!).utilization, step);
    this.last = now;
    if (!due) return;
    const started = performance.now();
    reduceHeap();
    this.reductions++;
    // The collection itself was busy time: the next sample starts after it.
    this.last = performance.eventLoopUtilization();
    this.options.onReduced?.(performance.now() - started);
  }
}

/**
 * The rule, apart from the clock: told the loop's utilization over each step, says when an idle
 * period has lasted `afterMs`, once per period. A busy step ends the period.
 */
export class IdlePeriods {
  private idleMs = 0;
  private reduced = false;

  constructor(private readonly afterMs: number) {}

  /** True when the heap is to be reduced now. */
  observe(utilization: number, stepMs: number): boolean {
    if (utilization > IDLE_UTILIZATION) {
      this.idleMs = 0;
      this.reduced = false;
      return false;
    }
    this.idleMs += stepMs;
    if (this.reduced || this.idleMs < this.afterMs) return false;
    this.reduced = true;
    return true;
  }
}
