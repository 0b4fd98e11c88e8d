import v8 from 'node:v8';

/** The old generation may grow to 4× what a full collection left alive before the next. */
const HEAP_GROWING_PERCENT = 300;

/**
 * Lets the old generation grow further between full collections than V8's own choice (a factor
 * between 1.1 and 4 picked after each collection from its speed), for a server under sustained load.
 *
 * V8 starts marking for the next full collection at once whenever the room left under the old
 * generation's limit is smaller than the young generation's capacity. Under sustained load the young
 * generation grows to its largest while a server's live old generation stays small, and the limit V8
 * set after a collection left less room than that: each full collection started the next, with no
 * scavenge between, and V8's helper threads took a large share of the CPU (docs/performance.md, mail
 * ingest). With 4× the room stays above the young generation's capacity. The cost is a larger old
 * generation under load between collections; an idle server still gives its memory back (idle-heap.ts).
 *
 * Called by the `plinth` command before the app loads. `--heap-growing-percent` given on the command
 * line or in NODE_OPTIONS wins; V8 reads the flag after each collection, so setting it at run time works.
 */
export function widenHeapGrowth(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): boolean {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].some((arg) => arg.startsWith('--heap-growing-percent') || arg.startsWith('--heap_growing_percent'));
  if (given) return false;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
