// Reading GET /metrics as Prometheus would, with parse-prometheus-text-format (a maintained parser
// of the text format, prom2json's output). That parser folds a histogram's series into one and
// drops their labels (it only handles unlabelled histograms), so the text is parsed twice: as sent,
// for each family's type and help, and with histograms declared untyped, which leaves every
// `_bucket`, `_sum` and `_count` series with its own labels.
import assert from 'node:assert/strict';
import parsePrometheusTextFormat, { type ParsedFamily, type ParsedSample } from 'parse-prometheus-text-format';
import type { Server } from './app.js';

export interface Exposition {
  /** Families by name, typed as declared. */
  families: Map<string, ParsedFamily>;
  /** Every series by its sample name (`x`, `x_bucket`, `x_count`, …), with its labels and value. */
  series: Map<string, ParsedSample[]>;
  text: string;
}

export function parseExposition(text: string): Exposition {
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  const series = new Map<string, ParsedSample[]>();
  for (const f of parsePrometheusTextFormat(text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped'))) {
    series.set(f.name, [...(series.get(f.name) ?? []), ...f.metrics]);
  }
  return { families, series, text };
}

/** GET /metrics with `headers`; 200 with Prometheus' text content type expected. */
export async function scrape(t: Pick<Server, 'request'>, headers: Record<string, string>): Promise<Exposition> {
  const res = await t.request('GET', '/metrics', { headers });
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parseExposition(res.text);
}

/** The family, which must be there with the type given. */
export function family(e: Exposition, name: string, type: ParsedFamily['type']): ParsedFamily {
  const found = e.families.get(name);
  assert.ok(found, `family ${name} is missing`);
  assert.equal(found.type, type, `${name} is a ${found.type}`);
  return found;
}

const matches = (sample: ParsedSample, labels: Record<string, string>) => Object.entries(labels).every(([k, v]) => sample.labels?.[k] === v);
const withoutLe = ({ le: _le, ...rest }: Record<string, string> = {}) => JSON.stringify(Object.entries(rest).sort());

/** Series of one sample name whose labels include `labels`. */
export const samples = (e: Exposition, name: string, labels: Record<string, string> = {}): ParsedSample[] =>
  (e.series.get(name) ?? []).filter((s) => matches(s, labels));

/** The sum of a counter's or gauge's series with these labels (0 when none). */
export const total = (e: Exposition, name: string, labels: Record<string, string> = {}): number =>
  samples(e, name, labels).reduce((n, s) => n + Number(s.value), 0);

/** How many observations a histogram holds with these labels; each such series is checked: cumulative buckets ending at its count. */
export function observed(e: Exposition, name: string, labels: Record<string, string> = {}): number {
  family(e, name, 'HISTOGRAM');
  let n = 0;
  for (const count of samples(e, `${name}_count`, labels)) {
    const key = withoutLe(count.labels);
    const buckets = samples(e, `${name}_bucket`)
      .filter((b) => withoutLe(b.labels) === key)
      .map((b) => [b.labels?.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(b.labels?.le), Number(b.value)] as const)
      .sort((a, b) => a[0] - b[0]);
    assert.ok(buckets.length > 1, `${name}: no buckets`);
    for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i][1] >= buckets[i - 1][1], `${name}: buckets decrease`);
    assert.equal(buckets.at(-1)?.[0], Number.POSITIVE_INFINITY);
    assert.equal(buckets.at(-1)?.[1], Number(count.value), `${name}: the +Inf bucket is not the count`);
    const sum = samples(e, `${name}_sum`).find((s) => withoutLe(s.labels) === key);
    assert.ok(sum && Number(sum.value) >= 0, `${name}: no sum, or a negative one`);
    n += Number(count.value);
  }
  return n;
}

/** The distinct values one label takes across a family (a histogram's: across its `_count` series). */
export function labelValues(e: Exposition, name: string, label: string): Set<string> {
  const type = e.families.get(name)?.type;
  const found = samples(e, type === 'HISTOGRAM' ? `${name}_count` : name);
  return new Set(found.map((s) => s.labels?.[label]).filter((v): v is string => v !== undefined));
}
