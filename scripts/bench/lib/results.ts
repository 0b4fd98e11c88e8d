// Figures, medians, the printed lines and bench-results.json.
import fs from 'node:fs';
import type { Measurement } from './context.js';

export interface Target {
  /** What the target applies to: the ratio to the ceiling, or the value itself. */
  on: 'ratio' | 'value';
  op: '>=' | '<=';
  limit: number;
}

/** A figure's throughput ratio to its ceiling must reach this, on SQLite and on PostgreSQL alike (issue 44). */
export const RATIO_TARGET = 0.6;
export const ratioTarget: Target = { on: 'ratio', op: '>=', limit: RATIO_TARGET };

export interface Figure {
  name: string;
  value: number;
  unit: string;
  ceiling_name: string | null;
  ceiling_value: number | null;
  ratio: number | null;
  /** Printed only. */
  target?: Target;
  note?: string;
  /** The individual runs behind a median, printed only. */
  samples?: number[];
  /** Median server CPU per request/message in µs, and the ceiling's; printed only. */
  cpuUs?: number | null;
  ceilingCpuUs?: number | null;
  /** What the CPU figures are per, when not the unit's numerator (e.g. 'command' for a latency in ms). */
  cpuUnit?: string;
  /** Median load-generator CPU per request/message in µs; printed only. */
  clientCpuUs?: number | null;
  /** (max − min) / median of the figure's runs and of its ceiling's; printed only. */
  spread?: number | null;
  ceilingSpread?: number | null;
}

/** The row written to bench-results.json. */
export type FigureRow = Pick<Figure, 'name' | 'value' | 'unit' | 'ceiling_name' | 'ceiling_value' | 'ratio'> & {
  /** Ceiling server CPU per unit over the figure's (null without both). */
  cpu_ratio: number | null;
  /** Load-generator CPU per unit, µs. */
  client_cpu_us: number | null;
  spread: number | null;
  ceiling_spread: number | null;
  /** False when the figure's or its ceiling's runs still spread over more than BENCH_MAX_SPREAD after BENCH_MAX_RUNS; null for a single run. */
  settled: boolean | null;
};

/**
 * Whether a figure's runs (and its ceiling's) agree within `maxSpread`; null when there is no
 * spread to judge (one run, or a figure not repeated).
 */
export function settled(f: Figure, maxSpread: number): boolean | null {
  const spreads = [f.spread, f.ceilingSpread].filter((x): x is number => x != null);
  return spreads.length ? spreads.every((x) => x <= maxSpread) : null;
}

