// What figure modules and ceilings share: run settings, the log, and the ceiling samples taken so far.
import type { Figure } from './results.js';
import type { RunningServer } from './process.js';

export interface BenchSettings {
  /** Measured runs per figure at least (each ceiling run alternates with its Plinth run)… */
  runs: number;
  /** …and more, up to this many, while either side's runs spread over more than `maxSpread`. */
  maxRuns: number;
  /** (max − min) / median the runs of a side may differ by before more runs are taken. */
  maxSpread: number;
  /** Seconds per load run (HTTP, and the in-process workers' timed loops). */
  durationSec: number;
  /** Seconds of unmeasured load on a fresh server before its first measured run. */
  warmupSec: number;
  connections: number;
  /** wrk threads (each its own event loop); one keeps up with a Node server and leaves it the most CPU. */
  wrkThreads: number;
  /** Messages per SMTP run, and the time bound on one run. */
  smtpMessages: number;
  smtpTimeBoundSec: number;
  /** Messages sent to each SMTP server before its measured runs (warmupSmtp). */
  smtpWarmupMessages: number;
  smtpConnections: number;
  /** Robots connected over WebSockets for the push latency figure. */
  robots: number;
  /** Commands sent (and timed) per side for the push latency figure, and how many at once. */
  pushSends: number;
  pushConcurrency: number;
  /** Robots (tokens) the message-report load is spread over. */
  reportRobots: number;
}

const envNumber = (name: string, fallback: number, min: number, max: number): number => {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${name}=${raw}: expected a number from ${min} to ${max}`);
  return n;
};

export function settingsFromEnv(): BenchSettings {
  return {
    runs: envNumber('BENCH_RUNS', 3, 1, 15),
    maxRuns: envNumber('BENCH_MAX_RUNS', 5, 1, 30),
    maxSpread: envNumber('BENCH_MAX_SPREAD', 0.1, 0.01, 10),
    durationSec: envNumber('BENCH_DURATION', 8, 1, 60),
    warmupSec: envNumber('BENCH_WARMUP', 2, 0, 30),
    connections: envNumber('BENCH_CONNECTIONS', 50, 1, 500),
    wrkThreads: envNumber('BENCH_WRK_THREADS', 1, 1, 16),
    smtpMessages: envNumber('BENCH_SMTP_MESSAGES', 2000, 10, 100000),
    smtpTimeBoundSec: envNumber('BENCH_SMTP_TIME_BOUND', 15, 1, 120),
    smtpWarmupMessages: envNumber('BENCH_SMTP_WARMUP', 10000, 0, 100000),
    smtpConnections: envNumber('BENCH_SMTP_CONNECTIONS', 10, 1, 50),
    robots: envNumber('BENCH_ROBOTS', 1000, 1, 20000),
    pushSends: envNumber('BENCH_PUSH_SENDS', 2000, 10, 100000),
    pushConcurrency: envNumber('BENCH_PUSH_CONCURRENCY', 4, 1, 100),
    reportRobots: envNumber('BENCH_REPORT_ROBOTS', 200, 1, 5000),
  };
}

/** One measured run: the figure's value, and the server's CPU time per unit of work (request, message). */
export interface Measurement {
  value: number;
  /** Server user + system CPU per request/message in µs; null when not measured. */
  cpuUs: number | null;
  /** The load generator's CPU per request/message in µs (its own process): when it nears the run's
   * wall time per unit × connections, the client, not the server, sets the pace. */
  clientCpuUs?: number;
}

/** A bare-framework server giving the best a figure could reach on this machine. */
export interface Ceiling {
  name: string;
  unit: string;
  /** One line saying what it does, printed beside its figure. */
  describe: string;
  start(): Promise<RunningServer>;
  /** One measured run against a started server, in `unit`. */
  measure(server: RunningServer, settings: BenchSettings): Promise<Measurement>;
  /** How it is loaded, for its printed line, when not the HTTP or SMTP load of the settings. */
  how?: (settings: BenchSettings) => string;
  /** Unmeasured load before the first run. */
  warmup(server: RunningServer, settings: BenchSettings): Promise<void>;
}

export class BenchContext {
  private readonly ceilingSamples = new Map<string, { ceiling: Ceiling; samples: Measurement[] }>();

  constructor(
    readonly settings: BenchSettings,
    readonly log: (msg: string) => void,
  ) {}

  /** Ceiling runs taken by any figure; each ceiling is printed once with the median of all its runs. */
  recordCeiling(ceiling: Ceiling, samples: Measurement[]): void {
    const entry = this.ceilingSamples.get(ceiling.name) ?? { ceiling, samples: [] };
    entry.samples.push(...samples);
    this.ceilingSamples.set(ceiling.name, entry);
  }

  hasCeiling(name: string): boolean {
    return this.ceilingSamples.has(name);
  }

  ceilings(): Array<{ ceiling: Ceiling; samples: Measurement[] }> {
    return [...this.ceilingSamples.values()];
  }
}

export interface FigureModule {
  name: string;
  run(ctx: BenchContext): Promise<Figure[]>;
}
