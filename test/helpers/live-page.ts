// What the live-page browser tests share: the GETs a page makes of one API path (to show that a list
// is fetched again because of a live event, never by a timer while the stream is up), waiting for a
// page's live stream, and the bars of a chart as numbers.
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';

/** The time a change has to show on an open page (the "within two seconds"). */
export const WITHIN = 2_000;

export interface GetLog {
  /** GETs of the path since the log started (or since the last reset). */
  readonly count: number;
  reset(): void;
  stop(): void;
}

/** Counts the page's GETs whose path is `path` (exactly, query left out) or whose path and query match it. */
export function logGets(page: Page, path: string | RegExp): GetLog {
  let count = 0;
  const listener = (req: { method(): string; url(): string }) => {
    if (req.method() !== 'GET') return;
    const url = new URL(req.url());
    if (typeof path === 'string' ? url.pathname === path : path.test(url.pathname + url.search)) count++;
  };
  page.on('request', listener);
  return {
    get count() {
      return count;
    },
    reset() {
      count = 0;
    },
    stop() {
      page.off('request', listener);
    },
  };
}

/** Waits until the page says it is live (core/ui/kit/live-note.tsx: the stream is open). */
export async function waitLive(page: Page): Promise<void> {
  await page.locator('.live-note .badge-ok').first().waitFor();
}

/**
 * Lets the page's timers run `ms` ahead at once (the page's clock must be installed before it
 * loaded: `page.clock.install()`), then asserts the path was not fetched: no poll while the stream
 * is up. A minute covers every page's poll period.
 */
export async function assertNoPolling(page: Page, log: GetLog, ms = 60_000): Promise<void> {
  // A burst's last event comes up to a second after its first (core/live.ts coalesces nudges and a
  // superadmin's `platform` events): let it land first, so what is counted is what timers asked for.
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  log.reset();
  await page.clock.runFor(ms);
  // A request a timer started goes out at once: one more round trip to the server lets it be seen here.
  await page.evaluate(() => fetch('/admin/api/me').then((r) => r.status));
  assert.equal(log.count, 0, `no GET of the list while the live stream is open (saw ${log.count} in ${ms / 1000} s of the page's time)`);
}

/** A chart's bars (core/ui/kit/bar-chart.tsx, each a list item "label: value") as [label, value] pairs. */
export async function bars(chart: Locator): Promise<Array<[string, number]>> {
  const names = await chart.getByRole('listitem').evaluateAll((items) => items.map((i) => i.getAttribute('aria-label') ?? ''));
  return names.map((n) => {
    const at = n.lastIndexOf(': ');
    return [n.slice(0, at), Number(n.slice(at + 2).replace(/[^0-9.]/g, ''))];
  });
}

/** Waits (WITHIN) until `read` gives `want`, deep-equal; fails with the last value read. */
export async function until<T>(what: string, read: () => Promise<T>, want: T, ms = WITHIN): Promise<void> {
  const end = Date.now() + ms;
  let last: T | undefined;
  for (;;) {
    last = await read();
    try {
      assert.deepEqual(last, want);
      return;
    } catch {
      if (Date.now() > end) assert.fail(`${what}: wanted ${JSON.stringify(want)} within ${ms} ms, last saw ${JSON.stringify(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