export function median(values: number[]): number {
  if (!values.length) throw new Error('median of no values');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** (max − min) / median of a set of runs: 0.1 means the runs lie within 10% of their median. */
export function spread(values: number[]): number {
  if (values.length < 2) return Infinity;
  const m = median(values);
  return m > 0 ? (Math.max(...values) - Math.min(...values)) / m : Infinity;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Rounds for display and for the file: whole numbers from 100 up, one decimal below. */
export function tidy(n: number): number {
  return Math.abs(n) >= 100 ? Math.round(n) : round(n, 1);
}

const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);

/** The spread of some runs for a Figure's `spread` field: null for fewer than two runs. */
export const spreadOf = (values: number[]): number | null => finite(spread(values));

const medianCpu = (runs: Measurement[], which: 'cpuUs' | 'clientCpuUs' = 'cpuUs'): number | null => {
  const cpu = runs.map((m) => m[which]).filter((c): c is number => typeof c === 'number');
  return cpu.length ? median(cpu) : null;
};

/** A throughput figure measured against a ceiling: medians of both, and their ratio. */
export function againstCeiling(
  name: string,
  unit: string,
  runs: Measurement[],
  ceilingName: string,
  ceilingRuns: Measurement[],
  extra: Partial<Figure> = {},
): Figure {
  const samples = runs.map((m) => m.value);
  const value = median(samples);
  const ceiling = median(ceilingRuns.map((m) => m.value));
  return {
    name,
    value: tidy(value),
    unit,
    ceiling_name: ceilingName,
    ceiling_value: tidy(ceiling),
    ratio: ceiling > 0 ? round(value / ceiling, 3) : null,
    samples,
    spread: finite(spread(samples)),
    ceilingSpread: finite(spread(ceilingRuns.map((m) => m.value))),
    cpuUs: medianCpu(runs),
    ceilingCpuUs: medianCpu(ceilingRuns),
    clientCpuUs: medianCpu(runs, 'clientCpuUs'),
    ...extra,
  };
}

/** A ceiling on its own: median value and server CPU. */
export function ceilingFigure(name: string, unit: string, runs: Measurement[], extra: Partial<Figure> = {}): Figure {
  const values = runs.map((m) => m.value);
  return standalone(name, unit, values, { cpuUs: medianCpu(runs), clientCpuUs: medianCpu(runs, 'clientCpuUs'), spread: finite(spread(values)), ...extra });
}

/** A latency or size figure: no ceiling. */
export function standalone(name: string, unit: string, samples: number[], extra: Partial<Figure> = {}): Figure {
  return { name, value: tidy(median(samples)), unit, ceiling_name: null, ceiling_value: null, ratio: null, samples, ...extra };
}

function targetText(f: Figure): string {
  const t = f.target;
  if (!t) return '';
  const actual = t.on === 'ratio' ? f.ratio : f.value;
  const met = actual !== null && (t.op === '>=' ? actual >= t.limit : actual <= t.limit);
  return `(target ${t.op} ${t.limit}${t.on === 'value' ? ` ${f.unit}` : ''}: ${met ? 'met' : 'MISSED'})`;
}

const pct = (n: number) => `${Math.round(n * 100)}%`;

/** The printed line; `maxSpread` (BENCH_MAX_SPREAD) marks a figure whose runs never agreed as unsettled. */
export function formatLine(f: Figure, maxSpread: number): string {
  const parts = [`${f.name.padEnd(22)}${String(f.value).padStart(8)} ${f.unit}${settled(f, maxSpread) === false ? ' UNSETTLED' : ''}`];
  if (f.ceiling_name !== null) {
    parts.push(`ceiling ${f.ceiling_name} ${f.ceiling_value} ${f.unit}`, `ratio ${f.ratio?.toFixed(2)}`);
  }
  const target = targetText(f);
  if (target) parts.push(target);
  if (f.spread != null || f.ceilingSpread != null) {
    const own = f.spread != null ? `spread ±${pct(f.spread / 2)}` : 'spread -';
    const verdict = settled(f, maxSpread) === false ? ` > ±${pct(maxSpread / 2)}: unsettled` : '';
    parts.push(`${own}${f.ceilingSpread != null ? ` (ceiling ±${pct(f.ceilingSpread / 2)})` : ''}${verdict}`);
  }
  if (f.cpuUs != null) {
    const per = f.cpuUnit ?? f.unit.split('/')[0];
    const client = f.clientCpuUs != null ? `, client ${Math.round(f.clientCpuUs)}` : '';
    parts.push(`cpu µs/${per}: server ${Math.round(f.cpuUs)}${f.ceilingCpuUs != null ? ` (ceiling ${Math.round(f.ceilingCpuUs)})` : ''}${client}`);
    // The steadier of the two ratios on a shared machine: server CPU per unit, ceiling over figure.
    if (f.ceilingCpuUs != null && f.cpuUs > 0) parts.push(`cpu ratio ${(f.ceilingCpuUs / f.cpuUs).toFixed(2)}`);
  }
  if (f.note) parts.push(f.note);
  if (f.samples && f.samples.length > 1) parts.push(`[runs ${f.samples.map(tidy).join(', ')}]`);
  return parts.join('   ');
}

export function writeResults(file: string, figures: Figure[], maxSpread: number): void {
  const rows: FigureRow[] = figures.map((f) => ({
    name: f.name,
    value: f.value,
    unit: f.unit,
    ceiling_name: f.ceiling_name,
    ceiling_value: f.ceiling_value,
    ratio: f.ratio,
    cpu_ratio: f.cpuUs && f.ceilingCpuUs ? round(f.ceilingCpuUs / f.cpuUs, 3) : null,
    client_cpu_us: f.clientCpuUs == null ? null : tidy(f.clientCpuUs),
    spread: f.spread == null ? null : round(f.spread, 3),
    ceiling_spread: f.ceilingSpread == null ? null : round(f.ceilingSpread, 3),
    settled: settled(f, maxSpread),
  }));
  fs.writeFileSync(file, `${JSON.stringify(rows, null, 2)}\n`);
}
