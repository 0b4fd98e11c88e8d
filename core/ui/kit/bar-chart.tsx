// A small SVG bar chart with no dependencies. Screen readers get a list: one item per bar, named
// by its label and value; sighted users get the same text as a tooltip on hover.
import { formatNumber } from './i18n.js';

export interface Bar {
  /** The full label, e.g. "3 Nov 2026" (tooltip and screen readers). */
  label: string;
  /** The axis label under the bar, e.g. "3"; defaults to `label`. */
  tick?: string;
  value: number;
}

const BAR = 18;
const GAP = 6;
const LEFT = 40; // room for the value axis
const TOP = 8;
const BOTTOM = 20; // room for the ticks

/** The smallest 1, 2 or 5 × 10ⁿ at or above `n` (so the axis reads in round numbers); fractions too (a cost of 0.004 → 0.005). */
function roundUp(n: number): number {
  if (n <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 5, 10].map((m) => Number((m * magnitude).toPrecision(12))).find((v) => v >= n)!;
}

/** `title` names the chart (a caption and the list's accessible name); `format` prints values. */
export function BarChart(props: { title: string; bars: readonly Bar[]; height?: number; format?: (value: number) => string }) {
  const { bars, height = 120 } = props;
  const format = props.format ?? ((v: number) => formatNumber(v));
  const top = roundUp(Math.max(0, ...bars.map((b) => b.value)));
  const width = LEFT + bars.length * (BAR + GAP);
  const y = (value: number) => TOP + height - (value / top) * height;
  const everyTick = bars.length > 16 ? 2 : 1; // every other day on a month's chart

  return (
    <figure style={{ margin: '0 0 1rem' }}>
      <figcaption class="muted" style={{ fontSize: '0.9rem', marginBottom: '0.25rem' }}>
        {props.title}
      </figcaption>
      <svg
        role="list"
        aria-label={props.title}
        viewBox={`0 0 ${width} ${TOP + height + BOTTOM}`}
        width="100%"
        style={{ maxWidth: `${width}px`, display: 'block', overflow: 'visible' }}
      >
        {/* biome-ignore lint/a11y/noAriaHiddenOnFocusable: an SVG group is not focusable; the axis is decoration */}
        <g aria-hidden="true" style={{ fontSize: '10px', fill: 'var(--muted)' }}>
          {(Number.isInteger(top / 2) ? [0, top / 2, top] : [0, top]).map((v) => (
            <g key={v}>
              <line x1={LEFT - 4} x2={width} y1={y(v)} y2={y(v)} style={{ stroke: 'var(--border)' }} />
              <text x={LEFT - 8} y={y(v) + 3} text-anchor="end">
                {format(v)}
              </text>
            </g>
          ))}
        </g>
        {bars.map((bar, i) => {
          const x = LEFT + i * (BAR + GAP) + GAP / 2;
          const name = `${bar.label}: ${format(bar.value)}`;
          return (
            // biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: an SVG group is not interactive; each bar is a list item for screen readers
            <g key={bar.label} role="listitem" aria-label={name}>
              <title>{name}</title>
              {/* the full column takes the hover, so a zero day still shows its tooltip */}
              <rect x={x - GAP / 2} y={TOP} width={BAR + GAP} height={height} style={{ fill: 'transparent' }} />
              <rect
                x={x}
                y={y(bar.value)}
                width={BAR}
                height={Math.max((bar.value / top) * height, bar.value > 0 ? 1 : 0)}
                rx={2}
                style={{ fill: 'var(--accent)' }}
              />
              {i % everyTick === 0 ? (
                // biome-ignore lint/a11y/noAriaHiddenOnFocusable: SVG text is not focusable; the bar's label already says it
                <text aria-hidden="true" x={x + BAR / 2} y={TOP + height + 14} text-anchor="middle" style={{ fontSize: '10px', fill: 'var(--muted)' }}>
                  {bar.tick ?? bar.label}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
